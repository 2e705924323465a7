package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"gridbot/models"
)

type inboxRow struct {
	ID         int64 `gorm:"primaryKey"`
	DedupKey   string
	Channel    string
	OpenID     string `gorm:"column:openid"`
	MsgType    string
	Payload    string
	State      string
	Attempts   int
	Reply      string
	ReceivedAt time.Time
	DoneAt     *time.Time
	Receipt    string
}

func (inboxRow) TableName() string { return "inbox" }

// toEntry converts a stored inbox entry.
func (r inboxRow) toEntry() (models.InboxEntry, error) {
	e := models.InboxEntry{ID: r.ID, DedupKey: r.DedupKey, State: models.InboxState(r.State), Attempts: r.Attempts,
		Reply: r.Reply, ReceivedAt: r.ReceivedAt.UTC(), DoneAt: timeVal(r.DoneAt)}
	if err := json.Unmarshal([]byte(r.Payload), &e.Message); err != nil {
		return models.InboxEntry{}, fmt.Errorf("stored inbox entry %d: %w", r.ID, err)
	}
	return e, nil
}

// AddInbound stores one inbound message as AddInboundBatch does: durably, unless one with its
// dedup key is there already. It returns the stored entry, with its id, and whether this call
// created it.
func (s *Store) AddInbound(ctx context.Context, in models.Inbound) (models.InboxEntry, bool, error) {
	added, err := s.AddInboundBatch(ctx, []models.Inbound{in})
	if err == nil {
		err = added[0].Err
	}
	if err != nil {
		return models.InboxEntry{}, false, err
	}
	e := added[0].Entry
	if e.ID == 0 { // MySQL does not return the ids of new rows
		var r inboxRow
		if err := s.conn(ctx).Select("id").Where("dedup_key = ?", e.DedupKey).Take(&r).Error; err != nil {
			return models.InboxEntry{}, false, translate(err, "inbound message")
		}
		e.ID = r.ID
	}
	return e, added[0].New, nil
}

// InboxEntry returns one inbox entry.
func (s *Store) InboxEntry(ctx context.Context, id int64) (models.InboxEntry, error) {
	var r inboxRow
	if err := s.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return models.InboxEntry{}, translate(err, "inbound message")
	}
	return r.toEntry()
}

// FinishInbound records the outcome of processing an entry, named by its dedup key: done with
// its reply, or another failed attempt (failed for good when final).
func (s *Store) FinishInbound(ctx context.Context, dedupKey string, state models.InboxState, reply string) error {
	updates := map[string]any{"state": string(state), "reply": reply, "attempts": gormExprAttempts()}
	if state != models.InboxPending {
		updates["done_at"] = models.EventTime(time.Now())
	}
	res := s.conn(ctx).Model(&inboxRow{}).Where("dedup_key = ?", dedupKey).Updates(updates)
	if res.Error != nil {
		return translate(res.Error, "inbound message")
	}
	if res.RowsAffected == 0 {
		return models.Errorf(models.ENotFound, "inbound message %s not found", dedupKey)
	}
	return nil
}

// PendingInbound returns unfinished entries received before a time, oldest first.
func (s *Store) PendingInbound(ctx context.Context, before time.Time, limit int) ([]models.InboxEntry, error) {
	var rows []inboxRow
	err := s.conn(ctx).Where("state = ? AND received_at < ?", string(models.InboxPending), before.UTC()).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "inbox")
	}
	out := make([]models.InboxEntry, 0, len(rows))
	for _, r := range rows {
		e, err := r.toEntry()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// InboxCount returns how many entries the inbox holds (for tests and metrics).
func (s *Store) InboxCount(ctx context.Context) (int64, error) {
	var n int64
	if err := s.conn(ctx).Model(&inboxRow{}).Count(&n).Error; err != nil {
		return 0, translate(err, "inbox")
	}
	return n, nil
}

// gormExprAttempts increments the attempt counter in place.
func gormExprAttempts() any { return gorm.Expr("attempts + 1") }

// FinishInboundBatch records many outcomes at once (a statement or two and no transaction for
// a burst of finished messages), as FinishInbound would one by one; entries that are gone are
// skipped.
func (s *Store) FinishInboundBatch(ctx context.Context, outcomes []models.InboxOutcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	if hasRepeatedKey(outcomes) {
		return s.finishOneByOne(ctx, outcomes)
	}
	now := models.EventTime(time.Now())
	if s.driver == DriverMySQL {
		byID, byKey := splitByID(outcomes)
		for _, group := range byState(byID) {
			sql, args := finishByIDSQL(group, now)
			if err := s.conn(ctx).Exec(sql, args...).Error; err != nil {
				return translate(err, "inbound messages")
			}
		}
		if outcomes = byKey; len(outcomes) == 0 {
			return nil
		}
	}
	sql, args := s.finishBatchSQL(outcomes, now)
	return translate(s.conn(ctx).Exec(sql, args...).Error, "inbound messages")
}

// splitByID separates the outcomes of entries whose id is known from those found by key.
func splitByID(outcomes []models.InboxOutcome) (byID, byKey []models.InboxOutcome) {
	for _, o := range outcomes {
		if o.ID > 0 {
			byID = append(byID, o)
		} else {
			byKey = append(byKey, o)
		}
	}
	return byID, byKey
}

// byState groups outcomes by the state they record, in the order each state first appears.
func byState(outcomes []models.InboxOutcome) [][]models.InboxOutcome {
	var groups [][]models.InboxOutcome
	at := map[models.InboxState]int{}
	for _, o := range outcomes {
		i, ok := at[o.State]
		if !ok {
			i = len(groups)
			at[o.State] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], o)
	}
	return groups
}

