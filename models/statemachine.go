package models

import (
	"fmt"
	"sync"
)

// State is where a case stands in the closed loop.
type State string

// The states of a case.
const (
	StateReceived           State = "received"            // 已接收
	StateTriage             State = "triage"              // 待分流
	StateDispatched         State = "dispatched"          // 已派遣
	StateSigned             State = "signed"              // 已签收
	StateHandling           State = "handling"            // 处置中
	StateHandled            State = "handled"             // 待核查
	StateClosed             State = "closed"              // 已结案
	StateRejected           State = "rejected"            // 不予受理
	StateReturned           State = "returned"            // 已退回
	StateTransferred        State = "transferred"         // 已移送
	StateExtensionRequested State = "extension_requested" // 延期申请中
	StateParked             State = "parked"              // 挂账
	StateReopened           State = "reopened"            // 已重办
	StateMerged             State = "merged"              // 已合并
)

// States lists every state of a case.
func States() []State {
	return []State{StateReceived, StateTriage, StateDispatched, StateSigned, StateHandling, StateHandled,
		StateClosed, StateRejected, StateReturned, StateTransferred, StateExtensionRequested, StateParked,
		StateReopened, StateMerged}
}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, x := range States() {
		if s == x {
			return true
		}
	}
	return false
}

// Final reports whether no further work happens on a case in this state.
func (s State) Final() bool { return s == StateRejected || s == StateMerged }

// Open reports whether a case in this state still waits for someone (for lists and duplicates).
func (s State) Open() bool { return !s.Final() && s != StateClosed }

// Action is something that happens to a case.
type Action string

// The actions on a case.
const (
	ActionCreate           Action = "create"            // 登记
	ActionTriage           Action = "triage"            // 转入分流
	ActionDispatch         Action = "dispatch"          // 派遣
	ActionReassign         Action = "reassign"          // 改派
	ActionAssign           Action = "assign"            // 指派 (to a team member)
	ActionFinalRuling      Action = "final_ruling"      // 终审
	ActionReject           Action = "reject"            // 不予受理
	ActionSign             Action = "sign"              // 签收
	ActionProgress         Action = "progress"          // 处置
	ActionFinish           Action = "finish"            // 办结
	ActionReturn           Action = "return"            // 退回
	ActionTransfer         Action = "transfer"          // 移送
	ActionRequestJoint     Action = "request_joint"     // 申请联合执法
	ActionRequestExtension Action = "request_extension" // 申请延期
	ActionApproveExtension Action = "approve_extension" // 批准延期
	ActionRefuseExtension  Action = "refuse_extension"  // 驳回延期
	ActionPark             Action = "park"              // 挂账
	ActionVerifyPass       Action = "verify_pass"       // 核查通过
	ActionVerifyFail       Action = "verify_fail"       // 核查不通过
	ActionRate             Action = "rate"              // 评价
	ActionReopen           Action = "reopen"            // 重办 (after a low rating)
	ActionMerge            Action = "merge"             // 合并
	ActionChase            Action = "chase"             // 催办
	ActionEscalate         Action = "escalate"          // 督办
	ActionAcceptTransfer   Action = "accept_transfer"   // 同意移送 (the receiving team or the platform)
	ActionRefuseTransfer   Action = "refuse_transfer"   // 拒绝移送
	ActionAcceptJoint      Action = "accept_joint"      // 同意联合执法
	ActionRefuseJoint      Action = "refuse_joint"      // 拒绝联合执法
	ActionUrge             Action = "urge"              // 催办 by the reporter or a follower
)

// Transition is one allowed move of the state machine and the roles that may make it.
type Transition struct {
	Action Action
	From   State
	To     State
	Roles  []Role
}

