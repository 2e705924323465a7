package main

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/store"
)

// A staff command acts on the case it names, or on nothing: every typing mistake in a number is
// refused for every command, and no case changes.

// caseVersions returns every case's version by tracking number.
func caseVersions(t *testing.T, s *store.Store) map[string]int64 {
	t.Helper()
	cs, _, err := s.ListCases(context.Background(), models.CaseFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, c := range cs {
		out[c.TrackingNo] = c.Version
	}
	return out
}

// sameVersions fails the test when any case changed.
func unchanged(t *testing.T, before, after map[string]int64, what string) {
	t.Helper()
	for no, v := range before {
		if after[no] != v {
			t.Errorf("%s changed case %s (version %d → %d)", what, no, v, after[no])
		}
	}
}

// typos returns the number with each class of typing mistake that breaks it.
func typos(no string) map[string]string {
	b := []byte(no)
	wrong := append([]byte(nil), b...)
	wrong[9] = '0' + (wrong[9]-'0'+3)%10
	i := 6
	for b[i] == b[i+1] {
		i++
	}
	swapped := append([]byte(nil), b...)
	swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
	return map[string]string{
		"one digit wrong":     string(wrong),
		"a digit missing":     no[:8] + no[9:],
		"a digit too many":    no[:8] + "7" + no[8:],
		"neighbours swapped":  string(swapped),
		"wrong in full width": toFullWidth(string(wrong)),
	}
}

// toFullWidth writes ASCII digits as full-width ones (２６１２…).
func toFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r += 0xfee0
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestStaffCommandsRefuseMistypedNumbers(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	officer := sandboxPhone(app, base, openidChenJianhua, true)
	leader := sandboxPhone(app, base, openidLinZhiqiang, true)
	a := fileComplaint(t, sandboxPhone(app, base, "oCitizen_typo_a", true))
	b := fileComplaint(t, sandboxPhone(app, base, "oCitizen_typo_b", true))
	expect(t, say(t, officer, "签收 "+b), "已签收：案件 "+b) // b is the officer's focus from now on
	commands := []struct {
		word, rest string
		leader     bool
	}{
		{"签收", "", false}, {"处置", "已到现场", false}, {"办结", "已清理", false}, {"退回", "不属于本镇", false},
		{"移送", "市场监管 无证经营", false}, {"联合", "住建 共同拆除", false}, {"延期", "3天 等材料", false},
		{"指派", "陈建华", true}, {"批准延期", "", true}, {"驳回延期", "理由不足", true}, {"核查", "通过", true},
		{"查询", "", false},
	}
	for _, cmd := range commands {
		for class, typed := range typos(a) {
			p := officer
			if cmd.leader {
				p = leader
			}
			before := caseVersions(t, app.store)
			text := strings.TrimSpace(cmd.word + " " + typed + " " + cmd.rest)
			r := say(t, p, text)
			if !strings.Contains(r, "校验不通过") && !strings.Contains(r, "位数不对") {
				t.Errorf("%s (%s): %q was not refused:\n%s", cmd.word, class, text, r)
			}
			if strings.Contains(r, "已"+cmd.word) || strings.Contains(r, b+"，当前状态") {
				t.Errorf("%s (%s): %q acted:\n%s", cmd.word, class, text, r)
			}
			if class != "a digit missing" && class != "a digit too many" && !strings.Contains(r, a) {
				t.Errorf("%s (%s): the refusal does not offer %s:\n%s", cmd.word, class, a, r)
			}
			unchanged(t, before, caseVersions(t, app.store), text)
		}
	}
	// A "1" right after a refusal picks none of the cases offered, nor the older focus.
	say(t, officer, "办结 "+typos(a)["one digit wrong"]+" 已清理")
	before := caseVersions(t, app.store)
	expect(t, say(t, officer, "1"), "编号有误，未执行")
	expect(t, say(t, officer, "处置 已到现场"), "请写明受理编号")
	unchanged(t, before, caseVersions(t, app.store), "1 after a refusal")
}

func TestStaffCommandsReadNumbersAsPeopleTypeThem(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	officer := sandboxPhone(app, base, openidChenJianhua, true)
	a := fileComplaint(t, sandboxPhone(app, base, "oCitizen_forms_a", true))
	b := fileComplaint(t, sandboxPhone(app, base, "oCitizen_forms_b", true))
	c := fileComplaint(t, sandboxPhone(app, base, "oCitizen_forms_c", true))
	expect(t, say(t, officer, "查询 "+c), "当前状态") // c is the focus: never acted on below
	spaced := a[:4] + " " + a[4:8] + " " + a[8:]
	before := caseVersions(t, app.store)
	expect(t, say(t, officer, "签收 "+toFullWidth(spaced)), "已签收：案件 "+a)
	expect(t, say(t, officer, "处置 "+a[:4]+"-"+a[4:8]+"-"+a[8:]+" 已到现场，正在劝离"), "已记录处置情况：案件 "+a)
	expect(t, say(t, officer, "签收："+b+"。"), "已签收：案件 "+b)
	after := caseVersions(t, app.store)
	if after[c] != before[c] {
		t.Errorf("the focused case %s changed although every command named another", c)
	}
	cs, _ := intentsOf(t, app.store, a)
	if cs.State != models.StateHandling {
		t.Errorf("case %s is %s, want handling", a, cs.State)
	}
	events, err := app.store.Events(context.Background(), cs.ID)
	if err != nil || events[len(events)-1].Note != "已到现场，正在劝离" {
		t.Errorf("the note was not recorded as typed: %+v %v", events, err)
	}
}

func TestSignSeveralAtOnceAndExtensionInDays(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	officer := sandboxPhone(app, base, openidChenJianhua, true)
	a := fileComplaint(t, sandboxPhone(app, base, "oCitizen_many_a", true))
	b := fileComplaint(t, sandboxPhone(app, base, "oCitizen_many_b", true))
	r := say(t, officer, "签收 "+a+"，"+b)
	expect(t, r, "已签收：案件 "+a)
	expect(t, r, "已签收：案件 "+b)
	expect(t, say(t, officer, "延期 "+a+" 3 天 等当事人补材料"), "已申请延期：案件 "+a)
	expect(t, say(t, officer, "延期 "+b+" 三天 等当事人补材料"), "已申请延期：案件 "+b)
	for _, no := range []string{a, b} {
		c, _ := intentsOf(t, app.store, no)
		if c.State != models.StateExtensionRequested || c.ExtensionDays != 3 {
			t.Errorf("case %s: %s, %d days", no, c.State, c.ExtensionDays)
		}
	}
	before := caseVersions(t, app.store)
	r = say(t, officer, "签收 "+a+" "+b[:9])
	unchanged(t, before, caseVersions(t, app.store), "a list with a broken number")
	expect(t, r, "位数不对")
}

// shiftClock lets a test move the bot's clock forward.
func shiftClock(app *App) *atomic.Int64 {
	var offset atomic.Int64
	app.gateway.bot.SetClock(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	return &offset
}

func TestCommandsWithoutANumberUseOnlyARecentFocusAndConfirmWeightyOnes(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	offset := shiftClock(app)
	officer := sandboxPhone(app, base, openidChenJianhua, true)
	leader := sandboxPhone(app, base, openidLinZhiqiang, true)
	a := fileComplaint(t, sandboxPhone(app, base, "oCitizen_focus_a", true))
	expect(t, say(t, officer, "签收 "+a), "已签收：案件 "+a)

	before := caseVersions(t, app.store)
	r := say(t, officer, "办结 摊贩已清理")
	expect(t, r, "对案件 "+a)
	expect(t, r, "回复 1 确认")
	unchanged(t, before, caseVersions(t, app.store), "办结 before its confirmation")
	expect(t, say(t, officer, "1"), "已办结：案件 "+a)

	b := fileComplaint(t, sandboxPhone(app, base, "oCitizen_focus_b", true))
	expect(t, say(t, officer, "签收 "+b), "已签收")
	r = say(t, officer, "退回 不属于本镇事项")
	expect(t, r, "对案件 "+b)
	say(t, officer, "算了") // any other reply drops it
	before = caseVersions(t, app.store)
	say(t, officer, "1")
	unchanged(t, before, caseVersions(t, app.store), "1 after a dropped confirmation")

	expect(t, say(t, officer, "退回 不属于本镇事项"), "对案件 "+b)
	offset.Store(int64(6 * time.Minute))
	before = caseVersions(t, app.store)
	expect(t, say(t, officer, "1"), "确认已超时")
	unchanged(t, before, caseVersions(t, app.store), "a late confirmation")

	offset.Store(int64(40 * time.Minute))
	before = caseVersions(t, app.store)
	r = say(t, officer, "处置 已到现场")
	expect(t, r, "请写明受理编号")
	expect(t, r, b)
	unchanged(t, before, caseVersions(t, app.store), "a command on a stale focus")

	offset.Store(0)
	expect(t, say(t, leader, "查询 "+b), "当前状态")
	expect(t, say(t, leader, "批准延期"), "对案件 "+b) // never a case the leader did not have in view
}

func TestOneAfterACardActsOnThatCardsCase(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	officer := sandboxPhone(app, base, openidChenJianhua, true)
	leader := sandboxPhone(app, base, openidLinZhiqiang, true)
	b := fileComplaint(t, sandboxPhone(app, base, "oCitizen_card_b", true))
	waitCard(t, app.store, b, openidChenJianhua, models.NoticeDispatched)
	a := fileComplaint(t, sandboxPhone(app, base, "oCitizen_card_a", true))
	waitCard(t, app.store, a, openidChenJianhua, models.NoticeDispatched)
	expect(t, say(t, officer, "查询 "+b), "当前状态") // the officer looked at b, then …
	expect(t, say(t, leader, "指派 "+a+" 陈建华"), "已指派")
	waitCard(t, app.store, a, openidChenJianhua, models.NoticeAssigned) // … the 指派 card of a arrived
	before := caseVersions(t, app.store)
	expect(t, say(t, officer, "1"), "已签收：案件 "+a)
	after := caseVersions(t, app.store)
	if after[b] != before[b] {
		t.Errorf("1 after the card of %s changed %s", a, b)
	}
}

func TestTransferAndJointRequestsAreDecidedFromTheChat(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	officer := sandboxPhone(app, base, openidChenJianhua, true)
	platform := sandboxPhone(app, base, "oSim_ckSPtZ8Kk6IjvWcqc9P3j8O", true) // 郑雅琳, platform operator
	a := fileComplaint(t, sandboxPhone(app, base, "oCitizen_transfer_a", true))
	expect(t, say(t, officer, "签收 "+a), "已签收")
	expect(t, say(t, officer, "移送 "+a+" 市场监管 属于无照经营"), "已申请移送：案件 "+a)
	c, _ := intentsOf(t, app.store, a)
	if !c.Pending.Awaits("team-dept-scjgj") {
		t.Fatalf("the transfer does not wait for 市场监管: %+v", c.Pending)
	}
	expect(t, say(t, platform, "拒绝移送 "+a), "拒绝移送 受理编号 原因")
	expect(t, say(t, platform, "拒绝移送 "+a+" 仍属占道经营，由镇里处理"), "已拒绝移送：案件 "+a)
	c, _ = intentsOf(t, app.store, a)
	if c.TeamCode != "team-anhai" || c.State != models.StateSigned || c.Pending.Open() {
		t.Fatalf("after the refusal: team %s state %s pending %+v", c.TeamCode, c.State, c.Pending)
	}

	expect(t, say(t, officer, "移送 "+a+" 市场监管 无照经营"), "已申请移送")
	expect(t, say(t, platform, "同意移送 "+a), "已同意移送：案件 "+a)
	c, _ = intentsOf(t, app.store, a)
	if c.TeamCode != "team-dept-scjgj" || c.State != models.StateDispatched {
		t.Fatalf("after the acceptance: team %s state %s", c.TeamCode, c.State)
	}

	b := fileComplaint(t, sandboxPhone(app, base, "oCitizen_transfer_b", true))
	expect(t, say(t, officer, "签收 "+b), "已签收")
	expect(t, say(t, officer, "联合 "+b+" 市场监管 生态环境"), "已申请联合执法：案件 "+b)
	expect(t, say(t, platform, "同意联合 "+b), "已同意联合执法：案件 "+b)
	c, _ = intentsOf(t, app.store, b)
	if c.TeamCode != "team-anhai" || len(c.JointTeams) == 0 {
		t.Fatalf("after the joint acceptance: team %s joint %v", c.TeamCode, c.JointTeams)
	}
}

func TestHelpListsEachRolesCommandsWithExamples(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	for _, tt := range []struct {
		who, openid string
		want        []string
	}{
		{"officer", openidChenJianhua, []string{"任务", "签收 26112700136", "办结 26112700136 摊位已清理", "延期 26112700136 3天"}},
		{"leader", openidLinZhiqiang, []string{"指派 26112700136 陈建华", "批准延期 26112700136", "同意移送 26112700136"}},
		{"platform", "oSim_ckSPtZ8Kk6IjvWcqc9P3j8O", []string{"查询 26112700136", "同意移送 26112700136 市场监管"}},
		{"grid worker", "oSim_WtqcALpYQOBQBzsMImBL3Yl", []string{"上报", "核查 26112700136 通过"}},
		{"citizen", "oCitizen_help", []string{"投诉", "举报", "评价 26112700136 5", "催办"}},
	} {
		r := say(t, sandboxPhone(app, base, tt.openid, true), "帮助")
		for _, w := range tt.want {
			if !strings.Contains(r, w) {
				t.Errorf("%s's help lacks %q:\n%s", tt.who, w, r)
			}
		}
	}
}
