package workflow

import (
	"fmt"
	"time"

	"gridbot/models"
)

// run applies the action's own rules to the case and collects its notifications.
func (ch *change) run() error {
	switch ch.req.Action {
	case models.ActionTriage:
		return ch.triage()
	case models.ActionDispatch, models.ActionReassign, models.ActionFinalRuling:
		return ch.dispatch()
	case models.ActionAssign:
		return ch.assign()
	case models.ActionReject, models.ActionPark:
		return ch.withReason(ch.reject)
	case models.ActionSign:
		return ch.sign()
	case models.ActionProgress:
		return ch.withReason(ch.progress)
	case models.ActionFinish:
		return ch.withReason(ch.finish)
	case models.ActionReturn:
		return ch.withReason(ch.giveBack)
	case models.ActionTransfer, models.ActionRequestJoint:
		return ch.withReason(ch.request)
	case models.ActionRequestExtension:
		return ch.withReason(ch.requestExtension)
	case models.ActionApproveExtension, models.ActionRefuseExtension:
		return ch.decideExtension()
	case models.ActionVerifyPass, models.ActionVerifyFail:
		return ch.verify()
	case models.ActionRate:
		return ch.rate()
	case models.ActionReopen:
		return ch.reopen()
	case models.ActionMerge:
		return ch.merge()
	case models.ActionChase, models.ActionEscalate:
		return ch.supervise() // supervise.go: the supervision fields and notices of the step
	case models.ActionAcceptTransfer, models.ActionRefuseTransfer, models.ActionAcceptJoint, models.ActionRefuseJoint:
		return ch.decide() // requests.go
	case models.ActionUrge:
		return ch.urge() // urge.go
	}
	return models.Errorf(models.EInvalid, "unknown action %q", ch.req.Action)
}

// withReason requires a note (a reason or a result) before running an action.
func (ch *change) withReason(fn func() error) error {
	if ch.note == "" {
		return models.Errorf(models.EInvalid, "%s (%s) needs a reason or result", ch.req.Action, ch.req.Action.Chinese())
	}
	return fn()
}

// triage parks the case in the platform's queue with the routing reason.
func (ch *change) triage() error {
	ch.c.TeamCode, ch.c.AssigneeID = "", 0
	ch.toPlatform(models.NoticeTriage)
	return nil
}

// dispatch gives the case to a team with fresh deadlines: the team named in the request, or
// the one routing picks for the system. A final ruling assigns it for good.
func (ch *change) dispatch() error {
	c := &ch.c
	if ch.req.MatterCode != "" {
		if _, ok := ch.w.county().Matters[ch.req.MatterCode]; !ok {
			return models.Errorf(models.EInvalid, "unknown matter %q", ch.req.MatterCode)
		}
		c.MatterCode = ch.req.MatterCode
	}
	team := ch.req.TeamCode
	if team == "" {
		d := Route(ch.w.county(), *c, ch.now.In(ch.w.loc))
		if d.Triage() {
			return models.Errorf(models.EInvalid, "no team to dispatch to: %s", d.Reason)
		}
		team, c.RouteReason = d.TeamCode, d.Reason
	} else if tm, ok := ch.w.county().teamByCode(team); !ok {
		return models.Errorf(models.EInvalid, "unknown team %q", team)
	} else if ch.req.Actor.Role != models.RoleSystem {
		c.RouteReason = byPersonNote(ch.req.Action, ch.req.Actor.Name, tm.Name)
	}
	if ch.req.Action == models.ActionFinalRuling {
		if c.ReturnCount < 2 {
			return models.Errorf(models.EConflict, "a final ruling comes after two returns; case %s was returned %d times", c.TrackingNo, c.ReturnCount)
		}
		c.FinalRuling = true
	}
	c.TeamCode, c.AssigneeID = team, 0
	if err := ch.startClock(); err != nil {
		return err
	}
	if ch.note == "" {
		ch.note = c.RouteReason
	}
	ch.toTeam(models.NoticeDispatched)
	ch.toReporter()
	return nil
}

