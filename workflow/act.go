package workflow

import (
	"context"
	"slices"
	"strings"
	"time"

	"gridbot/models"
)

// System is gridbot itself as the actor of automatic steps (routing, supervision).
func System() models.Person { return models.Person{Role: models.RoleSystem, Name: "系统"} }

// Request asks for one action on a case.
type Request struct {
	Action        models.Action
	Actor         models.Person
	TrackingNo    string
	Note          string  // reason, result or remark; required by some actions (ignored by urge)
	TeamCode      string  // dispatch, reassign: the team that gets the case
	MatterCode    string  // dispatch from triage: the matter the platform chose
	AssigneeID    int64   // assign: the member who gets it
	Days          int     // request_extension: working days asked for
	Score         int     // rate: 1 to 5
	MergeInto     string  // merge: the tracking number of the case that stays
	AttachmentIDs []int64 // photos of handling or results
	Version       int64   // when set, the case must still be at this version
	// TargetTeams are the codes of the teams a transfer (one) or a joint enforcement request (one
	// or more) asks (see ResolveTeam); none: the platform decides. The platform's decision on
	// such a request names the team it decides for in TeamCode (else: every team asked).
	TargetTeams []string
}

// change is one action being applied: the case as it will be stored and what it causes.
type change struct {
	w       *Workflow
	ctx     context.Context
	req     Request
	before  models.Case
	c       models.Case
	now     time.Time
	note    string
	intents []models.Intent
	// reporter is the case's reporter if already read (ID 0 otherwise).
	reporter models.Person
	// result is the handling result the reporter is shown, filtered (finish, verify_pass).
	result string
	// last is the notice the change rendered last, as rendered.
	last     models.Notice
	rendered []byte
}

// Act applies an action to a case: it checks the state machine, the actor's role and
// jurisdiction and the action's own rules, then stores the case with an event and the
// notifications it causes. A case someone else changed meanwhile is a models.EConflict that
// names who has it now.
func (w *Workflow) Act(ctx context.Context, r Request) (models.Case, error) {
	c, err := w.store.CaseByTrackingNo(ctx, r.TrackingNo)
	if err != nil {
		return models.Case{}, err
	}
	if !w.MaySee(r.Actor, c) && !w.followerUrges(ctx, r, c) {
		return models.Case{}, models.Errorf(models.ENotFound, "case %s not found", r.TrackingNo)
	}
	if r.Version != 0 && r.Version != c.Version {
		return models.Case{}, w.conflict(ctx, c.ID, r.TrackingNo)
	}
	return w.apply(ctx, c, r)
}

// apply runs an action on a loaded case.
func (w *Workflow) apply(ctx context.Context, c models.Case, r Request) (models.Case, error) {
	ch, ev, err := w.prepare(ctx, c, r, models.Person{})
	if err != nil {
		return models.Case{}, err
	}
	var stored models.Case
	err = w.write(ctx, ch.intents, func() (err error) {
		stored, err = w.store.UpdateCase(ctx, ch.c, ev, ch.intents)
		return err
	})
	if models.ErrorCodeOf(err) == models.EConflict {
		return models.Case{}, w.conflict(ctx, c.ID, c.TrackingNo)
	}
	return stored, err
}

// prepare checks an action and works out the case it leaves, its event and its intents,
// without storing anything. reporter is the case's reporter when the caller has them at hand
// (else the zero person: they are read when needed).
func (w *Workflow) prepare(ctx context.Context, c models.Case, r Request, reporter models.Person) (*change, models.Event, error) {
	to, err := models.Next(r.Action, c.State, r.Actor.Role)
	if err != nil {
		return nil, models.Event{}, err
	}
	if err := w.mayAct(r.Actor, c, r.Action); err != nil {
		return nil, models.Event{}, err
	}
	ch := &change{w: w, ctx: ctx, req: r, before: c, c: c, now: models.EventTime(w.now()), note: strings.TrimSpace(r.Note),
		reporter: reporter}
	ch.c.State = to
	if err := ch.run(); err != nil {
		return nil, models.Event{}, err
	}
	ch.settle()
	ev := models.Event{ActorID: r.Actor.ID, ActorRole: r.Actor.Role, Action: r.Action, FromState: c.State,
		ToState: ch.c.State, Note: ch.note, AttachmentIDs: r.AttachmentIDs, At: ch.now}
	return ch, ev, nil
}

