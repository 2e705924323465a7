package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"gridbot/config"
	"gridbot/models"
	"gridbot/store"
	"gridbot/wechatsim"
)

func TestSandboxDeliversWithinWeChatsLimits(t *testing.T) {
	app, base := startApp(t, testEnv(t, map[string]string{
		"GRIDBOT_WECHAT_QUOTA_TEMPLATE":  "40",
		"GRIDBOT_WECHAT_TEMPLATE_FIELDS": "case_status: character_string1=tracking_no, thing2=matter, phrase3=status",
	}))
	ctx := context.Background()
	last := time.Now().Add(-time.Hour)
	p, err := app.store.CreatePerson(ctx, models.Person{Role: models.RoleCitizen, OpenID: "oLimitsE2E",
		PreferredChannel: models.ChannelWeChat, LastInboundAt: last})
	if err != nil {
		t.Fatal(err)
	}
	sim := app.gateway.sandbox
	sim.AddCategoryTemplate("SANDBOX_TEMPLATE_"+models.NoticeStatus,
		map[string]string{"character_string1": "character_string", "thing2": "thing", "phrase3": "phrase"})
	sim.SetLastInbound(p.OpenID, last)
	var in []models.Intent
	for i := range 7 {
		in = append(in, models.Intent{RecipientID: p.ID, Channel: models.ChannelWeChat, Kind: models.NoticeStatus,
			DedupKey: fmt.Sprintf("limits-e2e-%d", i), Payload: []byte(`{"tracking_no":"CG-20260102-000` + fmt.Sprint(i) +
				`","state":"signed","matter":"城关镇人民路与解放路交叉口东北角商铺门前占道经营"}`)})
	}
	if err := app.store.AddIntents(ctx, in); err != nil {
		t.Fatal(err)
	}
	app.gateway.delivery.Wake()
	deadline := time.Now().Add(10 * time.Second)
	for {
		all, err := app.store.Intents(ctx, store.IntentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		sent := 0
		for _, x := range all {
			if x.State == models.IntentSent {
				sent++
			} else if x.State == models.IntentFailed {
				t.Fatalf("intent failed: %+v", x)
			}
		}
		if sent == 7 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 7 sent", sent)
		}
		time.Sleep(20 * time.Millisecond)
	}
	count := map[wechatsim.MessageKind]int{}
	for _, m := range sim.Sent() {
		count[m.Kind]++
	}
	if count[wechatsim.KindCustom] != 5 || count[wechatsim.KindTemplate] != 2 {
		t.Errorf("sent %v, want 5 customer-service texts (one message's allowance) and 2 templates", count)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`gridbot_wechat_quota_limit{api="template"} 40`, `gridbot_wechat_quota_used{api="template"} 2`,
		`gridbot_wechat_quota_used{api="customer_service"} 5`, `gridbot_notification_fallbacks_total{reason="window_spent"} 2`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestBadTemplateFieldsStopTheStartOneLineEach(t *testing.T) {
	cfg, err := config.Load("", testEnv(t, map[string]string{
		"GRIDBOT_WECHAT_TEMPLATE_FIELDS": "case_status: thing2=mater, first=title; case_nothing: thing1=matter",
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app, err := NewApp(ctx, cfg, slog.New(slog.DiscardHandler))
	if err == nil {
		t.Cleanup(func() { cancel(); _ = app.Run(ctx) })
		t.Fatal("the service started with wrong template fields")
	}
	want := "config: invalid settings:\n" +
		`GRIDBOT_WECHAT_TEMPLATE_FIELDS: case_status: thing2: unknown source "mater"`
	if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Count(err.Error(), "\nGRIDBOT_WECHAT_TEMPLATE_FIELDS: ") != 3 {
		t.Fatalf("start error %v, want three lines starting with %q", err, want)
	}
}
