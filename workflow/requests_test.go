package workflow_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
	"gridbot/workflow"
)

// newRequestCounty is the small county with two county department teams that cases can be
// transferred to or enforced jointly with, each with a leader and an officer, and a second
// citizen.
func newRequestCounty(t *testing.T, s *store.Store) *county {
	t.Helper()
	return newCountyWith(t, s, shanghai(t, 23, 9, 0), []models.Person{
		{Name: "scjg-leader", Role: models.RoleTeamLeader, TeamCode: "team-scjg", OpenID: "o-scjg-leader"},
		{Name: "scjg-officer", Role: models.RoleOfficer, TeamCode: "team-scjg", OpenID: "o-scjg-officer"},
		{Name: "sthj-leader", Role: models.RoleTeamLeader, TeamCode: "team-sthj", OpenID: "o-sthj-leader"},
		{Name: "sthj-officer", Role: models.RoleOfficer, TeamCode: "team-sthj", OpenID: "o-sthj-officer"},
		{Name: "citizen2", Role: models.RoleCitizen, OpenID: "o-citizen2"},
	}, []models.Team{
		{Code: "team-scjg", Name: "晋江市市场监督管理局执法稽查大队", Kind: models.TeamDepartment, DepartmentCode: "scjgj"},
		{Code: "team-sthj", Name: "泉州市晋江生态环境局执法大队", Kind: models.TeamDepartment, DepartmentCode: "sthjj"},
	})
}

// try makes a person act and returns the error code ("" for success).
func (k *county) try(who string, r workflow.Request) models.ErrorCode {
	r.Actor = k.people[who]
	_, err := k.w.Act(ctx, r)
	return models.ErrorCodeOf(err)
}

// get reads a case.
func (k *county) get(t *testing.T, id int64) models.Case {
	t.Helper()
	c, err := k.s.CaseByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// noticesTo returns the notices of a case as "kind→name" with their payloads, in order.
func (k *county) noticesTo(t *testing.T, caseID int64) map[string]models.Notice {
	t.Helper()
	ins, err := k.s.Intents(ctx, store.IntentFilter{CaseID: caseID})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]models.Notice{}
	for _, in := range ins {
		var n models.Notice
		if err := json.Unmarshal(in.Payload, &n); err != nil {
			t.Fatal(err)
		}
		out[in.Kind+"→"+k.names[in.RecipientID]+"@"+in.DedupKey] = n
	}
	return out
}

// latest returns the newest notice of a kind to a person.
func (k *county) latest(t *testing.T, caseID int64, kind, name string) (models.Notice, bool) {
	t.Helper()
	ins, err := k.s.Intents(ctx, store.IntentFilter{CaseID: caseID})
	if err != nil {
		t.Fatal(err)
	}
	var n models.Notice
	found := false
	for _, in := range ins {
		if in.Kind == kind && k.names[in.RecipientID] == name {
			found = json.Unmarshal(in.Payload, &n) == nil
		}
	}
	return n, found
}

