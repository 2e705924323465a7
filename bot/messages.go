package bot

import (
	"fmt"
	"strings"
)

// This file is the bot's messages file: every text a person reads in WeChat, in Simplified Chinese.

const (
	msgWelcome = "您好，欢迎关注！这里可以向乡镇综合执法队和县指挥平台反映问题。\n" + msgHelpCitizen

	msgHelpCitizen = "可以这样用：\n" +
		"· 发送“投诉”：反映影响您的问题（如噪音、占道、油烟）\n" +
		"· 发送“举报”：举报违法行为（默认对您的身份保密）\n" +
		"· 发送“查询 受理编号”：查看办理进度；只发“查询”列出您反映过的问题\n" +
		"· 发送“评价 受理编号 分数”：对办结的问题打分（1-5分）\n" +
		"· 发送“取消”：放弃正在填写的内容\n" +
		"也可以直接发照片、位置或文字描述，我们会一步步问您缺少的信息。"

	msgHelpGridWorker = "网格员可以这样用：\n" +
		"· 发送“上报”，或直接发现场照片、位置和一句话描述，最后回复“确认”即可上报\n" +
		"· 位置默认为您负责的网格，发送位置可更改\n" +
		"· 发送“查询 受理编号”查看进度，“取消”放弃正在填写的内容"

	msgHelpStaff = "您已绑定为工作人员。\n" +
		"· 发送“查询 受理编号”查看本辖区案件进度\n" +
		"· 发送“上报”可上报现场发现的问题\n" +
		"· 发送“取消”放弃正在填写的内容"

	msgUnbound            = "您好！发送“投诉”或“举报”即可反映问题，发送“帮助”查看全部用法。"
	msgCancelled          = "已取消，填写的内容已清除。需要时再发送“投诉”或“举报”。"
	msgNothingToCancel    = "当前没有正在填写的内容。发送“帮助”查看用法。"
	msgExpired            = "您上次填写的内容长时间未继续，已自动结束，请重新开始。"
	msgRestarted          = "已放弃之前未提交的内容，重新开始。"
	msgAskDescComplaint   = "请描述您要投诉的问题：发生了什么、持续多久、影响如何。可以直接发文字或语音。"
	msgAskDescTip         = "请描述您要举报的违法行为：什么人、在哪里、做了什么。可以直接发文字或语音。\n您的身份将被保密，办理人员看不到您的信息。"
	msgAskDescReport      = "请用一句话描述现场问题（文字或语音均可）。"
	msgAskPhotos          = "如有现场照片，请直接发送（可发多张），发完回复“好了”；没有照片请回复“跳过”。"
	msgAskConfidential    = "是否需要对您的身份保密？\n1 保密（办理人员看不到您的信息）\n2 不保密（便于办理人员联系您核实）"
	msgAskConfidentialRe  = "请回复 1（保密）或 2（不保密）。"
	msgConfirmHint        = "回复“确认”提交；回复“改事项”或“改地点”修改；回复“取消”放弃。"
	msgNoMatterLabel      = "其他/不确定（由指挥平台分类）"
	msgVoiceNotRecognised = "已收到语音，但未能识别出文字。请再用文字简单描述一下问题。"
	msgOutsideCounty      = "您发送的位置不在本县服务范围内。"
	msgNotFound           = "未找到该受理编号的案件，请核对编号（11位以上数字）。"
	msgNoCases            = "您还没有反映过问题。发送“投诉”或“举报”开始。"
	msgBindUsage          = "请发送“绑定 绑定码”，绑定码由县指挥平台发给您。"
	msgBindWrong          = "绑定码无效、已使用或已过期，请核对后重试，或联系县指挥平台重新获取。"
	msgBindTooMany        = "绑定码错误次数过多，请一小时后再试。"
	msgBindTaken          = "该微信已绑定为其他工作人员，不能重复绑定。如有疑问请联系县指挥平台。"
	msgRateUsage          = "请发送“评价 受理编号 分数”，分数为1-5分，例如：评价 26112700013 5"
	msgRateNotClosed      = "该案件尚未办结，办结后才能评价。"
	msgRateNotYours       = "只有反映问题的人可以评价该案件。"
	msgAlreadyRated       = "该案件已经评价过了，感谢您的反馈。"
	msgVideo              = "暂不支持视频。请发送照片，或用文字、语音描述问题。"
	msgLink               = "暂不支持链接和文件。请用文字描述问题，或发送照片和位置。"
	msgUnknownType        = "暂不支持这种消息。请发送文字、照片、语音或位置。"
	msgBusy               = "系统繁忙，您的消息已收到，我们处理后会尽快回复您。"
	msgRepeatQuestion     = "请继续："
)

