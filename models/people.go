package models

import "time"

// Role is what a person may do in gridbot.
type Role string

// The roles. RoleSystem is gridbot itself (routing, supervision), never a person's role.
const (
	RoleCitizen          Role = "citizen"
	RoleGridWorker       Role = "grid_worker"
	RoleOfficer          Role = "officer"
	RoleTeamLeader       Role = "team_leader"
	RoleLegalReviewer    Role = "legal_reviewer"
	RolePlatformOperator Role = "platform_operator"
	RoleSupervisor       Role = "supervisor"
	RoleAdmin            Role = "admin"
	RoleSystem           Role = "system"
)

// Roles lists every role a person can hold.
func Roles() []Role {
	return []Role{RoleCitizen, RoleGridWorker, RoleOfficer, RoleTeamLeader, RoleLegalReviewer,
		RolePlatformOperator, RoleSupervisor, RoleAdmin}
}

// Valid reports whether r is a role a person can hold.
func (r Role) Valid() bool {
	for _, x := range Roles() {
		if r == x {
			return true
		}
	}
	return false
}

// EnforcementPost reports whether the role fills an enforcement post (执法岗位) of a team.
func (r Role) EnforcementPost() bool {
	return r == RoleOfficer || r == RoleTeamLeader || r == RoleLegalReviewer
}

// TeamKind says which level a team works at.
type TeamKind string

// The kinds of team.
const (
	TeamTownship   TeamKind = "township"   // 乡镇（街道）综合执法队
	TeamDepartment TeamKind = "department" // a county department's team
	TeamPlatform   TeamKind = "platform"   // the county unified command platform
)

// Valid reports whether k is a known team kind.
func (k TeamKind) Valid() bool {
	return k == TeamTownship || k == TeamDepartment || k == TeamPlatform
}

// Team is a township enforcement team, a county department team or the county platform.
type Team struct {
	Code           string
	Name           string
	Kind           TeamKind
	TownshipCode   string // for TeamTownship
	DepartmentCode string // for TeamDepartment
}

// Channel is a way to reach a person.
type Channel string

// The channels.
const (
	ChannelWeChat Channel = "wechat" // the Official Account
	ChannelWeCom  Channel = "wecom"  // the WeCom application
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return c == ChannelWeChat || c == ChannelWeCom }

// Person is anyone gridbot knows: a citizen who wrote in, or staff from the deployment file.
type Person struct {
	ID               int64
	Code             string // stable key from the deployment file; empty for citizens
	Name             string
	Phone            string
	Role             Role
	TeamCode         string
	GridCodes        []string // for grid workers
	OpenID           string   // WeChat Official Account openid
	WeComUserID      string
	PreferredChannel Channel
	Unreachable      bool // unsubscribed or refused: do not send
	LastInboundAt    time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Staff reports whether the person works for the county (anyone but a citizen).
func (p Person) Staff() bool { return p.Role != RoleCitizen && p.Role != "" }

// BindingCode is a one-time code that links a WeChat account to a person from the deployment file.
type BindingCode struct {
	PersonID  int64
	Hash      string // sha256 of the code; the code itself is not stored
	ExpiresAt time.Time
	UsedAt    time.Time
}
