package workflow

import (
	"fmt"
	"slices"

	"gridbot/models"
)

// A team that cannot handle a case alone asks other teams: a transfer (移送) hands the case to one
// receiving team, joint enforcement (联合执法) asks one or more to join. The request waits on the
// case (Case.Pending) until the leader of each team asked, or the platform, decides.

// request records a transfer or joint enforcement request and sends its card to the leaders of
// the teams asked and to the platform. Without teams named the platform decides, and names the
// receiving team when it accepts. A transfer keeps the case's assignee, to whom a refusal
// returns it.
func (ch *change) request() error {
	c := &ch.c
	teams, err := ch.requestedTeams()
	if err != nil {
		return err
	}
	if ch.req.Action == models.ActionRequestJoint && c.Pending.Kind == models.ActionRequestJoint {
		return models.Errorf(models.EConflict, "case %s already has a joint enforcement request waiting", c.TrackingNo)
	}
	c.Pending = models.PendingRequest{Kind: ch.req.Action, Teams: teams, FromTeam: c.TeamCode,
		FromState: ch.before.State, ByID: ch.req.Actor.ID}
	ch.note = ch.requestNote(teams)
	for _, team := range teams {
		for _, p := range ch.w.county().staffOf(team, models.RoleTeamLeader) {
			ch.add(models.NoticeRequest, p, ch.decisionCard())
		}
	}
	for _, p := range ch.w.county().platformOperators() {
		ch.add(models.NoticeRequest, p, ch.decisionCard())
	}
	if ch.req.Action == models.ActionTransfer {
		ch.toReporter()
	}
	return nil
}

// requestedTeams checks the teams a request names: known teams other than the platform and the
// case's own, each once; a transfer names at most one.
func (ch *change) requestedTeams() ([]string, error) {
	var teams []string
	for _, code := range ch.req.TargetTeams {
		t, ok := ch.w.county().teamByCode(code)
		switch {
		case !ok || t.Kind == models.TeamPlatform:
			return nil, models.Errorf(models.EInvalid, "unknown receiving team %q", code)
		case code == ch.c.TeamCode:
			return nil, models.Errorf(models.EInvalid, "case %s is already with %s", ch.c.TrackingNo, code)
		case !slices.Contains(teams, code):
			teams = append(teams, code)
		}
	}
	if ch.req.Action == models.ActionTransfer && len(teams) > 1 {
		return nil, models.Errorf(models.EInvalid, "a transfer goes to one team, not %d", len(teams))
	}
	return teams, nil
}

// decisionCard is the request card for a team asked and the platform: the case's details and
// the replies that decide.
func (ch *change) decisionCard() models.Notice {
	n := ch.notice(true)
	n.Contact = "" // for the team that has the case only
	n.Shortcuts = decisionShortcuts(ch.c.Pending.Kind, ch.c.TrackingNo, len(ch.c.Pending.Teams) > 0)
	return n
}

// decide answers the pending request: the teams the actor decides for accept or refuse it. A
// refusal needs a reason.
func (ch *change) decide() error {
	kind, accept := models.RequestOf(ch.req.Action)
	if ch.c.Pending.Kind != kind {
		return models.Errorf(models.EConflict, "case %s has no %s request waiting for a decision", ch.c.TrackingNo, kind.Chinese())
	}
	if !accept && ch.note == "" {
		return models.Errorf(models.EInvalid, "%s (%s) needs a reason", ch.req.Action, ch.req.Action.Chinese())
	}
	teams, err := ch.decidingFor(accept)
	if err != nil {
		return err
	}
	switch {
	case kind == models.ActionTransfer && accept:
		return ch.acceptTransfer(teams[0])
	case kind == models.ActionTransfer:
		return ch.refuseTransfer()
	}
	return ch.answerJoint(teams, accept)
}

// decidingFor returns the teams a decision is made for: the leader's own team; for the platform
// the team it names (one asked, or any receiving team when none was asked) or else every team
// asked. Accepting needs a team.
func (ch *change) decidingFor(accept bool) ([]string, error) {
	p, actor := ch.c.Pending, ch.req.Actor
	if actor.Role == models.RoleTeamLeader {
		return []string{actor.TeamCode}, nil // mayAct checked that it was asked
	}
	teams := p.Teams
	if code := ch.req.TeamCode; code != "" {
		t, ok := ch.w.county().teamByCode(code)
		if !ok || t.Kind == models.TeamPlatform || code == p.FromTeam || (len(p.Teams) > 0 && !p.Awaits(code)) {
			return nil, models.Errorf(models.EInvalid, "team %q was not asked and cannot receive case %s", code, ch.c.TrackingNo)
		}
		teams = []string{code}
	}
	if accept && len(teams) == 0 {
		return nil, models.Errorf(models.EInvalid, "name the team that receives case %s (team_code)", ch.c.TrackingNo)
	}
	if accept && p.Kind == models.ActionTransfer && len(teams) > 1 {
		return nil, models.Errorf(models.EInvalid, "a transfer goes to one team")
	}
	return teams, nil
}

// acceptTransfer dispatches the case to the receiving team with fresh deadlines; the requesting
// team is told, and the reporter sees the case dispatched.
func (ch *change) acceptTransfer(team string) error {
	c := &ch.c
	from := c.Pending.FromTeam
	county := ch.w.county()
	c.RouteReason = fmt.Sprintf(msgTransferRoute, county.teamName(from), county.teamName(team), ch.req.Actor.Name)
	c.TeamCode, c.AssigneeID, c.Pending = team, 0, models.PendingRequest{}
	if err := ch.startClock(); err != nil {
		return err
	}
	if ch.note == "" {
		ch.note = c.RouteReason
	}
	ch.toTeam(models.NoticeDispatched)
	ch.toStaffOf(from, models.NoticeRequest)
	ch.toReporter()
	return nil
}

