package workflow_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/notify"
	"gridbot/store"
	"gridbot/store/storetest"
	"gridbot/workcal"
	"gridbot/workflow"
)

// newVillageCounty is a county of two townships on a real store: 安海镇 with a team, a village
// 海东社区 of two grids watched by 陈美玲 (both) and 黄丽 (one), and another village watched by
// 许强; 东石镇 with a team of its own; the platform with an operator; and a citizen.
func newVillageCounty(t *testing.T, s *store.Store, start time.Time) *county {
	t.Helper()
	k := &county{s: s, clk: &clock{t: start}, people: map[string]models.Person{}, names: map[int64]string{}}
	var staff []models.Person
	for _, p := range []models.Person{
		{Name: "陈建华", Role: models.RoleOfficer, TeamCode: "team-anhai", OpenID: "o-chen"},
		{Name: "林志强", Role: models.RoleTeamLeader, TeamCode: "team-anhai", OpenID: "o-lin"},
		{Name: "蔡东", Role: models.RoleOfficer, TeamCode: "team-dongshi", OpenID: "o-cai"},
		{Name: "平台张", Role: models.RolePlatformOperator, TeamCode: "platform", WeComUserID: "w-zhang"},
		{Name: "陈美玲", Role: models.RoleGridWorker, GridCodes: []string{"haidong-01", "haidong-02"}, OpenID: "o-meiling"},
		{Name: "黄丽", Role: models.RoleGridWorker, GridCodes: []string{"haidong-02"}, OpenID: "o-huangli"},
		{Name: "许强", Role: models.RoleGridWorker, GridCodes: []string{"anping-01"}, OpenID: "o-xu"},
		{Name: "citizen", Role: models.RoleCitizen, OpenID: "o-citizen"},
		{Name: "neighbour", Role: models.RoleCitizen, OpenID: "o-neighbour"},
	} {
		p, err := s.CreatePerson(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		k.people[p.Name], k.names[p.ID] = p, p.Name
		if p.Staff() {
			staff = append(staff, p)
		}
	}
	cst := time.FixedZone("CST", 8*3600)
	delegated := func(town string) models.Delegation {
		return models.Delegation{TownshipCode: town, MatterCode: "CG-001", Situation: models.SituationPriority,
			Delegated: true, Batch: 1, Effective: time.Date(2023, 5, 1, 0, 0, 0, 0, cst)}
	}
	snapshot := workflow.NewCounty(
		[]models.Township{{Code: "anhai", Name: "安海镇"}, {Code: "dongshi", Name: "东石镇"}},
		[]models.Department{{Code: "cgj", Name: "晋江市城市管理局"}},
		[]models.Matter{{Code: "CG-001", Name: "违法占道经营", DepartmentCode: "cgj"}},
		[]models.Delegation{delegated("anhai"), delegated("dongshi")},
		[]models.Team{{Code: "team-anhai", Name: "安海镇综合执法队", Kind: models.TeamTownship, TownshipCode: "anhai"},
			{Code: "team-dongshi", Name: "东石镇综合执法队", Kind: models.TeamTownship, TownshipCode: "dongshi"},
			{Code: "platform", Name: "晋江市综合执法指挥中心", Kind: models.TeamPlatform}},
		staff).WithGrids([]models.Grid{{Code: "haidong-01", VillageCode: "haidong"},
		{Code: "haidong-02", VillageCode: "haidong"}, {Code: "anping-01", VillageCode: "anping"}})
	cal, err := workcal.New(workcal.Config{})
	if err != nil {
		t.Fatal(err)
	}
	k.cal = cal
	k.county = func() workflow.County { return snapshot }
	k.w = workflow.New(s, cal.Location(), k.clk.Now, cal, k.county, nil)
	return k
}

// file submits a case of a person at a place; it is dispatched at once.
func (k *county) file(t *testing.T, who string, src models.Source, loc models.Location) models.Case {
	t.Helper()
	kind := models.KindComplaint
	if src == models.SourceGridWorker {
		kind = models.KindReport
	}
	c, err := k.w.Submit(ctx, models.NewCase{Kind: kind, Source: src, Description: "路口有人占道卖菜", Location: loc,
		MatterCode: "CG-001", ReporterID: k.people[who].ID, Acknowledged: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.State != models.StateDispatched {
		t.Fatalf("case %s is %s (%s), want dispatched", c.TrackingNo, c.State, c.RouteReason)
	}
	return c
}

// publicNotices returns the status notices of a case sent to a person, in order.
func (k *county) publicNotices(t *testing.T, caseID int64, who string) []models.Notice {
	t.Helper()
	ins, err := k.s.Intents(ctx, store.IntentFilter{CaseID: caseID, RecipientID: k.people[who].ID})
	if err != nil {
		t.Fatal(err)
	}
	var out []models.Notice
	for _, in := range ins {
		if in.Kind != models.NoticeStatus {
			continue
		}
		var n models.Notice
		if err := json.Unmarshal(in.Payload, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// recipients returns the names of the people a kind of notice of a case went to.
func (k *county) recipients(t *testing.T, caseID int64, kind string) []string {
	t.Helper()
	ins, err := k.s.Intents(ctx, store.IntentFilter{CaseID: caseID})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, in := range ins {
		if in.Kind == kind {
			out = append(out, k.names[in.RecipientID])
		}
	}
	return out
}

// stateNotice returns the one notice of a state among notices.
func stateNotice(t *testing.T, ns []models.Notice, s models.State) models.Notice {
	t.Helper()
	for _, n := range ns {
		if n.State == s {
			return n
		}
	}
	t.Fatalf("no %s notice among %+v", s, ns)
	return models.Notice{}
}

// rendered is the text a person reads of a status notice.
func rendered(t *testing.T, n models.Notice) string {
	t.Helper()
	msg, err := notify.Render(models.NoticeStatus, n)
	if err != nil {
		t.Fatal(err)
	}
	return msg.Text()
}

func TestVillageCaseIsCheckedByTheVillagesGridWorkers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newVillageCounty(t, s, shanghai(t, 23, 9, 0))
		c := k.file(t, "citizen", models.SourceCitizen, models.Location{TownshipCode: "anhai", VillageCode: "haidong",
			Address: "海东社区"})
		if err := s.Follow(ctx, c.ID, k.people["neighbour"].ID); err != nil {
			t.Fatal(err)
		}
		k.act(t, "陈建华", workflow.Request{Action: models.ActionSign, TrackingNo: c.TrackingNo})
		k.act(t, "陈建华", workflow.Request{Action: models.ActionFinish, TrackingNo: c.TrackingNo,
			Note: "陈建华到场劝离摊贩，当事人电话138 1234 5678，已清理"})
		if got := k.recipients(t, c.ID, models.NoticeVerify); !slices.Equal(got, []string{"陈美玲", "黄丽"}) {
			t.Errorf("verification asked of %v, want the village's grid workers 陈美玲 and 黄丽, each once", got)
		}
		stored, err := s.CaseByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for who, sees := range map[string]bool{"陈美玲": true, "黄丽": true, "许强": false} {
			if got := k.w.MaySee(k.people[who], stored); got != sees {
				t.Errorf("MaySee(%s) = %v, want %v", who, got, sees)
			}
		}
		_, err = k.w.Act(ctx, workflow.Request{Action: models.ActionVerifyPass, TrackingNo: c.TrackingNo,
			Actor: k.people["许强"]})
		if models.ErrorCodeOf(err) != models.ENotFound {
			t.Errorf("a grid worker of another village verifies: %v, want not found", err)
		}
		k.act(t, "黄丽", workflow.Request{Action: models.ActionVerifyPass, TrackingNo: c.TrackingNo, Note: "现场已恢复"})

		const result = "陈某到场劝离摊贩，当事人电话***，已清理"
		for _, who := range []string{"citizen", "neighbour"} {
			ns := k.publicNotices(t, c.ID, who)
			for _, state := range []models.State{models.StateHandled, models.StateClosed} {
				n := stateNotice(t, ns, state)
				if n.Result != result || n.Note != "" || n.Description != "" || n.Place != "" {
					t.Errorf("%s's %s notice %+v: want the filtered result %q and nothing internal", who, state, n, result)
				}
				if text := rendered(t, n); !strings.Contains(text, "办理结果："+result) {
					t.Errorf("%s reads:\n%s", who, text)
				}
			}
			for _, n := range ns {
				if n.Result != "" && n.State != models.StateHandled && n.State != models.StateClosed {
					t.Errorf("%s's %s notice carries a result", who, n.State)
				}
			}
			asked := strings.Contains(rendered(t, stateNotice(t, ns, models.StateClosed)), "评价 "+c.TrackingNo)
			if asked != (who == "citizen") {
				t.Errorf("%s asked to rate: %v; only the reporter rates", who, asked)
			}
		}
	})
}

func TestReportingGridWorkerIsNotAskedToRateTheirOwnCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newVillageCounty(t, s, shanghai(t, 23, 9, 0))
		c := k.file(t, "陈美玲", models.SourceGridWorker, models.Location{TownshipCode: "anhai", VillageCode: "haidong",
			GridCode: "haidong-02"})
		k.act(t, "陈建华", workflow.Request{Action: models.ActionSign, TrackingNo: c.TrackingNo})
		k.act(t, "陈建华", workflow.Request{Action: models.ActionFinish, TrackingNo: c.TrackingNo, Note: "已清理"})
		if got := k.recipients(t, c.ID, models.NoticeVerify); !slices.Equal(got, []string{"陈美玲"}) {
			t.Errorf("verification asked of %v, want the reporting grid worker", got)
		}
		_, err := k.w.Act(ctx, workflow.Request{Action: models.ActionVerifyPass, TrackingNo: c.TrackingNo,
			Actor: k.people["黄丽"]})
		if models.ErrorCodeOf(err) != models.EForbidden {
			t.Errorf("another grid worker checks a grid worker's report: %v, want forbidden", err)
		}
		k.act(t, "陈美玲", workflow.Request{Action: models.ActionVerifyPass, TrackingNo: c.TrackingNo})
		closed := stateNotice(t, k.publicNotices(t, c.ID, "陈美玲"), models.StateClosed)
		if text := rendered(t, closed); !closed.NoRating || strings.Contains(text, "评价") || !strings.Contains(text, "已清理") {
			t.Errorf("the grid worker who closed their own report reads:\n%s", text)
		}
	})
}

