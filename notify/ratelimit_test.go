package notify_test

import (
	"fmt"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/notify"
	"gridbot/store"
	"gridbot/store/storetest"
)

func TestRedisLimiter(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	l := notify.NewRedisLimiter(rdb.Client, prefix, notify.RateConfig{Global: 4, GlobalWindow: time.Minute,
		PerRecipient: 2, RecipientWindow: time.Minute})
	steps := []struct {
		recipient int64
		admitted  bool
		global    bool // the refusal is the global limit's
	}{{1, true, false}, {1, true, false}, {1, false, false}, {2, true, false}, {3, true, false}, {4, false, true}}
	for i, st := range steps {
		v, err := l.Reserve(ctx, st.recipient)
		if err != nil {
			t.Fatal(err)
		}
		if (v.Wait == 0) != st.admitted || v.Wait > time.Minute || v.Global != st.global {
			t.Fatalf("step %d (recipient %d): %+v, want admitted=%v global=%v", i, st.recipient, v, st.admitted, st.global)
		}
	}
}

func TestPerRecipientLimitDefersWithoutCountingAttempts(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	p := e.person(t, "oUser0007", "", models.RoleCitizen, time.Now().Add(-time.Hour))
	e.intents(t, p, models.ChannelWeChat, models.NoticeStatus, 5)
	rdb, prefix := storetest.Redis(t)
	e.limiter = notify.NewRedisLimiter(rdb.Client, prefix, notify.RateConfig{PerRecipient: 2, RecipientWindow: time.Minute})
	_, reg := e.start(t, testConfig("w"))
	deadline := time.Now().Add(5 * time.Second)
	for counter(t, reg, models.NoticeStatus, "deferred") < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	all, err := e.s.Intents(ctx, store.IntentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	states := map[models.IntentState]int{}
	for _, in := range all {
		states[in.State]++
		if in.State == models.IntentPending && (in.Attempts != 0 || time.Until(in.NextAttemptAt) < 30*time.Second) {
			t.Errorf("deferred intent %+v: want no attempt counted and due in about a minute", in)
		}
	}
	if states[models.IntentSent] != 2 || states[models.IntentPending] != 3 || e.api.SentCount() != 2 {
		t.Fatalf("states %v, %d sent; want 2 sent and 3 deferred", states, e.api.SentCount())
	}
}

func TestGlobalLimitPacesSends(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	for i := range 30 {
		p := e.person(t, fmt.Sprintf("oPace%04d", i), "", models.RoleCitizen, time.Now().Add(-time.Hour))
		e.intents(t, p, models.ChannelWeChat, models.NoticeStatus, 1)
	}
	rdb, prefix := storetest.Redis(t)
	e.limiter = notify.NewRedisLimiter(rdb.Client, prefix, notify.RateConfig{Global: 10, GlobalWindow: 500 * time.Millisecond})
	e.start(t, testConfig("w"))
	e.settle(t, 10*time.Second)
	sent := e.api.Sent()
	if len(sent) != 30 {
		t.Fatalf("sent %d, want 30", len(sent))
	}
	if spread := sent[len(sent)-1].At.Sub(sent[0].At); spread < 900*time.Millisecond {
		t.Fatalf("30 sends at 10 per 500 ms took %s, want at least 900 ms", spread)
	}
}

func TestRedisLimiterBookSpreadsTurns(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	jitter := 100 * time.Millisecond
	if rdb.Embedded() {
		jitter = 1500 * time.Millisecond // its key TTLs move on once a second
	}
	const limit, window = 2, time.Minute
	l := notify.NewRedisLimiter(rdb.Client, prefix, notify.RateConfig{PerRecipient: limit, RecipientWindow: window})
	fillWindow(t, l, 7, limit)
	var due []time.Time
	for _, n := range []int{3, 2, 1} { // three batches refused in the same window
		now := time.Now()
		waits, err := l.Book(ctx, 7, n)
		if err != nil || len(waits) != n {
			t.Fatalf("book %d turns = %v, %v", n, waits, err)
		}
		for _, w := range waits {
			due = append(due, now.Add(w))
		}
	}
	if first := time.Until(due[0]); first < window-10*time.Second || first > window {
		t.Fatalf("first turn due in %s, want when the full window ends", first)
	}
	for k, at := range due {
		if want := due[0].Add(time.Duration(k/limit) * window); at.Sub(want).Abs() > jitter {
			t.Errorf("turn %d due at %s, want %s", k, at, want)
		}
	}
}

func TestRedisLimiterBookStartsAfreshOnceTheBookedTurnsPassed(t *testing.T) {
	rdb, prefix := storetest.RealRedis(t)
	const window = 300 * time.Millisecond
	l := notify.NewRedisLimiter(rdb.Client, prefix, notify.RateConfig{PerRecipient: 1, RecipientWindow: window})
	fillWindow(t, l, 7, 1)
	if waits, err := l.Book(ctx, 7, 2); err != nil || len(waits) != 2 || waits[1]-waits[0] != window {
		t.Fatalf("book 2 turns = %v, %v; want them a window apart", waits, err)
	}
	time.Sleep(4 * window) // both booked windows are over
	fillWindow(t, l, 7, 1)
	waits, err := l.Book(ctx, 7, 1)
	if err != nil || len(waits) != 1 || waits[0] > window {
		t.Fatalf("book after the booked turns passed = %v, %v; want due when the current window ends", waits, err)
	}
}

// fillWindow makes limit sends to recipient, so that its window is full.
func fillWindow(t *testing.T, l *notify.RedisLimiter, recipient int64, limit int) {
	t.Helper()
	for range limit {
		if v, err := l.Reserve(ctx, recipient); err != nil || v.Wait != 0 {
			t.Fatalf("reserve = %+v, %v; want admitted", v, err)
		}
	}
}
