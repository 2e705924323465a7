package inbox_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gridbot/inbox"
	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
)

// refusingStore is a real store that notes whether the bad message shared a batch with others
// and, when refuse is set, fails every statement that holds it (as a row the database cannot
// take fails its whole INSERT).
type refusingStore struct {
	*store.Store
	refuse bool
	opened chan struct{} // closed when the opener's batch reached the store
	gate   chan struct{} // the opener's batch waits for it, so that the others queue meanwhile
	mixed  atomic.Bool   // the bad message was in a batch with others
}

func (s *refusingStore) AddInboundBatch(ctx context.Context, msgs []models.Inbound) ([]models.InboxAdded, error) {
	for _, m := range msgs {
		if m.OpenID == "o-opener" {
			close(s.opened)
			<-s.gate
		}

		if m.OpenID == "o-bad" {
			if len(msgs) > 1 {
				s.mixed.Store(true)
			}
			if s.refuse {
				return nil, models.Errorf(models.EInternal, "the database refused the statement")
			}
		}
	}
	return s.Store.AddInboundBatch(ctx, msgs)
}

// batchOfPeople sends 100 good messages of 100 people and one bad at the same moment, and
// returns each good one's reply and error, and the bad one's error.
func batchOfPeople(t *testing.T, st *refusingStore, bad models.Inbound) ([]string, []error, error) {
	t.Helper()
	rdb, prefix := storetest.Redis(t)
	st.opened, st.gate = make(chan struct{}), make(chan struct{})
	s := inbox.New(inbox.Config{Budget: 3 * time.Second, Workers: 128, BusyText: "busy"},
		st, sharedState(rdb, prefix), processor(func(_ context.Context, in models.Inbound) (string, error) { return "收到" + in.Content, nil }),
		nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.Start(t.Context(), 0)
	t.Cleanup(func() { s.Close(5 * time.Second) })
	replies, errs := make([]string, 100), make([]error, 100)
	var badErr error
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Go(func() {
		opener := models.Inbound{Channel: models.ChannelWeChat, OpenID: "o-opener", MsgID: 6999, MsgType: models.MsgText,
			Content: "开头", CreateTime: time.Now().Unix()}
		if _, err := receive(s, opener); err != nil {
			t.Errorf("the opener: %v", err)
		}
	})
	for i := range 100 {
		wg.Go(func() {
			<-start
			m := models.Inbound{Channel: models.ChannelWeChat, OpenID: "o-person-" + strconv.Itoa(i), MsgID: int64(7000 + i),
				MsgType: models.MsgText, Content: "第" + strconv.Itoa(i) + "条", CreateTime: time.Now().Unix()}
			replies[i], errs[i] = receive(s, m)
		})
	}
	wg.Go(func() {
		<-start
		_, badErr = receive(s, bad)
	})
	<-st.opened
	close(start)
	// Once the 101 hold their claims they are on their way into the queue: let the opener's
	// batch finish then, and they are written together.
	waitFor(t, "the messages to be claimed", func() bool {
		keys, err := rdb.Client.Keys(context.Background(), prefix+"inbox:claim:*").Result()
		return err == nil && len(keys) >= 102
	})
	time.Sleep(50 * time.Millisecond)
	close(st.gate)
	wg.Wait()
	return replies, errs, badErr
}

// TestOneBadRowNeverFailsTheOthers proves for a message the store refuses by itself (a NaN
// coordinate) and for one that fails its whole statement, sent at the same moment as 100 other
// people's messages: the bad one alone is refused; the 100 are stored and answered.
func TestOneBadRowNeverFailsTheOthers(t *testing.T) {
	nan := models.Inbound{Channel: models.ChannelWeChat, OpenID: "o-bad", MsgID: 1, MsgType: models.MsgLocation,
		Lat: math.NaN(), Lng: 118.5, CreateTime: time.Now().Unix()}
	poison := models.Inbound{Channel: models.ChannelWeChat, OpenID: "o-bad", MsgID: 2, MsgType: models.MsgText,
		Content: "poison", CreateTime: time.Now().Unix()}
	tests := []struct {
		name    string
		bad     models.Inbound
		refuses bool // the store wraps the real one and fails statements holding the poison
		code    models.ErrorCode
	}{
		{"a NaN coordinate", nan, false, models.EInvalid},
		{"a row that fails its statement", poison, true, models.EInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			real := storetest.SQLite(t)
			st := &refusingStore{Store: real, refuse: tt.refuses}
			replies, errs, badErr := batchOfPeople(t, st, tt.bad)
			if models.ErrorCodeOf(badErr) != tt.code {
				t.Errorf("the bad message: %v, want %s", badErr, tt.code)
			}
			for i := range replies {
				if errs[i] != nil || replies[i] != "收到第"+strconv.Itoa(i)+"条" {
					t.Errorf("person %d got %q, %v", i, replies[i], errs[i])
				}
			}
			if n, _ := real.InboxCount(context.Background()); n != 101 {
				t.Errorf("stored %d entries, want 100 and the opener", n)
			}
			if !st.mixed.Load() {
				t.Errorf("the bad message was stored alone: the test proves nothing")
			}
		})
	}
}
