package notify

import (
	"fmt"
	"strings"

	"gridbot/models"
)

// Message is a notice rendered for people: a title, labelled fields and a closing remark. The
// same message becomes a customer-service text, a template message (first, keyword1…, remark)
// or a WeCom text card.
type Message struct {
	Title  string
	Fields []Field
	Remark string
	Status string // the state in a few characters, for a template's short field (not in the text)
}

// Field is one labelled line of a message; Source names it for template fields.
type Field struct {
	Label  string
	Value  string
	Source string
}

// value is the part of the message a template field shows ("" when the message has none).
func (m Message) value(source string) string {
	switch source {
	case SourceTitle:
		return m.Title
	case SourceRemark:
		return m.Remark
	case SourceStatus:
		return m.Status
	}
	for _, f := range m.Fields {
		if f.Source == source {
			return f.Value
		}
	}
	return ""
}

// Text renders the message as one plain text.
func (m Message) Text() string {
	lines := []string{m.Title}
	for _, f := range m.Fields {
		lines = append(lines, f.Label+"："+f.Value)
	}
	if m.Remark != "" {
		lines = append(lines, m.Remark)
	}
	return strings.Join(lines, "\n")
}

// StaffOnly reports whether a kind of notice may go to staff only (never to a citizen): every
// kind but the reporter's received and status notices carries internal details.
func StaffOnly(kind string) bool {
	return kind != models.NoticeReceived && kind != models.NoticeStatus
}

// Kinds lists every kind of notice that Render knows, for start-up checks of the templates.
func Kinds() []string {
	return []string{models.NoticeReceived, models.NoticeStatus, models.NoticeDispatched, models.NoticeAssigned,
		models.NoticeVerify, models.NoticeTriage, models.NoticeReturned, models.NoticeRequest,
		models.NoticeExtensionDecision, models.NoticeChase, models.NoticeEscalation}
}

// Render turns a notice of a kind into the message its recipient sees.
func Render(kind string, n models.Notice) (Message, error) {
	switch kind {
	case models.NoticeReceived:
		return received(n), nil
	case models.NoticeStatus:
		return status(n), nil
	case models.NoticeDispatched:
		return card("【新派遣】请及时签收", n), nil
	case models.NoticeAssigned:
		return card("【指派】队长将案件指派给您", n), nil
	case models.NoticeVerify:
		return card("【核查】案件已处置，请核查结果", n), nil
	case models.NoticeTriage:
		return card("【待分流】有案件等待分类派遣", n), nil
	case models.NoticeReturned:
		return card("【退回】执法队伍退回了案件", n), nil
	case models.NoticeRequest:
		return card(requestTitle(n.Action), n), nil
	case models.NoticeExtensionDecision:
		return card(extensionTitle(n.Action), n), nil
	case models.NoticeChase:
		return card(chaseTitle(n.Action), n), nil
	case models.NoticeEscalation:
		return card("【督办】案件已超期，请立即处理", n), nil
	}
	return Message{}, fmt.Errorf("render notice: unknown kind %q", kind)
}

// received tells a reporter that the case is registered, with its tracking number.
func received(n models.Notice) Message {
	return Message{
		Title:  "您反映的" + caseKindName(n.CaseKind) + "已受理",
		Fields: publicFields(n, "已受理"),
		Remark: "请记下受理编号；回复「查询 " + n.TrackingNo + "」可随时查看办理进度。",
		Status: "已受理",
	}
}

// status tells a reporter or a follower where the case stands, without internal details; a
// rejection's reason and a merge's note are the only notes shown, and the (filtered) handling
// result once the case is handled.
func status(n models.Notice) Message {
	label, remark := publicState(n)
	m := Message{Title: "您反映的" + caseKindName(n.CaseKind) + "有新进展", Fields: publicFields(n, label), Remark: remark,
		Status: shortState(n.State)}
	if (n.State == models.StateRejected || n.State == models.StateMerged) && n.Note != "" {
		m.Fields = append(m.Fields, Field{"说明", n.Note, SourceNote})
	}
	if (n.State == models.StateHandled || n.State == models.StateClosed) && n.Result != "" {
		m.Fields = append(m.Fields, Field{"办理结果", n.Result, SourceResult})
	}
	return m
}

// publicFields are the fields a reporter sees: tracking number, matter and state.
func publicFields(n models.Notice, state string) []Field {
	fs := []Field{{"受理编号", n.TrackingNo, SourceTrackingNo}}
	if n.Matter != "" {
		fs = append(fs, Field{"事项", n.Matter, SourceMatter})
	}
	return append(fs, Field{"办理状态", state, SourceState})
}

