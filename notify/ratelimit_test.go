package notify_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/notify"
	"gridbot/shared"
	"gridbot/store"
	"gridbot/store/storetest"
)

func TestRedisLimiterGlobal(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	l := notify.NewRedisLimiter(rdb.Client, prefix, notify.RateConfig{Global: 3, GlobalWindow: time.Minute,
		PerRecipient: 1})
	for i, admitted := range []bool{true, true, true, false, false} {
		wait, err := l.Reserve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if (wait == 0) != admitted || wait > time.Minute {
			t.Fatalf("send %d: wait %s, want admitted=%v (3 per minute)", i, wait, admitted)
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

func TestRedisLimiterTurns(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	jitter := 100 * time.Millisecond
	if rdb.Embedded() {
		jitter = 1500 * time.Millisecond // its clock moves on once a second
	}
	const w = time.Minute
	l := notify.NewRedisLimiter(rdb.Client, prefix, notify.RateConfig{PerRecipient: 2, RecipientWindow: w})
	calls := []struct {
		recipients []int64
		want       []time.Duration // from the start of the first call
	}{
		{[]int64{7, 7, 7, 8, 7}, []time.Duration{0, 0, w, 0, w}},
		{[]int64{8, 7}, []time.Duration{0, 2 * w}},
		{[]int64{9, 8, 8}, []time.Duration{0, w, w}},
		{nil, nil},
	}
	start := time.Now()
	for i, c := range calls {
		got, err := l.Turns(ctx, c.recipients)
		if err != nil || len(got) != len(c.want) {
			t.Fatalf("call %d: Turns(%v) = %v, %v", i, c.recipients, got, err)
		}
		since := time.Since(start)
		for k, want := range c.want {
			if gap := (since + got[k] - want).Abs(); gap > jitter {
				t.Errorf("call %d: turn %d of recipient %d due %s after the start, want %s", i, k, c.recipients[k],
					since+got[k], want)
			}
		}
	}
}

func TestRedisLimiterWithoutAPersonalLimitGivesEveryTurnNow(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	l := notify.NewRedisLimiter(rdb.Client, prefix, notify.RateConfig{Global: 5})
	got, err := l.Turns(ctx, []int64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	if err != nil || len(got) != 10 || slices.ContainsFunc(got, func(d time.Duration) bool { return d != 0 }) {
		t.Fatalf("Turns = %v, %v; want 10 turns now", got, err)
	}
}

func TestRedisLimiterTurnsStartAfreshOnceTheBookedTurnsPassed(t *testing.T) {
	rdb, prefix := storetest.RealRedis(t)
	const window = 300 * time.Millisecond
	l := notify.NewRedisLimiter(rdb.Client, prefix, notify.RateConfig{PerRecipient: 1, RecipientWindow: window})
	if waits, err := l.Turns(ctx, []int64{7, 7, 7}); err != nil || len(waits) != 3 || waits[0] != 0 ||
		waits[1]-waits[0] != window || waits[2]-waits[1] != window {
		t.Fatalf("3 turns = %v, %v; want now and then a window apart", waits, err)
	}
	time.Sleep(4 * window) // every booked window is over
	if waits, err := l.Turns(ctx, []int64{7}); err != nil || len(waits) != 1 || waits[0] != 0 {
		t.Fatalf("a turn after the booked ones passed = %v, %v; want now", waits, err)
	}
}

func TestRedisLimiterBooksTurnsInSharedPipelines(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	l := notify.NewRedisLimiter(rdb.Client, prefix, notify.RateConfig{PerRecipient: 1, RecipientWindow: time.Minute,
		Batch: shared.NewBatcher(rdb.Client, 5*time.Second)})
	if err := rdb.Client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	for i, want := range []time.Duration{0, time.Minute, 2 * time.Minute} { // the first loads the script
		got, err := l.Turns(ctx, []int64{7})
		if err != nil || len(got) != 1 || (got[0]-want).Abs() > 2*time.Second {
			t.Fatalf("call %d: Turns = %v, %v; want a turn in %s", i, got, err, want)
		}
	}
}
