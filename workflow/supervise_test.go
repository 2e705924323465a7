package workflow_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
	"gridbot/workcal"
	"gridbot/workflow"
)

var ctx = context.Background()

// clock is the injected clock of a test: workflow and supervisors read it, the test moves it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// shanghai returns 2026-11-day hh:mm in Asia/Shanghai (2026-11-23 is a Monday).
func shanghai(t testing.TB, day, hh, mm int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(2026, 11, 1, hh, mm, 0, 0, loc).AddDate(0, 0, day-1)
}

// county is a small county on a real store: one township team with two bound officers and a
// leader, the county platform with an operator, a supervisor and a citizen who reports.
type county struct {
	s      *store.Store
	clk    *clock
	cal    *workcal.Calendar
	w      *workflow.Workflow
	county func() workflow.County   // the snapshot w routes with
	people map[string]models.Person // by name
	names  map[int64]string
}

// newCounty stores the county's people and builds a workflow whose clock starts at start.
func newCounty(t *testing.T, s *store.Store, start time.Time) *county {
	t.Helper()
	return newCountyWith(t, s, start, nil, nil)
}

// newCountyWith is newCounty with more people and teams.
func newCountyWith(t *testing.T, s *store.Store, start time.Time, people []models.Person, teams []models.Team) *county {
	t.Helper()
	k := &county{s: s, clk: &clock{t: start}, people: map[string]models.Person{}, names: map[int64]string{}}
	staff := append([]models.Person{
		{Name: "officer1", Role: models.RoleOfficer, TeamCode: "team-anhai", OpenID: "o-officer1"},
		{Name: "officer2", Role: models.RoleOfficer, TeamCode: "team-anhai", OpenID: "o-officer2"},
		{Name: "leader", Role: models.RoleTeamLeader, TeamCode: "team-anhai", OpenID: "o-leader"},
		{Name: "operator", Role: models.RolePlatformOperator, TeamCode: "platform", WeComUserID: "w-operator"},
		{Name: "supervisor", Role: models.RoleSupervisor, TeamCode: "platform", WeComUserID: "w-supervisor"},
		{Name: "citizen", Role: models.RoleCitizen, OpenID: "o-citizen"},
	}, people...)
	var stored []models.Person
	for _, p := range staff {
		p, err := s.CreatePerson(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		k.people[p.Name], k.names[p.ID] = p, p.Name
		if p.Staff() {
			stored = append(stored, p)
		}
	}
	cst := time.FixedZone("CST", 8*3600)
	snapshot := workflow.NewCounty(
		[]models.Township{{Code: "anhai", Name: "安海镇"}},
		[]models.Department{{Code: "cgj", Name: "晋江市城市管理局"}},
		[]models.Matter{{Code: "CG-001", Name: "违法占道经营", DepartmentCode: "cgj",
			SignLimit:   models.TimeLimit{Amount: 2, Unit: models.WorkingHours},
			HandleLimit: models.TimeLimit{Amount: 2, Unit: models.WorkingDays}}},
		[]models.Delegation{{TownshipCode: "anhai", MatterCode: "CG-001", Situation: models.SituationPriority,
			Delegated: true, Batch: 1, Effective: time.Date(2023, 5, 1, 0, 0, 0, 0, cst)}},
		append([]models.Team{{Code: "team-anhai", Name: "安海镇综合执法队", Kind: models.TeamTownship, TownshipCode: "anhai"},
			{Code: "platform", Name: "晋江市综合执法指挥中心", Kind: models.TeamPlatform}}, teams...),
		stored)
	cal, err := workcal.New(workcal.Config{})
	if err != nil {
		t.Fatal(err)
	}
	k.cal = cal
	k.county = func() workflow.County { return snapshot }
	k.w = workflow.New(s, cal.Location(), k.clk.Now, cal, k.county, nil)
	return k
}

// notifying builds the county's workflow again with a delivery that paces its notifications.
func (k *county) notifying(n workflow.Notifier) {
	k.w = workflow.New(k.s, k.cal.Location(), k.clk.Now, k.cal, k.county, n)
}

// supervisor returns a supervision loop of the county on the test's clock.
func (k *county) supervisor(t *testing.T, lock workflow.Locker, prefix string) *workflow.Supervisor {
	t.Helper()
	sup, err := workflow.NewSupervisor(k.w, k.s, k.cal, lock, workflow.SupervisorConfig{KeyPrefix: prefix, Batch: 2},
		k.clk.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sup
}

// submit files a complaint at the clock's time; it is dispatched to team-anhai at once.
func (k *county) submit(t *testing.T) models.Case {
	t.Helper()
	c, err := k.w.Submit(ctx, models.NewCase{Kind: models.KindComplaint, Source: models.SourceCitizen,
		Description: "安平路有人占道卖菜", Location: models.Location{TownshipCode: "anhai", Address: "安平路12号"},
		MatterCode: "CG-001", ReporterID: k.people["citizen"].ID, Acknowledged: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.State != models.StateDispatched {
		t.Fatalf("submitted case is %s (%s), want dispatched", c.State, c.RouteReason)
	}
	return c
}

// act makes a person act on a case at the clock's time.
func (k *county) act(t *testing.T, who string, r workflow.Request) {
	t.Helper()
	r.Actor = k.people[who]
	if _, err := k.w.Act(ctx, r); err != nil {
		t.Fatalf("%s %s: %v", who, r.Action, err)
	}
}

// history is what a case has so far: events as "action note", intents as "kind→name".
type history struct {
	events  []string
	intents []string
	keys    []string
}

// read returns a case's events and intents.
func (k *county) read(t *testing.T, caseID int64) history {
	t.Helper()
	evs, err := k.s.Events(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if bad := models.VerifyChain(evs); bad != 0 {
		t.Fatalf("case history broken at event %d", bad)
	}
	ins, err := k.s.Intents(ctx, store.IntentFilter{CaseID: caseID})
	if err != nil {
		t.Fatal(err)
	}
	var h history
	for _, e := range evs {
		h.events = append(h.events, string(e.Action)+" "+e.Note)
	}
	for _, in := range ins {
		h.intents = append(h.intents, in.Kind+"→"+k.names[in.RecipientID])
		h.keys = append(h.keys, in.DedupKey)
	}
	return h
}

// notices returns the payload of the first intent of each kind of a case.
func (k *county) notices(t *testing.T, caseID int64) map[string]models.Notice {
	t.Helper()
	ins, err := k.s.Intents(ctx, store.IntentFilter{CaseID: caseID})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]models.Notice{}
	for _, in := range ins {
		if _, ok := out[in.Kind]; ok {
			continue
		}
		var n models.Notice
		if err := json.Unmarshal(in.Payload, &n); err != nil {
			t.Fatalf("intent %d payload: %v", in.ID, err)
		}
		out[in.Kind] = n
	}
	return out
}

// since returns what was added to a history after an earlier reading.
func (h history) since(before history) history {
	return history{events: h.events[len(before.events):], intents: h.intents[len(before.intents):],
		keys: h.keys[len(before.keys):]}
}

func TestSupervisionOfOneCase(t *testing.T) {
	type want struct {
		events  []string
		intents []string
		stats   workflow.Stats
	}
	chase := func(note string, to ...string) want {
		return want{[]string{"chase " + note}, intentsTo(models.NoticeChase, to), workflow.Stats{Chased: 1}}
	}
	escalate := func(note string, level int, to ...string) want {
		st := workflow.Stats{Overdue: 1}
		if level > 1 {
			st = workflow.Stats{Escalated: 1}
		}
		return want{[]string{"escalate " + note}, intentsTo(models.NoticeEscalation, to), st}
	}
	// Dispatched Monday 09:00: sign for within 2 working hours (11:00), handle within 2 working
	// days of 6h30 (Wednesday 09:00).
	steps := []struct {
		name string
		at   time.Time
		act  func(k *county, c models.Case)
		want want
	}{
		{name: "before 80% of the sign-for time", at: shanghai(t, 23, 10, 35)},
		{name: "80% of the sign-for time: the team is chased", at: shanghai(t, 23, 10, 36),
			want: chase("已用时80%，请尽快签收", "officer1", "officer2", "leader")},
		{name: "the same instant again", at: shanghai(t, 23, 10, 36)},
		{name: "sign-for deadline passed: overdue", at: shanghai(t, 23, 11, 0),
			want: escalate("已超过签收时限，督办", 1, "leader", "operator")},
		{name: "signed late: the handling deadline runs", at: shanghai(t, 23, 11, 30),
			act: func(k *county, c models.Case) {
				k.act(t, "officer1", workflow.Request{Action: models.ActionSign, TrackingNo: c.TrackingNo})
			}},
		{name: "before 80% of the handling time", at: shanghai(t, 24, 15, 23)},
		{name: "80% of the handling time: the assignee is chased", at: shanghai(t, 24, 15, 24),
			want: chase("已用时80%，请抓紧办理", "officer1")},
		{name: "a minute before the handling deadline", at: shanghai(t, 25, 8, 59)},
		{name: "handling deadline passed: overdue", at: shanghai(t, 25, 9, 0),
			want: escalate("已超过办理时限，督办", 1, "leader", "operator")},
		{name: "the same instant again", at: shanghai(t, 25, 9, 0)},
		{name: "the working day before", at: shanghai(t, 31, 17, 30)},
		{name: "5 working days later: escalated again, to supervisors too", at: shanghai(t, 32, 9, 0),
			want: escalate("超期仍未办结，第2次督办", 2, "leader", "operator", "supervisor")},
		{name: "and again the same instant", at: shanghai(t, 32, 9, 0)},
		{name: "5 more working days: level 3", at: shanghai(t, 39, 9, 0),
			want: escalate("超期仍未办结，第3次督办", 3, "leader", "operator", "supervisor")},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newCounty(t, s, shanghai(t, 23, 9, 0))
		c := k.submit(t)
		sup := k.supervisor(t, nil, "")
		for _, step := range steps {
			k.clk.Set(step.at)
			if step.act != nil {
				step.act(k, c)
			}
			before := k.read(t, c.ID)
			st, err := sup.Pass(ctx)
			if err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			got := k.read(t, c.ID).since(before)
			st.Examined = 0
			if diff := cmp.Diff(step.want, want{got.events, got.intents, st}, cmp.AllowUnexported(want{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", step.name, diff)
			}
		}
		final, err := s.CaseByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if final.EscalationLvl != 3 || !final.OverdueAt.Equal(shanghai(t, 25, 9, 0)) || !final.EscalatedAt.Equal(shanghai(t, 39, 9, 0)) ||
			!final.ChasedAt.Equal(shanghai(t, 24, 15, 24)) {
			t.Errorf("supervision fields: chased %v, overdue %v, level %d escalated %v", final.ChasedAt, final.OverdueAt,
				final.EscalationLvl, final.EscalatedAt)
		}
		// The first chase shows the sign-for deadline and the way to sign; escalations show no shortcut.
		notices := k.notices(t, c.ID)
		wantChase := models.Notice{TrackingNo: c.TrackingNo, CaseKind: models.KindComplaint, Matter: "违法占道经营",
			Place: "安海镇 安平路12号", Description: "安平路有人占道卖菜", State: models.StateDispatched, Action: models.ActionChase,
			Note: "已用时80%，请尽快签收", Deadline: "2026-11-23 11:00", Shortcuts: []string{"1 签收", "退回 " + c.TrackingNo + " 原因"}}
		if diff := cmp.Diff(wantChase, notices[models.NoticeChase]); diff != "" {
			t.Errorf("first chase notice (-want +got):\n%s", diff)
		}
		if n := notices[models.NoticeEscalation]; n.Deadline != "2026-11-23 11:00" || n.Shortcuts != nil {
			t.Errorf("first escalation notice %+v", n)
		}
		// Every step's notices carry a key naming the step, never the case's version.
		h := k.read(t, c.ID)
		want := fmt.Sprintf("%s:%s:d%d:l2:%d", models.NoticeEscalation, c.TrackingNo, final.HandleDeadline.Unix(),
			k.people["supervisor"].ID)
		if !contains(h.keys, want) {
			t.Errorf("no intent keyed %q in %q", want, h.keys)
		}
		for i, key := range h.keys {
			if strings.HasPrefix(h.intents[i], "case_chase") || strings.HasPrefix(h.intents[i], "case_escalation") {
				if strings.Contains(key, ":v") {
					t.Errorf("supervision intent keyed by version: %s", key)
				}
			}
		}
	})
}

func TestApprovedExtensionRestartsSupervision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newCounty(t, s, shanghai(t, 23, 9, 0))
		c := k.submit(t)
		sup := k.supervisor(t, nil, "")
		k.clk.Set(shanghai(t, 23, 9, 30))
		k.act(t, "officer1", workflow.Request{Action: models.ActionSign, TrackingNo: c.TrackingNo})
		steps := []struct {
			name       string
			at         time.Time
			act        func()
			wantEvents []string
		}{
			{name: "80% of the handling time", at: shanghai(t, 24, 15, 24), wantEvents: []string{"chase 已用时80%，请抓紧办理"}},
			{name: "extension asked: same deadline, already chased", at: shanghai(t, 24, 16, 0), act: func() {
				k.act(t, "officer1", workflow.Request{Action: models.ActionRequestExtension, TrackingNo: c.TrackingNo,
					Days: 3, Note: "需要协调市场监管部门"})
			}},
			// Now due Monday 11-30 09:00: 32h30 of working time, 80% spent on Friday 09:00.
			{name: "extension approved: a new deadline, supervision starts over", at: shanghai(t, 24, 16, 30), act: func() {
				k.act(t, "leader", workflow.Request{Action: models.ActionApproveExtension, TrackingNo: c.TrackingNo})
			}},
			{name: "before 80% of the extended time", at: shanghai(t, 27, 8, 59)},
			{name: "80% of the extended time: chased again", at: shanghai(t, 27, 9, 0),
				wantEvents: []string{"chase 已用时80%，请抓紧办理"}},
			{name: "extended deadline passed", at: shanghai(t, 30, 9, 0), wantEvents: []string{"escalate 已超过办理时限，督办"}},
		}
		for _, step := range steps {
			k.clk.Set(step.at)
			if step.act != nil {
				step.act()
			}
			before := k.read(t, c.ID)
			if _, err := sup.Pass(ctx); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			if diff := cmp.Diff(step.wantEvents, k.read(t, c.ID).since(before).events, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", step.name, diff)
			}
		}
		h := k.read(t, c.ID)
		var chases []string
		for i, in := range h.intents {
			if strings.HasPrefix(in, models.NoticeChase) {
				chases = append(chases, h.keys[i])
			}
		}
		if len(chases) != 2 || chases[0] == chases[1] {
			t.Errorf("chase intents %q: want one per deadline", chases)
		}
	})
}

func TestConcurrentSupervisorsStepOnce(t *testing.T) {
	for _, shared := range []bool{true, false} {
		t.Run(fmt.Sprintf("shared lock %v", shared), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				k := newCounty(t, s, shanghai(t, 23, 9, 0))
				var cases []models.Case
				for range 5 {
					cases = append(cases, k.submit(t))
				}
				var lock workflow.Locker
				var prefix string
				if shared {
					r, p := storetest.Redis(t)
					lock, prefix = r, p
				}
				sups := []*workflow.Supervisor{k.supervisor(t, lock, prefix), k.supervisor(t, lock, prefix)}
				k.clk.Set(shanghai(t, 23, 11, 0))
				var wg sync.WaitGroup
				var mu sync.Mutex
				var total workflow.Stats
				for i := range 6 {
					wg.Go(func() {
						st, err := sups[i%2].Pass(ctx)
						if err != nil {
							t.Error(err)
						}
						mu.Lock()
						defer mu.Unlock()
						total.Overdue += st.Overdue
						total.Failed += st.Failed
					})
				}
				wg.Wait()
				if total.Overdue != len(cases) || total.Failed != 0 {
					t.Errorf("passes marked %d cases overdue with %d failures; want %d, 0", total.Overdue, total.Failed, len(cases))
				}
				for _, c := range cases {
					h := k.read(t, c.ID)
					want := []string{"create 投诉", "dispatch " + c.RouteReason, "escalate 已超过签收时限，督办"}
					if diff := cmp.Diff(want, h.events); diff != "" {
						t.Errorf("case %s events (-want +got):\n%s", c.TrackingNo, diff)
					}
					var escalations []string
					for _, in := range h.intents {
						if strings.HasPrefix(in, models.NoticeEscalation) {
							escalations = append(escalations, in)
						}
					}
					if diff := cmp.Diff(intentsTo(models.NoticeEscalation, []string{"leader", "operator"}), escalations); diff != "" {
						t.Errorf("case %s escalation intents (-want +got):\n%s", c.TrackingNo, diff)
					}
				}
			})
		})
	}
}

