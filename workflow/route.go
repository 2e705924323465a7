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
		return Decision{Reason: "matter not determined: to the county platform's triage queue (待分流)"}
	}
	t, ok := county.Townships[c.Location.TownshipCode]
	if !ok {
		return Decision{Reason: fmt.Sprintf("%s: township not determined: to the county platform's triage queue (待分流)", m.Name)}
	}
	if d, inForce := models.DelegatedAt(county.Delegations, m.Code, t.Code, at); inForce {
		return county.township(m, t, d, at)
	}
	return county.department(m, t, at)
}

// township routes a delegated matter to the township's team.
func (county County) township(m models.Matter, t models.Township, d models.Delegation, at time.Time) Decision {
	why := fmt.Sprintf("%s delegated to %s since %s, %s, batch %d", m.Name, t.Name,
		d.Effective.In(at.Location()).Format("2006-01-02"), d.Situation.Chinese(), d.Batch)
	team, ok := county.team(models.TeamTownship, func(tm models.Team) bool { return tm.TownshipCode == t.Code })
	if !ok {
		return Decision{Reason: why + "; but " + t.Name + " has no enforcement team: to triage (待分流)"}
	}
	if !county.receivable(team.Code) {
		return Decision{Reason: why + "; but nobody of " + team.Name + " can receive it (no bound member): to triage (待分流)"}
	}
	return Decision{TeamCode: team.Code, Reason: why + ": to " + team.Name}
}

// department routes a matter kept at the county to its department's team.
func (county County) department(m models.Matter, t models.Township, at time.Time) Decision {
	dep := county.Departments[m.DepartmentCode]
	why := fmt.Sprintf("%s not delegated to %s on %s", m.Name, t.Name, at.Format("2006-01-02"))
	if d, _ := models.DelegatedAt(county.Delegations, m.Code, t.Code, at); d.MatterCode != "" {
		why += fmt.Sprintf(" (%s", d.Situation.Chinese())
		switch {
		case d.Situation == models.SituationDeferred && d.RetainedBy != "":
			why += ", kept by " + d.RetainedBy
		case d.Delegated && !d.Effective.IsZero():
			why += fmt.Sprintf(", batch %d in force from %s", d.Batch, d.Effective.In(at.Location()).Format("2006-01-02"))
		}
		why += ")"
	}
	team, ok := county.team(models.TeamDepartment, func(tm models.Team) bool { return tm.DepartmentCode == m.DepartmentCode })
	if !ok {
		return Decision{Reason: why + "; " + dep.Name + " has no team: to triage (待分流)"}
	}
	if !county.receivable(team.Code) {
		return Decision{Reason: why + "; nobody of " + team.Name + " can receive it (no bound member): to triage (待分流)"}
	}
	return Decision{TeamCode: team.Code, Reason: why + ": to " + team.Name + " through the county platform"}
}

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
