package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/wechatsim"
)

// platformToken issues an API token to the sample county's platform operator 郑雅琳.
func platformToken(t *testing.T, app *App) string {
	t.Helper()
	p, err := app.store.PersonByCode(context.Background(), "p-platform-01")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := app.store.IssueToken(context.Background(), p.ID, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// post calls a platform API action and returns its status.
func post(t *testing.T, base, token, path string, body map[string]any) int {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1"+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// tell walks a complaint in 安海镇 whose matter is the suggestion numbered pick, and returns its number.
func tell(t *testing.T, p *wechatsim.Phone, text, pick string) string {
	t.Helper()
	var last string
	for _, s := range []string{"投诉", text, "跳过", "安海镇", pick, "2", "跳过"} {
		last = say(t, p, s)
	}
	if strings.Contains(last, "已有相同问题") {
		say(t, p, "2")
	}
	return trackingNo(t, say(t, p, "确认"))
}

func TestRoutingAndThePlatform(t *testing.T) {
	backends(t, routingAndPlatform)
}

// routingAndPlatform checks the three routes and the platform's triage, returns and final ruling.
func routingAndPlatform(t *testing.T, getenv func(string) string) {
	app, base := startApp(t, getenv)
	token := platformToken(t, app)
	ctx := context.Background()

	// A food workshop in 安海镇: 暂缓下放 there, so the county's market regulator gets it.
	deferred := tell(t, sandboxPhone(app, base, "oCitizen_food", true), "巷子里有个黑作坊做炸串，苍蝇乱飞，后厨脏得很", "1")
	c, err := app.store.CaseByTrackingNo(ctx, deferred)
	if err != nil {
		t.Fatal(err)
	}
	if c.MatterCode != "SJ-002" || c.TeamCode != "team-dept-scjgj" || !strings.Contains(c.RouteReason, "暂缓下放") {
		t.Fatalf("deferred matter: %s → %q (%s)", c.MatterCode, c.TeamCode, c.RouteReason)
	}

	// "其他/不确定": to triage; the platform classifies and dispatches it.
	unknown := tell(t, sandboxPhone(app, base, "oCitizen_unsure", true), "门口这几天总有人在吵吵闹闹，也不知道该找谁", "4")
	c, err = app.store.CaseByTrackingNo(ctx, unknown)
	if err != nil || c.State != models.StateTriage || c.MatterCode != "" {
		t.Fatalf("unknown matter: %+v %v", c, err)
	}
	if code := post(t, base, token, "/cases/"+unknown+"/triage", map[string]any{"matter_code": "CG-001"}); code != http.StatusOK {
		t.Fatalf("triage: %d", code)
	}
	c, _ = app.store.CaseByTrackingNo(ctx, unknown)
	if c.State != models.StateDispatched || c.TeamCode != "team-anhai" {
		t.Fatalf("after triage: %s %s", c.State, c.TeamCode)
	}

	// Return → re-dispatch → second return → final ruling; then no more returns.
	officer := sandboxPhone(app, base, openidChenJianhua, true)
	expect(t, say(t, officer, "退回 "+unknown+" 不属于本队职责"), "已退回")
	if code := post(t, base, token, "/cases/"+unknown+"/dispatch", map[string]any{"team_code": "team-anhai"}); code != http.StatusOK {
		t.Fatalf("re-dispatch: %d", code)
	}
	expect(t, say(t, officer, "退回 "+unknown+" 仍不属于本队"), "已退回")
	if code := post(t, base, token, "/cases/"+unknown+"/final-ruling", map[string]any{"team_code": "team-anhai"}); code != http.StatusOK {
		t.Fatalf("final ruling: %d", code)
	}
	expect(t, say(t, officer, "退回 "+unknown+" 再退一次"), "终审派遣，不能退回")
	c, _ = app.store.CaseByTrackingNo(ctx, unknown)
	if c.State != models.StateDispatched || !c.FinalRuling || c.ReturnCount != 2 {
		t.Fatalf("after the final ruling %+v", c)
	}
	_, in := intentsOf(t, app.store, unknown)
	operator, err := app.store.PersonByCode(ctx, "p-platform-01")
	if err != nil {
		t.Fatal(err)
	}
	if !hasIntent(in, models.NoticeTriage, operator.ID) || !hasIntent(in, models.NoticeReturned, operator.ID) {
		t.Errorf("the platform was not told of triage and returns: %+v", in)
	}
}

// getAPI calls a platform API read and decodes its answer into out (when not nil).
func getAPI(t *testing.T, base, token, path string, out any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/v1"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}
