package store

import (
	"context"
	"time"

	"gridbot/models"
)

// signDeadlineStates are the supervised states whose running deadline is the sign-for deadline.
func signDeadlineStates() []string {
	return []string{string(models.StateDispatched), string(models.StateReopened)}
}

// handleDeadlineStates are the supervised states whose running deadline is the handling deadline.
func handleDeadlineStates() []string {
	return []string{string(models.StateSigned), string(models.StateHandling), string(models.StateExtensionRequested)}
}

// toSupervise selects the cases in a supervised state whose running deadline is set, leaving out
// only those that certainly need nothing at the given instant: chased for that deadline, not
// overdue and the deadline still ahead. A chase made at or after the sign-for deadline counts
// for the handling deadline (a sign-for chase always comes before it); any other chase is left
// for the supervision loop to judge.
const toSupervise = `id > ? AND (
	(state IN ? AND sign_deadline IS NOT NULL AND
		(chased_at IS NULL OR overdue_at IS NOT NULL OR sign_deadline <= ?))
	OR (state IN ? AND handle_deadline IS NOT NULL AND
		(chased_at IS NULL OR sign_deadline IS NULL OR chased_at < sign_deadline OR overdue_at IS NOT NULL OR handle_deadline <= ?)))`

// CasesToSupervise returns up to limit cases, by id after afterID, that may need a supervision
// step (催办 or 督办) at now: cases in a state with a running deadline (dispatched or reopened: the
// sign-for deadline; signed, handling or extension requested: the handling deadline) that has
// been set, except those already chased for it whose deadline is still ahead. The caller pages
// through them by passing the last id it got, so that no case is starved by others.
func (s *Store) CasesToSupervise(ctx context.Context, now time.Time, afterID int64, limit int) ([]models.Case, error) {
	var rows []caseRow
	now = now.UTC()
	err := s.conn(ctx).Where(toSupervise, afterID, signDeadlineStates(), now, handleDeadlineStates(), now).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "cases to supervise")
	}
	return toCases(rows), nil
}

// CasesStuckReceived returns up to limit cases, by id after afterID, still in state received
// (routing failed at intake) that were created before a time.
func (s *Store) CasesStuckReceived(ctx context.Context, before time.Time, afterID int64, limit int) ([]models.Case, error) {
	var rows []caseRow
	err := s.conn(ctx).Where("id > ? AND state = ? AND created_at < ?", afterID, string(models.StateReceived), before.UTC()).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "cases stuck in received")
	}
	return toCases(rows), nil
}
