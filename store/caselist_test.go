package store_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
	"gridbot/workflow"
)

// listed is one case of the list tests: a label, and how it differs from newCase's.
type listed struct {
	label    string
	township string
	matter   string
	team     string
	state    models.State
	deadline time.Duration // handling deadline from now; 0 for none
	text     string
	reporter string // a staff code; "" for the citizen
}

// listedCases are the cases the list tests filter, oldest first.
func listedCases() []listed {
	return []listed{
		{"anhai-late", "anhai", "CG-001", "team-anhai", models.StateDispatched, -time.Hour, "楼下有人摆摊卖菜", ""},
		{"anhai-ontime", "anhai", "CG-001", "team-anhai", models.StateDispatched, 48 * time.Hour, "路口摆摊卖水果", ""},
		{"cizao-late", "cizao", "CG-001", "team-cizao", models.StateSigned, -time.Hour, "菜市场门口占道", ""},
		{"chendai-dept", "chendai", "HB-001", "team-dept-sthjj", models.StateHandling, 5 * time.Hour, "河里有人偷排污水", ""},
		{"anhai-triage", "anhai", "", "", models.StateTriage, 0, "不知道归谁管的问题", ""},
		{"anhai-closed", "anhai", "CG-003", "team-anhai", models.StateClosed, -48 * time.Hour, "广场舞音响太吵", ""},
		{"anhai-returned", "anhai", "CG-001", "", models.StateReturned, -2 * time.Hour, "退回的摆摊问题", ""},
		{"anhai-percent", "anhai", "CG-002", "team-anhai", models.StateHandling, 24 * time.Hour, "违建100%_确认", ""},
		{"anhai-by-cizao-officer", "anhai", "CG-001", "team-anhai", models.StateDispatched, 24 * time.Hour, "磁灶队员路过安海看到的", "p-cizao-03"},
		{"anhai-cgj", "anhai", "CG-004", "team-dept-cgj", models.StateDispatched, 24 * time.Hour, "焚烧垃圾", ""},
	}
}

// seedListed stores the listed cases and returns them by label.
func seedListed(t *testing.T, s *store.Store, now time.Time) map[string]models.Case {
	t.Helper()
	citizen, err := s.CreatePerson(ctx, models.Person{Role: models.RoleCitizen, OpenID: "oCitizen_list"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]models.Case{}
	for _, l := range listedCases() {
		reporter := citizen.ID
		if l.reporter != "" {
			reporter = staff(t, s, l.reporter).ID
		}
		c := newCase(t, s, reporter)
		c.Location = models.Location{TownshipCode: l.township}
		c.MatterCode, c.TeamCode, c.State, c.Description = l.matter, l.team, l.state, l.text
		if l.deadline != 0 {
			c.HandleDeadline = now.Add(l.deadline)
		}
		created, err := s.CreateCase(ctx, c, models.Event{ActorID: reporter, ActorRole: models.RoleCitizen, Action: models.ActionCreate}, nil)
		if err != nil {
			t.Fatal(err)
		}
		out[l.label] = created
	}
	return out
}

// labels names the cases of a list, in the list's order.
func labels(cases []models.Case, byLabel map[string]models.Case) []string {
	names := map[int64]string{}
	for l, c := range byLabel {
		names[c.ID] = l
	}
	out := []string{}
	for _, c := range cases {
		out = append(out, names[c.ID])
	}
	return out
}

// newestFirst orders labels as the list does: the latest created first.
func newestFirst(want ...string) []string {
	order := map[string]int{}
	for i, l := range listedCases() {
		order[l.label] = i
	}
	sort.Slice(want, func(i, j int) bool { return order[want[i]] > order[want[j]] })
	return want
}

func TestListCasesFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Now().UTC()
		if _, err := s.ImportDeployment(ctx, sample(t), now, time.Hour); err != nil {
			t.Fatal(err)
		}
		cases := seedListed(t, s, now)
		cizaoOfficer := staff(t, s, "p-cizao-03")
		all := newestFirst("anhai-late", "anhai-ontime", "cizao-late", "chendai-dept", "anhai-triage", "anhai-closed",
			"anhai-returned", "anhai-percent", "anhai-by-cizao-officer", "anhai-cgj")
		tests := []struct {
			name      string
			f         models.CaseFilter
			want      []string
			wantTotal int64
		}{
			{"everything", models.CaseFilter{}, all, 10},
			{"one state", models.CaseFilter{States: []models.State{models.StateDispatched}},
				newestFirst("anhai-late", "anhai-ontime", "anhai-by-cizao-officer", "anhai-cgj"), 4},
			{"two states", models.CaseFilter{States: []models.State{models.StateSigned, models.StateTriage}},
				newestFirst("cizao-late", "anhai-triage"), 2},
			{"township", models.CaseFilter{TownshipCode: "cizao"}, []string{"cizao-late"}, 1},
			{"matter", models.CaseFilter{MatterCode: "CG-002"}, []string{"anhai-percent"}, 1},
			{"team", models.CaseFilter{TeamCode: "team-dept-cgj"}, []string{"anhai-cgj"}, 1},
			{"department by matter", models.CaseFilter{DepartmentCode: "sthjj"}, []string{"chendai-dept"}, 1},
			{"department by matter or team", models.CaseFilter{DepartmentCode: "cgj"},
				newestFirst("anhai-late", "anhai-ontime", "cizao-late", "anhai-closed", "anhai-returned", "anhai-percent",
					"anhai-by-cizao-officer", "anhai-cgj"), 8},
			{"overdue: clock running and deadline passed", models.CaseFilter{OverdueAt: now},
				newestFirst("anhai-late", "cizao-late"), 2},
			{"overdue in a day", models.CaseFilter{OverdueAt: now.Add(25 * time.Hour)},
				newestFirst("anhai-late", "cizao-late", "chendai-dept", "anhai-percent", "anhai-by-cizao-officer", "anhai-cgj"), 6},
			{"text", models.CaseFilter{Text: "摆摊"}, newestFirst("anhai-late", "anhai-ontime", "anhai-returned"), 3},
			{"text with LIKE's wildcards", models.CaseFilter{Text: "100%_"}, []string{"anhai-percent"}, 1},
			{"a percent sign is literal", models.CaseFilter{Text: "%"}, []string{"anhai-percent"}, 1},
			{"an underscore is literal", models.CaseFilter{Text: "_"}, []string{"anhai-percent"}, 1},
			{"filters combine", models.CaseFilter{TownshipCode: "anhai", OverdueAt: now}, []string{"anhai-late"}, 1},
			{"a page", models.CaseFilter{Limit: 3, Offset: 2}, all[2:5], 10},
			{"past the end", models.CaseFilter{Limit: 3, Offset: 10}, []string{}, 10},
			{"a township team's scope", models.CaseFilter{Scope: &models.CaseScope{TeamCode: "team-cizao", ReporterID: cizaoOfficer.ID}},
				newestFirst("cizao-late", "anhai-by-cizao-officer"), 2},
			{"a department team's scope", models.CaseFilter{Scope: &models.CaseScope{TeamCode: "team-dept-cgj", ReporterID: -1}},
				[]string{"anhai-cgj"}, 1},
			{"a scope without a team", models.CaseFilter{Scope: &models.CaseScope{ReporterID: cizaoOfficer.ID}},
				[]string{"anhai-by-cizao-officer"}, 1},
			{"scope and filter", models.CaseFilter{TownshipCode: "anhai", Scope: &models.CaseScope{TeamCode: "team-anhai"}},
				newestFirst("anhai-late", "anhai-ontime", "anhai-triage", "anhai-closed", "anhai-returned", "anhai-percent",
					"anhai-by-cizao-officer", "anhai-cgj"), 8},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := s.ListCases(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, labels(got, cases)); diff != "" || total != tt.wantTotal {
					t.Fatalf("total %d (want %d); cases (-want +got):\n%s", total, tt.wantTotal, diff)
				}
			})
		}
	})
}

