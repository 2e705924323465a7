package deployment_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"gridbot/deployment"
	"gridbot/models"
)

// smallCounty is a county of two townships, one village and grid, two matters and two people.
func smallCounty() models.Deployment {
	may := time.Date(2023, 5, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	return models.Deployment{
		County:      models.County{Code: "c", Name: "县"},
		Townships:   []models.Township{{Code: "a", Name: "甲镇"}, {Code: "b", Name: "乙镇"}},
		Villages:    []models.Village{{Code: "a-1", Name: "一村", TownshipCode: "a", Center: &models.Point{Lat: 24.7, Lng: 118.4}}},
		Grids:       []models.Grid{{Code: "a-1-g", Name: "一网格", VillageCode: "a-1", Boundary: json.RawMessage(`{"type": "Polygon"}`)}},
		Departments: []models.Department{{Code: "cgj", Name: "城管局"}},
		Matters: []models.Matter{
			{Code: "M1", Name: "占道经营", DepartmentCode: "cgj", Keywords: []string{"摆摊"}},
			{Code: "M2", Name: "无照经营", DepartmentCode: "cgj"},
		},
		Delegations: []models.Delegation{
			{MatterCode: "M1", TownshipCode: "a", Situation: models.SituationPriority, Delegated: true, Batch: 1, Effective: may},
			{MatterCode: "M1", TownshipCode: "b", Situation: models.SituationPriority, Delegated: true, Batch: 1, Effective: may},
			{MatterCode: "M2", TownshipCode: "a", Situation: models.SituationDeferred, RetainedBy: "安海所"},
		},
		Teams: []models.Team{{Code: "t-a", Name: "甲镇综合执法队", Kind: models.TeamTownship, TownshipCode: "a"}},
		Staff: []models.StaffMember{
			{Person: models.Person{Code: "p1", Name: "张三", Role: models.RoleOfficer, TeamCode: "t-a"}},
			{Person: models.Person{Code: "g1", Name: "李四", Role: models.RoleGridWorker, GridCodes: []string{"a-1-g"}}},
		},
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name        string
		change      func(stored, file *models.Deployment)
		want        map[string]deployment.KindDiff // kinds with something to say; the others are unchanged
		undelegated []deployment.Undelegated
	}{
		{name: "the same county", change: func(_, _ *models.Deployment) {}},
		{name: "stored times in UTC, JSON re-spaced, empty lists and channel defaulted", change: func(stored, _ *models.Deployment) {
			for i := range stored.Delegations {
				stored.Delegations[i].Effective = stored.Delegations[i].Effective.UTC()
			}
			stored.Grids[0].Boundary = json.RawMessage(`{"type":"Polygon"}`)
			stored.Matters[1].Keywords = []string{}
			stored.Staff[0].Person.PreferredChannel = models.ChannelWeChat
		}},
		{name: "a binding made since the import is kept", change: func(stored, _ *models.Deployment) {
			stored.Staff[0].Person.OpenID = "oBound"
		}},
		{name: "added, changed and kept rows", change: func(stored, file *models.Deployment) {
			file.Townships[1].Name = "乙街道"
			file.Villages = append(file.Villages, models.Village{Code: "b-1", Name: "二村", TownshipCode: "b"})
			file.Villages[0].Center = nil
			file.Matters[0].Keywords = []string{"摆摊", "地摊"}
			file.Matters[0].LegalBasis = "条例"
			file.Staff = file.Staff[:1]
			file.Staff[0].Person.OpenID = "oNew"
			stored.Departments = append(stored.Departments, models.Department{Code: "old", Name: "旧局"})
			file.Teams = append(file.Teams, models.Team{Code: "t-b", Name: "乙镇综合执法队", Kind: models.TeamTownship, TownshipCode: "b"})
		}, want: map[string]deployment.KindDiff{
			"townships":   {Changed: []deployment.Change{{Code: "b", Fields: []string{"name"}}}, Same: 1},
			"villages":    {Added: []string{"b-1"}, Changed: []deployment.Change{{Code: "a-1", Fields: []string{"center"}}}},
			"departments": {Kept: []string{"old"}, Same: 1},
			"matters":     {Changed: []deployment.Change{{Code: "M1", Fields: []string{"keywords", "legal_basis"}}}, Same: 1},
			"teams":       {Added: []string{"t-b"}, Same: 1},
			"people":      {Changed: []deployment.Change{{Code: "p1", Fields: []string{"openid"}}}, Kept: []string{"g1"}},
		}},
		{name: "delegations the file lacks are removed", change: func(_, file *models.Deployment) {
			file.Delegations = file.Delegations[1:]
			file.Delegations[0].Batch = 2
		}, want: map[string]deployment.KindDiff{
			"delegations": {Removed: []string{"M1/a"}, Changed: []deployment.Change{{Code: "M1/b", Fields: []string{"batch"}}}, Same: 1},
		}},
		{name: "a matter whose delegations the file dropped", change: func(_, file *models.Deployment) {
			file.Delegations = file.Delegations[2:]
		}, want: map[string]deployment.KindDiff{
			"delegations": {Removed: []string{"M1/a", "M1/b"}, Same: 1},
		}, undelegated: []deployment.Undelegated{{Code: "M1", Name: "占道经营", InFile: true, Before: []string{"a", "b"}}}},
		{name: "a matter no longer in the file keeps no delegation", change: func(_, file *models.Deployment) {
			file.Matters = file.Matters[:1]
			file.Delegations = file.Delegations[:2]
		}, want: map[string]deployment.KindDiff{
			"matters":     {Kept: []string{"M2"}, Same: 1},
			"delegations": {Removed: []string{"M2/a"}, Same: 2},
		}, undelegated: []deployment.Undelegated{{Code: "M2", Name: "无照经营", Before: []string{"a"}}}},
		{name: "records that delegate nothing and keep nothing", change: func(_, file *models.Deployment) {
			for i := range file.Delegations[:2] {
				file.Delegations[i].Delegated = false
			}
			file.Delegations[2].RetainedBy = "磁灶所"
		}, want: map[string]deployment.KindDiff{
			"delegations": {Changed: []deployment.Change{{Code: "M1/a", Fields: []string{"delegated"}},
				{Code: "M1/b", Fields: []string{"delegated"}}, {Code: "M2/a", Fields: []string{"retained_by"}}}},
		}, undelegated: []deployment.Undelegated{{Code: "M1", Name: "占道经营", InFile: true, Before: []string{"a", "b"}}}},
		{name: "a new matter without delegations stays with its department", change: func(_, file *models.Deployment) {
			file.Matters = append(file.Matters, models.Matter{Code: "M3", Name: "废气", DepartmentCode: "cgj"})
		}, want: map[string]deployment.KindDiff{"matters": {Added: []string{"M3"}, Same: 2}}},
		{name: "an empty store", change: func(stored, _ *models.Deployment) { *stored = models.Deployment{} },
			want: map[string]deployment.KindDiff{
				"townships": {Added: []string{"a", "b"}}, "villages": {Added: []string{"a-1"}}, "grids": {Added: []string{"a-1-g"}},
				"departments": {Added: []string{"cgj"}}, "matters": {Added: []string{"M1", "M2"}},
				"delegations": {Added: []string{"M1/a", "M1/b", "M2/a"}}, "teams": {Added: []string{"t-a"}},
				"people": {Added: []string{"g1", "p1"}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stored, file := smallCounty(), smallCounty()
			tt.change(&stored, &file)
			got := deployment.Compare(stored, file)
			for _, k := range got.Kinds {
				want, ok := tt.want[k.Kind]
				if !ok {
					want = deployment.KindDiff{Same: unchanged(stored, k.Kind)}
				}
				want.Kind = k.Kind
				if diff := cmp.Diff(want, k, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s (-want +got):\n%s", k.Kind, diff)
				}
			}
			if diff := cmp.Diff(tt.undelegated, got.Undelegated, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("undelegated (-want +got):\n%s", diff)
			}
			if empty := len(tt.want) == 0; got.Empty() != empty {
				t.Errorf("Empty() = %v, want %v", got.Empty(), empty)
			}
		})
	}
}

// unchanged is how many rows of a kind the county has (all unchanged when the case says nothing of the kind).
func unchanged(d models.Deployment, kind string) int {
	return map[string]int{"townships": len(d.Townships), "villages": len(d.Villages), "grids": len(d.Grids),
		"departments": len(d.Departments), "matters": len(d.Matters), "delegations": len(d.Delegations),
		"teams": len(d.Teams), "people": len(d.Staff)}[kind]
}
