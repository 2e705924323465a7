package workflow

import (
	"testing"

	"gridbot/models"
)

func TestRedact(t *testing.T) {
	county := NewCounty(nil, nil, nil, nil, nil, []models.Person{
		{Name: "陈建华", Role: models.RoleOfficer, TeamCode: "team-anhai"},
		{Name: "林志强", Role: models.RoleTeamLeader, TeamCode: "team-anhai"},
		{Name: "陈美玲", Role: models.RoleGridWorker, GridCodes: []string{"g1"}},
		{Name: "欧阳明", Role: models.RoleGridWorker, GridCodes: []string{"g2"}},
		{Name: "陈美", Role: models.RoleGridWorker, GridCodes: []string{"g3"}},
		{Name: "王", Role: models.RoleOfficer, TeamCode: "team-anhai"}, // one rune: not a name to mask
	})
	tests := []struct{ name, in, want string }{
		{"nothing personal", "摊贩已清理，道路恢复通行", "摊贩已清理，道路恢复通行"},
		{"mobile", "已联系当事人13812345678，已整改", "已联系当事人***，已整改"},
		{"mobile with spaces", "电话 138 1234 5678 已回访", "电话 *** 已回访"},
		{"mobile with dashes", "138-1234-5678", "***"},
		{"landline", "请拨0595-85123456咨询", "请拨***咨询"},
		{"landline in brackets", "(0595)85123456", "***"},
		{"beijing landline", "010-12345678", "***"},
		{"two numbers", "13812345678或15900001111", "***或***"},
		{"tracking number stays", "与26120300099合并处理", "与26120300099合并处理"},
		{"longer digit run stays", "身份证350582199001011234", "身份证350582199001011234"},
		{"a date stays", "2026-11-27 已复查", "2026-11-27 已复查"},
		{"twelve digits are not a mobile", "138123456789", "138123456789"},
		{"officer and leader", "陈建华、林志强到场处置", "陈某、林某到场处置"},
		{"a name inside a longer one", "陈美玲和陈美", "陈某和陈某"},
		{"compound surname keeps its first rune", "欧阳明复查", "欧某复查"},
		{"one-rune names stay", "王先生已签字", "王先生已签字"},
		{"name and phone", "陈建华（13900001111）已处理", "陈某（***）已处理"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := county.redact(tt.in); got != tt.want {
				t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
