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
		done, pending, failed, twice := add(1), add(2), add(3), add(4)
		again, created, err := s.AddInbound(ctx, models.Inbound{Channel: models.ChannelWeChat, OpenID: "o-batch",
			MsgID: 1, MsgType: models.MsgText, Content: "hi", ReceivedAt: time.Now()})
		if err != nil || created || again.ID != done.ID || again.Message.Content != "hi" {
			t.Fatalf("a retry = %+v, created %v, %v; want entry %d again", again, created, err, done.ID)
		}
		if err := s.FinishInbound(ctx, pending.ID, models.InboxDone, "earlier"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name  string
			batch []models.InboxOutcome
		}{
			{"distinct", []models.InboxOutcome{{ID: done.ID, State: models.InboxDone, Reply: "好的"},
				{ID: pending.ID, State: models.InboxPending, Reply: "busy"}, {ID: failed.ID, State: models.InboxFailed},
				{ID: 1 << 40, State: models.InboxDone}}},
			{"repeated", []models.InboxOutcome{{ID: twice.ID, State: models.InboxPending, Reply: "busy"},
				{ID: twice.ID, State: models.InboxDone, Reply: "second"}}},
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
