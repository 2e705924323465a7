package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"gridbot/models"
)

// AddInboundBatch stores many inbound messages in one statement and one commit (a group commit
// of concurrent callbacks). A message whose dedup key is stored already is left as it is; each
// result says whether this call stored the message, and for the others what is stored. Results
// are in the order of msgs; a repeated key within msgs is stored once, by its first occurrence.
func (s *Store) AddInboundBatch(ctx context.Context, msgs []models.Inbound) ([]models.InboxAdded, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	receipt, err := newReceipt()
	if err != nil {
		return nil, err
	}
	rows, first, err := inboxRows(msgs, receipt)
	if err != nil {
		return nil, err
	}
	n, err := s.insertInboxRows(ctx, rows)
	if err != nil {
		return nil, translate(err, "inbound messages")
	}
	stored := map[string]inboxRow{}
	if n != len(rows) { // some were there already: read what is stored
		if stored, err = s.inboxByKeys(ctx, rows); err != nil {
			return nil, err
		}
	}
	return addedResults(msgs, rows, first, stored, receipt)
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

// inboxRows builds one row per distinct dedup key; first maps each key to its row's index.
func inboxRows(msgs []models.Inbound, receipt string) ([]inboxRow, map[string]int, error) {
	rows := make([]inboxRow, 0, len(msgs))
	first := make(map[string]int, len(msgs))
	for _, in := range msgs {
		key := in.DedupKey()
		if _, ok := first[key]; ok {
			continue
		}
		payload, err := json.Marshal(in)
		if err != nil {
			return nil, nil, fmt.Errorf("encode inbound: %w", err)
		}
		first[key] = len(rows)
		rows = append(rows, inboxRow{DedupKey: key, Channel: string(in.Channel), OpenID: in.OpenID, MsgType: in.MsgType,
			Payload: string(payload), State: string(models.InboxPending), ReceivedAt: models.EventTime(in.ReceivedAt),
			Receipt: receipt})
	}
	return rows, first, nil
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
// had for the keys when not all were new (empty when all were).
func addedResults(msgs []models.Inbound, rows []inboxRow, first map[string]int, stored map[string]inboxRow,
	receipt string) ([]models.InboxAdded, error) {
	out := make([]models.InboxAdded, len(msgs))
	claimed := make(map[string]bool, len(rows))
	for i, in := range msgs {
		key := in.DedupKey()
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
