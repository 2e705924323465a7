package store_test

import (
	"testing"
	"time"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
)

func TestFinishInboundBatchRecordsEachOutcome(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		add := func(msgID int64) models.InboxEntry {
			e, _, err := s.AddInbound(ctx, models.Inbound{Channel: models.ChannelWeChat, OpenID: "o-batch",
				MsgID: msgID, MsgType: models.MsgText, Content: "hi", ReceivedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		done, pending, failed, twice, fresh := add(1), add(2), add(3), add(4), add(5)
		done2, pending2, failed2, fresh2, mixed := add(11), add(12), add(13), add(15), add(16)
		again, created, err := s.AddInbound(ctx, models.Inbound{Channel: models.ChannelWeChat, OpenID: "o-batch",
			MsgID: 1, MsgType: models.MsgText, Content: "hi", ReceivedAt: time.Now()})
		if err != nil || created || again.ID != done.ID || again.Message.Content != "hi" {
			t.Fatalf("a retry = %+v, created %v, %v; want entry %d again", again, created, err, done.ID)
		}
		for _, e := range []models.InboxEntry{pending, pending2} {
			if err := s.FinishInbound(ctx, e.DedupKey, models.InboxDone, "earlier"); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name  string
			batch []models.InboxOutcome
		}{
			{"distinct", []models.InboxOutcome{{DedupKey: done.DedupKey, State: models.InboxDone, Reply: "好的"},
				{DedupKey: pending.DedupKey, State: models.InboxPending, Reply: "busy"},
				{DedupKey: failed.DedupKey, State: models.InboxFailed}, {DedupKey: "wechat:msg:404", State: models.InboxDone},
				{DedupKey: fresh.DedupKey, State: models.InboxPending, Reply: "稍后"}}},
			{"by id, with one by key", []models.InboxOutcome{
				{ID: done2.ID, DedupKey: done2.DedupKey, State: models.InboxDone, Reply: "好的，第二批"},
				{ID: pending2.ID, DedupKey: pending2.DedupKey, State: models.InboxPending, Reply: "busy 2"},
				{ID: failed2.ID, DedupKey: failed2.DedupKey, State: models.InboxFailed, Reply: "失败"},
				{ID: 987654321, DedupKey: "wechat:msg:405", State: models.InboxDone, Reply: "gone"},
				{ID: fresh2.ID, DedupKey: fresh2.DedupKey, State: models.InboxPending, Reply: "稍后 2"},
				{DedupKey: mixed.DedupKey, State: models.InboxDone, Reply: "by key"}}},
			{"repeated", []models.InboxOutcome{{DedupKey: twice.DedupKey, State: models.InboxPending, Reply: "busy"},
				{DedupKey: twice.DedupKey, State: models.InboxDone, Reply: "second"}}},
		}
		for _, tt := range tests {
			if err := s.FinishInboundBatch(ctx, tt.batch); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
		}
		want := []struct {
			id       int64
			state    models.InboxState
			reply    string
			attempts int
			doneAt   bool
		}{
			{done.ID, models.InboxDone, "好的", 1, true},
			{pending.ID, models.InboxPending, "busy", 2, true}, // keeps the done_at it had
			{failed.ID, models.InboxFailed, "", 1, true},
			{twice.ID, models.InboxDone, "second", 2, true},
			{fresh.ID, models.InboxPending, "稍后", 1, false}, // never done: no done_at
			{done2.ID, models.InboxDone, "好的，第二批", 1, true},
			{pending2.ID, models.InboxPending, "busy 2", 2, true},
			{failed2.ID, models.InboxFailed, "失败", 1, true},
			{fresh2.ID, models.InboxPending, "稍后 2", 1, false},
			{mixed.ID, models.InboxDone, "by key", 1, true},
		}
		for _, w := range want {
			e, err := s.InboxEntry(ctx, w.id)
			if err != nil {
				t.Fatal(err)
			}
			if e.State != w.state || e.Reply != w.reply || e.Attempts != w.attempts || e.DoneAt.IsZero() == w.doneAt {
				t.Errorf("entry %d = %s %q attempts %d done_at %v; want %s %q %d done_at set %v",
					w.id, e.State, e.Reply, e.Attempts, e.DoneAt, w.state, w.reply, w.attempts, w.doneAt)
			}
		}
	})
}

func TestAddInboundBatchTellsNewFromStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		text := func(msgID int64, content string) models.Inbound {
			return models.Inbound{Channel: models.ChannelWeChat, OpenID: "o-group", MsgID: msgID, MsgType: models.MsgText,
				Content: content, ReceivedAt: time.Now()}
		}
		old, _, err := s.AddInbound(ctx, text(1, "stored before"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.FinishInbound(ctx, old.DedupKey, models.InboxDone, "早就答复了"); err != nil {
			t.Fatal(err)
		}
		batches := []struct {
			name  string
			msgs  []models.Inbound
			isNew []bool
		}{
			{"all new", []models.Inbound{text(2, "a"), text(3, "b")}, []bool{true, true}},
			{"one stored before", []models.Inbound{text(4, "c"), text(1, "retry"), text(5, "d")}, []bool{true, false, true}},
			{"repeated in the batch", []models.Inbound{text(6, "e"), text(6, "e"), text(2, "a")}, []bool{true, false, false}},
		}
		for _, b := range batches {
			got, err := s.AddInboundBatch(ctx, b.msgs)
			if err != nil {
				t.Fatalf("%s: %v", b.name, err)
			}
			for i, r := range got {
				if r.New != b.isNew[i] || r.Entry.DedupKey != b.msgs[i].DedupKey() {
					t.Errorf("%s: message %d new=%v key %s; want new=%v", b.name, i, r.New, r.Entry.DedupKey, b.isNew[i])
				}
				checkEntryID(t, s, r.Entry)
			}
		}
		again, err := s.AddInboundBatch(ctx, []models.Inbound{text(1, "retry")})
		if err != nil || again[0].New || again[0].Entry.State != models.InboxDone || again[0].Entry.Reply != "早就答复了" {
			t.Fatalf("a stored, finished message = %+v, %v; want its state and reply", again, err)
		}
		if n, _ := s.InboxCount(ctx); n != 6 {
			t.Fatalf("inbox holds %d entries, want 6", n)
		}
	})
}

