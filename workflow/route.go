package workflow

import (
	"fmt"
	"time"

	"gridbot/models"
)

// County is the county's catalogue and organisation as routing needs it: a snapshot built from
// the store at start-up (and after an import).
type County struct {
	Townships   map[string]models.Township
	Departments map[string]models.Department
	Matters     map[string]models.Matter
	Delegations []models.Delegation
	Teams       []models.Team
	Members     map[string][]models.Person // by team code
	GridWorkers map[string][]models.Person // by grid code
	// VillageGrids lists the grid codes of each village (by village code); WithGrids fills it.
	VillageGrids map[string][]string
	// names are the staff's names, longest first: the names a reporter's notice masks.
	names []string
}

// NewCounty indexes the county's parts.
func NewCounty(ts []models.Township, ds []models.Department, ms []models.Matter, dl []models.Delegation,
	teams []models.Team, people []models.Person) County {
	c := County{Townships: map[string]models.Township{}, Departments: map[string]models.Department{},
		Matters: map[string]models.Matter{}, Delegations: dl, Teams: teams, Members: map[string][]models.Person{},
		GridWorkers: map[string][]models.Person{}}
	for _, t := range ts {
		c.Townships[t.Code] = t
	}
	for _, d := range ds {
		c.Departments[d.Code] = d
	}
	for _, m := range ms {
		c.Matters[m.Code] = m
	}
	c.names = staffNames(people)
	for _, p := range people {
		if p.TeamCode != "" {
			c.Members[p.TeamCode] = append(c.Members[p.TeamCode], p)
		}
		if p.Role == models.RoleGridWorker {
			for _, g := range p.GridCodes {
				c.GridWorkers[g] = append(c.GridWorkers[g], p)
			}
		}
	}
	return c
}

// WithGrids returns the county with its grids indexed by village: the grid workers of a
// village verify the cases placed at the village but at no grid.
func (county County) WithGrids(grids []models.Grid) County {
	county.VillageGrids = map[string][]string{}
	for _, g := range grids {
		if g.VillageCode != "" {
			county.VillageGrids[g.VillageCode] = append(county.VillageGrids[g.VillageCode], g.Code)
		}
	}
	return county
}

// Decision is where routing sends a case and why, in words a supervisor can read.
type Decision struct {
	TeamCode string // the team that gets the case; "" means the platform's triage queue
	Reason   string
}

// Triage reports whether the case goes to the platform's triage queue.
func (d Decision) Triage() bool { return d.TeamCode == "" }

// Route applies the 5433 rules: a matter delegated to the case's township and in force goes to
// the township's enforcement team; otherwise to the owning county department's team through
// the county platform; an unknown matter or township, or a target with nobody who can receive
// it, goes to the platform's triage queue.
func Route(county County, c models.Case, at time.Time) Decision {
	m, ok := county.Matters[c.MatterCode]
	if !ok {
		return Decision{Reason: reasonNoMatter}
	}
	t, ok := county.Townships[c.Location.TownshipCode]
	if !ok {
		return Decision{Reason: fmt.Sprintf(reasonNoTownship, m.Name)}
	}
	if d, inForce := models.DelegatedAt(county.Delegations, m.Code, t.Code, at); inForce {
		return county.township(m, t, d, at)
	}
	return county.department(m, t, at)
}

// township routes a delegated matter to the township's team.
func (county County) township(m models.Matter, t models.Township, d models.Delegation, at time.Time) Decision {
	why := fmt.Sprintf(reasonDelegated, m.Name, day(d.Effective, at), d.Situation.Chinese(), d.Batch, t.Name)
	team, ok := county.team(models.TeamTownship, func(tm models.Team) bool { return tm.TownshipCode == t.Code })
	if !ok {
		return Decision{Reason: why + fmt.Sprintf(reasonNoTownTeam, t.Name)}
	}
	if !county.receivable(team.Code) {
		return Decision{Reason: why + fmt.Sprintf(reasonNobodyBound, team.Name)}
	}
	return Decision{TeamCode: team.Code, Reason: why + fmt.Sprintf(reasonToTeam, team.Name)}
}

// department routes a matter kept at the county to its department's team.
func (county County) department(m models.Matter, t models.Township, at time.Time) Decision {
	dep := county.Departments[m.DepartmentCode]
	why := fmt.Sprintf(reasonNotDelegated, m.Name, at.Format("2006-01-02"), t.Name)
	if d, _ := models.DelegatedAt(county.Delegations, m.Code, t.Code, at); d.MatterCode != "" {
		why += situationNote(d, at)
	}
	team, ok := county.team(models.TeamDepartment, func(tm models.Team) bool { return tm.DepartmentCode == m.DepartmentCode })
	if !ok {
		return Decision{Reason: why + fmt.Sprintf(reasonNoDeptTeam, dep.Name)}
	}
	if !county.receivable(team.Code) {
		return Decision{Reason: why + fmt.Sprintf(reasonNobodyBound, team.Name)}
	}
	return Decision{TeamCode: team.Code, Reason: why + fmt.Sprintf(reasonViaPlatform, team.Name)}
}

// situationNote says why a listed matter is not delegated yet: who keeps a deferred one, or
// from when its batch is in force.
func situationNote(d models.Delegation, at time.Time) string {
	switch {
	case d.Situation == models.SituationDeferred && d.RetainedBy != "":
		return fmt.Sprintf(reasonKeptBy, d.Situation.Chinese(), d.RetainedBy)
	case d.Delegated && !d.Effective.IsZero():
		return fmt.Sprintf(reasonLaterBatch, d.Situation.Chinese(), d.Batch, day(d.Effective, at))
	}
	return fmt.Sprintf(reasonSituation, d.Situation.Chinese())
}

// day is the date of t in the time zone of at.
func day(t, at time.Time) string { return t.In(at.Location()).Format("2006-01-02") }

// team finds the first team of a kind ("" for any) that matches.
func (county County) team(kind models.TeamKind, match func(models.Team) bool) (models.Team, bool) {
	for _, t := range county.Teams {
		if (kind == "" || t.Kind == kind) && match(t) {
			return t, true
		}
	}
	return models.Team{}, false
}

// receivable reports whether a team has an officer or leader bound to WeChat or WeCom.
func (county County) receivable(teamCode string) bool {
	for _, p := range county.Members[teamCode] {
		if (p.Role == models.RoleOfficer || p.Role == models.RoleTeamLeader) && !p.Unreachable &&
			(p.OpenID != "" || p.WeComUserID != "") {
			return true
		}
	}
	return false
}