// startClock sets the sign-for and handling deadlines from now, by the matter's limits and
// urgency, and clears the supervision steps of the previous deadlines.
func (ch *change) startClock() error {
	c := &ch.c
	sign, handle := limits(ch.w.county().Matters[c.MatterCode])
	var err error
	if c.SignDeadline, err = ch.w.cal.Add(ch.now, sign); err != nil {
		return err
	}
	if c.HandleDeadline, err = ch.w.cal.Add(ch.now, handle); err != nil {
		return err
	}
	if m, ok := ch.w.county().Matters[c.MatterCode]; ok && m.Urgency.Valid() {
		c.Urgency = m.Urgency
	}
	c.DispatchedAt, c.ChasedAt, c.OverdueAt, c.EscalatedAt, c.EscalationLvl = ch.now, time.Time{}, time.Time{}, time.Time{}, 0
	return nil
}

// assign gives the case to one member of its team.
func (ch *change) assign() error {
	p, err := ch.w.store.PersonByID(ch.ctx, ch.req.AssigneeID)
	if err != nil || p.TeamCode != ch.c.TeamCode {
		return models.Errorf(models.EInvalid, "the assignee must be a member of %s", ch.c.TeamCode)
	}
	ch.c.AssigneeID = p.ID
	if ch.note == "" {
		ch.note = fmt.Sprintf(noteAssigned, p.Name)
	}
	ch.to(models.NoticeAssigned, p, true)
	return nil
}

// reject refuses the case (不予受理) or parks it (挂账); the reporter is told the reason of a rejection.
func (ch *change) reject() error {
	if ch.req.Action == models.ActionReject {
		ch.toReporterWithNote()
	}
	return nil
}

// sign records who signed for the case.
func (ch *change) sign() error {
	if ch.c.AssigneeID == 0 {
		ch.c.AssigneeID = ch.req.Actor.ID
	}
	ch.toReporter()
	return nil
}

// progress records handling under way.
func (ch *change) progress() error {
	if ch.c.AssigneeID == 0 {
		ch.c.AssigneeID = ch.req.Actor.ID
	}
	return nil
}

// finish records the result and asks for verification.
func (ch *change) finish() error {
	if ch.c.AssigneeID == 0 {
		ch.c.AssigneeID = ch.req.Actor.ID
	}
	ch.result = ch.w.county().redact(ch.note)
	ch.toVerifier()
	ch.toReporter()
	return nil
}

// giveBack returns the case to the platform; a case under a final ruling cannot be returned.
func (ch *change) giveBack() error {
	if ch.c.FinalRuling {
		return models.Errorf(models.EConflict, "case %s was assigned by final ruling (终审) and cannot be returned", ch.c.TrackingNo)
	}
	ch.c.ReturnCount++
	ch.c.AssigneeID = 0
	ch.toPlatform(models.NoticeReturned)
	return nil
}

// requestExtension asks for more working days, only before the handling deadline.
func (ch *change) requestExtension() error {
	if ch.req.Days < 1 || ch.req.Days > 60 {
		return models.Errorf(models.EInvalid, "an extension is 1 to 60 working days")
	}
	if !ch.c.HandleDeadline.IsZero() && !ch.now.Before(ch.c.HandleDeadline) {
		return models.Errorf(models.EConflict, "an extension must be asked before the deadline (%s)",
			ch.c.HandleDeadline.In(ch.w.loc).Format("2006-01-02 15:04"))
	}
	ch.c.ExtensionDays = ch.req.Days
	ch.note = fmt.Sprintf(noteExtensionAsked, ch.req.Days, ch.note)
	ch.toLeader(models.NoticeRequest)
	ch.toPlatform(models.NoticeRequest)
	return nil
}

// decideExtension moves the deadline by the days asked (approve) or keeps it (refuse).
func (ch *change) decideExtension() error {
	c := &ch.c
	if ch.req.Action == models.ActionApproveExtension {
		d, err := ch.w.cal.Add(c.HandleDeadline, models.TimeLimit{Amount: c.ExtensionDays, Unit: models.WorkingDays})
		if err != nil {
			return err
		}
		c.HandleDeadline, c.ChasedAt, c.OverdueAt, c.EscalatedAt, c.EscalationLvl = d, time.Time{}, time.Time{}, time.Time{}, 0
		if ch.note == "" {
			ch.note = fmt.Sprintf(noteExtended, c.ExtensionDays)
		}
	}
	c.ExtensionDays = 0
	if p, err := ch.w.store.PersonByID(ch.ctx, c.AssigneeID); err == nil {
		ch.to(models.NoticeExtensionDecision, p, true)
	}
	return nil
}