func TestPassWithoutTheLockDoesNothing(t *testing.T) {
	s := storetest.SQLite(t)
	r, prefix := storetest.Redis(t)
	k := newCounty(t, s, shanghai(t, 23, 9, 0))
	c := k.submit(t)
	sup := k.supervisor(t, r, prefix)
	release, ok, err := r.TryLock(ctx, prefix+"supervise:lock", time.Minute)
	if err != nil || !ok {
		t.Fatalf("TryLock = %v, %v", ok, err)
	}
	k.clk.Set(shanghai(t, 23, 11, 0))
	before := k.read(t, c.ID)
	st, err := sup.Pass(ctx)
	if err != nil || st != (workflow.Stats{Skipped: true}) {
		t.Fatalf("Pass while another instance holds the lock = %+v, %v; want skipped", st, err)
	}
	if got := k.read(t, c.ID).since(before); len(got.events)+len(got.intents) != 0 {
		t.Fatalf("a skipped pass wrote %+v", got)
	}
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := sup.Pass(ctx); err != nil || st.Overdue != 1 {
		t.Fatalf("Pass after the lock is free = %+v, %v", st, err)
	}
	if st, err := sup.Pass(ctx); err != nil || st.Skipped {
		t.Fatalf("the pass did not give the lock back: %+v, %v", st, err)
	}
}

