package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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
	e = chained(e, prev)
	res, err := s.pool(ctx).ExecContext(ctx, "INSERT INTO case_events "+eventColumns+" VALUES "+eventPlaceholders,
		eventArgs([]eventRow{toEventRow(e)})...)
	if err != nil {
		return models.Event{}, translate(err, "case history")
	}
	if e.ID, err = res.LastInsertId(); err != nil {
		return models.Event{}, translate(err, "case history")
	}
	return e, nil
}

// chained places an event right after prev in its case's chain: its sequence number, time
// (as stored) and hashes.
func chained(e models.Event, prev models.Event) models.Event {
	e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = models.EventTime(e.At)
	e.Hash = e.ComputeHash()
	return e
}

// eventColumns and eventPlaceholders are the columns an event is inserted with, and one row's
// values; eventFieldPlaceholders are those between its case id and its hashes (eventFields).
const (
	eventColumns           = "(case_id, seq, actor_id, actor_role, action, from_state, to_state, note, attachment_ids, `at`, prev_hash, hash)"
	eventFieldPlaceholders = "?, ?, ?, ?, ?, ?, ?, ?, ?"
	eventPlaceholders      = "(?, " + eventFieldPlaceholders + ", ?, ?)"
)

// toEventRow converts an event for storing.
func toEventRow(e models.Event) eventRow {
	return eventRow{
		CaseID: e.CaseID, Seq: e.Seq, ActorID: e.ActorID, ActorRole: string(e.ActorRole), Action: string(e.Action),
		FromState: string(e.FromState), ToState: string(e.ToState), Note: e.Note,
		AttachmentIDs: jsonList(e.AttachmentIDs), At: e.At, PrevHash: e.PrevHash, Hash: e.Hash,
	}
}

// eventArgs are the placeholders' values of rows, in eventColumns order.
func eventArgs(rows []eventRow) []any {
	args := make([]any, 0, 12*len(rows))
	for _, r := range rows {
		args = append(eventFields(append(args, r.CaseID), r), r.PrevHash, r.Hash)
	}
	return args
}

// eventFields adds a row's values between its case id and its hashes.
func eventFields(args []any, r eventRow) []any {
	return append(args, r.Seq, r.ActorID, r.ActorRole, r.Action, r.FromState, r.ToState, r.Note, r.AttachmentIDs, r.At)
}

// insertHistory stores a new case's first events in one statement, chained from the start, and
// links the attachments they name. Only the first row's id is known from a multi-row insert on
// MySQL (SQLite tells the last), so a history with attachments on a later event, or any on
// SQLite, is written one event at a time.
func (s *Store) insertHistory(ctx context.Context, evs []models.Event) error {
	for i, e := range evs {
		if len(e.AttachmentIDs) > 0 && (i > 0 || s.driver == DriverSQLite) {
			return s.insertOneByOne(ctx, evs)
		}
	}
	q, args := insertHistorySQL(evs)
	res, err := s.pool(ctx).ExecContext(ctx, q, args...)
	if err != nil {
		return translate(err, "case history")
	}
	first, err := res.LastInsertId()
	if err != nil {
		return translate(err, "case history")
	}
	return s.LinkAttachments(ctx, evs[0].AttachmentIDs, evs[0].CaseID, first)
}

// insertHistorySQL is the multi-row INSERT of a new case's first events, chained from the start.
func insertHistorySQL(evs []models.Event) (string, []any) {
	var prev models.Event
	rows := make([]eventRow, len(evs))
	for i, e := range evs {
		e = chained(e, prev)
		rows[i], prev = toEventRow(e), e
	}
	return "INSERT INTO case_events " + eventColumns + " VALUES " +
		strings.TrimSuffix(strings.Repeat(eventPlaceholders+", ", len(rows)), ", "), eventArgs(rows)
}

// insertOneByOne stores a new case's first events one statement each, chained from the start.
func (s *Store) insertOneByOne(ctx context.Context, evs []models.Event) error {
	var prev models.Event
	for _, ev := range evs {
		e, err := s.insertEvent(ctx, ev, prev)
		if err != nil {
			return err
		}
		if err := s.LinkAttachments(ctx, e.AttachmentIDs, e.CaseID, e.ID); err != nil {
			return err
		}
		prev = e
	}
	return nil
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
