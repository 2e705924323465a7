package shared_test

import (
	"slices"
	"testing"
	"time"

	"gridbot/shared"
	"gridbot/shared/sharedtest"
)

func TestRateLimiterGlobal(t *testing.T) {
	rdb, prefix := sharedtest.Redis(t)
	l := shared.NewRateLimiter(rdb.Client, prefix, shared.RateConfig{Global: 3, GlobalWindow: time.Minute,
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

func TestRateLimiterTurns(t *testing.T) {
	rdb, prefix := sharedtest.Redis(t)
	jitter := 100 * time.Millisecond
	if rdb.Embedded() {
		jitter = 1500 * time.Millisecond // its clock moves on once a second
	}
	const w = time.Minute
	l := shared.NewRateLimiter(rdb.Client, prefix, shared.RateConfig{PerRecipient: 2, RecipientWindow: w})
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

func TestRateLimiterWithoutAPersonalLimitGivesEveryTurnNow(t *testing.T) {
	rdb, prefix := sharedtest.Redis(t)
	l := shared.NewRateLimiter(rdb.Client, prefix, shared.RateConfig{Global: 5})
	got, err := l.Turns(ctx, []int64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	if err != nil || len(got) != 10 || slices.ContainsFunc(got, func(d time.Duration) bool { return d != 0 }) {
		t.Fatalf("Turns = %v, %v; want 10 turns now", got, err)
	}
}

func TestRateLimiterTurnsStartAfreshOnceTheBookedTurnsPassed(t *testing.T) {
	rdb, prefix := sharedtest.RealRedis(t)
	const window = 300 * time.Millisecond
	l := shared.NewRateLimiter(rdb.Client, prefix, shared.RateConfig{PerRecipient: 1, RecipientWindow: window})
	if waits, err := l.Turns(ctx, []int64{7, 7, 7}); err != nil || len(waits) != 3 || waits[0] != 0 ||
		waits[1]-waits[0] != window || waits[2]-waits[1] != window {
		t.Fatalf("3 turns = %v, %v; want now and then a window apart", waits, err)
	}
	time.Sleep(4 * window) // every booked window is over
	if waits, err := l.Turns(ctx, []int64{7}); err != nil || len(waits) != 1 || waits[0] != 0 {
		t.Fatalf("a turn after the booked ones passed = %v, %v; want now", waits, err)
	}
}

func TestRateLimiterBooksTurnsInSharedPipelines(t *testing.T) {
	rdb, prefix := sharedtest.Redis(t)
	l := shared.NewRateLimiter(rdb.Client, prefix, shared.RateConfig{PerRecipient: 1, RecipientWindow: time.Minute,
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