func TestSupervisorRoutesCasesLeftReceived(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := shanghai(t, 23, 9, 0)
		k := newCounty(t, s, now)
		stuck := map[string]time.Duration{"two minutes ago": -2 * time.Minute, "just now": -30 * time.Second}
		ids := map[string]int64{}
		for name, ago := range stuck {
			no, err := s.NextTrackingNumber(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			c, err := s.CreateCase(ctx, models.Case{TrackingNo: no, Kind: models.KindReport, Source: models.SourceGridWorker,
				Description: "河边有人倒垃圾 " + name, MatterCode: "CG-001", Urgency: models.UrgencyNormal,
				Location: models.Location{TownshipCode: "anhai"}, State: models.StateReceived, CreatedAt: models.EventTime(now.Add(ago))},
				models.Event{ActorRole: models.RoleSystem, Action: models.ActionCreate}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ids[name] = c.ID
		}
		st, err := k.supervisor(t, nil, "").Pass(ctx)
		if err != nil || st.Routed != 1 {
			t.Fatalf("Pass = %+v, %v; want one case routed", st, err)
		}
		for name, want := range map[string]models.State{"two minutes ago": models.StateDispatched, "just now": models.StateReceived} {
			c, err := s.CaseByID(ctx, ids[name])
			if err != nil || c.State != want {
				t.Errorf("case received %s is %s (%v), want %s", name, c.State, err, want)
			}
			if want == models.StateDispatched && (!c.DispatchedAt.Equal(now) || c.TeamCode != "team-anhai") {
				t.Errorf("rerouted case: dispatched %v to %q", c.DispatchedAt, c.TeamCode)
			}
		}
	})
}

