package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gridbot/models"
)

type eventRow struct {
	ID            int64 `gorm:"primaryKey"`
	CaseID        int64
	Seq           int
	ActorID       int64
	ActorRole     string
	Action        string
	FromState     string
	ToState       string
	Note          string
	AttachmentIDs string // JSON array
	At            time.Time
	PrevHash      string
	Hash          string
}

func (eventRow) TableName() string { return "case_events" }

// toEvent converts a stored event.
func (r eventRow) toEvent() (models.Event, error) {
	e := models.Event{
		ID: r.ID, CaseID: r.CaseID, Seq: r.Seq, ActorID: r.ActorID, ActorRole: models.Role(r.ActorRole),
		Action: models.Action(r.Action), FromState: models.State(r.FromState), ToState: models.State(r.ToState),
		Note: r.Note, At: r.At.UTC(), PrevHash: r.PrevHash, Hash: r.Hash,
	}
	if err := json.Unmarshal([]byte(r.AttachmentIDs), &e.AttachmentIDs); err != nil {
		return models.Event{}, fmt.Errorf("stored event %d: attachment ids: %w", r.ID, err)
	}
	return e, nil
}

// appendEvent adds an event at the end of its case's chain: it sets Seq, PrevHash and Hash.
// It must run in the transaction that changes the case, which serialises appends per case.
func (s *Store) appendEvent(ctx context.Context, e models.Event) (models.Event, error) {
	var last eventRow
	res := s.conn(ctx).Where("case_id = ?", e.CaseID).Order("seq DESC").Limit(1).Find(&last)
	if res.Error != nil {
		return models.Event{}, translate(res.Error, "case history")
	}
	return s.insertEvent(ctx, e, models.Event{Seq: last.Seq, Hash: last.Hash})
}

// insertEvent stores an event right after prev in its case's chain (the zero event for the first).
func (s *Store) insertEvent(ctx context.Context, e models.Event, prev models.Event) (models.Event, error) {
	e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = models.EventTime(e.At)
	e.Hash = e.ComputeHash()
	r := eventRow{
		CaseID: e.CaseID, Seq: e.Seq, ActorID: e.ActorID, ActorRole: string(e.ActorRole), Action: string(e.Action),
		FromState: string(e.FromState), ToState: string(e.ToState), Note: e.Note,
		AttachmentIDs: jsonList(e.AttachmentIDs), At: e.At, PrevHash: e.PrevHash, Hash: e.Hash,
	}
	res, err := s.pool(ctx).ExecContext(ctx, "INSERT INTO case_events (case_id, seq, actor_id, actor_role, action, "+
		"from_state, to_state, note, attachment_ids, `at`, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		r.CaseID, r.Seq, r.ActorID, r.ActorRole, r.Action, r.FromState, r.ToState, r.Note, r.AttachmentIDs, r.At,
		r.PrevHash, r.Hash)
	if err != nil {
		return models.Event{}, translate(err, "case history")
	}
	if e.ID, err = res.LastInsertId(); err != nil {
		return models.Event{}, translate(err, "case history")
	}
	return e, nil
}

// Events returns a case's history in order.
func (s *Store) Events(ctx context.Context, caseID int64) ([]models.Event, error) {
	var rows []eventRow
	if err := s.conn(ctx).Where("case_id = ?", caseID).Order("seq").Find(&rows).Error; err != nil {
		return nil, translate(err, "case history")
	}
	out := make([]models.Event, len(rows))
	for i, r := range rows {
		e, err := r.toEvent()
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}
