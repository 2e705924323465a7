package deployment_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"gridbot/deployment"
	"gridbot/models"
)

// shanghai is the county's time zone in these tests.
func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// parseSample parses the bundled sample county.
func parseSample(t *testing.T) models.Deployment {
	t.Helper()
	f, err := os.Open("../examples/jinjiang.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := deployment.Parse(f, "jinjiang.yaml", shanghai(t))
	if err != nil {
		t.Fatalf("sample county does not parse:\n%v", err)
	}
	return d
}

func TestSampleCountyMeetsTheIssue(t *testing.T) {
	d := parseSample(t)
	if len(d.Townships) < 5 || len(d.Matters) < 30 {
		t.Errorf("%d townships, %d matters", len(d.Townships), len(d.Matters))
	}
	depts := map[string]bool{}
	for _, m := range d.Matters {
		depts[m.DepartmentCode] = true
	}
	if len(depts) < 8 {
		t.Errorf("matters span %d departments, want 8 or more", len(depts))
	}
	situations := map[models.Situation]bool{}
	var notYet, bounded int
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, shanghai(t))
	for _, dl := range d.Delegations {
		situations[dl.Situation] = true
		if dl.Delegated && !dl.InForce(now) {
			notYet++
		}
	}
	for _, g := range d.Grids {
		if len(g.Boundary) > 0 {
			bounded++
		}
	}
	if len(situations) != 5 || notYet == 0 || bounded == 0 {
		t.Errorf("situations %v, %d delegations not yet in force, %d grids with a boundary", situations, notYet, bounded)
	}
	var codes, issue int
	for _, m := range d.Staff {
		if m.BindingCode != "" {
			codes++
		}
		if m.IssueCode {
			issue++
		}
	}
	if codes == 0 || issue == 0 {
		t.Errorf("%d explicit binding codes, %d to issue", codes, issue)
	}
}

func TestSampleCountyStaffingWarnings(t *testing.T) {
	ws := deployment.Staffing(parseSample(t))
	var text []string
	for _, w := range ws {
		text = append(text, w.Message)
	}
	got := strings.Join(text, "\n")
	for _, want := range []string{"has 5 enforcement posts", "has no legal reviewer (法制审核员)"} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "sit in township teams") {
		t.Errorf("the sample county meets the 80%% rule, but:\n%s", got)
	}
}

func TestStaffingShareRule(t *testing.T) {
	d := models.Deployment{
		Townships: []models.Township{{Code: "a", Name: "甲镇"}},
		Teams: []models.Team{{Code: "ta", Kind: models.TeamTownship, TownshipCode: "a"},
			{Code: "td", Kind: models.TeamDepartment, DepartmentCode: "x"}},
	}
	for i := 0; i < 7; i++ {
		role := models.RoleOfficer
		if i == 0 {
			role = models.RoleLegalReviewer
		}
		d.Staff = append(d.Staff, models.StaffMember{Person: models.Person{Role: role, TeamCode: "ta"}})
	}
	for i := 0; i < 2; i++ {
		d.Staff = append(d.Staff, models.StaffMember{Person: models.Person{Role: models.RoleOfficer, TeamCode: "td"}})
	}
	ws := deployment.Staffing(d)
	if len(ws) != 1 || !strings.Contains(ws[0].Message, "only 7 of 9 enforcement posts (78%)") {
		t.Fatalf("warnings %+v", ws)
	}
}

// base is a small valid deployment file; broken variants replace one of its lines.
const base = `county: {code: "350582", name: 晋江市}
townships:
  - code: anhai
    name: 安海镇
    villages:
      - code: anhai-anping
        name: 安平社区
        center: {lat: 24.6993, lng: 118.4548}
        grids:
          - {code: anhai-anping-01, name: 第一网格}
departments:
  - {code: cgj, name: 晋江市城市管理局}
matters:
  - code: CG-001
    name: 违法占道经营
    department: cgj
    keywords: [摆摊]
    urgency: normal
    sign_limit: 2h
    handle_limit: 5d
    delegations:
      - {townships: all, situation: priority, delegated: true, batch: 1, effective: "2023-05-01"}
teams:
  - code: team-anhai
    name: 安海镇综合执法队
    kind: township
    township: anhai
    members:
      - {code: p-1, name: 林志强, role: team_leader, binding_code: 7K3M9QWE}
people:
  - {code: gw-1, name: 陈美玲, role: grid_worker, grids: [anhai-anping-01], binding_code: issue}
colloquial:
  - {say: 逐暝, means: 每晚}
  - {say: " 厝 ", means: 房子}
`

