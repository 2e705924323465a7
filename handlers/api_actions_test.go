package handlers_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/workflow"
)

// TestAPIActions runs each platform action on a real case in the state it needs, then checks the
// answer and the stored case.
func TestAPIActions(t *testing.T) {
	eachAPI(t, func(t *testing.T, f *fixture) {
		tests := []struct {
			name   string
			seed   func() models.Case
			path   string
			body   func(c models.Case) string
			state  models.State
			check  func(t *testing.T, before, after models.Case)
			answer func(t *testing.T, a answer)
		}{
			{name: "triage: the matter chosen, routing finds the team", seed: f.triaged, path: "triage",
				body: func(models.Case) string { return `{"matter_code":"CG-001"}` }, state: models.StateDispatched,
				check: func(t *testing.T, _, c models.Case) {
					if c.MatterCode != "CG-001" || c.TeamCode != "team-anhai" || c.HandleDeadline.IsZero() {
						t.Errorf("triaged case %+v", c)
					}
				}},
			{name: "triage: matter and team chosen", seed: f.triaged, path: "triage",
				body:  func(models.Case) string { return `{"matter_code":"CG-003","team_code":"team-cizao","note":"分流"}` },
				state: models.StateDispatched,
				check: func(t *testing.T, _, c models.Case) {
					if c.MatterCode != "CG-003" || c.TeamCode != "team-cizao" {
						t.Errorf("triaged case %+v", c)
					}
				}},
			{name: "dispatch a returned case", seed: func() models.Case { return f.returned(1) }, path: "dispatch",
				body: func(models.Case) string { return `{"team_code":"team-cizao"}` }, state: models.StateDispatched,
				check: func(t *testing.T, _, c models.Case) {
					if c.TeamCode != "team-cizao" || c.ReturnCount != 1 {
						t.Errorf("dispatched case %+v", c)
					}
				}},
			{name: "reassign", seed: f.dispatched, path: "reassign",
				body: func(models.Case) string { return `{"team_code":"team-cizao","note":"属地调整"}` }, state: models.StateDispatched,
				check: func(t *testing.T, _, c models.Case) {
					if c.TeamCode != "team-cizao" {
						t.Errorf("reassigned case %+v", c)
					}
				}},
			{name: "reject with a reason", seed: f.triaged, path: "reject",
				body: func(models.Case) string { return `{"reason":"不属于行政执法事项"}` }, state: models.StateRejected},
			{name: "merge a duplicate", seed: f.dispatched, path: "merge",
				body:  func(models.Case) string { return `{"into":"` + f.dispatched().TrackingNo + `"}` },
				state: models.StateMerged,
				check: func(t *testing.T, _, c models.Case) {
					if c.MergedInto == 0 {
						t.Errorf("merged case %+v", c)
					}
				}},
			{name: "merge across townships with a reason", seed: f.dispatched, path: "merge",
				body: func(models.Case) string {
					return `{"into":"` + f.dispatchedIn("cizao").TrackingNo + `","reason":"同一摊贩跨镇流动经营"}`
				},
				state: models.StateMerged,
				check: func(t *testing.T, _, c models.Case) {
					events, err := f.store.Events(ctx, c.ID)
					if err != nil || !strings.HasSuffix(events[len(events)-1].Note, "：同一摊贩跨镇流动经营") {
						t.Errorf("merge event %+v %v: want the reason", events[len(events)-1], err)
					}
				}},
			{name: "approve an extension", seed: f.extensionAsked, path: "extension/approve",
				body: func(models.Case) string { return `` }, state: models.StateHandling,
				check: func(t *testing.T, before, c models.Case) {
					if !c.HandleDeadline.After(before.HandleDeadline) || c.ExtensionDays != 0 {
						t.Errorf("deadline %v -> %v, extension %d", before.HandleDeadline, c.HandleDeadline, c.ExtensionDays)
					}
				}},
			{name: "refuse an extension", seed: f.extensionAsked, path: "extension/refuse",
				body: func(models.Case) string { return `{"note":"理由不充分"}` }, state: models.StateHandling,
				check: func(t *testing.T, before, c models.Case) {
					if !c.HandleDeadline.Equal(before.HandleDeadline) || c.ExtensionDays != 0 {
						t.Errorf("deadline %v -> %v, extension %d", before.HandleDeadline, c.HandleDeadline, c.ExtensionDays)
					}
				}},
			{name: "park with a reason", seed: f.dispatched, path: "park",
				body: func(models.Case) string { return `{"reason":"等待规划部门认定"}` }, state: models.StateParked},
			{name: "final ruling after two returns", seed: func() models.Case { return f.returned(2) }, path: "final-ruling",
				body: func(models.Case) string { return `{"team_code":"team-anhai"}` }, state: models.StateDispatched,
				check: func(t *testing.T, _, c models.Case) {
					if !c.FinalRuling || c.TeamCode != "team-anhai" {
						t.Errorf("ruled case %+v", c)
					}
					_, err := f.wf.Act(ctx, workflow.Request{Action: models.ActionReturn, Actor: f.people[anhaiOfficer],
						TrackingNo: c.TrackingNo, Note: "还是不归我们"})
					if models.ErrorCodeOf(err) != models.EConflict {
						t.Errorf("a case under final ruling was returned again: %v", err)
					}
				}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := tt.seed()
				a := f.as(operator, "POST", "/api/v1/cases/"+before.TrackingNo+"/"+tt.path, tt.body(before))
				if a.status != 200 {
					t.Fatalf("status %d: %v", a.status, a.body)
				}
				after, err := f.store.CaseByTrackingNo(ctx, before.TrackingNo)
				if err != nil {
					t.Fatal(err)
				}
				if after.State != tt.state || caseOf(a)["state"] != string(tt.state) || after.Version != before.Version+1 {
					t.Fatalf("state %s (answer %v), version %d; want %s, %d", after.State, caseOf(a)["state"], after.Version, tt.state, before.Version+1)
				}
				if a.header.Get("ETag") != `"`+strconv.FormatInt(after.Version, 10)+`"` {
					t.Errorf("ETag %q for version %d", a.header.Get("ETag"), after.Version)
				}
				events, err := f.store.Events(ctx, after.ID)
				if err != nil || events[len(events)-1].ActorID != f.people[operator].ID {
					t.Fatalf("last event not the operator's: %+v, %v", events, err)
				}
				if tt.check != nil {
					tt.check(t, before, after)
				}
			})
		}
	})
}