// refuseTransfer gives the case back to the requesting team in the state it had, with the
// reason on a card to that team.
func (ch *change) refuseTransfer() error {
	c := &ch.c
	c.State = c.Pending.FromState
	if !slices.Contains([]models.State{models.StateDispatched, models.StateSigned, models.StateHandling}, c.State) {
		c.State = models.StateDispatched
	}
	c.Pending = models.PendingRequest{}
	ch.note = fmt.Sprintf(msgRefusedBy, ch.deciderName(), ch.note)
	ch.toTeam(models.NoticeRequest)
	ch.toReporter()
	return nil
}

// answerJoint records the teams that join (or refuse to join) the enforcement; the case stays
// with the requesting team, which is told, as are the teams that join.
func (ch *change) answerJoint(teams []string, accept bool) error {
	c := &ch.c
	rest := slices.DeleteFunc(slices.Clone(c.Pending.Teams), func(t string) bool { return slices.Contains(teams, t) })
	c.Pending.Teams = rest
	if len(rest) == 0 {
		c.Pending = models.PendingRequest{}
	}
	names := ch.w.county().teamNames(teams)
	if !accept {
		ch.note = fmt.Sprintf(msgRefusedBy, ch.deciderName(), ch.note)
		ch.toTeam(models.NoticeRequest)
		return nil
	}
	for _, t := range teams {
		if !slices.Contains(c.JointTeams, t) {
			c.JointTeams = append(c.JointTeams, t)
		}
	}
	ch.note = joinNote(fmt.Sprintf(msgJointAccepted, names), ch.note)
	ch.toTeam(models.NoticeRequest)
	for _, t := range teams {
		ch.toStaffOf(t, models.NoticeRequest)
	}
	return nil
}

// deciderName names who decided: the leader's team, or the platform.
func (ch *change) deciderName() string {
	if ch.req.Actor.Role == models.RoleTeamLeader {
		return ch.w.county().teamName(ch.req.Actor.TeamCode)
	}
	return msgPlatform
}

// requestNote is the event's and the card's note of a request: who is asked, and why.
func (ch *change) requestNote(teams []string) string {
	names := msgPlatformDecides
	if len(teams) > 0 {
		names = ch.w.county().teamNames(teams)
	}
	if ch.req.Action == models.ActionTransfer {
		return fmt.Sprintf(msgTransferAsked, names, ch.note)
	}
	return fmt.Sprintf(msgJointAsked, names, ch.note)
}

// settle drops what an action made moot: a transfer request once the case left 已移送, a joint
// request once the case left the requesting team or the states it was asked in; and the teams
// that joined once another team has the case.
func (ch *change) settle() {
	c := &ch.c
	switch p := c.Pending; {
	case p.Kind == models.ActionTransfer && c.State != models.StateTransferred,
		p.Kind == models.ActionRequestJoint && (c.TeamCode != p.FromTeam || !jointState(c.State)):
		c.Pending = models.PendingRequest{}
	}
	if c.TeamCode != ch.before.TeamCode {
		c.JointTeams = nil
	}
}

// jointState reports whether joint enforcement may be asked or answered in a state.
func jointState(s models.State) bool {
	return s == models.StateSigned || s == models.StateHandling || s == models.StateExtensionRequested
}

// mayDecide allows a team leader to decide a request only for their own team, and only when it
// was asked.
func mayDecide(p models.Person, c models.Case) error {
	if !c.Pending.Awaits(p.TeamCode) {
		return models.Errorf(models.EForbidden, "case %s has no request for %s to decide", c.TrackingNo, p.TeamCode)
	}
	return nil
}

// asked reports whether a member of staff belongs to a team that is asked to decide on the
// case's request, or that joined its enforcement: they may see the case.
func asked(p models.Person, c models.Case) bool {
	return p.Staff() && p.TeamCode != "" && (c.Pending.Awaits(p.TeamCode) || slices.Contains(c.JointTeams, p.TeamCode))
}

// toStaffOf notifies the officers and leaders of a team other than the case's.
func (ch *change) toStaffOf(team, kind string) {
	for _, p := range ch.w.county().staffOf(team, models.RoleOfficer, models.RoleTeamLeader) {
		ch.add(kind, p, ch.notice(true))
	}
}

// staffOf lists the members of a team who hold one of the roles.
func (county County) staffOf(team string, roles ...models.Role) []models.Person {
	var out []models.Person
	for _, p := range county.Members[team] {
		if slices.Contains(roles, p.Role) {
			out = append(out, p)
		}
	}
	return out
}

// platformOperators lists the operators of the county platform.
func (county County) platformOperators() []models.Person {
	var out []models.Person
	for _, t := range county.Teams {
		if t.Kind == models.TeamPlatform {
			out = append(out, county.staffOf(t.Code, models.RolePlatformOperator)...)
		}
	}
	return out
}

// teamName names a team, or gives its code when it is unknown.
func (county County) teamName(code string) string {
	if t, ok := county.teamByCode(code); ok {
		return t.Name
	}
	return code
}

// teamNames names several teams, separated by 、.
func (county County) teamNames(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = county.teamName(c)
	}
	return joinNames(names)
}
