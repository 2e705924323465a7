package workflow

import (
	"strings"
	"testing"
	"time"

	"gridbot/models"
)

// testCounty is a small county with every routing situation.
func testCounty() County {
	cst := time.FixedZone("CST", 8*3600)
	may := time.Date(2023, 5, 1, 0, 0, 0, 0, cst)
	later := time.Date(2027, 3, 1, 0, 0, 0, 0, cst)
	d := func(town, matter string, s models.Situation, delegated bool, batch int, eff time.Time, kept string) models.Delegation {
		return models.Delegation{TownshipCode: town, MatterCode: matter, Situation: s, Delegated: delegated, Batch: batch,
			Effective: eff, RetainedBy: kept}
	}
	bound := func(team string, role models.Role, openid string) models.Person {
		return models.Person{TeamCode: team, Role: role, OpenID: openid}
	}
	return NewCounty(
		[]models.Township{{Code: "anhai", Name: "安海镇"}, {Code: "dongshi", Name: "东石镇"}, {Code: "yonghe", Name: "永和镇"}},
		[]models.Department{{Code: "cgj", Name: "晋江市城市管理局"}, {Code: "scj", Name: "晋江市市场监督管理局"},
			{Code: "hbj", Name: "泉州市晋江生态环境局"}, {Code: "wjj", Name: "晋江市卫生健康局"}, {Code: "zrj", Name: "晋江市自然资源局"}},
		[]models.Matter{{Code: "CG-001", Name: "违法占道经营", DepartmentCode: "cgj"},
			{Code: "YJ-001", Name: "危险化学品经营", DepartmentCode: "cgj"},
			{Code: "SJ-001", Name: "无照经营", DepartmentCode: "scj"},
			{Code: "HB-001", Name: "河道排污", DepartmentCode: "hbj"},
			{Code: "ZR-001", Name: "违法占用耕地建房", DepartmentCode: "zrj"},
			{Code: "WJ-001", Name: "公共场所卫生", DepartmentCode: "wjj"}},
		[]models.Delegation{
			d("anhai", "CG-001", models.SituationPriority, true, 1, may, ""),
			d("dongshi", "CG-001", models.SituationPriority, true, 1, may, ""),
			d("yonghe", "CG-001", models.SituationPriority, true, 1, may, ""),
			d("anhai", "YJ-001", models.SituationAssessed, true, 2, may, ""),
			d("dongshi", "YJ-001", models.SituationAssessed, false, 0, time.Time{}, ""),
			d("anhai", "SJ-001", models.SituationDeferred, false, 1, may, "安海市场监督管理所"),
			d("anhai", "HB-001", models.SituationStatutory, true, 3, later, ""),
			d("anhai", "ZR-001", models.SituationWhole, true, 1, may, ""),
		},
		[]models.Team{{Code: "team-anhai", Name: "安海镇综合执法队", Kind: models.TeamTownship, TownshipCode: "anhai"},
			{Code: "team-dongshi", Name: "东石镇综合执法队", Kind: models.TeamTownship, TownshipCode: "dongshi"},
			{Code: "team-cgj", Name: "城市管理执法大队", Kind: models.TeamDepartment, DepartmentCode: "cgj"},
			{Code: "team-scj", Name: "市场监管执法队", Kind: models.TeamDepartment, DepartmentCode: "scj"},
			{Code: "team-hbj", Name: "生态环境执法大队", Kind: models.TeamDepartment, DepartmentCode: "hbj"}},
		[]models.Person{bound("team-anhai", models.RoleOfficer, "o1"), bound("team-dongshi", models.RoleLegalReviewer, "o2"),
			{TeamCode: "team-dongshi", Role: models.RoleOfficer}, bound("team-cgj", models.RoleTeamLeader, "o3"),
			bound("team-scj", models.RoleOfficer, "o4"), {TeamCode: "team-hbj", Role: models.RoleOfficer, WeComUserID: "w5"}},
	)
}