// checkEntryID checks that an entry's id, when the store gave one, is its own row's; SQLite and
// MariaDB give the ids of new entries in the insert itself (MySQL leaves them 0).
func checkEntryID(t *testing.T, s *store.Store, e models.InboxEntry) {
	t.Helper()
	if e.ID == 0 {
		if s.Driver() == store.DriverSQLite {
			t.Errorf("entry %s has no id", e.DedupKey)
		}
		return
	}
	row, err := s.InboxEntry(ctx, e.ID)
	if err != nil || row.DedupKey != e.DedupKey {
		t.Errorf("entry %s has id %d, whose row is %s (%v)", e.DedupKey, e.ID, row.DedupKey, err)
	}
}

func TestInboxInsertPreparedAndBeyondTheCache(t *testing.T) {
	s := storetest.MySQL(t)
	s.LimitPrepared(1)
	at := models.EventTime(time.Date(2026, 11, 27, 8, 30, 1, 123456000, time.UTC))
	text := func(msgID int64) models.Inbound {
		return models.Inbound{Channel: models.ChannelWeChat, OpenID: "o-prepared", MsgID: msgID, MsgType: models.MsgText,
			Content: "路口有人占道摆摊 \"引号\" \\ it's", ReceivedAt: at}
	}
	batches := []struct {
		name     string
		msgs     []models.Inbound
		prepared int // statements kept prepared after the batch
	}{
		{"one message: prepared", []models.Inbound{text(1)}, 1},
		{"two messages: the cache is full, values interpolated", []models.Inbound{text(2), text(3)}, 1},
		{"one message again: the prepared statement", []models.Inbound{text(4)}, 1},
	}
	for _, b := range batches {
		got, err := s.AddInboundBatch(ctx, b.msgs)
		if err != nil {
			t.Fatalf("%s: %v", b.name, err)
		}
		for i, r := range got {
			if !r.New || r.Entry.DedupKey != b.msgs[i].DedupKey() {
				t.Errorf("%s: message %d = %+v, want it new", b.name, i, r)
			}
			checkEntryID(t, s, r.Entry)
			stored, err := s.InboxEntry(ctx, r.Entry.ID)
			if err != nil || stored.Message.Content != b.msgs[i].Content || !stored.ReceivedAt.Equal(at) {
				t.Errorf("%s: stored %+v, %v; want the message received at %s", b.name, stored, err, at)
			}
		}
		if n := s.PreparedCount(); n != b.prepared {
			t.Errorf("%s: %d statements prepared, want %d", b.name, n, b.prepared)
		}
	}
}
