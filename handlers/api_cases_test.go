package handlers_test

import (
	"net/url"
	"sort"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gridbot/models"
	"gridbot/workflow"
)

// trackingNos returns the tracking numbers of a list answer, sorted.
func trackingNos(a answer) []string {
	out := []string{}
	cases, _ := a.body["cases"].([]any)
	for _, c := range cases {
		out = append(out, c.(map[string]any)["tracking_no"].(string))
	}
	sort.Strings(out)
	return out
}

// sortedNos returns the tracking numbers of cases, sorted.
func sortedNos(cs ...models.Case) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.TrackingNo)
	}
	sort.Strings(out)
	return out
}

func TestAPIListFilters(t *testing.T) {
	eachAPI(t, func(t *testing.T, f *fixture) {
		anhai := f.dispatched()
		signed := f.act(anhaiOfficer, f.dispatched(), workflow.Request{Action: models.ActionSign})
		cizao := f.submit(draft{matter: "CG-001", township: "cizao", text: "菜市场门口占道卖鱼"})
		triage := f.triaged()
		sthjj := f.submit(draft{matter: "HB-002", township: "chendai", text: "工厂烟囱冒黑烟 50%_浓度"})
		rejected := f.act(operator, f.triaged(), workflow.Request{Action: models.ActionReject, Note: "不属于执法事项"})
		all := sortedNos(anhai, signed, cizao, triage, sthjj, rejected)
		tests := []struct {
			query string
			want  []string
		}{
			{"", all},
			{"state=dispatched", sortedNos(anhai, cizao, sthjj)},
			{"state=signed,triage", sortedNos(signed, triage)},
			{"state=rejected", sortedNos(rejected)},
			{"township=cizao", sortedNos(cizao)},
			{"township=chendai", sortedNos(sthjj)},
			{"matter=HB-002", sortedNos(sthjj)},
			{"department=sthjj", sortedNos(sthjj)},
			{"department=cgj", sortedNos(anhai, signed, cizao)},
			{"team=team-anhai", sortedNos(anhai, signed)},
			{"q=" + url.QueryEscape("卖鱼"), sortedNos(cizao)},
			{"q=" + url.QueryEscape("%_"), sortedNos(sthjj)},
			{"q=" + url.QueryEscape("摆摊") + "&state=signed", sortedNos(signed)},
			{"overdue=false", all},
			{"overdue=true", []string{}},
		}
		for _, tt := range tests {
			t.Run(tt.query, func(t *testing.T) {
				a := f.as(supervisor, "GET", "/api/v1/cases?"+tt.query, "")
				if a.status != 200 {
					t.Fatalf("%d %v", a.status, a.body)
				}
				if diff := cmp.Diff(tt.want, trackingNos(a)); diff != "" || a.body["total"] != float64(len(tt.want)) {
					t.Fatalf("total %v; cases (-want +got):\n%s", a.body["total"], diff)
				}
			})
		}
		t.Run("newest first, in pages", func(t *testing.T) {
			first := f.as(operator, "GET", "/api/v1/cases?limit=4", "")
			second := f.as(operator, "GET", "/api/v1/cases?limit=4&offset=4", "")
			var got []string
			for _, a := range []answer{first, second} {
				for _, c := range a.body["cases"].([]any) {
					got = append(got, c.(map[string]any)["tracking_no"].(string))
				}
			}
			if len(got) != 6 || got[0] != rejected.TrackingNo || first.body["total"] != float64(6) || first.body["limit"] != float64(4) || second.body["offset"] != float64(4) {
				t.Fatalf("pages %v; first %v", got, first.body)
			}
			if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i] > got[j] }) {
				t.Fatalf("not newest first: %v", got)
			}
		})
		bad := []string{"state=open", "state=dispatched,nonsense", "overdue=yes", "limit=0", "limit=501", "limit=x",
			"offset=-1", "status=closed", "q=" + url.QueryEscape(string(make([]rune, 101)))}
		for _, q := range bad {
			t.Run("refused "+q, func(t *testing.T) {
				if a := f.as(operator, "GET", "/api/v1/cases?"+q, ""); a.status != 400 || a.errorCode() != "invalid" {
					t.Fatalf("%d %v", a.status, a.body)
				}
			})
		}
	})
}

// TestAPIListScope checks that each role lists exactly what it may see.
func TestAPIListScope(t *testing.T) {
	eachAPI(t, func(t *testing.T, f *fixture) {
		anhai := f.dispatched()
		cizao := f.submit(draft{matter: "CG-001", township: "cizao", text: "菜市场门口占道卖鱼"})
		triage := f.triaged()
		reassigned := f.act(operator, f.dispatched(), workflow.Request{Action: models.ActionReassign, TeamCode: "team-dept-cgj"})
		tests := []struct {
			who  string
			want []string
		}{
			{operator, sortedNos(anhai, cizao, triage, reassigned)},
			{supervisor, sortedNos(anhai, cizao, triage, reassigned)},
			{admin, sortedNos(anhai, cizao, triage, reassigned)},
			{anhaiOfficer, sortedNos(anhai, triage, reassigned)}, // the township's cases, whoever has them
			{anhaiReviewer, sortedNos(anhai, triage, reassigned)},
			{cizaoOfficer, sortedNos(cizao)},
			{cizaoReviewer, sortedNos(cizao)},
			{departmentStaff, sortedNos(reassigned)},
		}
		for _, tt := range tests {
			t.Run(tt.who, func(t *testing.T) {
				a := f.as(tt.who, "GET", "/api/v1/cases", "")
				if diff := cmp.Diff(tt.want, trackingNos(a)); a.status != 200 || diff != "" {
					t.Fatalf("%d; cases (-want +got):\n%s", a.status, diff)
				}
				for _, no := range tt.want {
					if d := f.as(tt.who, "GET", "/api/v1/cases/"+no, ""); d.status != 200 {
						t.Errorf("listed %s but its detail is %d", no, d.status)
					}
				}
			})
		}
	})
}