func TestTransferAcceptedByTheReceivingLeader(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newRequestCounty(t, s)
		c := k.submit(t)
		no := c.TrackingNo
		k.act(t, "officer1", workflow.Request{Action: models.ActionSign, TrackingNo: no})
		before := k.read(t, c.ID)
		k.act(t, "officer1", workflow.Request{Action: models.ActionTransfer, TrackingNo: no, Note: "属于无证经营",
			TargetTeams: []string{"team-scjg"}})
		got := k.read(t, c.ID).since(before)
		want := []string{models.NoticeRequest + "→scjg-leader", models.NoticeRequest + "→operator", models.NoticeStatus + "→citizen"}
		if diff := cmp.Diff(want, got.intents); diff != "" {
			t.Errorf("transfer request intents (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"transfer 申请移送至晋江市市场监督管理局执法稽查大队：属于无证经营"}, got.events); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		card, _ := k.latest(t, c.ID, models.NoticeRequest, "scjg-leader")
		if diff := cmp.Diff([]string{"同意移送 " + no, "拒绝移送 " + no + " 原因"}, card.Shortcuts); diff != "" {
			t.Errorf("request card shortcuts (-want +got):\n%s", diff)
		}
		requested := k.get(t, c.ID)
		wantPending := models.PendingRequest{Kind: models.ActionTransfer, Teams: []string{"team-scjg"}, FromTeam: "team-anhai",
			FromState: models.StateSigned, ByID: k.people["officer1"].ID}
		if diff := cmp.Diff(wantPending, requested.Pending); diff != "" || requested.State != models.StateTransferred ||
			requested.AssigneeID != k.people["officer1"].ID {
			t.Errorf("requested case %s, assignee %d, pending (-want +got):\n%s", requested.State, requested.AssigneeID, diff)
		}
		if !k.w.MaySee(k.people["scjg-leader"], requested) || k.w.MaySee(k.people["sthj-leader"], requested) {
			t.Error("the receiving leader must see the case, another team's leader not")
		}
		// Only the receiving team's leader, or the platform, decides.
		for _, tt := range []struct {
			who  string
			want models.ErrorCode
		}{{"leader", models.EForbidden}, {"scjg-officer", models.EForbidden}, {"sthj-leader", models.ENotFound},
			{"citizen", models.EForbidden}} {
			if got := k.try(tt.who, workflow.Request{Action: models.ActionAcceptTransfer, TrackingNo: no}); got != tt.want {
				t.Errorf("%s accepts: %q, want %q", tt.who, got, tt.want)
			}
		}
		if got := k.try("scjg-leader", workflow.Request{Action: models.ActionAcceptJoint, TrackingNo: no}); got != models.EConflict {
			t.Errorf("accepting a joint request on a transfer: %q, want conflict", got)
		}
		k.clk.Set(shanghai(t, 24, 10, 0))
		before = k.read(t, c.ID)
		k.act(t, "scjg-leader", workflow.Request{Action: models.ActionAcceptTransfer, TrackingNo: no})
		got = k.read(t, c.ID).since(before)
		want = []string{models.NoticeDispatched + "→scjg-leader", models.NoticeDispatched + "→scjg-officer",
			models.NoticeRequest + "→officer1", models.NoticeRequest + "→officer2", models.NoticeRequest + "→leader",
			models.NoticeStatus + "→citizen"}
		if diff := cmp.Diff(want, got.intents, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
			t.Errorf("accepted transfer intents (-want +got):\n%s", diff)
		}
		done := k.get(t, c.ID)
		if done.State != models.StateDispatched || done.TeamCode != "team-scjg" || done.AssigneeID != 0 || done.Pending.Open() ||
			!done.SignDeadline.After(requested.SignDeadline) || !done.DispatchedAt.Equal(models.EventTime(k.clk.Now())) {
			t.Errorf("accepted transfer left %+v", done)
		}
		if !strings.Contains(done.RouteReason, "安海镇综合执法队申请移送") || !strings.Contains(got.events[0], "accept_transfer") {
			t.Errorf("route reason %q, events %v", done.RouteReason, got.events)
		}
		if got := k.try("scjg-officer", workflow.Request{Action: models.ActionSign, TrackingNo: no}); got != "" {
			t.Errorf("the receiving officer signs: %q", got)
		}
	})
}

