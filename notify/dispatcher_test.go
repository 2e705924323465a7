package notify_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
	"gridbot/wechatsim"
)

func TestChannelChoice(t *testing.T) {
	tests := []struct {
		name        string
		inboundAgo  time.Duration // 0: never wrote to us
		simInbound  bool          // the fake API knows the last message (else it answers 45015)
		wecomID     string        // the officer's WeCom userid, if any
		channel     models.Channel
		kind        string
		wantKind    wechatsim.MessageKind
		wantState   models.IntentState
		wantOutcome string
	}{
		{"within 48 h: customer-service text", time.Hour, true, "", models.ChannelWeChat, models.NoticeStatus,
			wechatsim.KindCustom, models.IntentSent, "sent"},
		{"outside 48 h: template", 49 * time.Hour, true, "", models.ChannelWeChat, models.NoticeStatus,
			wechatsim.KindTemplate, models.IntentSent, "sent"},
		{"never wrote: template", 0, false, "", models.ChannelWeChat, models.NoticeStatus,
			wechatsim.KindTemplate, models.IntentSent, "sent"},
		{"45015 falls back to the template", time.Hour, false, "", models.ChannelWeChat, models.NoticeStatus,
			wechatsim.KindTemplate, models.IntentSent, "sent"},
		{"no template for the kind: failed", 0, false, "", models.ChannelWeChat, models.NoticeChase,
			"", models.IntentFailed, "failed"},
		{"wecom: text card", 0, false, "officer.li", models.ChannelWeCom, models.NoticeChase,
			wechatsim.KindWork, models.IntentSent, "sent"},
		{"staff with a WeCom userid: WeCom first, whatever the channel", time.Hour, true, "officer.li", models.ChannelWeChat,
			models.NoticeChase, wechatsim.KindWork, models.IntentSent, "sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, storetest.SQLite(t))
			var last time.Time
			if tt.inboundAgo != 0 {
				last = time.Now().Add(-tt.inboundAgo)
			}
			p := e.person(t, "oUser0001", tt.wecomID, models.RoleOfficer, last)
			if !tt.simInbound {
				e.api.SetLastInbound("oUser0001", time.Time{})
			}
			e.intents(t, p, tt.channel, tt.kind, 1)
			_, reg := e.start(t, testConfig("w"))
			all := e.settle(t, 5*time.Second)
			if all[0].State != tt.wantState {
				t.Fatalf("intent %+v, want %s", all[0], tt.wantState)
			}
			if got := waitCounter(t, reg, tt.kind, tt.wantOutcome, 1); got != 1 {
				t.Errorf("counter %s/%s = %v, want 1", tt.kind, tt.wantOutcome, got)
			}
			sent := e.api.Sent()
			if tt.wantKind == "" {
				if len(sent) != 0 {
					t.Fatalf("sent %+v, want nothing", sent)
				}
				return
			}
			if len(sent) != 1 || sent[0].Kind != tt.wantKind {
				t.Fatalf("sent %+v, want one %s message", sent, tt.wantKind)
			}
			checkSent(t, sent[0], all[0])
		})
	}
}

// checkSent checks what a message carries for its API: client_msg_id, template and link.
func checkSent(t *testing.T, m wechatsim.SentMessage, in models.Intent) {
	t.Helper()
	body := string(m.Body)
	switch m.Kind {
	case wechatsim.KindTemplate:
		if m.TemplateID != statusTemplate || m.ClientMsgID != "intent-"+itoa(in.ID) {
			t.Errorf("template %q client_msg_id %q for intent %d", m.TemplateID, m.ClientMsgID, in.ID)
		}
		if !strings.Contains(body, "cases/T") {
			t.Errorf("template without the case link: %s", body)
		}
	case wechatsim.KindWork:
		if m.MsgType != "textcard" || m.To != "officer.li" || !strings.Contains(body, "gridbot.example/cases/") {
			t.Errorf("wecom message %+v %s", m, body)
		}
	case wechatsim.KindCustom:
		var req struct {
			Text struct{ Content string } `json:"text"`
		}
		if err := json.Unmarshal(m.Body, &req); err != nil || !strings.Contains(req.Text.Content, "受理编号") {
			t.Errorf("customer-service text %s (%v)", body, err)
		}
	}
}

