package notify_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
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

// kinds counts the messages the fake API accepted, by kind.
func kinds(api *wechatsim.API) map[wechatsim.MessageKind]int {
	out := map[wechatsim.MessageKind]int{}
	for _, m := range api.Sent() {
		out[m.Kind]++
	}
	return out
}

// fallbacks reads gridbot_notification_fallbacks_total for a reason.
func fallbacks(t *testing.T, reg *prometheus.Registry, reason string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "gridbot_notification_fallbacks_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			if m.GetLabel()[0].GetValue() == reason {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func TestTheWindowsCountSwitchesToTemplatesUntilTheyWriteAgain(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.withQuota(t, nil, nil)
	p := e.person(t, "oCount0001", "", models.RoleCitizen, time.Now().Add(-time.Hour))
	e.intents(t, p, models.ChannelWeChat, models.NoticeStatus, 7)
	d, reg := e.start(t, testConfig("w"))
	e.settle(t, 5*time.Second)
	if got := kinds(e.api); got[wechatsim.KindCustom] != 5 || got[wechatsim.KindTemplate] != 2 {
		t.Fatalf("sent %v, want 5 customer-service texts and 2 templates", got)
	}
	if n := e.api.Calls("/cgi-bin/message/custom/send"); n != 5 {
		t.Errorf("%d customer-service calls, want 5: the count should spare WeChat's 45047", n)
	}
	if n := fallbacks(t, reg, "window_spent"); n != 2 {
		t.Errorf("window_spent fallbacks = %v, want 2", n)
	}
	// They write again: the allowance is renewed (not added up).
	at := time.Now()
	if _, err := e.s.EnsureCitizen(ctx, p.OpenID, at); err != nil {
		t.Fatal(err)
	}
	e.api.SetLastInbound(p.OpenID, at)
	var more []models.Intent
	for i := range 6 {
		more = append(more, models.Intent{RecipientID: p.ID, Channel: models.ChannelWeChat, Kind: models.NoticeStatus,
			DedupKey: fmt.Sprintf("again-%d", i), Payload: []byte(`{"tracking_no":"T2"}`)})
	}
	if err := e.s.AddIntents(ctx, more); err != nil {
		t.Fatal(err)
	}
	d.Wake()
	e.settle(t, 5*time.Second)
	if got := kinds(e.api); got[wechatsim.KindCustom] != 10 || got[wechatsim.KindTemplate] != 3 {
		t.Fatalf("after a new message: sent %v, want 10 customer-service texts and 3 templates in all", got)
	}
}

func TestWeChats45047SwitchesToTheTemplateAndIsRemembered(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.withQuota(t, nil, nil)
	p := e.person(t, "oCount0002", "", models.RoleCitizen, time.Now().Add(-time.Hour))
	for range 5 { // late replies that gridbot's count did not see
		if err := e.official.SendText(ctx, p.OpenID, "稍后回复"); err != nil {
			t.Fatal(err)
		}
	}
	e.intents(t, p, models.ChannelWeChat, models.NoticeStatus, 3)
	cfg := testConfig("w")
	cfg.Workers = 1
	_, reg := e.start(t, cfg)
	all := e.settle(t, 5*time.Second)
	for _, in := range all {
		if in.State != models.IntentSent {
			t.Errorf("intent %+v not sent", in)
		}
	}
	if got := kinds(e.api); got[wechatsim.KindCustom] != 5 || got[wechatsim.KindTemplate] != 3 {
		t.Fatalf("sent %v, want the 5 earlier texts and 3 templates", got)
	}
	if n := e.api.Calls("/cgi-bin/message/custom/send"); n != 6 {
		t.Errorf("%d customer-service calls, want 5 + one answered 45047 (then templates at once)", n)
	}
	if n := fallbacks(t, reg, "45047"); n != 1 {
		t.Errorf("45047 fallbacks = %v, want 1", n)
	}
	if n := fallbacks(t, reg, "window_spent"); n != 2 {
		t.Errorf("window_spent fallbacks = %v, want 2", n)
	}
}

