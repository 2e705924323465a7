package models

import "time"

// CaseFilter selects cases for the county platform's lists; a zero field does not filter.
type CaseFilter struct {
	States         []State
	TownshipCode   string
	DepartmentCode string // the department of the case's matter, or of the team that has it
	MatterCode     string
	TeamCode       string
	OverdueAt      time.Time  // when set: the team's clock runs and the handling deadline passed before it
	Text           string     // a piece of the description
	Scope          *CaseScope // nil: the whole county
	Limit          int
	Offset         int
}

// CaseScope is what a member of a team may see, as workflow.MaySee decides it: the cases their
// team has, the cases located in their team's township (for a township team), and their own
// reports.
type CaseScope struct {
	TeamCode   string
	ReporterID int64
}

// ClockRunning reports whether a team works on a case in this state against its handling deadline.
func (s State) ClockRunning() bool {
	switch s {
	case StateDispatched, StateSigned, StateHandling, StateExtensionRequested, StateReopened:
		return true
	}
	return false
}

// MayHoldAPIToken reports whether a role may hold a personal token for the county platform's API.
func (r Role) MayHoldAPIToken() bool {
	switch r {
	case RolePlatformOperator, RoleSupervisor, RoleAdmin, RoleTeamLeader, RoleOfficer, RoleLegalReviewer:
		return true
	}
	return false
}

// APIToken describes a personal API token without the token itself, which is never stored.
type APIToken struct {
	PersonID   int64
	Name       string
	HashPrefix string // the first characters of the token's sha256, to tell tokens apart
	CreatedAt  time.Time
	LastUsedAt time.Time // updated at most once a minute
	RevokedAt  time.Time
}