func TestUnsubscribedPersonIsMarkedUnreachable(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	p := e.person(t, "oGone0001", "", models.RoleCitizen, time.Time{})
	e.api.SetUnsubscribed("oGone0001", true)
	e.intents(t, p, models.ChannelWeChat, models.NoticeStatus, 1)
	_, reg := e.start(t, testConfig("w"))
	all := e.settle(t, 5*time.Second)
	if all[0].State != models.IntentFailed || !strings.Contains(all[0].LastError, "43004") || all[0].Attempts != 1 {
		t.Fatalf("intent %+v, want failed with 43004 after one attempt", all[0])
	}
	got, err := e.s.PersonByID(ctx, p.ID)
	if err != nil || !got.Unreachable {
		t.Fatalf("person %+v, %v: want unreachable", got, err)
	}
	if n := waitCounter(t, reg, models.NoticeStatus, "unreachable", 1); n != 1 {
		t.Errorf("unreachable counter = %v", n)
	}
}

func TestTokenInvalidatedMidRunIsRefreshedOnce(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	p := e.person(t, "oUser0002", "", models.RoleCitizen, time.Now().Add(-time.Hour))
	d, _ := e.start(t, testConfig("w"))
	e.intents(t, p, models.ChannelWeChat, models.NoticeStatus, 3)
	d.Wake()
	e.settle(t, 5*time.Second)
	e.api.InvalidateTokens()
	before := e.api.TokenFetches(wechatsim.Official)
	if err := e.s.AddIntents(ctx, []models.Intent{{RecipientID: p.ID, Channel: models.ChannelWeChat,
		Kind: models.NoticeStatus, DedupKey: "after-invalidation", Payload: []byte(`{"tracking_no":"T9"}`)}}); err != nil {
		t.Fatal(err)
	}
	d.Wake()
	all := e.settle(t, 5*time.Second)
	for _, in := range all {
		if in.State != models.IntentSent {
			t.Fatalf("intent %+v not sent", in)
		}
	}
	if got := e.api.TokenFetches(wechatsim.Official) - before; got != 1 {
		t.Fatalf("token fetched %d times after invalidation, want 1", got)
	}
	if got := e.api.SentCount(); got != 4 {
		t.Fatalf("sent %d messages, want 4", got)
	}
}

func TestRetriesUnderAnOutageDeliverEachIntentOnce(t *testing.T) {
	for _, mode := range []wechatsim.FaultMode{wechatsim.FaultHTTP500, wechatsim.FaultSystemBusy, wechatsim.FaultFreqLimit} {
		t.Run(faultName(mode), func(t *testing.T) {
			e := newEnv(t, storetest.SQLite(t))
			p := e.person(t, "oUser0003", "", models.RoleCitizen, time.Time{})
			e.intents(t, p, models.ChannelWeChat, models.NoticeStatus, 10)
			e.api.SetFault(wechatsim.Fault{Mode: mode, Remaining: 15, SpareTokens: true})
			_, reg := e.start(t, testConfig("w"))
			all := e.settle(t, 10*time.Second)
			seen := map[string]int{}
			for _, m := range e.api.Sent() {
				seen[m.ClientMsgID]++
			}
			for _, in := range all {
				if in.State != models.IntentSent {
					t.Errorf("intent %+v not sent", in)
				}
				if seen["intent-"+itoa(in.ID)] != 1 {
					t.Errorf("intent %d delivered %d times", in.ID, seen["intent-"+itoa(in.ID)])
				}
			}
			if len(seen) != 10 {
				t.Errorf("%d messages delivered, want 10", len(seen))
			}
			if n := counter(t, reg, models.NoticeStatus, "retry"); n < 1 {
				t.Errorf("retry counter = %v, want retries", n)
			}
		})
	}
}

func TestLastAttemptFailsTheIntentVisibly(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	p := e.person(t, "oUser0004", "", models.RoleCitizen, time.Time{})
	e.intents(t, p, models.ChannelWeChat, models.NoticeStatus, 1)
	e.api.SetFault(wechatsim.Fault{Mode: wechatsim.FaultSystemBusy, SpareTokens: true})
	cfg := testConfig("w")
	cfg.MaxAttempts = 3
	_, reg := e.start(t, cfg)
	all := e.settle(t, 5*time.Second)
	if all[0].State != models.IntentFailed || all[0].Attempts != 3 || !strings.Contains(all[0].LastError, "-1") {
		t.Fatalf("intent %+v, want failed after 3 attempts with errcode -1", all[0])
	}
	if f, r := waitCounter(t, reg, models.NoticeStatus, "failed", 1), counter(t, reg, models.NoticeStatus, "retry"); f != 1 || r != 2 {
		t.Fatalf("counters failed=%v retry=%v, want 1 and 2", f, r)
	}
}

