package models

import "slices"

// PendingRequest is a team's request on a case that waits for other teams to decide: a transfer
// (移送) to one team, or joint enforcement (联合执法) with one or more. The zero value is none.
type PendingRequest struct {
	Kind      Action   // ActionTransfer or ActionRequestJoint; "" when nothing is pending
	Teams     []string // codes of the teams that have not decided yet; none: the platform decides
	FromTeam  string   // the requesting team
	FromState State    // the case's state when it was asked (where a refused transfer returns)
	ByID      int64    // who asked
}

// Open reports whether a request waits for a decision.
func (r PendingRequest) Open() bool { return r.Kind != "" }

// Awaits reports whether a team is asked to decide on the request.
func (r PendingRequest) Awaits(team string) bool {
	return r.Open() && team != "" && slices.Contains(r.Teams, team)
}

// RequestOf returns the kind of request a decision answers (ActionTransfer or ActionRequestJoint),
// and whether it accepts; "" for an action that decides no request.
func RequestOf(decision Action) (kind Action, accept bool) {
	switch decision {
	case ActionAcceptTransfer:
		return ActionTransfer, true
	case ActionRefuseTransfer:
		return ActionTransfer, false
	case ActionAcceptJoint:
		return ActionRequestJoint, true
	case ActionRefuseJoint:
		return ActionRequestJoint, false
	}
	return "", false
}
