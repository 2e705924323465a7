package models

// This file is the models package's messages file: the Chinese names of the domain's words,
// as people read them in WeChat and in reports.

var stateNames = map[State]string{
	StateReceived:           "已接收",
	StateTriage:             "待分流",
	StateDispatched:         "已派遣",
	StateSigned:             "已签收",
	StateHandling:           "处置中",
	StateHandled:            "待核查",
	StateClosed:             "已结案",
	StateRejected:           "不予受理",
	StateReturned:           "已退回",
	StateTransferred:        "已移送",
	StateExtensionRequested: "延期申请中",
	StateParked:             "挂账",
	StateReopened:           "重新办理",
	StateMerged:             "已合并",
}

// Chinese returns the state's name as people read it.
func (s State) Chinese() string { return stateNames[s] }

var actionNames = map[Action]string{
	ActionCreate:           "登记",
	ActionTriage:           "转入分流",
	ActionDispatch:         "派遣",
	ActionReassign:         "改派",
	ActionAssign:           "指派",
	ActionFinalRuling:      "终审派遣",
	ActionReject:           "不予受理",
	ActionSign:             "签收",
	ActionProgress:         "处置",
	ActionFinish:           "办结",
	ActionReturn:           "退回",
	ActionTransfer:         "移送",
	ActionRequestJoint:     "申请联合执法",
	ActionRequestExtension: "申请延期",
	ActionApproveExtension: "批准延期",
	ActionRefuseExtension:  "驳回延期",
	ActionPark:             "挂账",
	ActionVerifyPass:       "核查通过",
	ActionVerifyFail:       "核查不通过",
	ActionRate:             "评价",
	ActionReopen:           "重新办理",
	ActionMerge:            "合并",
	ActionChase:            "催办",
	ActionEscalate:         "督办",
	ActionAcceptTransfer:   "同意移送",
	ActionRefuseTransfer:   "拒绝移送",
	ActionAcceptJoint:      "同意联合执法",
	ActionRefuseJoint:      "拒绝联合执法",
	ActionUrge:             "催办",
}

// Chinese returns the action's name as people read it.
func (a Action) Chinese() string { return actionNames[a] }

var roleNames = map[Role]string{
	RoleCitizen:          "群众",
	RoleGridWorker:       "网格员",
	RoleOfficer:          "执法队员",
	RoleTeamLeader:       "队长",
	RoleLegalReviewer:    "法制审核员",
	RolePlatformOperator: "指挥平台值班员",
	RoleSupervisor:       "监督员",
	RoleAdmin:            "管理员",
	RoleSystem:           "系统",
}

// Chinese returns the role's name as people read it.
func (r Role) Chinese() string { return roleNames[r] }

var kindNames = map[CaseKind]string{
	KindReport:    "问题上报",
	KindComplaint: "投诉",
	KindTip:       "举报",
}

// Chinese returns the case kind's name as people read it.
func (k CaseKind) Chinese() string { return kindNames[k] }

var urgencyNames = map[Urgency]string{
	UrgencyNormal:   "一般",
	UrgencyUrgent:   "紧急",
	UrgencyCritical: "特急",
}

// Chinese returns the urgency's name as people read it.
func (u Urgency) Chinese() string { return urgencyNames[u] }