// TestAPIActionProblems covers bodies, states and versions the actions refuse.
func TestAPIActionProblems(t *testing.T) {
	eachAPI(t, func(t *testing.T, f *fixture) {
		dispatched := f.dispatched()
		triaged := f.triaged()
		once := f.returned(1)
		elsewhere := f.dispatchedIn("cizao")
		v := strconv.FormatInt(dispatched.Version, 10)
		tests := []struct {
			name    string
			no      string
			path    string
			body    string
			headers []string
			status  int
			code    string
			message string
		}{
			{"unknown field", triaged.TrackingNo, "reject", `{"reason":"x","color":"red"}`, nil, 400, "invalid", `unknown field "color"`},
			{"field of the wrong type", triaged.TrackingNo, "reject", `{"reason":42}`, nil, 400, "invalid", "field reason has the wrong type"},
			{"not JSON", triaged.TrackingNo, "reject", `reason=x`, nil, 400, "invalid", "bad JSON body"},
			{"two objects", triaged.TrackingNo, "reject", `{"reason":"x"}{"reason":"y"}`, nil, 400, "invalid", "data after the object"},
			{"an array", triaged.TrackingNo, "reject", `["x"]`, nil, 400, "invalid", "bad JSON body"},
			{"body over the limit", triaged.TrackingNo, "reject", `{"reason":"` + strings.Repeat("长", apiMaxBody) + `"}`, nil, 413, "too_large", ""},
			{"reject without a reason", triaged.TrackingNo, "reject", `{"reason":"  "}`, nil, 400, "invalid", "reason is required"},
			{"park without a body", dispatched.TrackingNo, "park", ``, nil, 400, "invalid", "reason is required"},
			{"dispatch without a team", once.TrackingNo, "dispatch", `{}`, nil, 400, "invalid", "team_code is required"},
			{"dispatch to an unknown team", once.TrackingNo, "dispatch", `{"team_code":"team-nowhere"}`, nil, 400, "invalid", "unknown team"},
			{"merge without a target", dispatched.TrackingNo, "merge", `{}`, nil, 400, "invalid", "into is required"},
			{"merge across townships without a reason", dispatched.TrackingNo, "merge", `{"into":"` + elsewhere.TrackingNo + `"}`, nil, 400, "invalid", "needs a reason"},
			{"merge into itself", dispatched.TrackingNo, "merge", `{"into":"` + dispatched.TrackingNo + `"}`, nil, 400, "invalid", "other than this one"},
			{"triage with an unknown matter", triaged.TrackingNo, "triage", `{"matter_code":"XX-999"}`, nil, 400, "invalid", "unknown matter"},
			{"triage that routing cannot place", triaged.TrackingNo, "triage", `{}`, nil, 400, "invalid", "no team to dispatch to"},
			{"triage of a dispatched case", dispatched.TrackingNo, "triage", `{"matter_code":"CG-001"}`, nil, 409, "conflict", "not waiting for triage"},
			{"reject a dispatched case", dispatched.TrackingNo, "reject", `{"reason":"x"}`, nil, 409, "conflict", "cannot reject"},
			{"approve an extension nobody asked", dispatched.TrackingNo, "extension/approve", `{}`, nil, 409, "conflict", ""},
			{"final ruling after one return", once.TrackingNo, "final-ruling", `{"team_code":"team-anhai"}`, nil, 409, "conflict", "after two returns"},
			{"stale If-Match", dispatched.TrackingNo, "park", `{"reason":"x"}`, []string{"If-Match", `"` + strconv.FormatInt(dispatched.Version-1, 10) + `"`}, 409, "conflict", "changed"},
			{"stale version in the body", dispatched.TrackingNo, "park", `{"reason":"x","version":` + strconv.FormatInt(dispatched.Version+5, 10) + `}`, nil, 409, "conflict", "changed"},
			{"If-Match and version disagree", dispatched.TrackingNo, "park", `{"reason":"x","version":1}`, []string{"If-Match", `"` + v + `"`}, 400, "invalid", "disagree"},
			{"If-Match not a version", dispatched.TrackingNo, "park", `{"reason":"x"}`, []string{"If-Match", `"abc"`}, 400, "invalid", "If-Match"},
			{"negative version", dispatched.TrackingNo, "park", `{"reason":"x","version":-1}`, nil, 400, "invalid", "version"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := f.as(operator, "POST", "/api/v1/cases/"+tt.no+"/"+tt.path, tt.body, tt.headers...)
				msg, _ := a.body["error"].(map[string]any)["message"].(string)
				if a.status != tt.status || a.errorCode() != tt.code || !strings.Contains(msg, tt.message) {
					t.Fatalf("%d %v; want %d %s %q", a.status, a.body, tt.status, tt.code, tt.message)
				}
			})
		}
		for _, c := range []models.Case{dispatched, triaged, once, elsewhere} {
			if after, _ := f.store.CaseByTrackingNo(ctx, c.TrackingNo); after.Version != c.Version {
				t.Errorf("a refused action changed case %s: version %d -> %d", c.TrackingNo, c.Version, after.Version)
			}
		}
		t.Run("the current version passes, W/ form included", func(t *testing.T) {
			a := f.as(operator, "POST", "/api/v1/cases/"+dispatched.TrackingNo+"/park", `{"reason":"等待认定","version":`+v+`}`, "If-Match", `W/"`+v+`"`)
			if a.status != 200 || caseOf(a)["state"] != "parked" {
				t.Fatalf("%d %v", a.status, a.body)
			}
			again := f.as(operator, "POST", "/api/v1/cases/"+dispatched.TrackingNo+"/dispatch", `{"team_code":"team-anhai"}`, "If-Match", `"`+v+`"`)
			if again.status != 409 {
				t.Fatalf("the old version passed again: %d %v", again.status, again.body)
			}
		})
	})
}