// finishByIDSQL builds the MySQL UPDATE of outcomes that record one state, found by primary
// key, each reply picked by the row's place in the id list (ELT(FIELD(id, …), …)): cheaper for
// the server than joining a table of the outcomes, which it builds and optimizes row by row.
// An entry left pending keeps its done_at.
func finishByIDSQL(group []models.InboxOutcome, now time.Time) (string, []any) {
	ids := placeholders(len(group))
	args := make([]any, 0, 3*len(group)+2)
	args = append(args, string(group[0].State))
	set := "state = ?, attempts = attempts + 1, "
	if group[0].State != models.InboxPending {
		set += "done_at = ?, "
		args = append(args, now)
	}
	for _, o := range group {
		args = append(args, o.ID)
	}
	for _, o := range group {
		args = append(args, o.Reply)
	}
	for _, o := range group {
		args = append(args, o.ID)
	}
	return "UPDATE inbox SET " + set + "reply = ELT(FIELD(id, " + ids + "), " + ids + ") WHERE id IN (" + ids + ")", args
}

// finishOneByOne records outcomes in order in one transaction (an entry may appear twice).
func (s *Store) finishOneByOne(ctx context.Context, outcomes []models.InboxOutcome) error {
	return s.InTx(ctx, func(tx *Store) error {
		for _, o := range outcomes {
			if err := tx.FinishInbound(ctx, o.DedupKey, o.State, o.Reply); err != nil && models.ErrorCodeOf(err) != models.ENotFound {
				return err
			}
		}
		return nil
	})
}

// hasRepeatedKey reports whether an entry appears more than once in a batch.
func hasRepeatedKey(outcomes []models.InboxOutcome) bool {
	seen := make(map[string]struct{}, len(outcomes))
	for _, o := range outcomes {
		if _, ok := seen[o.DedupKey]; ok {
			return true
		}
		seen[o.DedupKey] = struct{}{}
	}
	return false
}

// finishBatchSQL builds the UPDATE of FinishInboundBatch: the inbox joined, on its unique dedup
// key, to the outcomes as a table of rows (key, state, reply, done time), so that each entry is
// found by the index; an entry left pending keeps its done_at (a NULL done time).
func (s *Store) finishBatchSQL(outcomes []models.InboxOutcome, now time.Time) (string, []any) {
	args := make([]any, 0, 4*len(outcomes))
	for _, o := range outcomes {
		var done any = now
		if o.State == models.InboxPending {
			done = nil
		}
		args = append(args, o.DedupKey, string(o.State), o.Reply, done)
	}
	if s.driver == DriverSQLite {
		rows := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", len(outcomes)), ", ")
		return "UPDATE inbox SET state = v.column2, reply = v.column3, done_at = COALESCE(v.column4, inbox.done_at), " +
			"attempts = attempts + 1 FROM (VALUES " + rows + ") AS v WHERE inbox.dedup_key = v.column1", args
	}
	rows := "SELECT ? AS k, ? AS s, ? AS r, CAST(? AS DATETIME(6)) AS d" +
		strings.Repeat(" UNION ALL SELECT ?, ?, ?, ?", len(outcomes)-1)
	return "UPDATE inbox JOIN (" + rows + ") AS v ON inbox.dedup_key = v.k SET inbox.state = v.s, inbox.reply = v.r, " +
		"inbox.done_at = COALESCE(v.d, inbox.done_at), inbox.attempts = inbox.attempts + 1", args
}
