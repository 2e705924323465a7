package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"gridbot/models"
)

// AddInboundBatch stores many inbound messages in one statement and one commit (a group commit
// of concurrent callbacks). A message whose dedup key is stored already is left as it is; each
// result says whether this call stored the message, and for the others what is stored. Results
// are in the order of msgs; a repeated key within msgs is stored once, by its first occurrence.
// A message that cannot be encoded or does not fit the inbox's columns is not stored: its
// result's Err is EInvalid, and the others are stored all the same. The error is for the batch.
func (s *Store) AddInboundBatch(ctx context.Context, msgs []models.Inbound) ([]models.InboxAdded, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	receipt, err := newReceipt()
	if err != nil {
		return nil, err
	}
	rows, first, refused := inboxRows(msgs, receipt)
	stored := map[string]inboxRow{}
	if len(rows) > 0 {
		n, err := s.insertInboxRows(ctx, rows)
		if err != nil {
			return nil, translate(err, "inbound messages")
		}
		if n != len(rows) { // some were there already: read what is stored
			if stored, err = s.inboxByKeys(ctx, rows); err != nil {
				return nil, err
			}
		}
	}
	return addedResults(msgs, rows, first, refused, stored, receipt)
}

// insertInboxRows writes the rows that are new and returns how many; where the database says
// (RETURNING), the rows written get their ids.
func (s *Store) insertInboxRows(ctx context.Context, rows []inboxRow) (int, error) {
	q, args := s.insertIgnoreInbox(len(rows)), inboxArgs(rows)
	if !s.returning {
		res, err := s.hotExec(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		return int(n), err
	}
	got, err := s.hotQuery(ctx, q+" RETURNING id, dedup_key", args...)
	if err != nil {
		return 0, err
	}
	defer got.Close()
	ids := make(map[string]int64, len(rows))
	for got.Next() {
		var id int64
		var key string
		if err := got.Scan(&id, &key); err != nil {
			return 0, err
		}
		ids[key] = id
	}
	if err := got.Err(); err != nil {
		return 0, err
	}
	for i := range rows {
		rows[i].ID = ids[rows[i].DedupKey]
	}
	return len(ids), nil
}

// newReceipt returns a random receipt for one batch.
func newReceipt() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("inbox receipt: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// inboxRows builds one row per distinct dedup key; first maps each key to its row's index, and
// refused holds the keys of messages that cannot be stored, with why.
func inboxRows(msgs []models.Inbound, receipt string) ([]inboxRow, map[string]int, map[string]error) {
	rows := make([]inboxRow, 0, len(msgs))
	first := make(map[string]int, len(msgs))
	var refused map[string]error
	for _, in := range msgs {
		key := in.DedupKey()
		if _, ok := first[key]; ok {
			continue
		}
		if _, ok := refused[key]; ok {
			continue
		}
		r, err := inboxRowOf(in, key, receipt)
		if err != nil {
			if refused == nil {
				refused = map[string]error{}
			}
			refused[key] = err
			continue
		}
		first[key] = len(rows)
		rows = append(rows, r)
	}
	return rows, first, refused
}

// inboxRowOf encodes one message as a new entry; a message that cannot be encoded (a NaN
// coordinate) or does not fit a column is EInvalid.
func inboxRowOf(in models.Inbound, key, receipt string) (inboxRow, error) {
	payload, err := json.Marshal(in)
	if err != nil {
		return inboxRow{}, models.WrapError(models.EInvalid, err, "inbound message cannot be encoded")
	}
	r := inboxRow{DedupKey: key, Channel: string(in.Channel), OpenID: in.OpenID, MsgType: in.MsgType,
		Payload: string(payload), State: string(models.InboxPending), ReceivedAt: models.EventTime(in.ReceivedAt),
		Receipt: receipt}
	return r, r.fits()
}

// fits checks the row's short columns against their sizes (00002_inbox.sql, in characters):
// INSERT IGNORE would cut an over-long value with a mere warning, even in strict mode.
func (r inboxRow) fits() error {
	for _, c := range []struct {
		name, value string
		max         int
	}{{"dedup_key", r.DedupKey, 191}, {"channel", r.Channel, 16}, {"openid", r.OpenID, 64}, {"msg_type", r.MsgType, 32}} {
		if !utf8.ValidString(c.value) || utf8.RuneCountInString(c.value) > c.max {
			return models.Errorf(models.EInvalid, "inbound message: %s is not valid text of at most %d characters",
				c.name, c.max)
		}
	}
	return nil
}

// inboxInsertColumns are the columns a new entry is written with.
const inboxInsertColumns = "(dedup_key, channel, openid, msg_type, payload, state, attempts, reply, received_at, receipt)"

// insertIgnoreInbox is the multi-row INSERT that skips keys stored already, in the dialect.
func (s *Store) insertIgnoreInbox(n int) string {
	values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, 0, '', ?, ?), ", n), ", ")
	if s.driver == DriverSQLite {
		return "INSERT INTO inbox " + inboxInsertColumns + " VALUES " + values + " ON CONFLICT (dedup_key) DO NOTHING"
	}
	return "INSERT IGNORE INTO inbox " + inboxInsertColumns + " VALUES " + values
}

// inboxArgs are the placeholders' values of insertIgnoreInbox.
func inboxArgs(rows []inboxRow) []any {
	args := make([]any, 0, 8*len(rows))
	for _, r := range rows {
		args = append(args, r.DedupKey, r.Channel, r.OpenID, r.MsgType, r.Payload, r.State, r.ReceivedAt, r.Receipt)
	}
	return args
}

// inboxByKeys reads the stored entries of the rows' dedup keys.
func (s *Store) inboxByKeys(ctx context.Context, rows []inboxRow) (map[string]inboxRow, error) {
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.DedupKey
	}
	var found []inboxRow
	if err := s.conn(ctx).Where("dedup_key IN ?", keys).Find(&found).Error; err != nil {
		return nil, translate(err, "inbound messages")
	}
	out := make(map[string]inboxRow, len(found))
	for _, r := range found {
		out[r.DedupKey] = r
	}
	return out, nil
}

// addedResults tells each message whether this batch stored it; stored holds what the database
// had for the keys when not all were new (empty when all were), refused the messages not stored.
func addedResults(msgs []models.Inbound, rows []inboxRow, first map[string]int, refused map[string]error,
	stored map[string]inboxRow, receipt string) ([]models.InboxAdded, error) {
	out := make([]models.InboxAdded, len(msgs))
	claimed := make(map[string]bool, len(rows))
	for i, in := range msgs {
		key := in.DedupKey()
		if err, ok := refused[key]; ok {
			out[i] = models.InboxAdded{Err: err}
			continue
		}
		r := rows[first[key]]
		if got, ok := stored[key]; ok {
			r = got
		}
		if r.Receipt != receipt { // stored before this batch
			e, err := r.toEntry()
			if err != nil {
				return nil, err
			}
			out[i] = models.InboxAdded{Entry: e}
			continue
		}
		e := models.InboxEntry{ID: r.ID, DedupKey: key, Message: in, State: models.InboxPending, ReceivedAt: r.ReceivedAt}
		out[i] = models.InboxAdded{Entry: e, New: !claimed[key]}
		claimed[key] = true
	}
	return out, nil
}
