package bot

import (
	"fmt"
	"strings"

	"gridbot/models"
)

// This file is the bot's messages file: every text a person reads in WeChat, in Simplified Chinese.

const (
	msgWelcome = "您好，欢迎关注！这里可以向乡镇综合执法队和县指挥平台反映问题。\n" + msgHelpCitizen

	msgHelpCitizen = "可以这样用：\n" +
		"· 发送“投诉”：反映影响您的问题（如噪音、占道、油烟）\n" +
		"· 发送“举报”：举报违法行为（默认对您的身份保密）\n" +
		"· 发送“查询 受理编号”：查看办理进度；只发“查询”列出您反映过的问题\n" +
		"· 发送“评价 受理编号 分数”：对办结的问题打分（1-5分），如：评价 26112700136 5\n" +
		"· 发送“催办”：提醒办理人员尽快处理您最近反映的问题\n" +
		"· 发送“取消”：放弃正在填写的内容\n" +
		"也可以直接发照片、位置或文字描述，我们会一步步问您缺少的信息。"

	msgHelpGridWorker = "网格员可以这样用：\n" +
		"· 上报：直接发现场照片和一句话描述，如“安平路口有人占道摆摊”，最后回复“确认”\n" +
		"· 位置默认为您负责的网格，发送定位可更改\n" +
		"· 核查 26112700136 通过 / 核查 26112700136 不通过 摊位还在\n" +
		"· 查询 26112700136：查看进度；取消：放弃正在填写的内容"

	msgHelpOfficer = "执法队员可以这样用（编号可从通知里复制）：\n" +
		"· 任务：列出本队待办案件\n" +
		"· 签收 26112700136（收到派遣通知后也可直接回复 1）\n" +
		"· 处置 26112700136 已到现场劝离\n" +
		"· 办结 26112700136 摊位已清理（随后可发照片）\n" +
		"· 退回 26112700136 不属于本镇事项\n" +
		"· 移送 26112700136 市场监管 涉及食品经营\n" +
		"· 联合 26112700136 住建 需共同拆除\n" +
		"· 延期 26112700136 3天 等当事人补材料\n" +
		"· 查询 26112700136：查看详情和办理记录"

	msgHelpLeader = msgHelpOfficer + "\n队长另可：\n" +
		"· 指派 26112700136 陈建华\n" +
		"· 同意移送 26112700136 / 拒绝移送 26112700136 原因（他队移送给本队的案件）\n" +
		"· 同意联合 26112700136 / 拒绝联合 26112700136 原因\n" +
		"· 批准延期 26112700136 / 驳回延期 26112700136 原因\n" +
		"· 核查 26112700136 通过 / 核查 26112700136 不通过 原因"

	msgHelpPlatform = "指挥平台值班员可以这样用：\n" +
		"· 查询 26112700136：查看任一案件详情和办理记录\n" +
		"· 核查 26112700136 通过 / 核查 26112700136 不通过 原因\n" +
		"· 批准延期 26112700136 / 驳回延期 26112700136 原因\n" +
		"· 同意移送 26112700136 市场监管 / 拒绝移送 26112700136 原因\n" +
		"· 同意联合 26112700136 / 拒绝联合 26112700136 原因\n" +
		"分派、改派和合并请在指挥平台操作。"

	msgHelpSupervisor = "监督员可以这样用：\n" +
		"· 查询 26112700136：查看任一案件详情和办理记录\n" +
		"统计和督办情况请在指挥平台查看。"

	msgUnbound               = "您好！发送“投诉”或“举报”即可反映问题，发送“帮助”查看全部用法。"
	msgCancelled             = "已取消，填写的内容已清除。需要时再发送“投诉”或“举报”。"
	msgNothingToCancel       = "当前没有正在填写的内容。发送“帮助”查看用法。"
	msgExpired               = "您上次填写的内容长时间未继续，已自动结束（未提交）。"
	msgExpiredFresh          = "如需继续反映，请重新发送问题描述，或发送“投诉”“举报”开始。"
	msgGoOn                  = "好的，您请说。\n"
	msgReportStaffOnly       = "“上报”供网格员和工作人员使用。群众反映问题请发送“投诉”或“举报”。"
	msgQueryUsage            = "请发送“查询 受理编号”，例如：查询 26112700136；只发“查询”列出您反映过的问题。"
	msgRestarted             = "已放弃之前未提交的内容，重新开始。"
	msgAskDescComplaint      = "请描述您要投诉的问题：发生了什么、持续多久、影响如何。可以直接发文字或语音。"
	msgAskDescTip            = "请描述您要举报的违法行为：什么人、在哪里、做了什么。可以直接发文字或语音。\n您的身份将被保密，办理人员看不到您的信息。"
	msgAskDescReport         = "请用一句话描述现场问题（文字或语音均可）。"
	msgAskPhotos             = "如有现场照片，请直接发送（可发多张），发完回复“好了”；没有照片请回复“跳过”。"
	msgAskConfidential       = "是否需要对您的身份保密？\n1 保密（办理人员看不到您的信息）\n2 不保密（便于办理人员联系您核实；也可直接回复手机号）"
	msgAskConfidentialRe     = "请回复 1（保密）或 2（不保密），也可直接回复手机号（不保密）。"
	msgConfidentialByDefault = "好的，将对您的身份保密。"
	msgAskPhone              = "请留一个手机号，方便执法人员联系您核实（只有承办的执法队能看到）；不想留请回复“跳过”。"
	msgPhoneWrong            = "手机号格式不对（11位，以1开头），请重新输入，或回复“跳过”。"
	msgConfirmHint           = "回复“确认”提交；可回复“改描述”“改地点”“改类别”“补充照片”或“重拍”修改；回复“取消”放弃。"
	msgDescriptionRequired   = "问题描述不能跳过，一句话就行，如“路口有人占道摆摊”，也可以发语音。"
	msgDescribePhoto         = "已收到照片。"
	msgAddedToDescription    = "已补充到问题描述。"
	msgPlaceRequired         = "地点不能跳过：请发送定位，或说一下大概位置（村、社区或路名）。实在说不清，再回复“跳过”，由指挥平台核实。"
	msgPlaceLeftOpen         = "好的，地点暂不填写，由指挥平台联系核实。"
	msgAskPhotosAgain        = "已清除原来的照片，请重新发送，发完回复“好了”。"
	msgAskPhotosMore         = "请继续发送照片，发完回复“好了”。"
	msgDuplicateAgain        = "请回复 1（关注已有案件）或 2（仍然单独提交）。"
	msgDescriptionFull       = "问题描述已超过5000字，这一段没有记下。请简短补充，或回复“好了”继续。"
	msgAddressTooLong        = "地址太长了，请用200字以内说明大概位置（村、社区或路名），或发送定位。"
	msgNothingToUrge         = "您目前没有正在办理的问题。如有新问题，请直接描述。"
	msgUrgeUsage             = "请发送“催办”（催您最近反映的问题），或“催办 受理编号”。"
	msgNoMatterLabel         = "其他/不确定（由指挥平台分类）"
	msgVoiceNotRecognised    = "已收到语音，但未能识别出文字。请再用文字简单描述一下问题。"
	msgNotFound              = "未找到该受理编号的案件，请核对编号（11位以上数字）。"
	msgNoCases               = "您还没有反映过问题。发送“投诉”或“举报”开始。"
	msgBindUsage             = "请发送“绑定 绑定码”，绑定码由县指挥平台发给您。"
	msgBindWrong             = "绑定码无效、已使用或已过期，请核对后重试，或联系县指挥平台重新获取。"
	msgBindTooMany           = "绑定码错误次数过多，请一小时后再试。"
	msgBindTaken             = "该微信已绑定为其他工作人员，不能重复绑定。如有疑问请联系县指挥平台。"
	msgRateUsage             = "请发送“评价 受理编号 分数”，分数为1-5分，例如：评价 26112700136 5"
	msgRateNotClosed         = "该案件尚未办结，办结后才能评价。"
	msgRateNotYours          = "只有反映问题的人可以评价该案件。"
	msgAlreadyRated          = "该案件已经评价过了，感谢您的反馈。"
	msgVideo                 = "暂不支持视频。请发送照片，或用文字、语音描述问题。"
	msgLink                  = "暂不支持链接和文件。请用文字描述问题，或发送照片和位置。"
	msgUnknownType           = "暂不支持这种消息。请发送文字、照片、语音或位置。"
	msgBusy                  = "系统繁忙，您的消息已收到，我们处理后会尽快回复您。"
	msgRepeatQuestion        = "请继续："
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
	cmdUrge      = "催办"
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
	return []string{"好了", "好", "完成", "发完了", "没有", "无", "没有照片", "不用", "ok", "没了", "没有了", "就这些",
		"就这样", "就这么多", "说完了", "完了", "好啦", "可以了", "行了"}
}