func TestTransferRefusedReturnsTheCaseAsItWas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newRequestCounty(t, s)
		c := k.submit(t)
		no := c.TrackingNo
		k.act(t, "officer2", workflow.Request{Action: models.ActionSign, TrackingNo: no})
		k.act(t, "officer2", workflow.Request{Action: models.ActionProgress, TrackingNo: no, Note: "已到现场"})
		handling := k.get(t, c.ID)
		k.act(t, "officer2", workflow.Request{Action: models.ActionTransfer, TrackingNo: no, Note: "涉及食品安全",
			TargetTeams: []string{"team-scjg"}})
		if got := k.try("scjg-leader", workflow.Request{Action: models.ActionRefuseTransfer, TrackingNo: no}); got != models.EInvalid {
			t.Errorf("a refusal without a reason: %q, want invalid", got)
		}
		before := k.read(t, c.ID)
		k.act(t, "scjg-leader", workflow.Request{Action: models.ActionRefuseTransfer, TrackingNo: no, Note: "属于占道经营，不属本局"})
		got := k.read(t, c.ID).since(before)
		want := []string{models.NoticeRequest + "→officer1", models.NoticeRequest + "→officer2", models.NoticeRequest + "→leader",
			models.NoticeStatus + "→citizen"}
		if diff := cmp.Diff(want, got.intents); diff != "" {
			t.Errorf("refusal intents (-want +got):\n%s", diff)
		}
		card, _ := k.latest(t, c.ID, models.NoticeRequest, "officer2")
		if card.Action != models.ActionRefuseTransfer || !strings.Contains(card.Note, "属于占道经营，不属本局") ||
			!strings.Contains(card.Note, "晋江市市场监督管理局执法稽查大队") {
			t.Errorf("refusal card %+v: want the reason and who refused", card)
		}
		back := k.get(t, c.ID)
		if back.State != models.StateHandling || back.TeamCode != "team-anhai" || back.AssigneeID != k.people["officer2"].ID ||
			back.Pending.Open() || !back.HandleDeadline.Equal(handling.HandleDeadline) {
			t.Errorf("refused transfer left %+v, want it handling by officer2 with its deadline", back)
		}
		if k.w.MaySee(k.people["scjg-leader"], back) {
			t.Error("the refusing team still sees the case")
		}
		if got := k.try("scjg-leader", workflow.Request{Action: models.ActionAcceptTransfer, TrackingNo: no}); got != models.ENotFound {
			t.Errorf("accepting after the refusal: %q, want not found", got)
		}
	})
}

func TestTransferWithoutATeamIsDecidedByThePlatform(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newRequestCounty(t, s)
		no := k.submit(t).TrackingNo
		bad := []struct {
			teams []string
			want  models.ErrorCode
		}{
			{[]string{"team-anhai"}, models.EInvalid}, // its own team
			{[]string{"platform"}, models.EInvalid},
			{[]string{"team-nowhere"}, models.EInvalid},
			{[]string{"team-scjg", "team-sthj"}, models.EInvalid},
		}
		for _, tt := range bad {
			if got := k.try("officer1", workflow.Request{Action: models.ActionTransfer, TrackingNo: no, Note: "不属本队",
				TargetTeams: tt.teams}); got != tt.want {
				t.Errorf("transfer to %v: %q, want %q", tt.teams, got, tt.want)
			}
		}
		k.act(t, "officer1", workflow.Request{Action: models.ActionTransfer, TrackingNo: no, Note: "不属本队"})
		c, err := s.CaseByTrackingNo(ctx, no)
		if err != nil {
			t.Fatal(err)
		}
		if got := k.read(t, c.ID).intents; contains(got, models.NoticeRequest+"→scjg-leader") || !contains(got, models.NoticeRequest+"→operator") {
			t.Errorf("a transfer naming no team goes to the platform only: %v", got)
		}
		if n, _ := k.latest(t, c.ID, models.NoticeRequest, "operator"); !slices.Equal(n.Shortcuts,
			[]string{"同意移送 " + no + " 部门", "拒绝移送 " + no + " 原因"}) || !strings.Contains(n.Note, "指挥平台指定的部门") {
			t.Errorf("the platform's card of a transfer naming no team: %+v", n)
		}
		if got := k.try("operator", workflow.Request{Action: models.ActionAcceptTransfer, TrackingNo: no}); got != models.EInvalid {
			t.Errorf("the platform accepts without naming a team: %q, want invalid", got)
		}
		if got := k.try("scjg-leader", workflow.Request{Action: models.ActionAcceptTransfer, TrackingNo: no}); got != models.ENotFound {
			t.Errorf("a leader not asked accepts: %q, want not found", got)
		}
		k.act(t, "operator", workflow.Request{Action: models.ActionAcceptTransfer, TrackingNo: no, TeamCode: "team-sthj"})
		if c = k.get(t, c.ID); c.TeamCode != "team-sthj" || c.State != models.StateDispatched || c.Pending.Open() {
			t.Errorf("platform's acceptance left %+v", c)
		}
	})
}

