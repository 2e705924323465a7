package store

import (
	"context"
	"time"

	"gridbot/models"
)

// statsRow is the part of a case the statistics need.
type statsRow struct {
	State          string
	HandleDeadline *time.Time
	ClosedAt       *time.Time
	Rating         int
	ReworkCount    int
	ReturnCount    int
	EscalationLvl  int `gorm:"column:escalation_level"`
}

// CaseStats sums up the cases received since a time; a closed case without a rating counts as
// unrated once it was closed before unratedBefore.
func (s *Store) CaseStats(ctx context.Context, since, unratedBefore, now time.Time) (models.Stats, error) {
	var rows []statsRow
	err := s.conn(ctx).Model(&caseRow{}).
		Select("state, handle_deadline, closed_at, rating, rework_count, return_count, escalation_level").
		Where("created_at >= ?", since.UTC()).Find(&rows).Error
	if err != nil {
		return models.Stats{}, translate(err, "statistics")
	}
	st := models.Stats{Since: since, ByState: map[models.State]int{}}
	var ratingSum int
	for _, r := range rows {
		tally(&st, r, unratedBefore, now, &ratingSum)
	}
	if st.Urged, err = s.casesUrged(ctx, since); err != nil {
		return models.Stats{}, err
	}
	if st.Received > 0 {
		st.ClosureRate = float64(st.Closed) / float64(st.Received)
	}
	if st.Closed > 0 {
		st.OnTimeRate = float64(st.ClosedOnTime) / float64(st.Closed)
	}
	if st.Rated > 0 {
		st.RatingAvg = float64(ratingSum) / float64(st.Rated)
	}
	return st, nil
}

// casesUrged counts the cases received since a time that their reporter or a follower urged
// (催办) at least once.
func (s *Store) casesUrged(ctx context.Context, since time.Time) (int, error) {
	var n int64
	err := s.conn(ctx).Table("case_events").Joins("JOIN cases ON cases.id = case_events.case_id").
		Where("case_events.action = ? AND cases.created_at >= ?", string(models.ActionUrge), since.UTC()).
		Distinct("case_events.case_id").Count(&n).Error
	if err != nil {
		return 0, translate(err, "statistics")
	}
	return int(n), nil
}

// tally adds one case to the statistics.
func tally(st *models.Stats, r statsRow, unratedBefore, now time.Time, ratingSum *int) {
	state := models.State(r.State)
	st.Received++
	st.ByState[state]++
	if r.ClosedAt != nil && state == models.StateClosed {
		st.Closed++
		if r.HandleDeadline == nil || !r.ClosedAt.After(*r.HandleDeadline) {
			st.ClosedOnTime++
		}
		if r.Rating == 0 && r.ClosedAt.Before(unratedBefore) {
			st.Unrated++
		}
	}
	if r.Rating > 0 {
		st.Rated++
		*ratingSum += r.Rating
		if r.Rating >= 4 {
			st.Satisfied++
		}
	}
	if r.ReworkCount > 0 {
		st.Reworked++
	}
	if r.ReturnCount > 0 {
		st.Returned++
	}
	if r.EscalationLvl > 0 {
		st.Escalated++
	}
	if state.ClockRunning() && r.HandleDeadline != nil && r.HandleDeadline.Before(now) {
		st.Overdue++
	}
}
