package store

import (
	"context"
	"strings"
	"time"

	"gridbot/models"
)

type intentRow struct {
	ID            int64 `gorm:"primaryKey"`
	RecipientID   int64
	Channel       string
	Kind          string
	CaseID        int64
	DedupKey      string
	Payload       string
	State         string
	Attempts      int
	NextAttemptAt time.Time
	Paced         bool
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

func (intentRow) TableName() string { return "intents" }

// toIntent converts a stored intent.
func (r intentRow) toIntent() models.Intent {
	return models.Intent{
		ID: r.ID, RecipientID: r.RecipientID, Channel: models.Channel(r.Channel), Kind: r.Kind, CaseID: r.CaseID,
		DedupKey: r.DedupKey, Payload: []byte(r.Payload), State: models.IntentState(r.State), Attempts: r.Attempts,
		NextAttemptAt: r.NextAttemptAt.UTC(), Paced: r.Paced, LastError: r.LastError, CreatedAt: r.CreatedAt.UTC(),
		SentAt: timeVal(r.SentAt),
	}
}

// AddIntents writes notification intents to the outbox. Call it on the Store of the transaction
// that makes the change they announce. An intent whose DedupKey is already there is skipped:
// the same step never notifies twice.
func (s *Store) AddIntents(ctx context.Context, intents []models.Intent) error {
	return s.addIntents(ctx, 0, intents)
}

// addIntents writes intents in one statement, filling in a case id where they have none.
func (s *Store) addIntents(ctx context.Context, caseID int64, intents []models.Intent) error {
	if len(intents) == 0 {
		return nil
	}
	rows, err := toIntentRows(caseID, intents)
	if err != nil {
		return err
	}
	_, err = s.pool(ctx).ExecContext(ctx, insertIntentsSQL(s.driver, len(rows)), intentArgs(rows)...)
	return translate(err, "notification")
}

// toIntentRows checks new intents and converts them for storing; an intent without a case
// gets caseID.
func toIntentRows(caseID int64, intents []models.Intent) ([]intentRow, error) {
	now := models.EventTime(time.Now())
	rows := make([]intentRow, 0, len(intents))
	for _, in := range intents {
		if in.DedupKey == "" || in.RecipientID == 0 || !in.Channel.Valid() || in.Kind == "" {
			return nil, models.Errorf(models.EInvalid, "intent %q needs a dedup key, recipient, channel and kind", in.Kind)
		}
		if in.CaseID == 0 {
			in.CaseID = caseID
		}
		payload := string(in.Payload)
		if payload == "" {
			payload = "{}"
		}
		next := in.NextAttemptAt
		if next.IsZero() {
			next = now
		}
		rows = append(rows, intentRow{
			RecipientID: in.RecipientID, Channel: string(in.Channel), Kind: in.Kind, CaseID: in.CaseID,
			DedupKey: in.DedupKey, Payload: payload, State: string(models.IntentPending),
			NextAttemptAt: next.UTC(), Paced: in.Paced, CreatedAt: now,
		})
	}
	return rows, nil
}

// insertIntentsSQL is the multi-row INSERT of new intents that skips a dedup key stored
// already, in the driver's dialect (plain SQL: every case change writes intents).
func insertIntentsSQL(driver string, n int) string {
	sql := "INSERT INTO intents " + intentColumns + " VALUES " +
		strings.TrimSuffix(strings.Repeat(intentValues("?", "?")+", ", n), ", ")
	if driver == DriverSQLite {
		return sql + " ON CONFLICT (dedup_key) DO NOTHING"
	}
	return sql + onDuplicateSkip
}

// intentColumns are the columns a new intent is inserted with.
const intentColumns = "(recipient_id, channel, kind, case_id, dedup_key, payload, state, attempts, " +
	"next_attempt_at, paced, last_error, created_at)"

// onDuplicateSkip ends MySQL's skipping insert of intents.
const onDuplicateSkip = " ON DUPLICATE KEY UPDATE id = id"

// intentValues is one row of VALUES in intentColumns order, its case id and payload given as
// SQL expressions ("?" takes them from the values intentFields adds).
func intentValues(caseID, payload string) string {
	return "(?, ?, ?, " + caseID + ", ?, " + payload + ", ?, 0, ?, ?, '', ?)"
}

// intentArgs are the placeholders' values of insertIntentsSQL.
func intentArgs(rows []intentRow) []any {
	args := make([]any, 0, 10*len(rows))
	for _, r := range rows {
		args = intentFields(args, r, true, true)
	}
	return args
}

// intentFields adds a row's values for the placeholders of intentValues: its case id and payload
// only where they are placeholders.
func intentFields(args []any, r intentRow, caseID, payload bool) []any {
	args = append(args, r.RecipientID, r.Channel, r.Kind)
	if caseID {
		args = append(args, r.CaseID)
	}
	args = append(args, r.DedupKey)
	if payload {
		args = append(args, r.Payload)
	}
	return append(args, r.State, r.NextAttemptAt, r.Paced, r.CreatedAt)
}

// IntentFilter selects intents for Intents; zero fields select everything.
type IntentFilter struct {
	CaseID      int64
	RecipientID int64
	State       models.IntentState
}

// Intents returns outbox entries in the order they were written.
func (s *Store) Intents(ctx context.Context, f IntentFilter) ([]models.Intent, error) {
	q := s.conn(ctx).Order("id")
	if f.CaseID != 0 {
		q = q.Where("case_id = ?", f.CaseID)
	}
	if f.RecipientID != 0 {
		q = q.Where("recipient_id = ?", f.RecipientID)
	}
	if f.State != "" {
		q = q.Where("state = ?", string(f.State))
	}
	var rows []intentRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "notifications")
	}
	out := make([]models.Intent, len(rows))
	for i, r := range rows {
		out[i] = r.toIntent()
	}
	return out, nil
}

// LatestSentIntent returns the newest notification of one of the kinds delivered to a person
// (the last card they received); models.ENotFound if none.
func (s *Store) LatestSentIntent(ctx context.Context, recipientID int64, kinds []string) (models.Intent, error) {
	var r intentRow
	err := s.conn(ctx).Where("recipient_id = ? AND kind IN ? AND state = ?", recipientID, kinds, string(models.IntentSent)).
		Order("id DESC").Take(&r).Error
	if err != nil {
		return models.Intent{}, translate(err, "notification")
	}
	return r.toIntent(), nil
}

// IntentsInState returns up to limit intents in a state, newest first (failed ones for operators).
func (s *Store) IntentsInState(ctx context.Context, state models.IntentState, limit int) ([]models.Intent, error) {
	var rows []intentRow
	if err := s.conn(ctx).Where("state = ?", string(state)).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "notifications")
	}
	out := make([]models.Intent, len(rows))
	for i, r := range rows {
		out[i] = r.toIntent()
	}
	return out, nil
}