// Command words people type, and the menu keys that stand for them.
const (
	cmdComplaint = "投诉"
	cmdTip       = "举报"
	cmdReport    = "上报"
	cmdQuery     = "查询"
	cmdProgress  = "进度"
	cmdRate      = "评价"
	cmdHelp      = "帮助"
	cmdCancel    = "取消"
	cmdBind      = "绑定"
)

// menuKeys maps the Official Account menu's click keys to the words they stand for.
func menuKeys() map[string]string {
	return map[string]string{
		"COMPLAINT": cmdComplaint, "TIP": cmdTip, "REPORT": cmdReport, "QUERY": cmdQuery,
		"RATE": cmdRate, "HELP": cmdHelp, "BIND": cmdBind,
	}
}

// Words that answer a question.
func wordsDone() []string {
	return []string{"好了", "好", "完成", "发完了", "跳过", "没有", "无", "没有照片", "不用", "ok", "OK"}
}

func wordsConfirm() []string {
	return []string{"确认", "1", "是", "提交", "确定", "对", "好的", "确认提交"}
}

func wordsYes() []string { return []string{"1", "保密", "是", "要", "需要"} }

func wordsNo() []string { return []string{"2", "不保密", "否", "不", "不用", "不需要"} }

func wordsMatter() []string { return []string{"改事项", "修改事项", "换事项"} }

func wordsPlace() []string { return []string{"改地点", "修改地点", "换地点", "改位置"} }

func wordsGreetings() []string {
	return []string{"你好", "您好", "在吗", "在不在", "hello", "hi", "谢谢", "收到"}
}

// kindNoun names what a person is filing.
func kindNoun(kind string) string {
	switch kind {
	case "tip":
		return "举报"
	case "report":
		return "上报"
	}
	return "投诉"
}

// askPlace asks where, offering the townships by number.
func askPlace(townshipNames []string) string {
	var b strings.Builder
	b.WriteString("请告诉我们问题发生的地点：\n· 点输入框旁的“+”，选择“位置”发送定位（最准确）\n· 或直接输入地址，如“安海镇安平路12号”\n· 或回复乡镇序号：")
	for i, n := range townshipNames {
		fmt.Fprintf(&b, "\n%d %s", i+1, n)
	}
	return b.String()
}

// askPlaceAgain asks for the township after an address that matched none.
func askPlaceAgain(address string, townshipNames []string) string {
	return fmt.Sprintf("已记下地址“%s”，但还不能确定所属乡镇。", address) + "\n" + askPlace(townshipNames)
}

// askMatter offers the best suggestions and "other" by number.
func askMatter(names []string) string {
	var b strings.Builder
	b.WriteString("您反映的问题最可能属于以下哪一类？请回复序号：")
	for i, n := range names {
		fmt.Fprintf(&b, "\n%d %s", i+1, n)
	}
	fmt.Fprintf(&b, "\n%d %s", len(names)+1, msgNoMatterLabel)
	return b.String()
}

// photoReceived confirms a photo during the photo step.
func photoReceived(n int) string {
	return fmt.Sprintf("已收到第%d张照片。可继续发送，发完请回复“好了”。", n)
}

// placeNoted confirms a place taken from a location or an address.
func placeNoted(place string) string { return fmt.Sprintf("已记录地点：%s。", place) }

// summary asks the person to confirm what will be submitted.
func summary(kind, description, place, matter string, photos int, confidential string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "请确认您的%s：\n类型：%s\n问题：%s\n地点：%s\n事项：%s\n照片：%d张", kindNoun(kind), kindNoun(kind),
		description, place, matter, photos)
	if confidential != "" {
		fmt.Fprintf(&b, "\n身份保密：%s", confidential)
	}
	b.WriteString("\n" + msgConfirmHint)
	return b.String()
}

// submitted tells the reporter the tracking number and when to expect an answer.
func submitted(kind, trackingNo, due string) string {
	return fmt.Sprintf("您的%s已受理，受理编号：%s\n我们将在%s前答复您，办理进展会通过本公众号通知您。\n发送“查询 %s”可随时查看进度。",
		kindNoun(kind), trackingNo, due, trackingNo)
}

// bound tells a person who they are now bound as.
func bound(name, role, team string) string {
	if team != "" {
		return fmt.Sprintf("绑定成功！您已绑定为%s%s %s。发送“帮助”查看可用功能。", team, role, name)
	}
	return fmt.Sprintf("绑定成功！您已绑定为%s %s。发送“帮助”查看可用功能。", role, name)
}

