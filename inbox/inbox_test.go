package inbox_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gridbot/inbox"
	"gridbot/models"
	"gridbot/shared"
	"gridbot/store"
	"gridbot/store/storetest"
)

// processor is a Processor made of a function.
type processor func(ctx context.Context, in models.Inbound) (string, error)

func (p processor) Process(ctx context.Context, in models.Inbound) (string, error) { return p(ctx, in) }

// sender records late replies.
type sender struct {
	mu   sync.Mutex
	sent []string
}

func (s *sender) SendText(_ context.Context, _ models.Channel, to, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, to+":"+text)
	return nil
}

func (s *sender) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sent...)
}

// newService builds an inbox on a real SQLite store and Redis (real when configured).
func newService(t *testing.T, budget time.Duration, p inbox.Processor) (*inbox.Service, *sender, *store.Store) {
	t.Helper()
	st := storetest.SQLite(t)
	rdb, prefix := storetest.Redis(t)
	snd := &sender{}
	s := inbox.New(inbox.Config{Budget: budget, Workers: 8, BusyText: "busy", MaxAttempts: 2}, st,
		sharedState(rdb, prefix), p, snd, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.Start(t.Context(), 0) // the pool and batchers; tests run retries themselves
	t.Cleanup(func() { s.Close(5 * time.Second) })
	return s, snd, st
}

// sharedState is the inbox's state in Redis under prefix, nonces remembered for two minutes.
func sharedState(rdb *shared.Redis, prefix string) *shared.Inbox {
	return shared.NewInbox(rdb.Client, nil, shared.InboxConfig{KeyPrefix: prefix, Window: time.Minute})
}

// msg is a text message with an id.
func msg(id int64, text string) models.Inbound {
	return models.Inbound{Channel: models.ChannelWeChat, OpenID: "oTest", MsgID: id, MsgType: models.MsgText,
		Content: text, CreateTime: time.Now().Unix()}
}

// nonceOf is the nonce WeChat would send with a message: a retry repeats it with the same body.
func nonceOf(in models.Inbound) models.CallbackNonce {
	return models.CallbackNonce{Timestamp: strconv.FormatInt(in.CreateTime, 10),
		Nonce: "n" + strconv.FormatInt(in.MsgID, 10), Digest: in.DedupKey() + in.Content}
}

// receive passes a message to the inbox as its callback would.
func receive(s *inbox.Service, in models.Inbound) (string, error) {
	return s.Receive(context.Background(), in, nonceOf(in))
}

// waitFor polls until cond holds or 5 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDuplicatesAreProcessedOnce(t *testing.T) {
	var calls atomic.Int32
	s, _, _ := newService(t, 2*time.Second, processor(func(ctx context.Context, in models.Inbound) (string, error) {
		calls.Add(1)
		time.Sleep(50 * time.Millisecond)
		return "回复:" + in.Content, nil
	}))
	var wg sync.WaitGroup
	replies := make([]string, 5)
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := receive(s, msg(42, "你好"))
			if err != nil {
				t.Error(err)
			}
			replies[i] = r
		}()
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("processed %d times", calls.Load())
	}
	for _, r := range replies {
		if r != "回复:你好" {
			t.Errorf("a copy got %q", r)
		}
	}
	if r, _ := receive(s, msg(42, "你好")); r != "回复:你好" || calls.Load() != 1 {
		t.Errorf("a late retry got %q after %d calls", r, calls.Load())
	}
}

func TestSlowReplyGoesOutAsMessage(t *testing.T) {
	s, snd, st := newService(t, 100*time.Millisecond, processor(func(ctx context.Context, in models.Inbound) (string, error) {
		time.Sleep(400 * time.Millisecond)
		return "迟到的回复", nil
	}))
	start := time.Now()
	r, err := receive(s, msg(7, "慢"))
	if err != nil || r != "" {
		t.Fatalf("Receive = %q, %v; want an acknowledgement without reply", r, err)
	}
	if d := time.Since(start); d > 300*time.Millisecond {
		t.Fatalf("Receive took %v with a 100ms budget", d)
	}
	waitFor(t, "the late reply", func() bool { return len(snd.all()) == 1 })
	if got := snd.all()[0]; got != "oTest:迟到的回复" {
		t.Fatalf("late reply %q", got)
	}
	waitFor(t, "the done mark", func() bool {
		e := entry(t, st, 7)
		return e.State == models.InboxDone && e.Reply == "迟到的回复"
	})
}

