package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gridbot/config"
	"gridbot/models"
	"gridbot/store"
	"gridbot/wechatsim"
)

// The people of the sample county's 安海镇综合执法队 used below, bound in the sample.
const (
	openidChenJianhua  = "oSim_wQcZ6obYZ7dTDajfXkOLRqV" // officer
	openidHuangShaowei = "oSim_0J_O_Yz756Pagm3UEzy1LL-" // officer
	openidLinZhiqiang  = "oSim_wJdnxgQ1vUDo7I9WwZWBHs5" // team leader, prefers WeCom
)

// fileComplaint walks a citizen's complaint about street vending in 安海镇 and returns its number.
func fileComplaint(t *testing.T, p *wechatsim.Phone) string {
	t.Helper()
	var last string
	for _, text := range []string{"投诉", "安平路口天天有人摆摊卖菜，车都过不去", "跳过", "安海镇安平路口", "1", "2", "跳过"} {
		last = say(t, p, text)
	}
	if strings.Contains(last, "已有相同问题") {
		say(t, p, "2") // file it separately
	}
	return trackingNo(t, say(t, p, "确认"))
}

// intentsOf returns a case's outbox entries.
func intentsOf(t *testing.T, s *store.Store, no string) (models.Case, []models.Intent) {
	t.Helper()
	ctx := context.Background()
	c, err := s.CaseByTrackingNo(ctx, no)
	if err != nil {
		t.Fatal(err)
	}
	in, err := s.Intents(ctx, store.IntentFilter{CaseID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	return c, in
}

// personID looks a person up by openid.
func personID(t *testing.T, s *store.Store, openid string) int64 {
	t.Helper()
	p, err := s.PersonByOpenID(context.Background(), openid)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// waitCard waits until a card of a kind about case no has been delivered to a person, as a
// person replies "1" only to a card they have received.
func waitCard(t *testing.T, s *store.Store, no, openid, kind string) {
	t.Helper()
	id := personID(t, s, openid)
	waitFor(t, kind+" card delivered to "+openid, func() bool {
		_, in := intentsOf(t, s, no)
		for _, i := range in {
			if i.Kind == kind && i.RecipientID == id && i.State == models.IntentSent {
				return true
			}
		}
		return false
	})
}

// hasIntent reports whether the outbox holds an intent of a kind for a person.
func hasIntent(in []models.Intent, kind string, recipient int64) bool {
	for _, i := range in {
		if i.Kind == kind && i.RecipientID == recipient {
			return true
		}
	}
	return false
}

func TestClosedLoopThroughTheChat(t *testing.T) {
	backends(t, closedLoop)
}

// closedLoop runs a delegated complaint from intake to rating through the simulator: the grid
// worker of the case's grid checks the result on site.
func closedLoop(t *testing.T, getenv func(string) string) {
	app, base := startApp(t, getenv)
	citizen := sandboxPhone(app, base, "oCitizen_loop", true)
	officer := sandboxPhone(app, base, openidChenJianhua, true)
	gridWorker := sandboxPhone(app, base, "oPhoneOf_ChenMeiling", true)
	expect(t, say(t, gridWorker, "绑定 4469Z4GE"), "网格员 陈美玲") // grids anhai-haidong-01 and -02
	for _, text := range []string{"投诉", "海东社区门口天天有人摆摊卖菜，车都过不去", "跳过"} {
		say(t, citizen, text)
	}
	if _, err := citizen.SendLocation(context.Background(), 24.7138, 118.4720, 16, "海东社区"); err != nil {
		t.Fatal(err)
	}
	say(t, citizen, "1")
	say(t, citizen, "2")
	say(t, citizen, "跳过")
	no := trackingNo(t, say(t, citizen, "确认"))

	c, in := intentsOf(t, app.store, no)
	if c.State != models.StateDispatched || c.TeamCode != "team-anhai" || !strings.Contains(c.RouteReason, "赋予安海镇：派安海镇综合执法队") {
		t.Fatalf("routing: %s %s %q", c.State, c.TeamCode, c.RouteReason)
	}
	if c.SignDeadline.IsZero() || !c.HandleDeadline.After(c.SignDeadline) {
		t.Fatalf("deadlines %v %v", c.SignDeadline, c.HandleDeadline)
	}
	officerID, leaderID, citizenID := personID(t, app.store, openidChenJianhua), personID(t, app.store, openidLinZhiqiang),
		personID(t, app.store, "oCitizen_loop")
	gridWorkerID := personID(t, app.store, "oPhoneOf_ChenMeiling")
	if !hasIntent(in, models.NoticeDispatched, officerID) || !hasIntent(in, models.NoticeDispatched, leaderID) ||
		!hasIntent(in, models.NoticeStatus, citizenID) {
		t.Fatalf("dispatch intents %+v", in)
	}
	for _, i := range in {
		if i.RecipientID == leaderID && i.Channel != models.ChannelWeCom {
			t.Errorf("the leader prefers WeCom, got %s", i.Channel)
		}
	}

	waitCard(t, app.store, no, openidChenJianhua, models.NoticeDispatched)
	expect(t, say(t, officer, "1"), "已签收：案件 "+no) // the short reply to the dispatch card
	other := sandboxPhone(app, base, openidHuangShaowei, true)
	expect(t, say(t, other, "签收 "+no), "已由 陈建华 签收")
	expect(t, say(t, officer, "处置 "+no+" 已到现场劝离摊贩"), "处置中")
	r, err := officer.SendImage(context.Background(), testJPEG(t))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r.Content, "照片已附加到案件 "+no)
	expect(t, say(t, officer, "办结 "+no), "办结 受理编号 办理结果")
	expect(t, say(t, officer, "办结 "+no+" 陈建华劝离摊贩，道路恢复通行"), "待核查")
	_, in = intentsOf(t, app.store, no)
	if !hasIntent(in, models.NoticeVerify, gridWorkerID) {
		t.Fatalf("no verification request to the grid worker: %+v", in)
	}
	expect(t, say(t, citizen, "评价 "+no+" 5"), "尚未办结")
	expect(t, say(t, officer, "核查 "+no+" 通过"), "没有权限")
	expect(t, say(t, gridWorker, "核查 "+no+" 通过 现场已恢复通行"), "已结案")
	st, err := app.store.CaseStats(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour), time.Now())
	if err != nil || st.Closed != 1 || st.Unrated != 1 || st.ClosedOnTime != 1 {
		t.Fatalf("stats of a closed, not yet rated case: %+v %v", st, err)
	}
	expect(t, say(t, citizen, "评价 "+no+" 5 处理很快"), "感谢您的评价（5分）")
	expect(t, say(t, citizen, "评价 "+no+" 1"), "已经评价过")
	var stats models.Stats
	if code := getAPI(t, base, platformToken(t, app), "/stats", &stats); code != 200 || stats.Rated != 1 ||
		stats.Unrated != 0 || stats.RatingAvg != 5 || stats.OnTimeRate != 1 || stats.ClosureRate != 1 {
		t.Fatalf("GET /stats = %d %+v", code, stats)
	}
	if code := getAPI(t, base, "gbt_wrong", "/stats", nil); code != 401 {
		t.Fatalf("GET /stats with a wrong token = %d", code)
	}

	c, in = intentsOf(t, app.store, no)
	if c.State != models.StateClosed || c.Rating != 5 || c.ClosedAt.IsZero() {
		t.Fatalf("closed case %+v", c)
	}
	var told []string
	for _, i := range in {
		if i.RecipientID == citizenID {
			var n models.Notice
			if err := json.Unmarshal(i.Payload, &n); err != nil || i.Kind != models.NoticeStatus {
				t.Fatalf("reporter intent %s %s: %v", i.Kind, i.Payload, err)
			}
			if n.Description != "" || n.Note != "" || n.Place != "" || n.NoRating {
				t.Errorf("a reporter's update carries internal details or asks for no rating: %s", i.Payload)
			}
			handled := n.State == models.StateHandled || n.State == models.StateClosed
			if want := "陈某劝离摊贩，道路恢复通行"; handled && n.Result != want || !handled && n.Result != "" {
				t.Errorf("the reporter's %s update has the result %q, want %q (filtered) once handled only", n.State,
					n.Result, want)
			}
			told = append(told, string(n.State))
		}
	}
	if got := strings.Join(told, " "); got != "dispatched signed handled closed" {
		t.Errorf("the reporter was told %q, want every step: dispatched signed handled closed", got)
	}
	events, err := app.store.Events(context.Background(), c.ID)
	if err != nil || models.VerifyChain(events) != 0 {
		t.Fatalf("history chain broken: %v", err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, string(e.Action))
	}
	want := "create dispatch sign progress finish verify_pass rate"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("history %q, want %q", got, want)
	}
	atts, err := app.store.Attachments(context.Background(), c.ID)
	if err != nil || len(atts) != 1 || atts[0].EventID != events[3].ID {
		t.Errorf("the handling photo is not on the progress event: %+v %v", atts, err)
	}
}