func TestJointEnforcementAnsweredTeamByTeam(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newRequestCounty(t, s)
		c := k.submit(t)
		no := c.TrackingNo
		k.act(t, "officer1", workflow.Request{Action: models.ActionSign, TrackingNo: no})
		before := k.read(t, c.ID)
		k.act(t, "officer1", workflow.Request{Action: models.ActionRequestJoint, TrackingNo: no, Note: "油烟和无证经营",
			TargetTeams: []string{"team-scjg", "team-sthj", "team-scjg"}})
		got := k.read(t, c.ID).since(before)
		want := []string{models.NoticeRequest + "→scjg-leader", models.NoticeRequest + "→sthj-leader", models.NoticeRequest + "→operator"}
		if diff := cmp.Diff(want, got.intents); diff != "" {
			t.Errorf("joint request intents (-want +got):\n%s", diff)
		}
		card, _ := k.latest(t, c.ID, models.NoticeRequest, "sthj-leader")
		if diff := cmp.Diff([]string{"同意联合 " + no, "拒绝联合 " + no + " 原因"}, card.Shortcuts); diff != "" {
			t.Errorf("joint card shortcuts (-want +got):\n%s", diff)
		}
		if got := k.try("officer2", workflow.Request{Action: models.ActionRequestJoint, TrackingNo: no, Note: "再申请"}); got != models.EConflict {
			t.Errorf("a second joint request while one waits: %q, want conflict", got)
		}
		before = k.read(t, c.ID)
		k.act(t, "scjg-leader", workflow.Request{Action: models.ActionAcceptJoint, TrackingNo: no, Note: "明天上午到场"})
		got = k.read(t, c.ID).since(before)
		want = []string{models.NoticeRequest + "→officer1", models.NoticeRequest + "→officer2", models.NoticeRequest + "→leader",
			models.NoticeRequest + "→scjg-leader", models.NoticeRequest + "→scjg-officer"}
		if diff := cmp.Diff(want, got.intents); diff != "" {
			t.Errorf("joint acceptance intents (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"accept_joint 晋江市市场监督管理局执法稽查大队同意参与联合执法：明天上午到场"}, got.events); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		joined := k.get(t, c.ID)
		if joined.State != models.StateSigned || joined.TeamCode != "team-anhai" || !slices.Equal(joined.JointTeams, []string{"team-scjg"}) ||
			!slices.Equal(joined.Pending.Teams, []string{"team-sthj"}) {
			t.Errorf("after one acceptance: %+v", joined)
		}
		if !k.w.MaySee(k.people["scjg-officer"], joined) {
			t.Error("the joining team's officer does not see the case")
		}
		if got := k.try("scjg-officer", workflow.Request{Action: models.ActionProgress, TrackingNo: no, Note: "到场"}); got != models.EForbidden {
			t.Errorf("the joining team's officer handles the case: %q, want forbidden", got)
		}
		if got := k.try("scjg-leader", workflow.Request{Action: models.ActionAcceptJoint, TrackingNo: no}); got != models.EForbidden {
			t.Errorf("a team answers twice: %q, want forbidden", got)
		}
		k.act(t, "sthj-leader", workflow.Request{Action: models.ActionRefuseJoint, TrackingNo: no, Note: "人手不足"})
		if n, _ := k.latest(t, c.ID, models.NoticeRequest, "officer1"); n.Action != models.ActionRefuseJoint ||
			!strings.Contains(n.Note, "人手不足") {
			t.Errorf("refusal card to the requesting team: %+v", n)
		}
		if done := k.get(t, c.ID); done.Pending.Open() || !slices.Equal(done.JointTeams, []string{"team-scjg"}) {
			t.Errorf("after both answers: pending %+v, joint teams %v", done.Pending, done.JointTeams)
		}
	})
}