// Transitions is the case state machine as data: every allowed (action, from) pair, its target
// state and the roles allowed to make it. Anything not listed is refused.
func Transitions() []Transition {
	handlers := []Role{RoleOfficer, RoleTeamLeader}
	platform := []Role{RolePlatformOperator}
	approvers := []Role{RoleTeamLeader, RolePlatformOperator}
	verifiers := []Role{RoleGridWorker, RoleTeamLeader, RolePlatformOperator}
	reporters := []Role{RoleCitizen, RoleGridWorker, RoleOfficer}
	system := []Role{RoleSystem}
	watchers := []Role{RoleSystem, RoleSupervisor, RolePlatformOperator}
	t := []Transition{
		{ActionCreate, "", StateReceived, []Role{RoleCitizen, RoleGridWorker, RoleOfficer, RolePlatformOperator, RoleSystem}},
		{ActionTriage, StateReceived, StateTriage, system},
		{ActionDispatch, StateReceived, StateDispatched, system},
		{ActionDispatch, StateTriage, StateDispatched, []Role{RolePlatformOperator, RoleSystem}},
		{ActionDispatch, StateReturned, StateDispatched, platform},
		{ActionDispatch, StateTransferred, StateDispatched, []Role{RolePlatformOperator, RoleSystem}},
		{ActionDispatch, StateParked, StateDispatched, platform},
		{ActionFinalRuling, StateReturned, StateDispatched, platform},
		{ActionReject, StateReceived, StateRejected, platform},
		{ActionReject, StateTriage, StateRejected, platform},
		{ActionReject, StateReturned, StateRejected, platform},
		{ActionSign, StateDispatched, StateSigned, handlers},
		{ActionSign, StateReopened, StateSigned, handlers},
		{ActionProgress, StateSigned, StateHandling, handlers},
		{ActionProgress, StateHandling, StateHandling, handlers},
		{ActionFinish, StateSigned, StateHandled, handlers},
		{ActionFinish, StateHandling, StateHandled, handlers},
		{ActionReturn, StateDispatched, StateReturned, handlers},
		{ActionReturn, StateSigned, StateReturned, handlers},
		{ActionReturn, StateReopened, StateReturned, handlers},
		{ActionTransfer, StateDispatched, StateTransferred, handlers},
		{ActionTransfer, StateSigned, StateTransferred, handlers},
		{ActionTransfer, StateHandling, StateTransferred, handlers},
		{ActionRequestJoint, StateSigned, StateSigned, handlers},
		{ActionRequestJoint, StateHandling, StateHandling, handlers},
		{ActionRequestExtension, StateSigned, StateExtensionRequested, handlers},
		{ActionRequestExtension, StateHandling, StateExtensionRequested, handlers},
		{ActionApproveExtension, StateExtensionRequested, StateHandling, approvers},
		{ActionRefuseExtension, StateExtensionRequested, StateHandling, approvers},
		{ActionVerifyPass, StateHandled, StateClosed, verifiers},
		{ActionVerifyFail, StateHandled, StateReopened, verifiers},
		{ActionRate, StateClosed, StateClosed, reporters},
		{ActionReopen, StateClosed, StateReopened, append([]Role{RolePlatformOperator}, reporters...)},
		{ActionAcceptTransfer, StateTransferred, StateDispatched, approvers},
		// A refused transfer goes back to the state the case had before the request (dispatched,
		// signed or handling, as Case.Pending.FromState recorded): the workflow restores it.
		{ActionRefuseTransfer, StateTransferred, StateSigned, approvers},
	}
	for _, s := range []State{StateSigned, StateHandling, StateExtensionRequested} {
		t = append(t, Transition{ActionAcceptJoint, s, s, approvers})
		t = append(t, Transition{ActionRefuseJoint, s, s, approvers})
	}
	for _, s := range States() {
		if s.Open() {
			t = append(t, Transition{ActionUrge, s, s, reporters})
		}
	}
	for _, s := range []State{StateDispatched, StateSigned, StateHandling, StateReopened} {
		t = append(t, Transition{ActionReassign, s, StateDispatched, platform})
		t = append(t, Transition{ActionAssign, s, s, []Role{RoleTeamLeader}})
	}
	for _, s := range []State{StateTriage, StateDispatched, StateSigned, StateHandling, StateReturned, StateReopened} {
		t = append(t, Transition{ActionPark, s, StateParked, platform})
	}
	for _, s := range []State{StateReceived, StateTriage, StateDispatched, StateReturned, StateParked} {
		t = append(t, Transition{ActionMerge, s, StateMerged, platform})
	}
	for _, s := range []State{StateDispatched, StateSigned, StateHandling, StateExtensionRequested, StateReopened} {
		t = append(t, Transition{ActionChase, s, s, watchers})
		t = append(t, Transition{ActionEscalate, s, s, watchers})
	}
	return t
}

// Next checks that role may take action on a case in state from and returns the state it moves
// to. A move the machine does not have is a conflict; a role not allowed to make it is forbidden.
func Next(action Action, from State, role Role) (State, error) {
	moves := transitionsFrom()[move{action, from}]
	for _, t := range moves {
		for _, r := range t.Roles {
			if r == role {
				return t.To, nil
			}
		}
	}
	if len(moves) == 0 {
		return "", Errorf(EConflict, "cannot %s a case that is %s", action, describeState(from))
	}
	return "", Errorf(EForbidden, "a %s may not %s a case that is %s", role, action, describeState(from))
}

// move is an action taken on a case in a state.
type move struct {
	action Action
	from   State
}

// transitionsFrom is the state machine indexed by move, built once (it never changes).
var transitionsFrom = sync.OnceValue(func() map[move][]Transition {
	out := map[move][]Transition{}
	for _, t := range Transitions() {
		out[move{t.Action, t.From}] = append(out[move{t.Action, t.From}], t)
	}
	return out
})

// describeState names a state for an error message, including the empty pre-creation state.
func describeState(s State) string {
	if s == "" {
		return "not yet created"
	}
	return fmt.Sprintf("%s (%s)", s, s.Chinese())
}