// entry finds the inbox entry of a message id.
func entry(t *testing.T, st *store.Store, id int64) models.InboxEntry {
	t.Helper()
	e, _, err := st.AddInbound(context.Background(), msg(id, ""))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestPanicIsAcknowledgedAndRetried(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	s, snd, st := newService(t, time.Second, processor(func(ctx context.Context, in models.Inbound) (string, error) {
		if fail.Load() {
			panic("boom")
		}
		return "好了", nil
	}))
	r, err := receive(s, msg(9, "x"))
	if err != nil || r != "" {
		t.Fatalf("Receive after a panic = %q, %v; want an acknowledgement (success) without reply", r, err)
	}
	if e := entry(t, st, 9); e.State != models.InboxPending || e.Attempts != 1 {
		t.Fatalf("entry after a panic %+v", e)
	}
	fail.Store(false)
	if err := s.RetryPending(context.Background(), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retried reply", func() bool { return len(snd.all()) == 1 })
	waitFor(t, "the done mark", func() bool {
		e := entry(t, st, 9)
		return e.State == models.InboxDone && e.Reply == "好了"
	})
}

func TestRepeatedFailureIsMarkedFailed(t *testing.T) {
	s, snd, st := newService(t, time.Second, processor(func(ctx context.Context, in models.Inbound) (string, error) {
		return "", errors.New("database hiccup")
	}))
	if r, err := receive(s, msg(11, "x")); err != nil || r != "busy" {
		t.Fatalf("Receive = %q, %v", r, err)
	}
	if err := s.RetryPending(context.Background(), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the entry to fail", func() bool { return entry(t, st, 11).State == models.InboxFailed })
	if len(snd.all()) != 0 {
		t.Fatalf("a failed message sent %v", snd.all())
	}
}

func TestUnstoredMessageIsAnError(t *testing.T) {
	st := storetest.SQLite(t)
	rdb, prefix := storetest.Redis(t)
	s := inbox.New(inbox.Config{Budget: time.Second, Workers: 1}, st, sharedState(rdb, prefix),
		processor(func(context.Context, models.Inbound) (string, error) { return "x", nil }), nil,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.Start(t.Context(), 0)
	defer s.Close(time.Second)
	st.Close()
	if _, err := receive(s, msg(1, "x")); models.ErrorCodeOf(err) != models.EUnavailable {
		t.Fatalf("Receive with the database down = %v, want unavailable", err)
	}
}

func TestReplayedNonce(t *testing.T) {
	var calls atomic.Int32
	s, _, st := newService(t, time.Second, processor(func(context.Context, models.Inbound) (string, error) {
		calls.Add(1)
		return "ok", nil
	}))
	ctx := context.Background()
	first, replay := msg(31, "a"), msg(32, "b")
	tests := []struct {
		name  string
		in    models.Inbound
		nonce models.CallbackNonce
		want  models.ErrorCode
	}{
		{"first use", first, models.CallbackNonce{Timestamp: "1700000000", Nonce: "n1", Digest: "a"}, ""},
		{"identical retry", first, models.CallbackNonce{Timestamp: "1700000000", Nonce: "n1", Digest: "a"}, ""},
		{"replay with another body", replay, models.CallbackNonce{Timestamp: "1700000000", Nonce: "n1", Digest: "b"}, models.EForbidden},
		{"another nonce", replay, models.CallbackNonce{Timestamp: "1700000000", Nonce: "n2", Digest: "b"}, ""},
	}
	for _, tt := range tests {
		_, err := s.Receive(ctx, tt.in, tt.nonce)
		if models.ErrorCodeOf(err) != tt.want {
			t.Errorf("%s: Receive = %v, want %q", tt.name, err, tt.want)
		}
		if tt.name == "replay with another body" {
			if n, _ := st.InboxCount(ctx); n != 1 {
				t.Errorf("a replay stored something: %d entries", n)
			}
		}
	}
	if calls.Load() != 2 {
		t.Errorf("processed %d messages, want 2", calls.Load())
	}
}

func TestConcurrentMessagesAreStoredTogether(t *testing.T) {
	var calls atomic.Int32
	s, _, st := newService(t, 2*time.Second, processor(func(ctx context.Context, in models.Inbound) (string, error) {
		calls.Add(1)
		return "收到" + in.Content, nil
	}))
	const n = 60
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			m := msg(int64(1000+i%40), strconv.Itoa(i%40)) // 20 of them are retries of others
			if r, err := receive(s, m); err != nil || (r != "收到"+m.Content && r != "") {
				t.Errorf("message %d: Receive = %q, %v", i, r, err)
			}
		})
	}
	wg.Wait()
	if got := calls.Load(); got != 40 {
		t.Fatalf("processed %d messages, want 40", got)
	}
	if c, _ := st.InboxCount(context.Background()); c != 40 {
		t.Fatalf("stored %d entries, want 40", c)
	}
}

func TestFinishedMessageForgottenByRedis(t *testing.T) {
	var calls atomic.Int32
	s, _, st := newService(t, time.Second, processor(func(ctx context.Context, in models.Inbound) (string, error) {
		calls.Add(1)
		return "一次", nil
	}))
	ctx := context.Background()
	m := msg(51, "x")
	if _, _, err := st.AddInbound(ctx, m); err != nil {
		t.Fatal(err)
	}
	// Finished long ago; Redis restarted since and knows nothing of it.
	if err := st.FinishInbound(ctx, m.DedupKey(), models.InboxDone, "一次"); err != nil {
		t.Fatal(err)
	}
	if r, err := receive(s, m); err != nil || r != "一次" {
		t.Fatalf("Receive = %q, %v; want the stored reply", r, err)
	}
	if calls.Load() != 0 {
		t.Fatalf("a finished message was processed again")
	}
}

func TestLostDoneMarkIsRecoveredFromRedis(t *testing.T) {
	var calls atomic.Int32
	s, snd, st := newService(t, time.Second, processor(func(ctx context.Context, in models.Inbound) (string, error) {
		calls.Add(1)
		return "答复", nil
	}))
	if r, err := receive(s, msg(21, "x")); err != nil || r != "答复" {
		t.Fatalf("Receive = %q, %v", r, err)
	}
	waitFor(t, "the done mark", func() bool { return entry(t, st, 21).State == models.InboxDone })
	// A crash lost the mark: the entry is pending again, but its reply is still in Redis.
	if err := st.FinishInbound(context.Background(), entry(t, st, 21).DedupKey, models.InboxPending, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryPending(context.Background(), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if e := entry(t, st, 21); e.State != models.InboxDone || e.Reply != "答复" {
		t.Fatalf("entry after recovery %+v", e)
	}
	if calls.Load() != 1 || len(snd.all()) != 0 {
		t.Fatalf("processed %d times, %d late replies: a recovered entry must not run again", calls.Load(), len(snd.all()))
	}
}

func TestEveryRunOfAnEntryCarriesItsKey(t *testing.T) {
	var (
		mu   sync.Mutex
		keys []string
	)
	s, snd, _ := newService(t, time.Second, processor(func(ctx context.Context, in models.Inbound) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		keys = append(keys, in.InboxKey)
		if len(keys) == 1 {
			panic("died after the case's commit")
		}
		return "好了", nil
	}))
	m := msg(13, "1")
	if _, err := receive(s, m); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryPending(context.Background(), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retried reply", func() bool { return len(snd.all()) == 1 })
	mu.Lock()
	defer mu.Unlock()
	if len(keys) != 2 || keys[0] != m.DedupKey() || keys[1] != m.DedupKey() {
		t.Fatalf("the runs saw inbox keys %q, want %q twice", keys, m.DedupKey())
	}
}