func TestAPICaseDetail(t *testing.T) {
	eachAPI(t, func(t *testing.T, f *fixture) {
		att, err := f.store.AddAttachment(ctx, models.Attachment{MediaID: "media-1", MIMEType: "image/jpeg"})
		if err != nil {
			t.Fatal(err)
		}
		open := f.submit(draft{matter: "CG-001", township: "anhai", attachments: []int64{att.ID}})
		open = f.act(anhaiOfficer, open, workflow.Request{Action: models.ActionSign})
		tip := f.submit(draft{matter: "CG-001", township: "anhai", confidential: true, text: "有人偷偷摆摊"})

		a := f.as(operator, "GET", "/api/v1/cases/"+open.TrackingNo, "")
		if a.status != 200 || a.header.Get("ETag") != `"`+strconv.FormatInt(open.Version, 10)+`"` {
			t.Fatalf("%d %v %v", a.status, a.header, a.body)
		}
		c := caseOf(a)
		if c["tracking_no"] != open.TrackingNo || c["state"] != "signed" || c["state_name"] != "已签收" ||
			c["team_code"] != "team-anhai" || c["matter_code"] != "CG-001" || c["handle_deadline"] == nil ||
			c["location"].(map[string]any)["township_code"] != "anhai" {
			t.Fatalf("case %v", c)
		}
		var actions []string
		for _, e := range a.body["events"].([]any) {
			actions = append(actions, e.(map[string]any)["action"].(string))
		}
		if diff := cmp.Diff([]string{"create", "dispatch", "sign"}, actions); diff != "" {
			t.Fatalf("events (-want +got):\n%s", diff)
		}
		first := a.body["events"].([]any)[0].(map[string]any)
		if ids := first["attachment_ids"].([]any); len(ids) != 1 || ids[0] != float64(att.ID) {
			t.Fatalf("first event %v", first)
		}
		atts := a.body["attachments"].([]any)
		if len(atts) != 1 || atts[0].(map[string]any)["id"] != float64(att.ID) || atts[0].(map[string]any)["fetched"] != false ||
			atts[0].(map[string]any)["media_id"] != nil || atts[0].(map[string]any)["path"] != nil {
			t.Fatalf("attachments %v", atts)
		}

		reporter := float64(f.citizen.ID)
		tests := []struct {
			name         string
			who          string
			c            models.Case
			showReporter bool
		}{
			{"operator, open case", operator, open, true},
			{"operator, confidential tip", operator, tip, false},
			{"supervisor, open case", supervisor, open, false},
			{"admin, open case", admin, open, false},
			{"officer of the team, open case", anhaiOfficer, open, false},
			{"officer of the team, confidential tip", anhaiOfficer, tip, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := f.as(tt.who, "GET", "/api/v1/cases/"+tt.c.TrackingNo, "")
				c := caseOf(a)
				_, hasReporter := c["reporter_id"]
				first := a.body["events"].([]any)[0].(map[string]any)
				_, hasActor := first["actor_id"]
				if a.status != 200 || hasReporter != tt.showReporter || hasActor != tt.showReporter {
					t.Fatalf("%d: reporter_id %v, first event %v; want shown %v", a.status, c["reporter_id"], first, tt.showReporter)
				}
				if tt.showReporter && (c["reporter_id"] != reporter || first["actor_id"] != reporter) {
					t.Fatalf("reporter %v, actor %v; want %v", c["reporter_id"], first["actor_id"], reporter)
				}
				second := a.body["events"].([]any)[1].(map[string]any)
				if second["actor_role"] != "system" || second["action"] != "dispatch" {
					t.Fatalf("second event %v", second)
				}
			})
		}
		t.Run("a merged case names the case it joined", func(t *testing.T) {
			stays := f.dispatched()
			f.act(operator, f.dispatched(), workflow.Request{Action: models.ActionMerge, MergeInto: stays.TrackingNo})
			list := f.as(operator, "GET", "/api/v1/cases?state=merged", "")
			no := list.body["cases"].([]any)[0].(map[string]any)["tracking_no"].(string)
			if c := caseOf(f.as(operator, "GET", "/api/v1/cases/"+no, "")); c["merged_into"] != stays.TrackingNo {
				t.Fatalf("merged case %v", c)
			}
		})
	})
}

func TestAPIVerifyIntactChain(t *testing.T) {
	eachAPI(t, func(t *testing.T, f *fixture) {
		c := f.act(anhaiOfficer, f.dispatched(), workflow.Request{Action: models.ActionSign})
		for _, who := range []string{operator, supervisor, anhaiLeader} {
			a := f.as(who, "GET", "/api/v1/cases/"+c.TrackingNo+"/verify", "")
			want := map[string]any{"tracking_no": c.TrackingNo, "events": float64(3), "intact": true}
			if diff := cmp.Diff(want, a.body); a.status != 200 || diff != "" {
				t.Fatalf("%s: %d (-want +got):\n%s", who, a.status, diff)
			}
		}
	})
}
