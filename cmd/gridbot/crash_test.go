package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/wechatsim"
	"gridbot/workcal"
)

func TestACrashAfterTheCaseCommitsFilesOneCaseAndRecoveryAnswersItsReceipt(t *testing.T) {
	backends(t, crashAfterTheCommit)
}

// crashAfterTheCommit kills gridbot (a panic right after the case's COMMIT: the draft is not
// cleared and no reply reaches Redis or the inbox), starts it again on the same database and
// Redis, and runs the inbox's recovery on the unfinished entry: the person gets the receipt of
// the case filed before the crash, and there is one case.
func crashAfterTheCommit(t *testing.T, getenv func(string) string) {
	const openid = "oCitizen_crash_after_commit"
	ctx := context.Background()
	app, base, stop := runApp(t, getenv)
	t.Cleanup(stop)
	p := sandboxPhone(app, base, openid, true)
	expect(t, say(t, p, "举报"), "身份将被保密")
	expect(t, say(t, p, "河边晚上有人开着挖机偷偷挖沙，好几辆车在拉"), "现场照片")
	expect(t, say(t, p, "跳过"), "地点")
	expect(t, say(t, p, "东石镇"), "已记录地点：东石镇")
	expect(t, say(t, p, "1"), "请确认")

	committed := make(chan models.Case, 1)
	app.store.OnCaseCommitted(func(c models.Case) {
		app.store.OnCaseCommitted(nil)
		committed <- c
		panic("gridbot killed right after the case's commit")
	})
	r, err := p.SendText(ctx, "确认")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.Content, "受理编号") {
		t.Fatalf("the receipt went out before the crash:\n%s", r.Content)
	}
	var c models.Case
	select {
	case c = <-committed:
	case <-time.After(5 * time.Second):
		t.Fatal("no case was committed")
	}
	_, intents := intentsOf(t, app.store, c.TrackingNo)
	stop()

	app, base = startApp(t, getenv)
	app.gateway.sandbox.SetLastInbound(openid, time.Now())
	if err := app.gateway.inbox.RetryPending(ctx, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var receipt string
	waitFor(t, "the recovered receipt", func() bool {
		receipt = sentText(t, app.gateway.sandbox, openid, "已受理，受理编号：")
		return receipt != ""
	})
	if no := trackingNo(t, receipt); no != c.TrackingNo {
		t.Fatalf("recovery answered tracking number %s, want %s of the case filed before the crash:\n%s", no, c.TrackingNo, receipt)
	}
	expect(t, receipt, "我们将在"+dueOf(t, app, c)+"前答复您")
	mine, err := app.store.CasesByReporter(ctx, c.ReporterID, 10)
	if err != nil || len(mine) != 1 || mine[0].ID != c.ID || mine[0].InboxKey == "" {
		t.Fatalf("the reporter's cases %+v, %v; want the one filed before the crash", mine, err)
	}
	events, err := app.store.Events(ctx, c.ID)
	if err != nil || int64(len(events)) != c.Version {
		t.Fatalf("%d events (%v), want the %d of the first filing", len(events), err, c.Version)
	}
	if _, again := intentsOf(t, app.store, c.TrackingNo); len(again) != len(intents) {
		t.Fatalf("%d intents after recovery, want the %d of the first filing", len(again), len(intents))
	}
	waitFor(t, "the entry's done mark", func() bool {
		pending, err := app.store.PendingInbound(ctx, time.Now().Add(time.Minute), 10)
		return err == nil && len(pending) == 0
	})
	// The draft is gone: another 确认 files nothing.
	p = sandboxPhone(app, base, openid, true)
	if r := say(t, p, "确认"); strings.Contains(r, "受理编号") {
		t.Fatalf("a second 确认 after recovery filed again:\n%s", r)
	}
	if mine, err := app.store.CasesByReporter(ctx, c.ReporterID, 10); err != nil || len(mine) != 1 {
		t.Fatalf("the reporter has %d cases (%v), want one", len(mine), err)
	}
}

// sentText returns the newest customer-service text sent to a person that contains a phrase.
func sentText(t *testing.T, api *wechatsim.API, to, phrase string) string {
	t.Helper()
	sent := api.Sent()
	for i := len(sent) - 1; i >= 0; i-- {
		m := sent[i]
		if m.To != to || m.Kind != wechatsim.KindCustom || m.MsgType != "text" {
			continue
		}
		var body struct {
			Text struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		if err := json.Unmarshal(m.Body, &body); err != nil {
			t.Fatalf("custom message %s: %v", m.Body, err)
		}
		if strings.Contains(body.Text.Content, phrase) {
			return body.Text.Content
		}
	}
	return ""
}

// dueOf is when a receipt promises an answer on a case: its matter's handling limit (13 working
// days without one) from the case's creation, on the deployment's working-time calendar.
func dueOf(t *testing.T, app *App, c models.Case) string {
	t.Helper()
	limit := models.TimeLimit{Amount: 13, Unit: models.WorkingDays}
	matters, err := app.store.Matters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range matters {
		if m.Code == c.MatterCode && m.HandleLimit.Amount > 0 {
			limit = m.HandleLimit
		}
	}
	periods, err := workcal.ParsePeriods(app.cfg.WorkingHours)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := workcal.New(workcal.Config{Location: app.cfg.Location(), Periods: periods})
	if err != nil {
		t.Fatal(err)
	}
	at, err := cal.Add(c.CreatedAt, limit)
	if err != nil {
		t.Fatal(err)
	}
	return at.In(app.cfg.Location()).Format("2006年1月2日15:04")
}
