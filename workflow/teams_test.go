package workflow_test

import (
	"bytes"
	"testing"

	"gridbot/deployment"
	"gridbot/examples"
	"gridbot/models"
	"gridbot/workflow"
)

// sampleCounty is the county snapshot of the sample deployment file (examples/jinjiang.yaml).
func sampleCounty(t *testing.T) workflow.County {
	t.Helper()
	d, err := deployment.Parse(bytes.NewReader(examples.SampleCounty()), examples.SampleCountyName, shanghai(t, 1, 0, 0).Location())
	if err != nil {
		t.Fatal(err)
	}
	var people []models.Person
	for _, s := range d.Staff {
		people = append(people, s.Person)
	}
	return workflow.NewCounty(d.Townships, d.Departments, d.Matters, d.Delegations, d.Teams, people)
}

func TestResolveTeamOnTheSampleCounty(t *testing.T) {
	county := sampleCounty(t)
	tests := []struct {
		text string
		want string // team code; "" when nothing or several match
	}{
		// 晋江市市场监督管理局 and its team, as people write them
		{"市场监管", "team-dept-scjgj"},
		{"市场监督管理局", "team-dept-scjgj"},
		{"晋江市市场监督管理局", "team-dept-scjgj"},
		{"市场监管局", "team-dept-scjgj"},
		{"市监局", "team-dept-scjgj"},
		{"晋江市场监管局", "team-dept-scjgj"},
		{"市场监管执法队", "team-dept-scjgj"},
		{"晋江市市场监督管理局执法稽查大队", "team-dept-scjgj"},
		{" 市场监管。", "team-dept-scjgj"},
		{"scjgj", "team-dept-scjgj"},
		{"team-dept-scjgj", "team-dept-scjgj"},
		// other departments
		{"城管", "team-dept-cgj"},
		{"城管局", "team-dept-cgj"},
		{"城管执法大队", "team-dept-cgj"},
		{"城市管理局", "team-dept-cgj"},
		{"生态环境局", "team-dept-sthjj"},
		{"环保局", "team-dept-sthjj"},
		{"泉州市晋江生态环境局", "team-dept-sthjj"},
		{"消防", "team-dept-xfjy"},
		{"消防局", "team-dept-xfjy"},
		{"交通局", "team-dept-jtysj"},
		{"交通运输综合执法大队", "team-dept-jtysj"},
		{"农业农村局", "team-dept-nyncj"},
		{"文旅局", "team-dept-wtlj"},
		{"文化市场执法队", "team-dept-wtlj"},
		{"应急管理局", "team-dept-yjglj"},
		{"自然资源局", "team-dept-zrzyj"},
		{"国土", "team-dept-zrzyj"},
		{"水利局", "team-dept-slj"},
		{"水政监察大队", "team-dept-slj"},
		// township teams, for a department that transfers back
		{"安海镇", "team-anhai"},
		{"安海", "team-anhai"},
		{"安海镇综合执法队", "team-anhai"},
		{"安海执法队", "team-anhai"},
		{"磁灶镇", "team-cizao"},
		{"青阳街道", "team-qingyang"},
		{"ＡＮＨＡＩ", "team-anhai"},
		// departments without a team, ambiguous and empty texts: nothing
		{"住建局", ""},
		{"住房和城乡建设局", ""},
		{"卫健局", ""},
		{"市场", ""},  // 市场监督管理局 and 文化市场综合执法大队
		{"晋江", ""},  // every department
		{"执法队", ""}, // every team
		{"局", ""},
		{"综合执法", ""},
		{"指挥中心", ""}, // the platform is not a receiving team
		{"公安局", ""},
		{"", ""},
		{"。", ""},
	}
	for _, tt := range tests {
		got, ok := county.ResolveTeam(tt.text)
		if ok != (tt.want != "") || got.Code != tt.want {
			t.Errorf("ResolveTeam(%q) = %q, %v; want %q", tt.text, got.Code, ok, tt.want)
		}
	}
}

func TestResolveTeamsSplitsTheNames(t *testing.T) {
	county := sampleCounty(t)
	teams, unknown := county.ResolveTeams("市场监管 生态环境、市场监督管理局，住建局")
	var codes []string
	for _, tm := range teams {
		codes = append(codes, tm.Code)
	}
	if len(codes) != 2 || codes[0] != "team-dept-scjgj" || codes[1] != "team-dept-sthjj" {
		t.Errorf("teams %v, want team-dept-scjgj and team-dept-sthjj, each once", codes)
	}
	if len(unknown) != 1 || unknown[0] != "住建局" {
		t.Errorf("unknown %q, want 住建局", unknown)
	}
}