func TestMergeStaysWithinOneTownship(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newVillageCounty(t, s, shanghai(t, 23, 9, 0))
		anhai := models.Location{TownshipCode: "anhai", Address: "安平路"}
		a, b := k.file(t, "citizen", models.SourceCitizen, anhai), k.file(t, "neighbour", models.SourceCitizen, anhai)
		d := k.file(t, "neighbour", models.SourceCitizen, models.Location{TownshipCode: "dongshi", Address: "东石路"})
		operator := k.people["平台张"]
		merge := func(c, into models.Case, reason string) error {
			_, err := k.w.Act(ctx, workflow.Request{Action: models.ActionMerge, Actor: operator, TrackingNo: c.TrackingNo,
				MergeInto: into.TrackingNo, Note: reason})
			return err
		}
		err := merge(a, d, "")
		if models.ErrorCodeOf(err) != models.EInvalid || !strings.Contains(err.Error(), "needs a reason") {
			t.Fatalf("a merge across townships without a reason: %v, want invalid", err)
		}
		if got := k.publicNotices(t, a.ID, "citizen"); len(got) != 1 {
			t.Fatalf("a refused merge told the reporter: %+v", got)
		}
		if err := merge(a, d, "同一摊贩跨镇流动经营，由东石镇统一处理"); err != nil {
			t.Fatalf("the platform merges across townships with a reason: %v", err)
		}
		h := k.read(t, a.ID)
		if last := h.events[len(h.events)-1]; last != "merge 合并到 "+d.TrackingNo+"：同一摊贩跨镇流动经营，由东石镇统一处理" {
			t.Errorf("merge event %q: want the case kept and the reason", last)
		}
		told := stateNotice(t, k.publicNotices(t, a.ID, "citizen"), models.StateMerged)
		if told.Note != "合并到 "+d.TrackingNo {
			t.Errorf("the reporter was told %q: want the case kept, not the internal reason", told.Note)
		}
		c := k.file(t, "citizen", models.SourceCitizen, anhai)
		if err := merge(b, c, ""); err != nil {
			t.Fatalf("a merge within one township: %v", err)
		}
	})
}