func TestVerificationFailedAndLowRatingReopen(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	citizen := sandboxPhone(app, base, "oCitizen_rework", true)
	officer := sandboxPhone(app, base, openidChenJianhua, true)
	leader := sandboxPhone(app, base, openidLinZhiqiang, true)
	no := fileComplaint(t, citizen)
	say(t, officer, "签收 "+no)
	say(t, officer, "办结 "+no+" 已处理")
	expect(t, say(t, leader, "核查 "+no+" 不通过"), "写明原因")
	expect(t, say(t, leader, "核查 "+no+" 不通过 摊位还在"), "重新办理")
	c, _ := intentsOf(t, app.store, no)
	if c.State != models.StateReopened || c.ReworkCount != 1 || c.TeamCode != "team-anhai" {
		t.Fatalf("after a failed check %+v", c)
	}
	say(t, officer, "签收 "+no)
	say(t, officer, "办结 "+no+" 已彻底清理")
	say(t, leader, "核查 "+no+" 通过")
	expect(t, say(t, citizen, "评价 "+no+" 1 根本没处理"), "已退回重新办理")
	c, _ = intentsOf(t, app.store, no)
	if c.State != models.StateReopened || c.ReworkCount != 2 || c.Rating != 1 {
		t.Fatalf("after a low rating %+v", c)
	}
}