// TestAPIOverdueFilter files a case with the workflow's clock a month back, so that its
// deadline has passed, and lists the overdue cases.
func TestAPIOverdueFilter(t *testing.T) {
	eachAPI(t, func(t *testing.T, f *fixture) {
		f.shift.Store(int64(30 * 24 * time.Hour))
		late := f.dispatched()
		parkedLate := f.act(operator, f.dispatched(), workflow.Request{Action: models.ActionPark, Note: "挂账"})
		f.shift.Store(0)
		onTime := f.dispatched()
		a := f.as(operator, "GET", "/api/v1/cases?overdue=true", "")
		if got := trackingNos(a); a.status != 200 || len(got) != 1 || got[0] != late.TrackingNo {
			t.Fatalf("overdue = %d %v; want only %s (not the parked %s nor %s)", a.status, got, late.TrackingNo,
				parkedLate.TrackingNo, onTime.TrackingNo)
		}
		if c := a.body["cases"].([]any)[0].(map[string]any); c["overdue"] != true {
			t.Fatalf("overdue case shown as %v", c)
		}
		if d := caseOf(f.as(operator, "GET", "/api/v1/cases/"+onTime.TrackingNo, "")); d["overdue"] != false {
			t.Fatalf("case on time shown as %v", d)
		}
	})
}