func TestCustomerServiceQuotaSpentFallsBackToTemplates(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.withQuota(t, map[wechat.QuotaAPI]int64{wechat.QuotaCustomer: 2}, nil)
	for i := range 2 {
		p := e.person(t, fmt.Sprintf("oDaily%04d", i), "", models.RoleCitizen, time.Now().Add(-time.Hour))
		e.intents(t, p, models.ChannelWeChat, models.NoticeStatus, 2)
	}
	_, reg := e.start(t, testConfig("w"))
	e.settle(t, 5*time.Second)
	if got := kinds(e.api); got[wechatsim.KindCustom] != 2 || got[wechatsim.KindTemplate] != 2 {
		t.Fatalf("sent %v, want 2 customer-service texts (the day's quota) and 2 templates", got)
	}
	if n := fallbacks(t, reg, "customer_quota"); n != 2 {
		t.Errorf("customer_quota fallbacks = %v, want 2", n)
	}
}

// syncBuffer is a log sink safe for the workers' concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends to the buffer.
func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is what was written.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestTemplateQuotaSpentWaitsForTomorrowWithAWarning(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	logs := &syncBuffer{}
	e.withQuota(t, map[wechat.QuotaAPI]int64{wechat.QuotaTemplate: 5}, slog.New(slog.NewTextHandler(logs, nil)))
	p := e.person(t, "oQuota0001", "", models.RoleCitizen, time.Time{})
	e.intents(t, p, models.ChannelWeChat, models.NoticeStatus, 8)
	_, reg := e.start(t, testConfig("w"))
	deadline := time.Now().Add(5 * time.Second)
	for counter(t, reg, models.NoticeStatus, "deferred") < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := kinds(e.api); got[wechatsim.KindTemplate] != 5 || len(got) != 1 {
		t.Fatalf("sent %v, want the day's 5 templates", got)
	}
	all, err := e.s.Intents(ctx, store.IntentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	tomorrow := e.quota.NextDay()
	waiting := 0
	for _, in := range all {
		if in.State == models.IntentPending {
			waiting++
			if in.NextAttemptAt.Before(tomorrow.Add(-time.Second)) || in.Attempts != 0 || in.LastError != "" {
				t.Errorf("waiting intent %+v: want due at %s with no attempt counted", in, tomorrow)
			}
		}
	}
	if waiting != 3 {
		t.Errorf("%d intents wait for tomorrow, want 3", waiting)
	}
	for _, want := range []string{"WeChat daily quota 80% used", "api=template used=4 limit=5", "WeChat daily quota used up"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	if n := e.api.QuotaUsed("template"); n != 5 {
		t.Errorf("the fake WeChat counted %d template sends, want 5", n)
	}
}

func TestCategoryTemplateValuesAreCutToTheirTypes(t *testing.T) {
	const typed = "tpl-typed-0001"
	fields := map[string]string{"character_string1": "character_string", "thing2": "thing", "phrase3": "phrase", "time4": "time"}
	long := "城关镇人民路与解放路交叉口东北角商铺门前占道经营" // 24 characters
	tests := []struct {
		name      string
		spec      string
		wantState models.IntentState
		wantData  map[string]string
	}{
		{"fitted to the template's types", "case_dispatched: character_string1=tracking_no, thing2=matter, phrase3=status, time4=deadline",
			models.IntentSent, map[string]string{"character_string1": "CG-20260102-0001", "thing2": "城关镇人民路与解放路交叉口东北角商铺门前",
				"phrase3": "新派遣", "time4": "2026-01-03 17:00"}},
		{"a wrong type in the configuration: WeChat refuses, finally", "case_dispatched: character_string1=tracking_no, thing2(character_string)=matter",
			models.IntentFailed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, storetest.SQLite(t))
			e.api.AddCategoryTemplate(typed, fields)
			p := e.person(t, "oTyped0001", "", models.RoleOfficer, time.Time{})
			payload, err := json.Marshal(models.Notice{TrackingNo: "CG-20260102-0001", State: models.StateSigned,
				Matter: long, Deadline: "2026-01-03 17:00"})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.s.AddIntents(ctx, []models.Intent{{RecipientID: p.ID, Channel: models.ChannelWeChat,
				Kind: models.NoticeDispatched, DedupKey: "typed", Payload: payload}}); err != nil {
				t.Fatal(err)
			}
			tf, err := notify.ParseTemplateFields(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			cfg := testConfig("w")
			cfg.Templates = map[string]string{models.NoticeDispatched: typed}
			cfg.TemplateFields = tf
			e.start(t, cfg)
			all := e.settle(t, 5*time.Second)
			if all[0].State != tt.wantState {
				t.Fatalf("intent %+v, want %s", all[0], tt.wantState)
			}
			if tt.wantData == nil {
				if !strings.Contains(all[0].LastError, "47003") || all[0].Attempts != 1 {
					t.Errorf("intent %+v: want failed at once with 47003", all[0])
				}
				return
			}
			var body struct {
				Data map[string]struct{ Value string } `json:"data"`
			}
			sent := e.api.Sent()
			if len(sent) != 1 || json.Unmarshal(sent[0].Body, &body) != nil {
				t.Fatalf("sent %+v", sent)
			}
			got := map[string]string{}
			for k, v := range body.Data {
				got[k] = v.Value
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.wantData) {
				t.Errorf("template data %v, want %v (no first or remark)", got, tt.wantData)
			}
		})
	}
}

func TestStaffAreReachedOnWeComFirst(t *testing.T) {
	tests := []struct {
		name     string
		wecom    string // "ok", "broken" (the fake WeCom refuses the agent id), "none" (not configured)
		openID   string
		want     wechatsim.MessageKind
		wantFall float64
		state    models.IntentState
	}{
		{"WeCom when they have a userid", "ok", "oStaff0001", wechatsim.KindWork, 0, models.IntentSent},
		{"WeCom failing: the Official Account", "broken", "oStaff0001", wechatsim.KindCustom, 1, models.IntentSent},
		{"WeCom not configured: the Official Account", "none", "oStaff0001", wechatsim.KindCustom, 0, models.IntentSent},
		{"WeCom failing and no openid: retried on WeCom", "broken", "", "", 0, models.IntentFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, storetest.SQLite(t))
			e.withQuota(t, nil, nil)
			switch tt.wecom {
			case "none":
				e.wecom = nil
			case "broken":
				w, err := wechat.NewWeCom(wechat.WeComConfig{CorpID: corpID, CorpSecret: corpSecret, AgentID: "999",
					Cache: shared.NewTokenCache(e.rdb.Client, e.prefix)})
				if err != nil {
					t.Fatal(err)
				}
				e.wecom = w
			}
			p, err := e.s.CreatePerson(ctx, models.Person{Role: models.RoleOfficer, OpenID: tt.openID, WeComUserID: "officer.wang",
				PreferredChannel: models.ChannelWeChat, LastInboundAt: time.Now().Add(-time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if tt.openID != "" {
				e.api.SetLastInbound(tt.openID, time.Now().Add(-time.Hour))
			}
			e.intents(t, p, models.ChannelWeChat, models.NoticeDispatched, 1)
			cfg := testConfig("w")
			cfg.MaxAttempts = 2
			_, reg := e.start(t, cfg)
			all := e.settle(t, 5*time.Second)
			if all[0].State != tt.state {
				t.Fatalf("intent %+v, want %s", all[0], tt.state)
			}
			got := kinds(e.api)
			if tt.want == "" {
				if len(got) != 0 {
					t.Fatalf("sent %v, want nothing", got)
				}
			} else if got[tt.want] != 1 || len(got) != 1 {
				t.Fatalf("sent %v, want one %s", got, tt.want)
			}
			if n := fallbacks(t, reg, "wecom_failed"); n != tt.wantFall {
				t.Errorf("wecom_failed fallbacks = %v, want %v", n, tt.wantFall)
			}
		})
	}
}
