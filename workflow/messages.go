package workflow

import (
	"fmt"

	"gridbot/models"
)

// The routing reasons (a Decision's Reason): officers' cards and the case's history show them.
const (
	reasonNoMatter     = "事项未确定：转县平台待分流"
	reasonNoTownship   = "%s 所在乡镇未确定：转县平台待分流"
	reasonDelegated    = "%s 已于%s 按%s（第%d批）赋予%s"
	reasonNotDelegated = "%s 截至%s 未赋予%s"
	reasonSituation    = "（%s）"
	reasonKeptBy       = "（%s，由%s保留）"
	reasonLaterBatch   = "（%s，第%d批自%s起施行）"
	reasonToTeam       = "：派%s"
	reasonViaPlatform  = "：经县平台派%s"
	reasonNoTownTeam   = "，但%s没有综合执法队：转县平台待分流"
	reasonNoDeptTeam   = "，但%s没有执法队伍：转县平台待分流"
	reasonNobodyBound  = "，但%s无人绑定微信或企业微信：转县平台待分流"
)

// The notes of a person's dispatch (by team name), of the other actions and of the supervision
// steps, as the case's history and the notices show them.
const (
	noteDispatchedBy   = "由%s派遣至%s"
	noteReassignedBy   = "由%s改派至%s"
	noteRuledBy        = "由%s终审指定%s办理"
	noteAssigned       = "指派给 %s"
	noteExtensionAsked = "%d个工作日：%s"
	noteExtended       = "延期%d个工作日"
	noteRated          = "%d分 %s"
	noteMerged         = "合并到 %s"
	noteMergedWhy      = "合并到 %s：%s"
	noteChaseSign      = "已用时%d%%，请尽快签收"
	noteChaseHandle    = "已用时%d%%，请抓紧办理"
	noteOverdueSign    = "已超过签收时限，督办"
	noteOverdueHandle  = "已超过办理时限，督办"
	noteReescalate     = "超期仍未%s，第%d次督办"
	noteNotSigned      = "签收"
	noteNotHandled     = "办结"
	noteChaseByHand    = "请抓紧办理"
	noteEscalateByHand = "督办"
)

// The masks of the result a reporter is shown: a phone number goes, a staff name keeps its
// surname ("林某").
const (
	maskPhone = "***"
	maskName  = "某"
)

// byPersonNote is the note of a dispatch, reassignment or final ruling made by a person.
func byPersonNote(a models.Action, who, team string) string {
	switch a {
	case models.ActionReassign:
		return fmt.Sprintf(noteReassignedBy, who, team)
	case models.ActionFinalRuling:
		return fmt.Sprintf(noteRuledBy, who, team)
	}
	return fmt.Sprintf(noteDispatchedBy, who, team)
}