func TestParseValidFile(t *testing.T) {
	d, err := deployment.Parse(strings.NewReader(base), "t.yaml", shanghai(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Delegations) != 1 || d.Delegations[0].TownshipCode != "anhai" ||
		!d.Delegations[0].Effective.Equal(time.Date(2023, 5, 1, 0, 0, 0, 0, shanghai(t))) {
		t.Errorf("delegations %+v", d.Delegations)
	}
	if len(d.Staff) != 2 || d.Staff[0].BindingCode != "7K3M9QWE" || !d.Staff[1].IssueCode {
		t.Errorf("staff %+v", d.Staff)
	}
	if want := []models.Colloquial{{Say: "逐暝", Means: "每晚"}, {Say: "厝", Means: "房子"}}; !slices.Equal(d.Colloquial, want) {
		t.Errorf("colloquial %+v, want %+v", d.Colloquial, want)
	}
}

func TestParseReportsLineNumberedProblems(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"delegation names unknown township", "townships: all, situation", "townships: [nowhere], situation",
			"t.yaml:22: delegation of matter \"CG-001\" names unknown township \"nowhere\""},
		{"matter without department", "    department: cgj\n", "",
			"t.yaml:14: matter \"CG-001\" has no department"},
		{"matter with unknown department", "    department: cgj\n", "    department: hb\n",
			"t.yaml:14: matter \"CG-001\" names unknown department \"hb\""},
		{"duplicate code", "  - {code: gw-1,", "  - {code: p-1,",
			"t.yaml:31: duplicate person code \"p-1\" (first defined on line 29)"},
		{"deferred and delegated", "situation: priority", "situation: 暂缓下放",
			"t.yaml:22: delegation of matter \"CG-001\": 暂缓下放 (deferred) cannot be delegated: true"},
		{"bad situation", "situation: priority", "situation: 下放",
			"t.yaml:22: delegation of matter \"CG-001\": situation \"下放\": want one of"},
		{"bad time limit", "sign_limit: 2h", "sign_limit: 2w",
			"t.yaml:14: matter \"CG-001\": sign_limit: time limit \"2w\": want Nh (working hours) or Nd (working days)"},
		{"unknown field", "    urgency: normal", "    urgncy: normal",
			"t.yaml:18: unknown field \"urgncy\""},
		{"unknown grid", "grids: [anhai-anping-01]", "grids: [anhai-anping-09]",
			"t.yaml:31: person \"gw-1\" names unknown grid \"anhai-anping-09\""},
		{"bad binding code", "binding_code: 7K3M9QWE", "binding_code: 0O1I",
			"t.yaml:29: person \"p-1\": binding_code must be"},
		{"syntax error", "    kind: township", "    kind: [township",
			"t.yaml:25: did not find expected ',' or ']'"},
		{"wrong type", "batch: 1,", "batch: one,",
			"t.yaml:22: cannot unmarshal !!str `one` into int"},
		{"bad role", "role: team_leader", "role: boss",
			"t.yaml:29: person \"p-1\": role \"boss\""},
		{"open boundary ring", "name: 第一网格}", "name: 第一网格, boundary: {type: Polygon, coordinates: " +
			"[[[118.45, 24.69], [118.46, 24.69], [118.46, 24.70], [118.45, 24.70]]]}}",
			"t.yaml:10: grid \"anhai-anping-01\": boundary has a ring that is not closed or has fewer than 4 positions"},
		{"empty boundary", "name: 第一网格}", "name: 第一网格, boundary: {type: MultiPolygon, coordinates: []}}",
			"t.yaml:10: grid \"anhai-anping-01\": boundary has no polygons"},
		{"point as boundary", "name: 第一网格}", "name: 第一网格, boundary: {type: Point, coordinates: [118.45, 24.69]}}",
			"t.yaml:10: grid \"anhai-anping-01\": boundary must be a Polygon or MultiPolygon, got Point"},
		{"boundary in lat, lng order", "name: 第一网格}", "name: 第一网格, boundary: {type: Polygon, coordinates: " +
			"[[[24.69, 118.45], [24.69, 118.46], [24.70, 118.46], [24.69, 118.45]]]}}",
			"t.yaml:10: grid \"anhai-anping-01\": boundary has position [24.69, 118.45] out of range ([lng, lat] order)"},
		{"colloquial listed twice", "{say: \" 厝 \", means: 房子}", "{say: 逐暝, means: 每天晚上}",
			"t.yaml:34: colloquial \"逐暝\" is listed twice (first on line 33)"},
		{"colloquial without meaning", "means: 每晚}", "means: \"\"}",
			"t.yaml:33: colloquial entry needs a word in both say and means"},
		{"colloquial that means itself", "means: 每晚}", "means: 逐暝}",
			"t.yaml:33: colloquial \"逐暝\" means itself"},
		{"colloquial too long", "means: 每晚}", "means: 每天晚上每天晚上每天晚上每天晚上每天晚上每天晚上每天晚上每天晚上每天晚上}",
			"t.yaml:33: colloquial \"逐暝\": say is at most 16 characters and means at most 32"},
		{"colloquial unknown field", "means: 每晚}", "meaning: 每晚}",
			"t.yaml:33: unknown field \"meaning\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(base, tt.old) {
				t.Fatalf("base lacks %q", tt.old)
			}
			src := strings.Replace(base, tt.old, tt.new, 1)
			_, err := deployment.Parse(strings.NewReader(src), "t.yaml", shanghai(t))
			if err == nil {
				t.Fatal("broken file accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}