// TestListScopeAgreesWithMaySee checks that what a team's member lists is exactly what
// workflow.MaySee lets them see.
func TestListScopeAgreesWithMaySee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Now().UTC()
		if _, err := s.ImportDeployment(ctx, sample(t), now, time.Hour); err != nil {
			t.Fatal(err)
		}
		cases := seedListed(t, s, now)
		// Cases seen by teams asked to decide on a request, or that joined the enforcement.
		for label, c := range map[string]models.Case{
			"anhai-transfer-to-sthjj": {TeamCode: "team-anhai", State: models.StateTransferred,
				Pending: models.PendingRequest{Kind: models.ActionTransfer, Teams: []string{"team-dept-sthjj"}, FromTeam: "team-anhai"}},
			"cizao-joined-by-cgj": {TeamCode: "team-cizao", State: models.StateSigned, JointTeams: []string{"team-dept-cgj", "team-dept-sthjj"}},
		} {
			n := newCase(t, s, staff(t, s, "p-anhai-01").ID)
			n.TeamCode, n.State, n.Pending, n.JointTeams = c.TeamCode, c.State, c.Pending, c.JointTeams
			n.Location = models.Location{TownshipCode: strings.TrimPrefix(c.TeamCode, "team-")}
			created, err := s.CreateCase(ctx, n, models.Event{Action: models.ActionCreate, ActorRole: models.RoleSystem}, nil)
			if err != nil {
				t.Fatal(err)
			}
			cases[label] = created
		}
		county, err := workflow.LoadCounty(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		wf := workflow.New(s, time.UTC, nil, nil, func() workflow.County { return county }, nil)
		for _, code := range []string{"p-anhai-01", "p-anhai-02", "p-cizao-03", "p-cgj-01", "p-sthjj-01", "p-chendai-04"} {
			p := staff(t, s, code)
			got, _, err := s.ListCases(ctx, models.CaseFilter{Scope: &models.CaseScope{TeamCode: p.TeamCode, ReporterID: p.ID}})
			if err != nil {
				t.Fatal(err)
			}
			var want []models.Case
			for _, c := range cases {
				if wf.MaySee(p, c) {
					want = append(want, c)
				}
			}
			if diff := cmp.Diff(sortedLabels(want, cases), sortedLabels(got, cases)); diff != "" {
				t.Errorf("%s (%s of %s) lists other cases than MaySee allows (-MaySee +list):\n%s", code, p.Role, p.TeamCode, diff)
			}
		}
	})
}

// sortedLabels names cases in label order.
func sortedLabels(cs []models.Case, byLabel map[string]models.Case) []string {
	out := labels(cs, byLabel)
	sort.Strings(out)
	return out
}