// placeFiller are the words around a place name that say nothing more ("就在…那条溪").
func placeFiller() []string {
	return []string{"就在", "是在", "在", "那条", "这条", "那边", "这边", "那里", "这里", "附近", "旁边", "对面", "门口",
		"村口", "路口", "里面", "后面", "前面", "一带", "的", "那个", "这个"}
}

func wordsSkip() []string { return []string{"跳过", "略过", "跳", "下一步", "不填", "skip"} }

func wordsUnsure() []string {
	return []string{"不知道", "不清楚", "不确定", "不懂", "其他", "都不是", "都不对"}
}

func wordsDescription() []string {
	return []string{"改描述", "修改描述", "改问题", "重新描述", "改内容"}
}

func wordsRetake() []string { return []string{"重拍", "重新拍", "重发照片", "换照片"} }

func wordsMorePhotos() []string {
	return []string{"补充照片", "加照片", "再发照片", "补照片", "补拍"}
}

func wordsUrge() []string {
	return []string{"催办", "催一下", "催", "催催", "催下", "要", "好"}
}

func wordsConfirm() []string {
	return []string{"确认", "1", "是", "提交", "确定", "对", "好的", "确认提交"}
}

func wordsYes() []string { return []string{"1", "保密", "是", "要", "需要"} }