// verify closes the case (passed) or reopens it to the same team with new deadlines (failed).
func (ch *change) verify() error {
	if ch.req.Action == models.ActionVerifyPass {
		ch.c.ClosedAt = ch.now
		result, err := ch.finishResult()
		if err != nil {
			return err
		}
		ch.result = ch.w.county().redact(result)
		ch.toReporter()
		return nil
	}
	if ch.note == "" {
		return models.Errorf(models.EInvalid, "say why the check failed")
	}
	return ch.rework()
}

// finishResult returns the result written at the case's last finish (办结), from its history.
func (ch *change) finishResult() (string, error) {
	evs, err := ch.w.store.Events(ch.ctx, ch.c.ID)
	if err != nil {
		return "", fmt.Errorf("finish result of case %s: %w", ch.c.TrackingNo, err)
	}
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Action == models.ActionFinish {
			return evs[i].Note, nil
		}
	}
	return "", nil
}

// rework sends the case back to its team with new deadlines, counted as rework.
func (ch *change) rework() error {
	ch.c.ReworkCount++
	ch.c.ClosedAt = time.Time{}
	if err := ch.startClock(); err != nil {
		return err
	}
	ch.toTeam(models.NoticeDispatched)
	ch.toReporter()
	return nil
}

// rate records the reporter's rating of a closed case.
func (ch *change) rate() error {
	if ch.req.Score < 1 || ch.req.Score > 5 {
		return models.Errorf(models.EInvalid, "a rating is 1 to 5")
	}
	if ch.c.Rating != 0 {
		return models.Errorf(models.EConflict, "case %s is already rated", ch.c.TrackingNo)
	}
	ch.c.Rating = ch.req.Score
	ch.note = fmt.Sprintf(noteRated, ch.req.Score, ch.note)
	return nil
}

// reopen sends a closed case back for rework (after a low rating, or by the platform).
func (ch *change) reopen() error { return ch.rework() }

// merge closes a duplicate into the case that stays; its reporter follows that case. The two
// must be of one township, unless the platform merges across townships and says why.
func (ch *change) merge() error {
	into, err := ch.w.store.CaseByTrackingNo(ch.ctx, ch.req.MergeInto)
	if err != nil || into.ID == ch.c.ID || !into.State.Open() {
		return models.Errorf(models.EInvalid, "merge into an open case other than this one")
	}
	if err := ch.mayMerge(into); err != nil {
		return err
	}
	ch.c.MergedInto = into.ID
	told := fmt.Sprintf(noteMerged, into.TrackingNo)
	if ch.note == "" {
		ch.note = told
	} else {
		ch.note = fmt.Sprintf(noteMergedWhy, into.TrackingNo, ch.note)
	}
	if ch.c.ReporterID != 0 {
		if err := ch.w.store.Follow(ch.ctx, into.ID, ch.c.ReporterID); err != nil {
			return err
		}
	}
	ch.toPublic(told) // the reason stays internal
	return nil
}

// mayMerge allows a merge within one (known) township; across townships only the platform
// merges, with a reason.
func (ch *change) mayMerge(into models.Case) error {
	from, to := ch.c.Location.TownshipCode, into.Location.TownshipCode
	if from != "" && from == to {
		return nil
	}
	county := ch.w.county()
	what := fmt.Sprintf("case %s (%s) and case %s (%s) are not of one township", ch.c.TrackingNo,
		county.townshipName(from), into.TrackingNo, county.townshipName(to))
	switch {
	case ch.req.Actor.Role != models.RolePlatformOperator:
		return models.Errorf(models.EForbidden, "%s: only the platform may merge them", what)
	case ch.note == "":
		return models.Errorf(models.EInvalid, "%s: a merge across townships needs a reason", what)
	}
	return nil
}