func TestChaseAndEscalationByHand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newCounty(t, s, shanghai(t, 23, 9, 0))
		c := k.submit(t)
		k.clk.Set(shanghai(t, 23, 9, 10))
		k.act(t, "officer1", workflow.Request{Action: models.ActionSign, TrackingNo: c.TrackingNo})
		before := k.read(t, c.ID)
		k.act(t, "operator", workflow.Request{Action: models.ActionChase, TrackingNo: c.TrackingNo, Note: "群众反映强烈，今天处理"})
		k.act(t, "supervisor", workflow.Request{Action: models.ActionEscalate, TrackingNo: c.TrackingNo})
		got := k.read(t, c.ID).since(before)
		wantEvents := []string{"chase 群众反映强烈，今天处理", "escalate 督办"}
		wantIntents := append(intentsTo(models.NoticeChase, []string{"officer1"}),
			intentsTo(models.NoticeEscalation, []string{"leader", "operator"})...)
		if diff := cmp.Diff(wantEvents, got.events); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantIntents, got.intents); diff != "" {
			t.Errorf("intents (-want +got):\n%s", diff)
		}
		after, err := s.CaseByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !after.ChasedAt.IsZero() || !after.OverdueAt.IsZero() || after.EscalationLvl != 0 {
			t.Errorf("a chase by hand changed the supervision fields: %+v", after)
		}
		// An officer may not chase.
		_, err = k.w.Act(ctx, workflow.Request{Action: models.ActionChase, TrackingNo: c.TrackingNo, Actor: k.people["officer2"]})
		if models.ErrorCodeOf(err) != models.EForbidden {
			t.Errorf("officer chase error = %v, want forbidden", err)
		}
	})
}

func TestNewSupervisorRefusesBadConfig(t *testing.T) {
	tests := []workflow.SupervisorConfig{
		{ChaseAt: 1.2},
		{ChaseAt: -0.1},
		{Interval: -time.Second},
		{ReescalateAfter: models.TimeLimit{Amount: 5, Unit: "w"}},
	}
	for _, cfg := range tests {
		if _, err := workflow.NewSupervisor(nil, nil, nil, nil, cfg, nil, nil); models.ErrorCodeOf(err) != models.EInvalid {
			t.Errorf("NewSupervisor(%+v) error = %v, want invalid", cfg, err)
		}
	}
}

// intentsTo lists intents of a kind to people, as history.intents shows them.
func intentsTo(kind string, names []string) []string {
	var out []string
	for _, n := range names {
		out = append(out, kind+"→"+n)
	}
	return out
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