func wordsNo() []string { return []string{"2", "不保密", "否", "不", "不用", "不需要"} }

func wordsMatter() []string {
	return []string{"改事项", "修改事项", "换事项", "改类别", "修改类别", "改分类", "换类别"}
}

func wordsPlace() []string {
	return []string{"改地点", "修改地点", "换地点", "改位置", "改地址"}
}

func wordsGreetings() []string {
	return []string{"你好", "您好", "在吗", "在不在", "hello", "hi", "谢谢", "收到", "好的", "嗯", "哦", "谢谢你们",
		"辛苦了", "麻烦了"}
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

// askPlace asks where, in four lines at most: a location, an address, or a township number.
func askPlace(townshipNames []string) string {
	return "请告诉我们问题发生的地点：\n· 发送定位：点输入框旁的“+”→“位置”（最准确）\n· 或输入地址、村名，如“安海镇安平路12号”\n" +
		townshipLine(townshipNames)
}

// askPlaceShort asks for the place again in two lines.
func askPlaceShort(townshipNames []string) string {
	return "请发送定位，或输入地址、村名。\n" + townshipLine(townshipNames)
}

// townshipLine offers the townships by number on one line.
func townshipLine(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%d %s", i+1, n)
	}
	return "· 或回复乡镇序号：" + strings.Join(parts, "  ")
}

// askPlaceAgain asks for the township after an address that matched none.
func askPlaceAgain(address string, townshipNames []string) string {
	return fmt.Sprintf("已记下地址“%s”，但还不能确定是哪个镇（街道）。\n请回复乡镇序号：", address) +
		strings.TrimPrefix(townshipLine(townshipNames), "· 或回复乡镇序号：") + "\n或发送定位。"
}

// askNearestVillage offers the nearest village for a location outside every village's radius.
func askNearestVillage(place string) string {
	return fmt.Sprintf("您发送的位置离各村（社区）中心都较远，最近的是：%s。\n1 是这里\n2 不是，我输入地址", place)
}

// outsideCounty names the county the account serves when a location is outside it.
func outsideCounty(county string) string {
	if county == "" {
		county = "本县"
	}
	return fmt.Sprintf("本公众号受理%s范围内的问题，您发送的位置不在%s。如问题就在%s，请输入地址或村名。", county, county, county)
}

// addedTo confirms text added to the description, or says nothing when it was not taken.
func addedTo(ok bool) string {
	if ok {
		return msgAddedToDescription
	}
	return ""
}

// photosSoFar counts the draft's photos outside the photo step.
func photosSoFar(n int) string { return fmt.Sprintf("已收到照片（共%d张）。", n) }

// phoneNoted confirms the reporter's phone number.
func phoneNoted(phone string) string {
	return fmt.Sprintf("已记下您的手机号 %s，仅承办的执法队可见。", phone)
}

// offerUrgeText offers to urge the case a follow-up asked about.
func offerUrgeText(no string) string {
	return fmt.Sprintf("需要提醒办理人员尽快处理吗？回复 1 或“催办”即可催办案件 %s。", no)
}

// urged confirms a reporter's 催办.
func urged(no string) string {
	return fmt.Sprintf("已为您催办案件 %s，办理人员会收到提醒。有进展会及时通知您。", no)
}

// urgedAlready says the case was urged less than a day ago, and when.
func urgedAlready(no, at string) string {
	return fmt.Sprintf("案件 %s 已于 %s 催办过，24小时内只能催办一次；办理人员已收到提醒，请耐心等待。", no, at)
}