func TestVillageCaseIsVerifiedByTheVillagesGridWorker(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	citizen := sandboxPhone(app, base, "oCitizen_village", true)
	officer := sandboxPhone(app, base, openidChenJianhua, true)
	const huangXiuying = "oSim_WtqcALpYQOBQBzsMImBL3Yl" // grid worker of 型厝村's grid anhai-xingcuo-01
	gridWorker := sandboxPhone(app, base, huangXiuying, true)
	var last string
	for _, text := range []string{"投诉", "村口天天有人摆摊卖菜，车都过不去", "跳过", "安海镇型厝村村口", "1", "2", "跳过"} {
		last = say(t, citizen, text)
	}
	if strings.Contains(last, "已有相同问题") {
		say(t, citizen, "2")
	}
	no := trackingNo(t, say(t, citizen, "确认"))
	c, _ := intentsOf(t, app.store, no)
	if c.Location.VillageCode != "anhai-xingcuo" || c.Location.GridCode != "" {
		t.Fatalf("the case is placed at %+v, want the village only", c.Location)
	}
	say(t, officer, "签收 "+no)
	say(t, officer, "办结 "+no+" 摊贩已劝离")
	_, in := intentsOf(t, app.store, no)
	if !hasIntent(in, models.NoticeVerify, personID(t, app.store, huangXiuying)) ||
		hasIntent(in, models.NoticeVerify, personID(t, app.store, openidLinZhiqiang)) {
		t.Fatalf("verification not asked of the village's grid worker alone: %+v", in)
	}
	expect(t, say(t, gridWorker, "查询 "+no), no)
	expect(t, say(t, gridWorker, "核查 "+no+" 通过 现场已恢复"), "已结案")
	if c, _ = intentsOf(t, app.store, no); c.State != models.StateClosed {
		t.Fatalf("after the grid worker's check the case is %s", c.State)
	}
}

func TestConcurrentSign(t *testing.T) {
	backends(t, func(t *testing.T, getenv func(string) string) {
		app, base := startApp(t, getenv)
		no := fileComplaint(t, sandboxPhone(app, base, "oCitizen_race", true))
		phones := []*wechatsim.Phone{sandboxPhone(app, base, openidChenJianhua, true),
			sandboxPhone(app, base, openidHuangShaowei, true)}
		replies := make([]string, 2)
		var wg sync.WaitGroup
		for i, p := range phones {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := p.SendText(context.Background(), "签收 "+no)
				if err != nil {
					t.Error(err)
				}
				replies[i] = r.Content
			}()
		}
		wg.Wait()
		signed, told := 0, 0
		for _, r := range replies {
			if strings.Contains(r, "已签收：案件") {
				signed++
			}
			if strings.Contains(r, "已由") && strings.Contains(r, "签收") {
				told++
			}
		}
		if signed != 1 || told != 1 {
			t.Fatalf("replies %q: want one success and one told who has it", replies)
		}
	})
}

