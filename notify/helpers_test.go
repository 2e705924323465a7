package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridbot/models"
	"gridbot/notify"
	"gridbot/shared"
	"gridbot/store"
	"gridbot/store/storetest"
	"gridbot/wechat"
	"gridbot/wechatsim"
)

var ctx = context.Background()

// The credentials of the fake WeChat API.
const (
	appID, appSecret   = "wxnotifytest00001", "notify-secret"
	corpID, corpSecret = "wwnotifytest", "corp-secret"
	agentID            = "1000002"
	statusTemplate     = "tpl-status-0001"
)

// env is a store, a fake WeChat API and the senders pointed at it.
type env struct {
	s        *store.Store
	api      *wechatsim.API
	official *wechat.Account
	wecom    *wechat.WeCom
	limiter  notify.Limiter // nil: none
	rdb      *shared.Redis
	prefix   string
	quota    *wechat.Quota // nil: none
	reg      *prometheus.Registry
}

// newEnv starts the fake API and routes the library's calls to it. The library's HTTP client is
// process-wide: the tests of this package do not run in parallel.
func newEnv(t *testing.T, s *store.Store) *env {
	t.Helper()
	api := wechatsim.NewAPI(wechatsim.APIConfig{AppID: appID, AppSecret: appSecret, CorpID: corpID,
		CorpSecret: corpSecret, AgentID: agentID})
	api.AddTemplate(statusTemplate)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	client, err := wechat.InstallHTTPClient(srv.URL, srv.URL, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	rdb, prefix := storetest.Redis(t)
	cache := shared.NewTokenCache(rdb.Client, prefix)
	accCfg := wechat.AccountConfig{AppID: appID, AppSecret: appSecret, Token: "token", Cache: cache, HTTPClient: client}
	acc, err := wechat.NewAccount(accCfg)
	if err != nil {
		t.Fatal(err)
	}
	wecom, err := wechat.NewWeCom(wechat.WeComConfig{CorpID: corpID, CorpSecret: corpSecret, AgentID: agentID, Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	return &env{s: s, api: api, official: acc, wecom: wecom, rdb: rdb, prefix: prefix, reg: prometheus.NewRegistry()}
}

// withQuota counts WeChat's limits in the env's Redis with the daily limits given, logging to log.
func (e *env) withQuota(t *testing.T, daily map[wechat.QuotaAPI]int64, log *slog.Logger) {
	t.Helper()
	q, err := wechat.NewQuota(shared.NewQuotaCounter(e.rdb.Client), wechat.QuotaConfig{AppID: appID, KeyPrefix: e.prefix, Daily: daily,
		Log: log, Registry: e.reg})
	if err != nil {
		t.Fatal(err)
	}
	e.quota = q
}

// testConfig delivers fast: short polls and backoff.
func testConfig(owner string) notify.Config {
	return notify.Config{Workers: 4, Batch: 5, PollInterval: 20 * time.Millisecond, Lease: 4 * time.Second,
		SendTimeout: time.Second, BackoffBase: 10 * time.Millisecond, BackoffMax: 40 * time.Millisecond,
		MaxAttempts: 8, Templates: map[string]string{models.NoticeStatus: statusTemplate},
		CaseURLBase: "https://gridbot.example/cases/", Owner: owner}
}

// start builds and starts a dispatcher, closed at cleanup; it returns its metrics registry too
// (the quota's, with withQuota). A nil e.wecom leaves WeCom unconfigured.
func (e *env) start(t *testing.T, cfg notify.Config) (*notify.Dispatcher, *prometheus.Registry) {
	t.Helper()
	return e.startOn(t, e.s, cfg)
}

// startOn is start with a dispatcher on store s (another instance's connections to e's database).
func (e *env) startOn(t *testing.T, s *store.Store, cfg notify.Config) (*notify.Dispatcher, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	if e.quota != nil {
		reg = e.reg // the quota's gauges are there
	}
	var wecom notify.WeComSender
	if e.wecom != nil {
		wecom = e.wecom
	}
	d, err := notify.New(cfg, notify.Deps{Store: s, Official: e.official, WeCom: wecom,
		Limiter: e.limiter, Quota: e.quota, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	d.Start(ctx)
	t.Cleanup(func() {
		if err := d.Close(5 * time.Second); err != nil {
			t.Error(err)
		}
	})
	return d, reg
}

// person stores a person reachable on WeChat (and WeCom when wecomID is set) whose last message
// was at lastInbound (zero: never), and tells the fake API the same.
func (e *env) person(t *testing.T, openID, wecomID string, role models.Role, lastInbound time.Time) models.Person {
	t.Helper()
	p, err := e.s.CreatePerson(ctx, models.Person{Role: role, OpenID: openID, WeComUserID: wecomID,
		PreferredChannel: models.ChannelWeChat, LastInboundAt: lastInbound})
	if err != nil {
		t.Fatal(err)
	}
	e.api.AddUser(openID, "")
	if !lastInbound.IsZero() {
		e.api.SetLastInbound(openID, lastInbound)
	}
	return p
}

// intents writes n status intents for p on a channel, each with its own tracking number.
func (e *env) intents(t *testing.T, p models.Person, ch models.Channel, kind string, n int) {
	t.Helper()
	var in []models.Intent
	for i := range n {
		payload, err := json.Marshal(models.Notice{TrackingNo: fmt.Sprintf("T%d-%04d", p.ID, i), State: models.StateSigned,
			Matter: "占道经营", Place: "城关镇", Deadline: "2026-01-03 17:00"})
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, models.Intent{RecipientID: p.ID, Channel: ch, Kind: kind, CaseID: int64(i + 1),
			DedupKey: fmt.Sprintf("%s:%d:%d", kind, p.ID, i), Payload: payload})
	}
	if err := e.s.AddIntents(ctx, in); err != nil {
		t.Fatal(err)
	}
}

// settle waits until no intent is pending or being sent and returns them all.
func (e *env) settle(t *testing.T, within time.Duration) []models.Intent {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		all, err := e.s.Intents(ctx, store.IntentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		open := 0
		for _, in := range all {
			if in.State == models.IntentPending || in.State == models.IntentSending {
				open++
			}
		}
		if open == 0 {
			return all
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d intents still open after %s", open, len(all), within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitCounter waits up to a second for a counter to reach want (a worker counts just after it
// records the outcome) and returns its value.
func waitCounter(t *testing.T, reg *prometheus.Registry, kind, outcome string, want float64) float64 {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for {
		got := counter(t, reg, kind, outcome)
		if got >= want || time.Now().After(deadline) {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// counter reads gridbot_notifications_total for a kind and outcome.
func counter(t *testing.T, reg *prometheus.Registry, kind, outcome string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "gridbot_notifications_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["kind"] == kind && labels["outcome"] == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