// urgeClosed says a finished case cannot be urged.
func urgeClosed(no string) string {
	return fmt.Sprintf("案件 %s 已办结或不在办理中，不能催办。发送“查询 %s”查看结果。", no, no)
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
func summary(kind, description, place, matter string, photos int, confidential, phone string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "请确认您的%s：\n类型：%s\n问题：%s\n地点：%s\n事项：%s\n照片：%d张", kindNoun(kind), kindNoun(kind),
		description, place, matter, photos)
	if confidential != "" {
		fmt.Fprintf(&b, "\n身份保密：%s", confidential)
	}
	if phone != "" {
		fmt.Fprintf(&b, "\n联系电话：%s", phone)
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
	msgVerifyNeedsReason = "核查不通过请写明原因，例如：核查 26112700136 不通过 摊位仍在"
	msgPhotosFollow      = "如有现场照片，请在30分钟内直接发送，将附加到该案件。"
	msgAfterTypo         = "上一条指令的编号有误，未执行。请发送带正确编号的完整指令，例如：签收 26112700136"
)

// usageOf explains a staff command's format with an example.
func usageOf(word string) string {
	switch word {
	case cmdSign:
		return "格式：签收 受理编号（可一次签收多件，编号之间空格隔开；收到派遣通知后也可直接回复 1）"
	case cmdHandle:
		return "格式：处置 受理编号 处置情况，例如：处置 26112700136 已到现场劝离摊贩"
	case cmdFinish:
		return "格式：办结 受理编号 办理结果（结果必填，可随后发送照片），例如：办结 26112700136 摊位已清理"
	case cmdReturn:
		return "格式：退回 受理编号 退回原因，例如：退回 26112700136 不属于本镇事项"
	case cmdTransfer:
		return "格式：移送 受理编号 部门 原因，例如：移送 26112700136 市场监管 涉及食品经营许可"
	case cmdJoint:
		return "格式：联合 受理编号 部门 说明，例如：联合 26112700136 住建 需共同拆除"
	case cmdExtend:
		return "格式：延期 受理编号 天数 原因（须在办理期限前申请），例如：延期 26112700136 3天 需等当事人补材料"
	case cmdAssign:
		return "格式：指派 受理编号 队员姓名，例如：指派 26112700136 陈建华"
	case cmdAcceptTransfer:
		return "格式：同意移送 受理编号（指挥平台可加承接部门，如：同意移送 26112700136 市场监管）"
	case cmdRefuseTransfer:
		return "格式：拒绝移送 受理编号 原因，例如：拒绝移送 26112700136 不属于本部门职责"
	case cmdAcceptJoint:
		return "格式：同意联合 受理编号"
	case cmdRefuseJoint:
		return "格式：拒绝联合 受理编号 原因"
	case cmdApprove:
		return "格式：批准延期 受理编号"
	case cmdRefuse:
		return "格式：驳回延期 受理编号 原因"
	case cmdVerify:
		return "格式：核查 受理编号 通过，或 核查 受理编号 不通过 原因"
	}
	return msgHelpOfficer
}

// actionPhrase is what a command did, for "已…" confirmations: 已签收, 已申请延期.
func actionPhrase(word string, a models.Action) string {
	switch word {
	case cmdHandle:
		return "记录处置情况"
	case cmdTransfer:
		return "申请移送"
	case cmdJoint:
		return "申请联合执法"
	case cmdExtend:
		return "申请延期"
	case cmdAcceptJoint:
		return "同意联合执法"
	case cmdRefuseJoint:
		return "拒绝联合执法"
	case cmdVerify:
		return a.Chinese()
	}
	return word
}

// taskList renders an officer's open cases.
func taskList(lines []string, first string) string {
	return "本队待办案件（按期限排序）：\n" + strings.Join(lines, "\n") +
		"\n回复 1 签收第一件（" + first + "），或发送“签收 受理编号”。"
}

// actionDone confirms a staff action, naming the case.
func actionDone(phrase, no, state string) string {
	return fmt.Sprintf("已%s：案件 %s，当前状态：%s。", phrase, no, state)
}

// mistypedNumber refuses a number that is not a tracking number and offers the cases it may mean.
func mistypedNumber(digits string, longEnough bool, near []string) string {
	var b strings.Builder
	if longEnough {
		fmt.Fprintf(&b, "编号 %s 校验不通过，请核对。", digits)
	} else {
		fmt.Fprintf(&b, "编号 %s 位数不对（受理编号为11位数字），请核对。", digits)
	}
	if len(near) > 0 {
		b.WriteString("\n您要找的可能是：")
		for _, n := range near {
			b.WriteString("\n" + n)
		}
	}
	b.WriteString("\n本次未做任何操作。")
	return b.String()
}

// needNumber asks for the number when a command has none and no recent case is in view.
func needNumber(word, last string) string {
	if last != "" {
		return fmt.Sprintf("请写明受理编号，例如：%s %s\n（您最近查看的案件 %s 已超过30分钟，为免弄错，需写明编号。）", word, last, last)
	}
	return "请写明受理编号。" + usageOf(word)
}

// noSuchMember says the team has nobody of that name.
func noSuchMember(name string) string {
	return fmt.Sprintf("本队没有名为“%s”的队员。", name)
}

// confirmAction asks before a weighty action on the focused case.
func confirmAction(phrase, caseLine string) string {
	return fmt.Sprintf("对案件 %s%s？\n回复 1 确认；回复其他内容则不执行。", caseLine, phrase)
}

// confirmExpired says a confirmation came too late.
func confirmExpired(word, no string) string {
	return fmt.Sprintf("确认已超时（5分钟），未执行。如仍需%s，请发送：%s %s …", word, word, no)
}

// staleFocus answers "1" when the last card is more than half an hour old.
func staleFocus(no string) string {
	return fmt.Sprintf("最近的通知（案件 %s）已超过30分钟，为免弄错，请发送“签收 %s”。", no, no)
}

// cardHint answers "1" after a card that is not signed for: what to send for its case.
func cardHint(kind, no string) string {
	var do string
	switch kind {
	case models.NoticeVerify:
		do = fmt.Sprintf("“核查 %s 通过”或“核查 %s 不通过 原因”", no, no)
	case models.NoticeRequest:
		do = fmt.Sprintf("“批准延期 %s”或“驳回延期 %s 原因”", no, no)
	case models.NoticeChase, models.NoticeEscalation, models.NoticeExtensionDecision:
		do = fmt.Sprintf("“处置 %s 情况”或“办结 %s 结果”", no, no)
	default:
		do = fmt.Sprintf("“查询 %s”查看详情", no)
	}
	return fmt.Sprintf("回复 1 只用于签收。案件 %s 请发送%s。", no, do)
}

// requestHint says how to decide a transfer or joint request from the chat.
func requestHint(accept, refuse, no string) string {
	return fmt.Sprintf("回复 1 只用于签收。案件 %s 请发送“%s %s”或“%s %s 原因”。", no, accept, no, refuse, no)
}

// jointNote is the note of a joint request that says only whom it asks.
func jointNote(teams []string) string {
	return "申请与" + strings.Join(teams, "、") + "联合执法"
}

// notFoundNo says a case does not exist or is not the person's to see.
func notFoundNo(no string) string {
	return fmt.Sprintf("未找到该受理编号（%s）的案件，请核对。", no)
}

// notAllowed says the person may not take this action on the case.
func notAllowed(no string) string {
	return fmt.Sprintf("您没有权限对案件 %s 执行此操作。", no)
}

// invalidAction says the action was not taken because its form is wrong.
func invalidAction(no string) string {
	return fmt.Sprintf("案件 %s 的操作未完成，请检查格式。", no)
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

// staffView is what an officer's 查询 shows of a case.
type staffView struct {
	No, Kind, Matter, State, Place, Description, Limit, Received, Evidence, URL string
	Photos                                                                      int
	History                                                                     []string
}

// staffCaseView renders a case for staff: what, where, by when, evidence and the history in brief.
func staffCaseView(v staffView) string {
	var b strings.Builder
	fmt.Fprintf(&b, "案件 %s（%s）\n事项：%s\n当前状态：%s\n地点：%s\n问题：%s\n办理时限：%s\n受理时间：%s\n%s",
		v.No, v.Kind, v.Matter, v.State, v.Place, v.Description, v.Limit, v.Received, v.Evidence)
	if v.Photos > 0 && v.URL != "" {
		fmt.Fprintf(&b, "\n照片%d张，查看：%s", v.Photos, v.URL)
	}
	if len(v.History) > 0 {
		b.WriteString("\n办理记录：")
		for _, h := range v.History {
			b.WriteString("\n" + h)
		}
	}
	return b.String()
}

// latestCase answers a follow-up with the reporter's latest open case.
func latestCase(kind, no, matter, state, received, due string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "您的%s %s（%s）\n当前状态：%s\n受理时间：%s", kind, no, matter, state, received)
	if due != "" {
		fmt.Fprintf(&b, "\n办理期限：%s", due)
	}
	return b.String()
}

// noOpenCase says the person's cases are all finished.
func noOpenCase(no, state string) string {
	return fmt.Sprintf("您反映的问题都已办理完毕。最近一件 %s：%s。如有新问题，请直接描述。", no, state)
}