func TestAPendingRequestEndsWithTheCaseMovingOn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newRequestCounty(t, s)
		c := k.submit(t)
		no := c.TrackingNo
		k.act(t, "officer1", workflow.Request{Action: models.ActionSign, TrackingNo: no})
		k.act(t, "officer1", workflow.Request{Action: models.ActionRequestJoint, TrackingNo: no, Note: "需要配合",
			TargetTeams: []string{"team-sthj"}})
		k.act(t, "officer1", workflow.Request{Action: models.ActionFinish, TrackingNo: no, Note: "已劝离"})
		if c = k.get(t, c.ID); c.Pending.Open() {
			t.Errorf("a finished case keeps its joint request %+v", c.Pending)
		}
		if got := k.try("sthj-leader", workflow.Request{Action: models.ActionAcceptJoint, TrackingNo: no}); got != models.ENotFound {
			t.Errorf("answering a dropped request: %q, want not found", got)
		}
		// The platform may still dispatch a transferred case itself: the transfer request ends.
		t2 := k.submit(t)
		k.act(t, "officer1", workflow.Request{Action: models.ActionTransfer, TrackingNo: t2.TrackingNo, Note: "不属本队",
			TargetTeams: []string{"team-scjg"}})
		k.act(t, "operator", workflow.Request{Action: models.ActionDispatch, TrackingNo: t2.TrackingNo, TeamCode: "team-sthj"})
		if t2 = k.get(t, t2.ID); t2.Pending.Open() || t2.TeamCode != "team-sthj" {
			t.Errorf("a dispatched case keeps its transfer request %+v (team %s)", t2.Pending, t2.TeamCode)
		}
		if got := k.try("scjg-leader", workflow.Request{Action: models.ActionAcceptTransfer, TrackingNo: t2.TrackingNo}); got != models.ENotFound {
			t.Errorf("accepting a transfer the platform overtook: %q, want not found", got)
		}
	})
}

func TestUrgeByTheReporterAndFollowers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newRequestCounty(t, s)
		c := k.submit(t)
		no := c.TrackingNo
		before := k.read(t, c.ID)
		k.act(t, "citizen", workflow.Request{Action: models.ActionUrge, TrackingNo: no, Note: "我是王先生 13800138000"})
		got := k.read(t, c.ID).since(before)
		want := []string{models.NoticeChase + "→officer1", models.NoticeChase + "→officer2", models.NoticeChase + "→leader"}
		if diff := cmp.Diff(want, got.intents); diff != "" {
			t.Errorf("urge of an unsigned case (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"urge 群众催办（第1次）"}, got.events); diff != "" {
			t.Errorf("urge events (-want +got):\n%s", diff)
		}
		if n, _ := k.latest(t, c.ID, models.NoticeChase, "officer1"); n.Action != models.ActionUrge || strings.Contains(n.Note, "王") {
			t.Errorf("urge card %+v: want the urge, without the person's words", n)
		}
		if after := k.get(t, c.ID); after.State != models.StateDispatched || after.Version != c.Version+1 {
			t.Errorf("urge changed the state: %s", after.State)
		}
		k.clk.Add(2 * time.Hour)
		_, err := k.w.Act(ctx, workflow.Request{Action: models.ActionUrge, TrackingNo: no, Actor: k.people["citizen"]})
		if models.ErrorCodeOf(err) != models.EConflict || !strings.Contains(models.ErrorMessage(err), "2026-11-23 09:00") {
			t.Errorf("a second urge within a day: %v; want a conflict naming the last one", err)
		}
		last, err := k.w.LastUrged(ctx, c.ID, k.people["citizen"].ID)
		if err != nil || !last.Equal(shanghai(t, 23, 9, 0)) {
			t.Errorf("LastUrged = %v, %v", last, err)
		}
		// A follower may urge too, though they do not otherwise see the case; others may not.
		if err := s.Follow(ctx, c.ID, k.people["citizen2"].ID); err != nil {
			t.Fatal(err)
		}
		k.act(t, "officer1", workflow.Request{Action: models.ActionSign, TrackingNo: no})
		before = k.read(t, c.ID)
		k.act(t, "citizen2", workflow.Request{Action: models.ActionUrge, TrackingNo: no})
		got = k.read(t, c.ID).since(before)
		if diff := cmp.Diff([]string{models.NoticeChase + "→officer1"}, got.intents); diff != "" {
			t.Errorf("urge of a signed case goes to its assignee (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"urge 群众催办（第2次）"}, got.events); diff != "" {
			t.Errorf("second urge events (-want +got):\n%s", diff)
		}
		if got := k.try("officer2", workflow.Request{Action: models.ActionUrge, TrackingNo: no}); got != models.EForbidden {
			t.Errorf("an officer of the team urges: %q, want forbidden", got)
		}
		k.clk.Set(shanghai(t, 23, 9, 0).Add(workflow.UrgeInterval)) // a day after the first
		k.act(t, "citizen", workflow.Request{Action: models.ActionUrge, TrackingNo: no})
	})
}

