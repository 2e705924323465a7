package workflow

import (
	"strings"

	"gridbot/models"
)

// This file holds the Chinese texts of transfer and joint enforcement requests, their
// decisions and reporters' urges, as they appear in case histories and on cards.

const (
	msgTransferAsked   = "申请移送至%s：%s"
	msgJointAsked      = "申请%s联合执法：%s"
	msgPlatformDecides = "指挥平台指定的部门"
	msgPlatform        = "指挥平台"
	msgTransferRoute   = "%s申请移送，%s同意（%s）：派%[2]s"
	msgRefusedBy       = "%s不同意：%s"
	msgJointAccepted   = "%s同意参与联合执法"
	msgUrgeNote        = "群众催办（第%d次）"
)

// The chat commands that decide a request, as the cards' shortcuts give them.
const (
	CmdAcceptTransfer = "同意移送"
	CmdRefuseTransfer = "拒绝移送"
	CmdAcceptJoint    = "同意联合"
	CmdRefuseJoint    = "拒绝联合"
)

// decisionShortcuts are the replies that decide a request of a kind on a case; accepting a
// request that named no team names the one that receives it (or joins).
func decisionShortcuts(kind models.Action, no string, named bool) []string {
	accept, refuse := CmdAcceptJoint, CmdRefuseJoint
	if kind == models.ActionTransfer {
		accept, refuse = CmdAcceptTransfer, CmdRefuseTransfer
	}
	if !named {
		return []string{accept + " " + no + " 部门", refuse + " " + no + " 原因"}
	}
	return []string{accept + " " + no, refuse + " " + no + " 原因"}
}

// joinNames lists names separated by 、.
func joinNames(names []string) string { return strings.Join(names, "、") }

// joinNote adds a remark to a note, after a colon.
func joinNote(note, remark string) string {
	if remark == "" {
		return note
	}
	return note + "：" + remark
}