func TestRoute(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	tests := []struct {
		name, matter, township string
		team, reason           string
	}{
		{"优先下放 in force", "CG-001", "anhai", "team-anhai",
			"违法占道经营 已于2023-05-01 按优先下放（第1批）赋予安海镇：派安海镇综合执法队"},
		{"评估下放 delegated", "YJ-001", "anhai", "team-anhai",
			"危险化学品经营 已于2023-05-01 按评估下放（第2批）赋予安海镇：派安海镇综合执法队"},
		{"评估下放 not delegated here", "YJ-001", "dongshi", "team-cgj",
			"危险化学品经营 截至2026-11-27 未赋予东石镇（评估下放）：经县平台派城市管理执法大队"},
		{"暂缓下放 stays with the department", "SJ-001", "anhai", "team-scj",
			"无照经营 截至2026-11-27 未赋予安海镇（暂缓下放，由安海市场监督管理所保留）：经县平台派市场监管执法队"},
		{"依法下放 batch not yet in force", "HB-001", "anhai", "team-hbj",
			"河道排污 截至2026-11-27 未赋予安海镇（依法下放，第3批自2027-03-01起施行）：经县平台派生态环境执法大队"},
		{"整体下放", "ZR-001", "anhai", "team-anhai",
			"违法占用耕地建房 已于2023-05-01 按整体下放（第1批）赋予安海镇：派安海镇综合执法队"},
		{"matter kept at the county", "WJ-001", "anhai", "",
			"公共场所卫生 截至2026-11-27 未赋予安海镇，但晋江市卫生健康局没有执法队伍：转县平台待分流"},
		{"unknown matter", "", "anhai", "", "事项未确定：转县平台待分流"},
		{"unknown township", "CG-001", "", "", "违法占道经营 所在乡镇未确定：转县平台待分流"},
		{"team with no bound officer", "CG-001", "dongshi", "",
			"违法占道经营 已于2023-05-01 按优先下放（第1批）赋予东石镇，但东石镇综合执法队无人绑定微信或企业微信：转县平台待分流"},
		{"township without a team", "CG-001", "yonghe", "",
			"违法占道经营 已于2023-05-01 按优先下放（第1批）赋予永和镇，但永和镇没有综合执法队：转县平台待分流"},
	}
	county := testCounty()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := models.Case{MatterCode: tt.matter, Location: models.Location{TownshipCode: tt.township}}
			got := Route(county, c, now)
			if got.TeamCode != tt.team || got.Reason != tt.reason {
				t.Errorf("Route = %q, %q\nwant     %q, %q", got.TeamCode, got.Reason, tt.team, tt.reason)
			}
			if strings.IndexFunc(got.Reason, asciiLetter) >= 0 {
				t.Errorf("reason %q has ASCII letters: it is shown to people in Chinese", got.Reason)
			}
			if got.Triage() != (tt.team == "") {
				t.Errorf("Triage() = %v", got.Triage())
			}
		})
	}
	// The same statutory matter is routed to the township once its batch is in force.
	later := time.Date(2027, 3, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	if got := Route(county, models.Case{MatterCode: "HB-001", Location: models.Location{TownshipCode: "anhai"}}, later); got.TeamCode != "team-anhai" {
		t.Errorf("HB-001 after 2027-03-01 → %q (%s)", got.TeamCode, got.Reason)
	}
	// A department team reachable only by WeCom still receives.
	dept := testCounty()
	dept.Members["team-hbj"][0].WeComUserID = ""
	if got := Route(dept, models.Case{MatterCode: "HB-001", Location: models.Location{TownshipCode: "anhai"}}, now); !got.Triage() {
		t.Errorf("a department team with no bound member got the case: %+v", got)
	}
}

// asciiLetter reports whether r is an ASCII letter.
func asciiLetter(r rune) bool { return r < 128 && (r|0x20 >= 'a' && r|0x20 <= 'z') }

func TestPlaceName(t *testing.T) {
	county := testCounty()
	tests := []struct {
		loc  models.Location
		want string
	}{
		{models.Location{TownshipCode: "anhai", Address: "安平路12号"}, "安海镇 安平路12号"},
		{models.Location{TownshipCode: "anhai", Address: "安海镇型厝村村口"}, "安海镇型厝村村口"},
		{models.Location{TownshipCode: "anhai"}, "安海镇"},
		{models.Location{Address: "安平路12号"}, "安平路12号"},
	}
	for _, tt := range tests {
		if got := county.placeName(tt.loc); got != tt.want {
			t.Errorf("placeName(%+v) = %q, want %q", tt.loc, got, tt.want)
		}
	}
}