func TestTwoDispatchersOnMySQLNeverDeliverTwice(t *testing.T) {
	e := newEnv(t, storetest.MySQL(t))
	const n = 200
	p := e.person(t, "oUser0005", "", models.RoleCitizen, time.Now().Add(-time.Hour))
	e.intents(t, p, models.ChannelWeChat, models.NoticeStatus, n)
	// a worker that crashed mid-send: its claims come back when their lease ends
	if _, err := e.s.ClaimDueIntents(ctx, time.Now().Add(time.Second), "crashed", 300*time.Millisecond, 7); err != nil {
		t.Fatal(err)
	}
	e.start(t, testConfig("pool-a"))
	e.start(t, testConfig("pool-b"))
	all := e.settle(t, 20*time.Second)
	texts := map[string]int{}
	for _, m := range e.api.Sent() {
		texts[string(m.Body)]++
	}
	if len(all) != n || len(texts) != n || e.api.SentCount() != n {
		t.Fatalf("%d intents, %d distinct messages, %d sent; want %d each", len(all), len(texts), e.api.SentCount(), n)
	}
	if calls := e.api.Calls("/cgi-bin/message/custom/send"); calls != n {
		t.Fatalf("%d send calls, want %d", calls, n)
	}
	sent, err := e.s.Intents(ctx, store.IntentFilter{State: models.IntentSent})
	if err != nil || len(sent) != n {
		t.Fatalf("%d sent intents (%v), want %d", len(sent), err, n)
	}
}

// TestThreeDispatchersWithoutSkipLockedNeverDeliverTwice runs three instances' dispatchers,
// each on its own connections, on MariaDB with SKIP LOCKED off (as on TiDB, which accepts it and
// locks nothing): the claims' guarded UPDATE alone keeps each notice to one send.
func TestThreeDispatchersWithoutSkipLockedNeverDeliverTwice(t *testing.T) {
	const n, instances = 3000, 3
	stores := storetest.MySQLInstances(t, instances, store.Options{MaxOpenConns: 8, NoSkipLocked: true})
	e := newEnv(t, stores[0])
	p := e.person(t, "oUser0007", "", models.RoleCitizen, time.Now().Add(-time.Hour))
	e.intents(t, p, models.ChannelWeChat, models.NoticeStatus, n)
	// a worker that crashed mid-claim: its intents come back when their lease ends
	if _, err := e.s.ClaimDueIntents(ctx, time.Now(), "crashed", 300*time.Millisecond, 30); err != nil {
		t.Fatal(err)
	}
	for i, s := range stores {
		if s.SkipsLocked() {
			t.Fatalf("instance %d claims with SKIP LOCKED", i)
		}
		cfg := testConfig(fmt.Sprintf("instance-%d", i))
		cfg.Batch = 20
		e.startOn(t, s, cfg)
	}
	all := e.settle(t, 90*time.Second)
	texts := map[string]int{}
	for _, m := range e.api.Sent() {
		texts[string(m.Body)]++
	}
	dups := 0
	for _, c := range texts {
		dups += c - 1
	}
	if len(all) != n || len(texts) != n || e.api.SentCount() != n || dups != 0 {
		t.Fatalf("%d intents, %d distinct messages, %d sent, %d duplicates; want %d, %d, %d, 0",
			len(all), len(texts), e.api.SentCount(), dups, n, n, n)
	}
	for _, in := range all {
		if in.State != models.IntentSent {
			t.Fatalf("intent %+v not sent", in)
		}
	}
}

func TestCloseFinishesTheSendInFlightAndReleasesTheRest(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	p := e.person(t, "oUser0006", "", models.RoleCitizen, time.Now().Add(-time.Hour))
	e.intents(t, p, models.ChannelWeChat, models.NoticeStatus, 5)
	e.api.SetFault(wechatsim.Fault{Mode: wechatsim.FaultTimeout, Delay: 300 * time.Millisecond, SpareTokens: true})
	cfg := testConfig("w")
	cfg.Workers = 1
	d, _ := e.start(t, cfg)
	for e.api.Calls("/cgi-bin/message/custom/send") == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := d.Close(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	all, err := e.s.Intents(ctx, store.IntentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	states := map[models.IntentState]int{}
	for _, in := range all {
		states[in.State]++
		if in.State == models.IntentPending && in.Attempts != 0 {
			t.Errorf("released intent %+v counts an attempt", in)
		}
	}
	if states[models.IntentSent] != 1 || states[models.IntentPending] != 4 {
		t.Fatalf("states after close %v, want 1 sent and 4 pending", states)
	}
}

// faultName names a fault mode for a subtest.
func faultName(m wechatsim.FaultMode) string {
	return map[wechatsim.FaultMode]string{wechatsim.FaultHTTP500: "http500", wechatsim.FaultSystemBusy: "busy",
		wechatsim.FaultFreqLimit: "45009"}[m]
}

// itoa formats an id.
func itoa(id int64) string {
	return strconv.FormatInt(id, 10)
}
