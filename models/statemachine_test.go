package models

import (
	"errors"
	"testing"
)

// allActions lists every action, so that the test can try each against every state and role.
func allActions() []Action {
	return []Action{ActionCreate, ActionTriage, ActionDispatch, ActionReassign, ActionAssign, ActionFinalRuling,
		ActionReject, ActionSign, ActionProgress, ActionFinish, ActionReturn, ActionTransfer, ActionRequestJoint,
		ActionRequestExtension, ActionApproveExtension, ActionRefuseExtension, ActionPark, ActionVerifyPass,
		ActionVerifyFail, ActionRate, ActionReopen, ActionMerge, ActionChase, ActionEscalate, ActionAcceptTransfer,
		ActionRefuseTransfer, ActionAcceptJoint, ActionRefuseJoint, ActionUrge}
}

func TestEveryTransitionAllowedAndEveryOtherRefused(t *testing.T) {
	type key struct {
		a Action
		f State
		r Role
	}
	allowed := map[key]State{}
	pairs := map[[2]string]bool{}
	for _, tr := range Transitions() {
		if !tr.To.Valid() || (tr.From != "" && !tr.From.Valid()) {
			t.Fatalf("transition %v names an unknown state", tr)
		}
		for _, r := range tr.Roles {
			k := key{tr.Action, tr.From, r}
			if _, dup := allowed[k]; dup {
				t.Fatalf("transition %s from %q for %s listed twice", tr.Action, tr.From, r)
			}
			allowed[k] = tr.To
		}
		pairs[[2]string{string(tr.Action), string(tr.From)}] = true
	}
	roles := append(Roles(), RoleSystem)
	froms := append([]State{""}, States()...)
	var nAllowed, nRefused int
	for _, a := range allActions() {
		if a.Chinese() == "" {
			t.Errorf("action %s has no Chinese name", a)
		}
		for _, f := range froms {
			for _, r := range roles {
				got, err := Next(a, f, r)
				want, ok := allowed[key{a, f, r}]
				switch {
				case ok && err != nil:
					t.Errorf("Next(%s, %q, %s) refused: %v", a, f, r, err)
				case ok && got != want:
					t.Errorf("Next(%s, %q, %s) = %s, want %s", a, f, r, got, want)
				case ok:
					nAllowed++
				case err == nil:
					t.Errorf("Next(%s, %q, %s) = %s, want refusal", a, f, r, got)
				default:
					nRefused++
					checkRefusal(t, err, pairs[[2]string{string(a), string(f)}])
				}
			}
		}
	}
	if nAllowed != len(allowed) {
		t.Errorf("allowed %d moves, the table has %d", nAllowed, len(allowed))
	}
	t.Logf("%d allowed and %d refused (action, state, role) triples checked", nAllowed, nRefused)
}

// checkRefusal checks that a refusal says why: a wrong state is a conflict, a wrong role is forbidden.
func checkRefusal(t *testing.T, err error, pairExists bool) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Message == "" {
		t.Fatalf("refusal %v is not a models.Error with a message", err)
	}
	want := EConflict
	if pairExists {
		want = EForbidden
	}
	if e.Code != want {
		t.Errorf("refusal %q has code %s, want %s", e.Message, e.Code, want)
	}
}

func TestEveryStateHasChineseName(t *testing.T) {
	for _, s := range States() {
		if s.Chinese() == "" {
			t.Errorf("state %s has no Chinese name", s)
		}
	}
	for _, r := range append(Roles(), RoleSystem) {
		if r.Chinese() == "" {
			t.Errorf("role %s has no Chinese name", r)
		}
	}
}

func TestNextMessages(t *testing.T) {
	tests := []struct {
		action Action
		from   State
		role   Role
		want   string
	}{
		{ActionSign, StateClosed, RoleOfficer, "conflict: cannot sign a case that is closed (已结案)"},
		{ActionSign, StateDispatched, RoleCitizen, "forbidden: a citizen may not sign a case that is dispatched (已派遣)"},
		{ActionTriage, "", RoleSystem, "conflict: cannot triage a case that is not yet created"},
	}
	for _, tt := range tests {
		_, err := Next(tt.action, tt.from, tt.role)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Next(%s, %q, %s) error = %v, want %q", tt.action, tt.from, tt.role, err, tt.want)
		}
	}
}
