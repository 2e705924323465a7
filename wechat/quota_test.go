package wechat_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridbot/shared"
	"gridbot/store/storetest"
	"gridbot/wechat"
)

// quotaFixture is a Quota over Redis with a settable clock, its log and its metrics.
type quotaFixture struct {
	q   *wechat.Quota
	reg *prometheus.Registry
	log *lockedBuffer
	mu  sync.Mutex
	now time.Time
}

// lockedBuffer is a log buffer safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends to the buffer.
func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// count returns how many log lines contain s.
func (l *lockedBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

// newQuotaFixture builds a Quota with the given daily limits, its clock at start.
func newQuotaFixture(t *testing.T, daily map[wechat.QuotaAPI]int64, start time.Time) *quotaFixture {
	t.Helper()
	r, prefix := storetest.Redis(t)
	f := &quotaFixture{reg: prometheus.NewRegistry(), log: &lockedBuffer{}, now: start}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	f.q, err = wechat.NewQuota(shared.NewQuotaCounter(r.Client), wechat.QuotaConfig{AppID: testAppID, KeyPrefix: prefix, Daily: daily,
		Location: loc, Log: slog.New(slog.NewTextHandler(f.log, nil)), Registry: f.reg, Now: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// clock is the fixture's time.
func (f *quotaFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// set moves the clock.
func (f *quotaFixture) set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
}

// gauge reads a quota gauge of an API.
func (f *quotaFixture) gauge(t *testing.T, name string, api wechat.QuotaAPI) float64 {
	t.Helper()
	return gaugeValue(t, f.reg, name, api)
}

// gaugeValue reads a quota gauge of an API in reg.
func gaugeValue(t *testing.T, reg *prometheus.Registry, name string, api wechat.QuotaAPI) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, fam := range families {
		if fam.GetName() != name {
			continue
		}
		for _, m := range fam.GetMetric() {
			if m.GetLabel()[0].GetValue() == string(api) {
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no %s{api=%s}", name, api)
	return 0
}

func TestDailyQuotaCountsWarnsAndRefuses(t *testing.T) {
	ctx := context.Background()
	shanghai := time.FixedZone("CST", 8*3600)
	f := newQuotaFixture(t, map[wechat.QuotaAPI]int64{wechat.QuotaTemplate: 10}, time.Date(2026, 3, 2, 23, 50, 0, 0, shanghai))
	var allowed int
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range 14 {
		wg.Go(func() {
			ok, err := f.q.Take(ctx, wechat.QuotaTemplate)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if allowed != 10 {
		t.Fatalf("%d of 14 calls allowed under a quota of 10", allowed)
	}
	if n := f.log.count("WeChat daily quota 80% used"); n != 1 {
		t.Errorf("80%% warning logged %d times, want once", n)
	}
	if n := f.log.count("used=8 limit=10"); n != 1 {
		t.Errorf("the 80%% warning does not carry the count: %d", n)
	}
	if n := f.log.count("WeChat daily quota used up"); n != 1 {
		t.Errorf("used-up warning logged %d times, want once", n)
	}
	if got := f.gauge(t, "gridbot_wechat_quota_used", wechat.QuotaTemplate); got != 10 {
		t.Errorf("used gauge = %v, want 10", got)
	}
	if got := f.gauge(t, "gridbot_wechat_quota_limit", wechat.QuotaTemplate); got != 10 {
		t.Errorf("limit gauge = %v, want 10", got)
	}
	if got := f.gauge(t, "gridbot_wechat_quota_limit", wechat.QuotaCustomer); got != 500_000 {
		t.Errorf("default customer-service limit = %v", got)
	}
	if want := time.Date(2026, 3, 3, 0, 0, 0, 0, shanghai); !f.q.NextDay().Equal(want) {
		t.Errorf("NextDay = %s, want %s", f.q.NextDay(), want)
	}
	f.set(time.Date(2026, 3, 3, 0, 0, 1, 0, shanghai)) // a new day in GRIDBOT_TIMEZONE (16:00 UTC)
	if ok, err := f.q.Take(ctx, wechat.QuotaTemplate); err != nil || !ok {
		t.Fatalf("first call of a new day refused: %v %v", ok, err)
	}
	if got := f.gauge(t, "gridbot_wechat_quota_used", wechat.QuotaTemplate); got != 1 {
		t.Errorf("used gauge on the new day = %v, want 1", got)
	}
}

func TestNoteCountsBeyondTheQuota(t *testing.T) {
	ctx := context.Background()
	f := newQuotaFixture(t, map[wechat.QuotaAPI]int64{wechat.QuotaToken: 2}, time.Now())
	for range 3 {
		if err := f.q.Note(ctx, wechat.QuotaToken); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.gauge(t, "gridbot_wechat_quota_used", wechat.QuotaToken); got != 3 {
		t.Errorf("token fetches counted %v, want 3", got)
	}
	if ok, _ := f.q.Take(ctx, wechat.QuotaToken); ok {
		t.Error("Take allowed a call beyond the quota")
	}
}

func TestCustomerWindowCountsFivePerMessage(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	f := newQuotaFixture(t, map[wechat.QuotaAPI]int64{wechat.QuotaCustomer: 8}, now)
	wrote := now.Add(-time.Hour)
	take := func(openID string, since time.Time) wechat.Verdict {
		t.Helper()
		v, err := f.q.TakeCustomer(ctx, openID, since)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for i := range wechat.PerWindow {
		if v := take("oA", wrote); v != wechat.Allowed {
			t.Fatalf("message %d: verdict %d", i+1, v)
		}
	}
	if v := take("oA", wrote); v != wechat.WindowSpent {
		t.Fatalf("sixth message: verdict %d, want WindowSpent", v)
	}
	if v := take("oA", wrote.Add(-time.Minute)); v != wechat.WindowSpent {
		t.Fatalf("an older start reopened the window: verdict %d", v)
	}
	wroteAgain := now.Add(-time.Minute)
	if v := take("oA", wroteAgain); v != wechat.Allowed {
		t.Fatalf("a new message did not renew the count: verdict %d", v)
	}
	if err := f.q.SpendWindow(ctx, "oA", wroteAgain); err != nil {
		t.Fatal(err)
	}
	if v := take("oA", wroteAgain); v != wechat.WindowSpent {
		t.Fatalf("after 45047 the window still allows: verdict %d", v)
	}
	if err := f.q.SpendWindow(ctx, "oA", wrote); err != nil { // a late 45047 of the older window
		t.Fatal(err)
	}
	if v := take("oA", now); v != wechat.Allowed {
		t.Fatalf("an old window's refusal spent a newer one: verdict %d", v)
	}
	// Today's quota of 8 now holds 7 (5 + 1 + 1); a second person gets one, then none.
	if v := take("oB", wrote); v != wechat.Allowed {
		t.Fatalf("oB first: verdict %d", v)
	}
	if v := take("oB", wrote); v != wechat.DailySpent {
		t.Fatalf("beyond the daily quota: verdict %d, want DailySpent", v)
	}
	if got := f.gauge(t, "gridbot_wechat_quota_used", wechat.QuotaCustomer); got != 8 {
		t.Errorf("customer-service gauge = %v, want 8", got)
	}
}

func TestTokenFetchesAreCounted(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	reg := prometheus.NewRegistry()
	q, err := wechat.NewQuota(shared.NewQuotaCounter(f.redis.Client), wechat.QuotaConfig{AppID: testAppID, KeyPrefix: f.prefix, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	acct, err := wechat.NewAccount(wechat.AccountConfig{AppID: testAppID, AppSecret: testAppSecret,
		Token: testToken, Cache: f.cache, HTTPClient: f.client, Quota: q})
	if err != nil {
		t.Fatal(err)
	}
	f.api.SetLastInbound(testOpenID, time.Now())
	for range 3 {
		if err := acct.SendText(context.Background(), testOpenID, "您好"); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.cache.Delete(acct.TokenCacheKey()); err != nil {
		t.Fatal(err)
	}
	if err := acct.SendText(context.Background(), testOpenID, "您好"); err != nil {
		t.Fatal(err)
	}
	if got := gaugeValue(t, reg, "gridbot_wechat_quota_used", wechat.QuotaToken); got != 2 {
		t.Errorf("token fetches counted %v, want 2 (one per fetch, none per cached use)", got)
	}
}
