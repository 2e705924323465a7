package handlers_test

import (
	"slices"
	"testing"

	"gridbot/models"
	"gridbot/workflow"
)

// transferAsked is a signed case of team-anhai whose officer asked to transfer it to the
// county's market regulation team.
func (f *fixture) transferAsked() models.Case {
	f.t.Helper()
	c := f.act(anhaiOfficer, f.dispatched(), workflow.Request{Action: models.ActionSign})
	return f.act(anhaiOfficer, c, workflow.Request{Action: models.ActionTransfer, Note: "属于无证经营",
		TargetTeams: []string{"team-dept-scjgj"}})
}

// jointAsked is a signed case of team-anhai whose officer asked the market regulation team to
// join its enforcement.
func (f *fixture) jointAsked() models.Case {
	f.t.Helper()
	c := f.act(anhaiOfficer, f.dispatched(), workflow.Request{Action: models.ActionSign})
	return f.act(anhaiOfficer, c, workflow.Request{Action: models.ActionRequestJoint, Note: "涉及无证经营",
		TargetTeams: []string{"team-dept-scjgj"}})
}

func TestAPIDecidesRequests(t *testing.T) {
	eachAPI(t, func(t *testing.T, f *fixture) {
		tests := []struct {
			name  string
			seed  func() models.Case
			path  string
			body  string
			state models.State
			check func(t *testing.T, c models.Case)
		}{
			{"accept a transfer", f.transferAsked, "transfer/accept", `{"note":"同意接收"}`, models.StateDispatched,
				func(t *testing.T, c models.Case) {
					if c.TeamCode != "team-dept-scjgj" || c.Pending.Open() {
						t.Errorf("accepted transfer left %+v", c)
					}
				}},
			{"refuse a transfer", f.transferAsked, "transfer/refuse", `{"reason":"不属于市场监管职责"}`, models.StateSigned,
				func(t *testing.T, c models.Case) {
					if c.TeamCode != "team-anhai" || c.AssigneeID != f.people[anhaiOfficer].ID || c.Pending.Open() {
						t.Errorf("refused transfer left %+v", c)
					}
				}},
			{"accept joint enforcement", f.jointAsked, "joint/accept", ``, models.StateSigned,
				func(t *testing.T, c models.Case) {
					if c.TeamCode != "team-anhai" || !slices.Equal(c.JointTeams, []string{"team-dept-scjgj"}) || c.Pending.Open() {
						t.Errorf("accepted joint request left %+v", c)
					}
				}},
			{"refuse joint enforcement", f.jointAsked, "joint/refuse", `{"reason":"人手不足","team_code":"team-dept-scjgj"}`,
				models.StateSigned, func(t *testing.T, c models.Case) {
					if len(c.JointTeams) != 0 || c.Pending.Open() {
						t.Errorf("refused joint request left %+v", c)
					}
				}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := tt.seed()
				path := "/api/v1/cases/" + before.TrackingNo + "/" + tt.path
				detail := f.as(operator, "GET", "/api/v1/cases/"+before.TrackingNo, "")
				pending, _ := caseOf(detail)["pending_request"].(map[string]any)
				if pending["kind"] != string(before.Pending.Kind) || pending["from_team"] != "team-anhai" {
					t.Errorf("pending request shown as %v", pending)
				}
				a := f.as(operator, "POST", path, tt.body)
				if a.status != 200 || caseOf(a)["state"] != string(tt.state) {
					t.Fatalf("status %d: %v", a.status, a.body)
				}
				if _, ok := caseOf(a)["pending_request"]; ok {
					t.Errorf("answer still shows a pending request: %v", caseOf(a))
				}
				after, err := f.store.CaseByTrackingNo(ctx, before.TrackingNo)
				if err != nil {
					t.Fatal(err)
				}
				tt.check(t, after)
				if again := f.as(operator, "POST", path, tt.body); again.status != 409 {
					t.Errorf("deciding twice: %d %v, want 409", again.status, again.body)
				}
			})
		}
		t.Run("a refusal needs a reason", func(t *testing.T) {
			c := f.transferAsked()
			if a := f.as(operator, "POST", "/api/v1/cases/"+c.TrackingNo+"/transfer/refuse", `{}`); a.status != 400 {
				t.Errorf("refusal without a reason: %d %v", a.status, a.body)
			}
		})
	})
}

func TestAPIReceivingLeaderDecides(t *testing.T) {
	eachAPI(t, func(t *testing.T, f *fixture) {
		// A county department's officer transfers a case back to the township's team.
		c := f.act(operator, f.dispatched(), workflow.Request{Action: models.ActionReassign, TeamCode: "team-dept-cgj"})
		c = f.act(departmentStaff, c, workflow.Request{Action: models.ActionSign})
		c = f.act(departmentStaff, c, workflow.Request{Action: models.ActionTransfer, Note: "属镇街下放事项",
			TargetTeams: []string{"team-anhai"}})
		path := "/api/v1/cases/" + c.TrackingNo
		if a := f.as(cizaoOfficer, "POST", path+"/transfer/accept", ``); a.status != 404 {
			t.Errorf("another team's officer: %d, want 404", a.status)
		}
		if a := f.as(anhaiOfficer, "POST", path+"/transfer/accept", ``); a.status != 403 {
			t.Errorf("an officer of the receiving team: %d, want 403", a.status)
		}
		if a := f.as(anhaiLeader, "POST", path+"/transfer/accept", ``); a.status != 200 || caseOf(a)["team_code"] != "team-anhai" ||
			caseOf(a)["state"] != string(models.StateDispatched) {
			t.Fatalf("the receiving leader accepts: %d %v", a.status, a.body)
		}
		events, err := f.store.Events(ctx, c.ID)
		if err != nil || events[len(events)-1].Action != models.ActionAcceptTransfer ||
			events[len(events)-1].ActorID != f.people[anhaiLeader].ID {
			t.Fatalf("last event %+v, %v", events[len(events)-1], err)
		}
	})
}

func TestAPIContactPhoneForTheAssignedTeamOnly(t *testing.T) {
	eachAPI(t, func(t *testing.T, f *fixture) {
		c := f.submit(draft{matter: "CG-001", township: "anhai", phone: "138 0595 1001"})
		path := "/api/v1/cases/" + c.TrackingNo
		for _, tt := range []struct {
			who  string
			want any
		}{
			{anhaiOfficer, "13805951001"}, {anhaiLeader, "13805951001"}, {anhaiReviewer, "13805951001"},
			{operator, nil}, {supervisor, nil}, {admin, nil},
		} {
			a := f.as(tt.who, "GET", path, "")
			if a.status != 200 || caseOf(a)["contact_phone"] != tt.want {
				t.Errorf("%s sees contact_phone %v (status %d), want %v", tt.who, caseOf(a)["contact_phone"], a.status, tt.want)
			}
			list := f.as(tt.who, "GET", "/api/v1/cases?team=team-anhai", "")
			for _, x := range list.body["cases"].([]any) {
				if v := x.(map[string]any); v["tracking_no"] == c.TrackingNo && v["contact_phone"] != tt.want {
					t.Errorf("%s lists contact_phone %v, want %v", tt.who, v["contact_phone"], tt.want)
				}
			}
		}
	})
}