// conflict explains that someone else changed the case first, naming who has it now.
func (w *Workflow) conflict(ctx context.Context, id int64, no string) error {
	now, err := w.store.CaseByID(ctx, id)
	if err != nil {
		return models.Errorf(models.EConflict, "case %s was changed by someone else", no)
	}
	if now.AssigneeID != 0 {
		if p, err := w.store.PersonByID(ctx, now.AssigneeID); err == nil {
			return models.Errorf(models.EConflict, "case %s is already %s by %s", no, now.State.Chinese(), p.Name)
		}
	}
	return models.Errorf(models.EConflict, "case %s was changed by someone else: it is now %s", no, now.State.Chinese())
}

// MaySee reports whether a person may see a case at all: its reporter, the county's platform
// and supervisors, the staff of the team that has it or of its township's team, the grid
// workers who check it, and the staff of a team asked to take it over or to join its enforcement.
func (w *Workflow) MaySee(p models.Person, c models.Case) bool {
	switch p.Role {
	case models.RoleSystem, models.RolePlatformOperator, models.RoleSupervisor, models.RoleAdmin:
		return true
	case models.RoleCitizen:
		return c.ReporterID == p.ID
	}
	if c.ReporterID == p.ID || (p.TeamCode != "" && p.TeamCode == c.TeamCode) || w.gridWorkerOf(p, c) || asked(p, c) {
		return true
	}
	for _, t := range w.county().Teams {
		if t.Code == p.TeamCode && t.Kind == models.TeamTownship && t.TownshipCode == c.Location.TownshipCode {
			return true
		}
	}
	return false
}

// mayAct checks the actor's relation to the case beyond their role: officers act on their
// team's cases, a leader decides a request their team was asked, reporters rate their own; the
// reporting grid worker verifies their reports, and a citizen's case is verified by a grid worker
// of its grid (or of its village's grids when it has no grid), the team's leader or the platform.
func (w *Workflow) mayAct(p models.Person, c models.Case, a models.Action) error {
	if a == models.ActionUrge {
		return nil // the reporter or a follower: urge.go checks
	}
	if kind, _ := models.RequestOf(a); kind != "" && p.Role == models.RoleTeamLeader {
		return mayDecide(p, c)
	}
	switch p.Role {
	case models.RoleSystem, models.RolePlatformOperator, models.RoleSupervisor:
		return nil
	case models.RoleOfficer, models.RoleTeamLeader:
		if a == models.ActionRate || a == models.ActionReopen {
			return reporterOnly(p, c)
		}
		if a == models.ActionVerifyPass || a == models.ActionVerifyFail {
			return w.mayVerify(p, c)
		}
		if p.TeamCode != c.TeamCode {
			return models.Errorf(models.EForbidden, "case %s belongs to another team", c.TrackingNo)
		}
		return nil
	case models.RoleGridWorker:
		if a == models.ActionVerifyPass || a == models.ActionVerifyFail {
			return w.mayVerify(p, c)
		}
		return reporterOnly(p, c)
	case models.RoleCitizen:
		return reporterOnly(p, c)
	}
	return models.Errorf(models.EForbidden, "a %s may not %s a case", p.Role, a)
}

// reporterOnly allows only the case's reporter.
func reporterOnly(p models.Person, c models.Case) error {
	if c.ReporterID != p.ID {
		return models.Errorf(models.EForbidden, "only the reporter of case %s may do this", c.TrackingNo)
	}
	return nil
}

// mayVerify allows the grid worker who reported the case; for other cases the grid workers of its
// grid or village, and the leader of the team that handled it (the platform may always).
func (w *Workflow) mayVerify(p models.Person, c models.Case) error {
	if c.Source == models.SourceGridWorker {
		if p.ID == c.ReporterID {
			return nil
		}
		return models.Errorf(models.EForbidden, "case %s is checked by the grid worker who reported it", c.TrackingNo)
	}
	if w.gridWorkerOf(p, c) || (p.Role == models.RoleTeamLeader && p.TeamCode == c.TeamCode) {
		return nil
	}
	return models.Errorf(models.EForbidden, "case %s is checked by its grid's worker, its team's leader or the platform", c.TrackingNo)
}

// gridWorkerOf reports whether p is a grid worker of the case's grid, or of any grid of its
// village when the case is placed at the village only (they check results on site).
func (w *Workflow) gridWorkerOf(p models.Person, c models.Case) bool {
	if p.Role != models.RoleGridWorker {
		return false
	}
	grids := w.county().gridsOf(c.Location)
	for _, g := range p.GridCodes {
		if slices.Contains(grids, g) {
			return true
		}
	}
	return false
}