func TestExtensionBeforeAndAfterTheDeadline(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	officer := sandboxPhone(app, base, openidChenJianhua, true)
	leader := sandboxPhone(app, base, openidLinZhiqiang, true)
	no := fileComplaint(t, sandboxPhone(app, base, "oCitizen_ext", true))
	expect(t, say(t, officer, "任务"), "1. "+no)
	say(t, officer, "签收 "+no)
	expect(t, say(t, officer, "延期 "+no+" 3"), "格式：延期")
	expect(t, say(t, officer, "延期 "+no+" 3 需要协调市场"), "延期申请中")
	before, _ := intentsOf(t, app.store, no)
	expect(t, say(t, leader, "批准延期 "+no), "处置中")
	after, _ := intentsOf(t, app.store, no)
	if !after.HandleDeadline.After(before.HandleDeadline) {
		t.Fatalf("approved extension did not move the deadline: %v → %v", before.HandleDeadline, after.HandleDeadline)
	}
	// Past the deadline an extension is refused.
	ctx := context.Background()
	late := after
	late.HandleDeadline = after.CreatedAt
	if _, err := app.store.UpdateCase(ctx, late, models.Event{ActorRole: models.RoleSystem, Action: models.ActionProgress,
		FromState: late.State, ToState: late.State, Note: "test: deadline moved into the past"}, nil); err != nil {
		t.Fatal(err)
	}
	expect(t, say(t, officer, "延期 "+no+" 2 还需要时间"), "已超过办理期限")
}

func TestConfidentialReporterNeverReachesOfficers(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	tipster := sandboxPhone(app, base, "oTipster_secret", true)
	for _, text := range []string{"举报", "安平路有人在马路边摆摊占道经营，天天堵路", "跳过", "安海镇"} {
		say(t, tipster, text)
	}
	for i := 0; i < 2; i++ {
		if strings.Contains(say(t, tipster, "1"), "请确认") {
			break
		}
	}
	no := trackingNo(t, say(t, tipster, "确认"))
	c, in := intentsOf(t, app.store, no)
	if !c.Confidential || c.TeamCode == "" {
		t.Fatalf("tip %+v", c)
	}
	tipsterID := personID(t, app.store, "oTipster_secret")
	for _, i := range in {
		if i.RecipientID == tipsterID {
			continue
		}
		if strings.Contains(string(i.Payload), "oTipster_secret") || strings.Contains(string(i.Payload), "reporter") {
			t.Errorf("an intent to %d carries the reporter: %s", i.RecipientID, i.Payload)
		}
	}
}

func TestNearbyDuplicateIsOfferedToFollow(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	first := sandboxPhone(app, base, "oCitizen_first", true)
	ctx := context.Background()
	walk := func(p *wechatsim.Phone) string {
		say(t, p, "投诉")
		say(t, p, "海东社区门口有人占道摆摊卖水果，堵路")
		say(t, p, "跳过")
		r, err := p.SendLocation(ctx, 24.7138, 118.4720, 16, "海东社区")
		if err != nil {
			t.Fatal(err)
		}
		expect(t, r.Content, "1 违法占道经营")
		say(t, p, "1")
		return say(t, p, "13805952001") // not confidential: a phone number answers both questions
	}
	walk(first)
	no := trackingNo(t, say(t, first, "确认"))
	second := sandboxPhone(app, base, "oCitizen_second", true)
	offer := walk(second)
	expect(t, offer, "已有相同问题 "+no)
	expect(t, say(t, second, "1"), "已关注案件 "+no)
	expect(t, say(t, second, "查询 "+no), "当前状态：已派遣")
	officer := sandboxPhone(app, base, openidChenJianhua, true)
	say(t, officer, "签收 "+no)
	_, in := intentsOf(t, app.store, no)
	if !hasIntent(in, models.NoticeStatus, personID(t, app.store, "oCitizen_second")) {
		t.Fatalf("the follower got no status update: %+v", in)
	}
	third := sandboxPhone(app, base, "oCitizen_third", true)
	walk(third)
	expect(t, say(t, third, "2"), "请确认")
	if n := trackingNo(t, say(t, third, "确认")); n == no {
		t.Fatal("a separate report got the same number")
	}
}