// publicState names a state for the public, with the remark that goes with it.
func publicState(n models.Notice) (label, remark string) {
	switch n.State {
	case models.StateReceived, models.StateTriage:
		return "已受理，正在分派", ""
	case models.StateDispatched, models.StateReopened:
		return "已派遣至执法队伍", "我们将尽快安排处理。"
	case models.StateSigned, models.StateHandling, models.StateExtensionRequested, models.StateParked:
		return "执法人员已签收，正在处置", ""
	case models.StateHandled:
		return "已处置完毕，等待核查", ""
	case models.StateClosed:
		if n.NoRating {
			return "已办结", "感谢您的反映。"
		}
		return "已办结", "请您对办理结果评价：回复「评价 " + n.TrackingNo + " 分数」（1-5分，5分最满意）。"
	case models.StateReturned:
		return "正在重新派遣", "您的诉求仍在办理中，请耐心等待。"
	case models.StateTransferred:
		return "已移送有关部门办理", "后续进展将继续通知您。"
	case models.StateRejected:
		return "不予受理", "如有疑问，可再次反映。"
	case models.StateMerged:
		return "已与同一问题合并办理", "后续进展将继续通知您。"
	}
	return "办理中", ""
}

// card is the staff card: matter, place, deadline, short description, note and reply shortcuts.
func card(title string, n models.Notice) Message {
	fs := []Field{{"案件编号", n.TrackingNo, SourceTrackingNo}}
	for _, f := range []Field{{"事项", n.Matter, SourceMatter}, {"地点", n.Place, SourcePlace},
		{"办理时限", n.Deadline, SourceDeadline}, {"问题描述", n.Description, SourceDescription},
		{"联系方式", n.Contact, SourceContact}, {"说明", n.Note, SourceNote}} {
		if f.Value != "" {
			fs = append(fs, f)
		}
	}
	return Message{Title: title, Fields: fs, Remark: shortcuts(n.Shortcuts), Status: bracketed(title)}
}

// bracketed is the 【…】 label that starts a card's title, such as 新派遣.
func bracketed(title string) string {
	rest, ok := strings.CutPrefix(title, "【")
	label, _, closed := strings.Cut(rest, "】")
	if !ok || !closed {
		return ""
	}
	return label
}

// shortState names a state for the public in a few characters, for a template's short field.
func shortState(s models.State) string {
	switch s {
	case models.StateReceived, models.StateTriage:
		return "已受理"
	case models.StateDispatched, models.StateReopened, models.StateReturned:
		return "已派遣"
	case models.StateSigned, models.StateHandling, models.StateExtensionRequested, models.StateParked:
		return "处置中"
	case models.StateHandled:
		return "待核查"
	case models.StateClosed:
		return "已办结"
	case models.StateTransferred:
		return "已移送"
	case models.StateRejected:
		return "不予受理"
	case models.StateMerged:
		return "已合并"
	}
	return "办理中"
}

// shortcuts renders the replies that act on the case: "回复「1 签收」".
func shortcuts(s []string) string {
	if len(s) == 0 {
		return ""
	}
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = "「" + x + "」"
	}
	return "快捷回复：" + strings.Join(parts, " 或 ")
}

// requestTitle names what a team asked for.
func requestTitle(a models.Action) string {
	switch a {
	case models.ActionTransfer:
		return "【移送申请】执法队伍申请移送案件，请审核"
	case models.ActionRequestJoint:
		return "【联合执法申请】执法队伍申请联合执法，请协调"
	case models.ActionRequestExtension:
		return "【延期申请】执法人员申请延长办理时限，请审批"
	case models.ActionAcceptTransfer:
		return "【移送已同意】案件已移送至接收部门"
	case models.ActionRefuseTransfer:
		return "【移送未同意】案件退回本队继续办理"
	case models.ActionAcceptJoint:
		return "【联合执法】联合执法申请已同意，请协同办理"
	case models.ActionRefuseJoint:
		return "【联合执法未同意】请本队继续办理"
	}
	return "【申请】有案件申请待您处理"
}

// chaseTitle says who chases: the reporter (催办 by the reporter or a follower), or the
// supervision when most of the time is spent.
func chaseTitle(a models.Action) string {
	if a == models.ActionUrge {
		return "【群众催办】报告人催促办理，请尽快处理"
	}
	return "【催办】案件办理时限已过八成，请抓紧办理"
}

// extensionTitle tells the assignee the decision on an extension.
func extensionTitle(a models.Action) string {
	if a == models.ActionApproveExtension {
		return "【延期已批准】办理时限已延长"
	}
	return "【延期未批准】请按原时限办理"
}

// caseKindName names a case kind for the public.
func caseKindName(k models.CaseKind) string {
	switch k {
	case models.KindComplaint:
		return "投诉"
	case models.KindTip:
		return "举报"
	}
	return "问题"
}