func TestUrgeOfACaseWaitingForThePlatform(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newRequestCounty(t, s)
		c, err := k.w.Submit(ctx, models.NewCase{Kind: models.KindComplaint, Source: models.SourceCitizen,
			Description: "不知道归谁管", Location: models.Location{TownshipCode: "anhai"}, ReporterID: k.people["citizen"].ID,
			Acknowledged: true})
		if err != nil || c.State != models.StateTriage {
			t.Fatalf("case %s, %v: want it in triage", c.State, err)
		}
		before := k.read(t, c.ID)
		k.act(t, "citizen", workflow.Request{Action: models.ActionUrge, TrackingNo: c.TrackingNo})
		if diff := cmp.Diff([]string{models.NoticeChase + "→operator"}, k.read(t, c.ID).since(before).intents); diff != "" {
			t.Errorf("urge in triage (-want +got):\n%s", diff)
		}
		if got := k.try("citizen2", workflow.Request{Action: models.ActionUrge, TrackingNo: c.TrackingNo}); got != models.ENotFound {
			t.Errorf("another citizen urges: %q, want not found", got)
		}
	})
}

func TestContactPhoneReachesTheAssignedTeamOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newRequestCounty(t, s)
		draft := models.NewCase{Kind: models.KindComplaint, Source: models.SourceCitizen, Description: "安平路有人占道卖菜",
			Location: models.Location{TownshipCode: "anhai", Address: "安平路12号"}, MatterCode: "CG-001",
			ReporterID: k.people["citizen"].ID}
		for _, bad := range []models.NewCase{withPhone(draft, "1380595100", false), withPhone(draft, "13805951001", true)} {
			if _, err := k.w.Submit(ctx, bad); models.ErrorCodeOf(err) != models.EInvalid {
				t.Errorf("draft with phone %q, confidential %v: %v, want invalid", bad.ContactPhone, bad.Confidential, err)
			}
		}
		c, err := k.w.Submit(ctx, withPhone(draft, "+86 138-0595-1001", false))
		if err != nil {
			t.Fatal(err)
		}
		if stored := k.get(t, c.ID); stored.ContactPhone != "13805951001" {
			t.Errorf("stored contact phone %q", stored.ContactPhone)
		}
		k.act(t, "officer1", workflow.Request{Action: models.ActionTransfer, TrackingNo: c.TrackingNo, Note: "不属本队",
			TargetTeams: []string{"team-scjg"}})
		k.act(t, "scjg-leader", workflow.Request{Action: models.ActionAcceptTransfer, TrackingNo: c.TrackingNo})
		k.act(t, "scjg-officer", workflow.Request{Action: models.ActionReturn, TrackingNo: c.TrackingNo, Note: "不属本局"})
		seen := 0
		for key, n := range k.noticesTo(t, c.ID) {
			kind, rest, _ := strings.Cut(key, "→")
			name, _, _ := strings.Cut(rest, "@")
			team := k.people[name].TeamCode
			dispatched := kind == models.NoticeDispatched && (team == "team-anhai" || team == "team-scjg")
			if dispatched && n.Contact != "13805951001" {
				t.Errorf("%s: the assigned team's card lacks the contact phone", key)
			}
			if !dispatched && n.Contact != "" {
				t.Errorf("%s: shows the contact phone %q", key, n.Contact)
			}
			if dispatched {
				seen++
			}
		}
		if seen != 5 { // officer1, officer2 and leader, then scjg-leader and scjg-officer
			t.Errorf("%d dispatch cards, want 5", seen)
		}
	})
}

// withPhone returns a draft with a contact phone.
func withPhone(nc models.NewCase, phone string, confidential bool) models.NewCase {
	nc.ContactPhone, nc.Confidential = phone, confidential
	return nc
}