func TestDispatchByAPersonNamesTheTeam(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newVillageCounty(t, s, shanghai(t, 23, 9, 0))
		c := k.file(t, "citizen", models.SourceCitizen, models.Location{TownshipCode: "anhai"})
		if c.RouteReason != "违法占道经营 已于2023-05-01 按优先下放（第1批）赋予安海镇：派安海镇综合执法队" {
			t.Errorf("routing reason %q", c.RouteReason)
		}
		got, err := k.w.Act(ctx, workflow.Request{Action: models.ActionReassign, Actor: k.people["平台张"],
			TrackingNo: c.TrackingNo, TeamCode: "team-dongshi"})
		if err != nil {
			t.Fatal(err)
		}
		if want := "由平台张改派至东石镇综合执法队"; got.RouteReason != want {
			t.Errorf("reassigned: reason %q, want %q", got.RouteReason, want)
		}
		ins, err := s.Intents(ctx, store.IntentFilter{CaseID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		cards := 0
		for _, in := range ins {
			var n models.Notice
			if err := json.Unmarshal(in.Payload, &n); err != nil || in.Kind != models.NoticeDispatched {
				continue
			}
			cards++
			if n.Note == "" || strings.ContainsFunc(n.Note, asciiLetter) {
				t.Errorf("dispatch card note %q: want the reason, in Chinese only", n.Note)
			}
		}
		if cards < 2 {
			t.Errorf("%d dispatch cards, want those of routing and of the reassignment", cards)
		}
	})
}

// asciiLetter reports whether r is an ASCII letter.
func asciiLetter(r rune) bool { return r < 128 && (r|0x20 >= 'a' && r|0x20 <= 'z') }