// caseStatus shows a case's state and history to someone allowed to see it.
func caseStatus(no, kind, matter, state, received, evidence string, history []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "受理编号：%s\n类型：%s\n事项：%s\n当前状态：%s\n受理时间：%s\n%s", no, kind, matter, state, received, evidence)
	if len(history) > 0 {
		b.WriteString("\n办理记录：")
		for _, h := range history {
			b.WriteString("\n" + h)
		}
	}
	return b.String()
}

// caseList lists a reporter's recent cases.
func caseList(lines []string) string {
	return "您最近反映的问题：\n" + strings.Join(lines, "\n") + "\n发送“查询 受理编号”查看详情。"
}

// confidentialWord renders the confidentiality answer.
func confidentialWord(c bool) string {
	if c {
		return "是"
	}
	return "否"
}

// BusyText is the answer when a message could not be processed at once; it is retried.
func BusyText() string { return msgBusy }

// attachmentsLine counts a case's photos and voice messages and says which failed to download.
func attachmentsLine(n, failed, pending int) string {
	line := fmt.Sprintf("证据材料：%d份", n)
	if failed > 0 {
		line += fmt.Sprintf("（%d份未能从微信下载，请重新发送）", failed)
	}
	if pending > 0 {
		line += fmt.Sprintf("（%d份正在保存）", pending)
	}
	return line
}

const (
	msgWeComUnknown      = "您的企业微信账号尚未登记为执法人员，请联系县指挥平台。"
	msgStaffOnly         = "该功能供执法队员和工作人员使用。如您是工作人员，请先发送“绑定 绑定码”。"
	msgNoTasks           = "本队目前没有待办案件。"
	msgVerifyNeedsReason = "核查不通过请写明原因，例如：核查 26112700013 不通过 摊位仍在"
	msgPhotosFollow      = "如有现场照片，请在30分钟内直接发送，将附加到该案件。"
	msgNotAllowed        = "您没有权限对该案件执行此操作。"
	msgInvalidAction     = "操作未完成，请检查格式。"
)

// usageOf explains a staff command's format.
func usageOf(word string) string {
	switch word {
	case cmdSign:
		return "格式：签收 受理编号（收到派遣通知后也可直接回复 1）"
	case cmdHandle:
		return "格式：处置 受理编号 处置情况"
	case cmdFinish:
		return "格式：办结 受理编号 办理结果（结果必填，可随后发送照片）"
	case cmdReturn:
		return "格式：退回 受理编号 退回原因"
	case cmdTransfer:
		return "格式：移送 受理编号 部门 原因"
	case cmdJoint:
		return "格式：联合 受理编号 需要联合的部门"
	case cmdExtend:
		return "格式：延期 受理编号 天数 原因（须在办理期限前申请）"
	case cmdAssign:
		return "格式：指派 受理编号 队员姓名"
	case cmdApprove:
		return "格式：批准延期 受理编号"
	case cmdRefuse:
		return "格式：驳回延期 受理编号"
	case cmdVerify:
		return "格式：核查 受理编号 通过 或 核查 受理编号 不通过 原因"
	}
	return msgHelpStaff
}

// taskList renders an officer's open cases.
func taskList(lines []string) string {
	return "本队待办案件（按期限排序）：\n" + strings.Join(lines, "\n") + "\n回复 1 签收第一件，或发送“签收 受理编号”。"
}

// actionDone confirms a staff action.
func actionDone(word, no, state string) string {
	return fmt.Sprintf("已%s：案件 %s，当前状态：%s。", strings.TrimSuffix(word, "延期")+suffixOf(word), no, state)
}

// suffixOf completes the verb of leader decisions ("批准延期" stays whole).
func suffixOf(word string) string {
	if word == cmdApprove || word == cmdRefuse {
		return "延期"
	}
	return ""
}

// rated thanks the reporter for a rating; a low one reopens the case.
func rated(no string, score int, reopened bool) string {
	if reopened {
		return fmt.Sprintf("感谢评价（%d分）。您对处理结果不满意，案件 %s 已退回重新办理。", score, no)
	}
	return fmt.Sprintf("感谢您的评价（%d分）！案件 %s 已办结。", score, no)
}

// duplicateOffer offers to follow an existing case of the same problem nearby.
func duplicateOffer(no, matter, place, state string) string {
	return fmt.Sprintf("已有相同问题 %s（%s，%s，%s），是否关注？\n1 关注该案件（有进展会通知您）\n2 仍然单独提交", no, matter, place, state)
}

// followed confirms following a case.
func followed(no string) string {
	return fmt.Sprintf("已关注案件 %s，办理进展会通知您。发送“查询 %s”可随时查看。", no, no)
}