func TestLeaderAssignsAndRefusesAndOfficersAskThePlatform(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	officer := sandboxPhone(app, base, openidChenJianhua, true)
	leader := sandboxPhone(app, base, openidLinZhiqiang, true)
	no := fileComplaint(t, sandboxPhone(app, base, "oCitizen_assign", true))
	expect(t, say(t, leader, "指派 "+no+" 无名氏"), "本队没有名为“无名氏”的队员")
	expect(t, say(t, leader, "指派 "+no+" 陈建华"), "已指派")
	c, in := intentsOf(t, app.store, no)
	officerID := personID(t, app.store, openidChenJianhua)
	if c.AssigneeID != officerID || !hasIntent(in, models.NoticeAssigned, officerID) {
		t.Fatalf("assignment: assignee %d, intents %+v", c.AssigneeID, in)
	}
	expect(t, say(t, officer, "签收 "+no), "已签收")
	expect(t, say(t, officer, "联合 "+no+" 市场监管 生态环境"), "当前状态：已签收")
	expect(t, say(t, officer, "延期 "+no+" 5 等待联合执法"), "延期申请中")
	expect(t, say(t, officer, "批准延期 "+no), "没有权限")
	expect(t, say(t, leader, "驳回延期 "+no), "处置中")
	expect(t, say(t, officer, "移送 "+no+" 市场监管局 属于无证经营"), "已移送")
	c, in = intentsOf(t, app.store, no)
	operator, err := app.store.PersonByCode(context.Background(), "p-platform-01")
	if err != nil {
		t.Fatal(err)
	}
	if c.State != models.StateTransferred || !hasIntent(in, models.NoticeRequest, operator.ID) {
		t.Fatalf("transfer: %s, intents %+v", c.State, in)
	}
	expect(t, say(t, sandboxPhone(app, base, "oCitizen_nobody", true), "签收 "+no), "供执法队员和工作人员使用")
}

func TestNotificationsReachPeopleThroughTheSandbox(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	citizen := sandboxPhone(app, base, "oCitizen_notified", true)
	no := fileComplaint(t, citizen)
	sent := func(to string, kind wechatsim.MessageKind, phrase string) bool {
		for _, m := range app.gateway.sandbox.Sent() {
			if m.To == to && m.Kind == kind && strings.Contains(string(m.Body), phrase) {
				return true
			}
		}
		return false
	}
	// The officer has not written in 48 hours: a template message with the dispatch card.
	waitFor(t, "the officer's dispatch card", func() bool { return sent(openidChenJianhua, wechatsim.KindTemplate, no) })
	// The leader prefers WeCom.
	waitFor(t, "the leader's WeCom card", func() bool { return sent("LinZhiQiang", wechatsim.KindWork, no) })
	// The citizen wrote just now: a customer-service message.
	waitFor(t, "the citizen's status update", func() bool { return sent("oCitizen_notified", wechatsim.KindCustom, no) })
	officer := sandboxPhone(app, base, openidChenJianhua, true)
	expect(t, say(t, officer, "1"), "已签收：案件 "+no)
	waitFor(t, "the signed update", func() bool {
		n := 0
		for _, m := range app.gateway.sandbox.Sent() {
			if m.To == "oCitizen_notified" && strings.Contains(string(m.Body), no) {
				n++
			}
		}
		return n >= 2
	})
	_, in := intentsOf(t, app.store, no)
	for _, i := range in {
		if i.State == models.IntentFailed {
			t.Errorf("intent %s to %d failed: %s", i.Kind, i.RecipientID, i.LastError)
		}
	}
	var listed struct {
		Notifications []struct {
			Kind  string `json:"kind"`
			State string `json:"state"`
		} `json:"notifications"`
	}
	if code := getAPI(t, base, platformToken(t, app), "/notifications?state=sent", &listed); code != 200 || len(listed.Notifications) == 0 {
		t.Fatalf("GET /notifications?state=sent = %d %+v", code, listed)
	}
	if code := getAPI(t, base, platformToken(t, app), "/notifications", &listed); code != 200 || len(listed.Notifications) != 0 {
		t.Fatalf("GET /notifications (failed) = %d %+v", code, listed)
	}
}

func TestMissingTemplatesAreReportedAtStart(t *testing.T) {
	getenv := testEnv(t, map[string]string{"GRIDBOT_WECHAT_APPID": "wxreal", "GRIDBOT_WECHAT_SECRET": "s",
		"GRIDBOT_WECHAT_TOKEN": "t", "GRIDBOT_WECHAT_API_BASE": "http://127.0.0.1:9",
		"GRIDBOT_WECHAT_TEMPLATES": "case_status=TPL_STATUS"})
	cfg, err := config.Load("", getenv)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	app, err := NewApp(context.Background(), cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app.Close()
	out := logs.String()
	if !strings.Contains(out, "no template message configured") || !strings.Contains(out, models.NoticeDispatched) ||
		strings.Contains(out, `"case_status"`) {
		t.Fatalf("start-up did not report the kinds without a template:\n%s", out)
	}
}
