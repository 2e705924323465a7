package notify_test

import (
	"fmt"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/notify"
	"gridbot/shared"
	"gridbot/store"
	"gridbot/store/storetest"
)

// The shared limiter is notify's Limiter.
var _ notify.Limiter = (*shared.RateLimiter)(nil)

func TestPerRecipientLimitDefersWithoutCountingAttempts(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	p := e.person(t, "oUser0007", "", models.RoleCitizen, time.Now().Add(-time.Hour))
	e.intents(t, p, models.ChannelWeChat, models.NoticeStatus, 5)
	rdb, prefix := storetest.Redis(t)
	e.limiter = shared.NewRateLimiter(rdb.Client, prefix, shared.RateConfig{PerRecipient: 2, RecipientWindow: time.Minute})
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
	e.limiter = shared.NewRateLimiter(rdb.Client, prefix, shared.RateConfig{Global: 10, GlobalWindow: 500 * time.Millisecond})
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
