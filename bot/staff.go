package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gridbot/models"
	"gridbot/workflow"
)

// Staff command words: officers', team leaders' and verifiers' actions from the chat.
const (
	cmdTasks    = "任务"
	cmdSign     = "签收"
	cmdHandle   = "处置"
	cmdFinish   = "办结"
	cmdReturn   = "退回"
	cmdTransfer = "移送"
	cmdJoint    = "联合"
	cmdExtend   = "延期"
	cmdAssign   = "指派"
	cmdApprove  = "批准延期"
	cmdRefuse   = "驳回延期"
	cmdVerify   = "核查"

	cmdAcceptTransfer = workflow.CmdAcceptTransfer
	cmdRefuseTransfer = workflow.CmdRefuseTransfer
	cmdAcceptJoint    = workflow.CmdAcceptJoint
	cmdRefuseJoint    = workflow.CmdRefuseJoint
)

// staffWords lists the staff commands, longer words first so that prefixes do not shadow them.
func staffWords() []string {
	return []string{cmdApprove, cmdRefuse, cmdAcceptTransfer, cmdRefuseTransfer, cmdAcceptJoint, cmdRefuseJoint,
		cmdTasks, cmdSign, cmdHandle, cmdFinish, cmdReturn, cmdTransfer, cmdJoint, cmdExtend, cmdAssign, cmdVerify}
}

// weighty reports whether an action without a number is confirmed before it is taken.
func weighty(word string) bool {
	return slices.Contains([]string{cmdFinish, cmdReturn, cmdTransfer, cmdJoint, cmdApprove, cmdRefuse, cmdAssign,
		cmdVerify, cmdAcceptTransfer, cmdRefuseTransfer, cmdAcceptJoint, cmdRefuseJoint}, word)
}

// staffCommand handles a staff command word with its argument; ok is false for other words.
func (b *Bot) staffCommand(t *turn, word, arg string) (string, bool, error) {
	if word == "" {
		return "", false, nil
	}
	if !t.person.Staff() {
		return msgStaffOnly, true, nil
	}
	if word == cmdTasks {
		r, err := b.tasks(t)
		return r, true, err
	}
	r, err := b.act(t, word, arg)
	return r, true, err
}

// splitStaffCommand separates a leading staff command word from its argument.
func splitStaffCommand(text string) (string, string) {
	for _, w := range staffWords() {
		if rest, ok := strings.CutPrefix(text, w); ok {
			return w, strings.TrimSpace(strings.TrimLeft(rest, ":：,，"))
		}
	}
	return "", text
}

// tasks lists the open cases of the person's team, most urgent first, and focuses the first.
func (b *Bot) tasks(t *turn) (string, error) {
	cs, err := b.cases.OpenCasesOfTeam(t.ctx, t.person.TeamCode, 10)
	if err != nil {
		return "", err
	}
	if len(cs) == 0 {
		return msgNoTasks, nil
	}
	lines := make([]string, len(cs))
	for i, c := range cs {
		due := "无期限"
		if !c.HandleDeadline.IsZero() {
			due = b.clock(c.HandleDeadline) + "前办结"
		}
		lines[i] = fmt.Sprintf("%d. %s %s %s %s", i+1, c.TrackingNo, b.matterName(c.MatterCode), c.State.Chinese(), due)
	}
	if err := b.setFocus(t.ctx, t.in.OpenID, cs[0].TrackingNo, focusList); err != nil {
		return "", err
	}
	return taskList(lines, cs[0].TrackingNo), nil
}

// target is what a staff command acts on: the cases it names, or the recent focus.
type target struct {
	nos     []string
	rest    string // the argument after the numbers
	focused bool   // no number was given: the case is the person's recent focus
}

// parseTarget reads the tracking numbers at the start of a command's argument (several only
// for 签收). A number that looks like a tracking number but is not one, or a command without a
// number and without a recent focus, is answered with reply and acts on nothing.
func (b *Bot) parseTarget(t *turn, word, arg string) (target, string, error) {
	var tg target
	rest := arg
	for {
		n, ok := leadingNumber(rest)
		if !ok || !n.LooksLikeTrackingNo() {
			break
		}
		if !models.ValidTrackingNumber(n.Digits) {
			r, err := b.typoReply(t, n.Digits, true)
			return target{}, r, err
		}
		tg.nos, rest = append(tg.nos, n.Digits), n.Rest
		if word != cmdSign {
			break
		}
	}
	tg.rest = strings.TrimSpace(rest)
	if len(tg.nos) > 0 {
		return tg, "", nil
	}
	f, err := b.currentFocus(t.ctx, t.in.OpenID, t.person.ID)
	if err != nil {
		return target{}, "", err
	}
	if !f.fresh(b.now()) {
		return target{}, needNumber(word, f.No), nil
	}
	tg.nos, tg.focused = []string{f.No}, true
	return tg, "", nil
}

// act parses a staff action and applies it through the workflow, after confirmation when it
// is weighty and names no case.
func (b *Bot) act(t *turn, word, arg string) (string, error) {
	tg, reply, err := b.parseTarget(t, word, arg)
	if reply != "" || err != nil {
		return reply, err
	}
	req, reply, err := b.request(t, word, tg.rest)
	if reply != "" || err != nil {
		return reply, err
	}
	if tg.focused && weighty(word) {
		return b.askConfirm(t, word, tg.nos[0], req)
	}
	replies := make([]string, 0, len(tg.nos))
	for _, no := range tg.nos {
		req.TrackingNo = no
		r, err := b.apply(t, req, word)
		if err != nil {
			return "", err
		}
		replies = append(replies, r)
	}
	return strings.Join(replies, "\n"), nil
}

// request builds the workflow request of a command from its argument after the number;
// reply explains the format when the argument is not right.
func (b *Bot) request(t *turn, word, rest string) (workflow.Request, string, error) {
	req := workflow.Request{Actor: t.person, Note: rest}
	switch word {
	case cmdSign:
		req.Action, req.Note = models.ActionSign, ""
	case cmdHandle:
		req.Action = models.ActionProgress
	case cmdFinish:
		req.Action = models.ActionFinish
	case cmdReturn:
		req.Action = models.ActionReturn
	case cmdTransfer:
		return b.transferRequest(req, rest)
	case cmdJoint:
		return b.jointRequest(req, rest)
	case cmdAcceptTransfer, cmdAcceptJoint:
		return b.acceptRequest(req, word, rest)
	case cmdRefuseTransfer:
		req.Action = models.ActionRefuseTransfer
	case cmdRefuseJoint:
		req.Action = models.ActionRefuseJoint
	case cmdExtend:
		days, reason, ok := parseDays(rest)
		if !ok || reason == "" {
			return req, usageOf(word), nil
		}
		req.Action, req.Days, req.Note = models.ActionRequestExtension, days, reason
	case cmdAssign:
		return b.assignRequest(t, req, rest)
	case cmdApprove:
		req.Action = models.ActionApproveExtension
	case cmdRefuse:
		req.Action = models.ActionRefuseExtension
	case cmdVerify:
		return verifyRequest(req, rest)
	}
	if needsNote(req.Action) && req.Note == "" {
		return req, usageOf(word), nil
	}
	return req, "", nil
}

// needsNote reports whether an action needs a result or reason in the command.
func needsNote(a models.Action) bool {
	switch a {
	case models.ActionProgress, models.ActionFinish, models.ActionReturn, models.ActionTransfer,
		models.ActionRequestJoint, models.ActionRefuseTransfer, models.ActionRefuseJoint:
		return true
	}
	return false
}

// transferRequest reads "移送 NO 部门 原因": the receiving department, when the first word names
// one, and the reason; without a department the platform decides who takes it.
func (b *Bot) transferRequest(req workflow.Request, rest string) (workflow.Request, string, error) {
	req.Action = models.ActionTransfer
	first, reason, _ := strings.Cut(rest, " ")
	if team, ok := b.cases.ResolveTeam(first); ok && first != "" {
		req.TargetTeams, req.Note = []string{team.Code}, strings.TrimSpace(reason)
	}
	if req.Note == "" {
		return req, usageOf(cmdTransfer), nil
	}
	return req, "", nil
}

// jointRequest reads "联合 NO 部门… 说明": the departments named first, then what is asked.
func (b *Bot) jointRequest(req workflow.Request, rest string) (workflow.Request, string, error) {
	req.Action = models.ActionRequestJoint
	words := strings.Fields(rest)
	var names []string
	for len(words) > 0 {
		team, ok := b.cases.ResolveTeam(words[0])
		if !ok {
			break
		}
		req.TargetTeams, names, words = append(req.TargetTeams, team.Code), append(names, team.Name), words[1:]
	}
	req.Note = strings.Join(words, " ")
	if req.Note == "" && len(names) > 0 {
		req.Note = jointNote(names)
	}
	if req.Note == "" {
		return req, usageOf(cmdJoint), nil
	}
	return req, "", nil
}

// acceptRequest reads "同意移送 NO [部门] [说明]": the platform may name the team it decides for.
func (b *Bot) acceptRequest(req workflow.Request, word, rest string) (workflow.Request, string, error) {
	req.Action = models.ActionAcceptTransfer
	if word == cmdAcceptJoint {
		req.Action = models.ActionAcceptJoint
	}
	first, note, _ := strings.Cut(rest, " ")
	if team, ok := b.cases.ResolveTeam(first); ok && first != "" {
		req.TeamCode, req.Note = team.Code, strings.TrimSpace(note)
	}
	return req, "", nil
}

// parseDays reads the working days of an extension and its reason: "3天 人手不够", "3 天 …",
// "三天 …", "3个工作日 …", "5 原因".
func parseDays(rest string) (int, string, bool) {
	s := strings.TrimSpace(rest)
	var num string
	if n, ok := leadingNumber(s); ok {
		num, s = n.Digits, n.Rest
	} else {
		i := strings.IndexFunc(s, func(r rune) bool { _, ok := cnDigits[r]; return !ok && r != '十' })
		if i <= 0 {
			return 0, "", false
		}
		num, s = s[:i], s[i:]
	}
	days, ok := smallNumber(num)
	if !ok {
		return 0, "", false
	}
	s = strings.TrimSpace(s)
	for _, unit := range []string{"个工作日", "工作日", "天", "日"} {
		if r, ok := strings.CutPrefix(s, unit); ok {
			s = r
			break
		}
	}
	return days, strings.TrimSpace(strings.TrimLeft(s, " ,，:：")), true
}

// assignRequest gives a case to a member of the leader's team, named by name or code.
func (b *Bot) assignRequest(t *turn, req workflow.Request, rest string) (workflow.Request, string, error) {
	f := strings.Fields(rest)
	if len(f) == 0 {
		return req, usageOf(cmdAssign), nil
	}
	members, err := b.cases.TeamMembers(t.ctx, t.person.TeamCode)
	if err != nil {
		return req, "", err
	}
	for _, m := range members {
		if m.Name == f[0] || m.Code == f[0] {
			req.Action, req.AssigneeID, req.Note = models.ActionAssign, m.ID, strings.Join(f[1:], " ")
			return req, "", nil
		}
	}
	return req, noSuchMember(f[0]), nil
}

// verifyRequest reads a check: 核查 <no> 通过|不通过 <note>.
func verifyRequest(req workflow.Request, rest string) (workflow.Request, string, error) {
	switch {
	case strings.HasPrefix(rest, "不通过"):
		req.Action, req.Note = models.ActionVerifyFail, strings.TrimSpace(strings.TrimPrefix(rest, "不通过"))
		if req.Note == "" {
			return req, msgVerifyNeedsReason, nil
		}
	case strings.HasPrefix(rest, "通过"):
		req.Action, req.Note = models.ActionVerifyPass, strings.TrimSpace(strings.TrimPrefix(rest, "通过"))
	default:
		return req, usageOf(cmdVerify), nil
	}
	return req, "", nil
}

// askConfirm asks the person to confirm a weighty action on their focused case.
func (b *Bot) askConfirm(t *turn, word, no string, req workflow.Request) (string, error) {
	c, err := b.cases.CaseByTrackingNo(t.ctx, no)
	if err != nil {
		if models.ErrorCodeOf(err) == models.ENotFound {
			return msgNotFound, nil
		}
		return "", err
	}
	p := pendingAction{Word: word, No: no, Action: string(req.Action), Note: req.Note, Days: req.Days,
		AssigneeID: req.AssigneeID, Teams: req.TargetTeams, TeamCode: req.TeamCode, At: b.now()}
	if err := b.savePending(t.ctx, t.in.OpenID, p); err != nil {
		return "", err
	}
	return confirmAction(actionPhrase(word, req.Action), b.caseLine(c)), nil
}

// confirmPending answers a reply to "对案件 N …？回复 1 确认": ok is false when nothing waits.
// Any other reply drops the waiting action, which is then never taken.
func (b *Bot) confirmPending(t *turn, text string) (string, bool, error) {
	if !t.person.Staff() {
		return "", false, nil
	}
	p, ok, err := b.takePending(t.ctx, t.in.OpenID)
	if err != nil || !ok {
		return "", false, err
	}
	n, isChoice := choice(text)
	if !(isChoice && n == 1) && !oneOf(text, wordsConfirm()...) {
		return "", false, nil // the waiting action is dropped; the message is read as usual
	}
	if b.now().Sub(p.At) > confirmFresh {
		return confirmExpired(p.Word, p.No), true, nil
	}
	req := workflow.Request{Actor: t.person, TrackingNo: p.No, Action: models.Action(p.Action), Note: p.Note,
		Days: p.Days, AssigneeID: p.AssigneeID, TargetTeams: p.Teams, TeamCode: p.TeamCode}
	r, err := b.apply(t, req, p.Word)
	return r, true, err
}

// apply runs a workflow action and answers in Chinese, naming the case; photos that follow
// attach to it.
func (b *Bot) apply(t *turn, req workflow.Request, word string) (string, error) {
	c, err := b.cases.Act(t.ctx, req)
	if err != nil {
		return b.refusal(t, req, err)
	}
	if err := b.setFocus(t.ctx, t.in.OpenID, c.TrackingNo, focusAction); err != nil {
		return "", err
	}
	done := actionDone(actionPhrase(word, req.Action), c.TrackingNo, c.State.Chinese())
	if req.Action == models.ActionProgress || req.Action == models.ActionFinish {
		if err := b.attachNext(t, c); err != nil {
			return "", err
		}
		return done + "\n" + msgPhotosFollow, nil
	}
	return done, nil
}

// refusal explains in Chinese why an action was not taken.
func (b *Bot) refusal(t *turn, req workflow.Request, err error) (string, error) {
	switch models.ErrorCodeOf(err) {
	case models.ENotFound:
		return notFoundNo(req.TrackingNo), nil
	case models.EForbidden:
		return notAllowed(req.TrackingNo), nil
	case models.EInvalid:
		return invalidAction(req.TrackingNo) + "\n" + usageOf(actionWord(req.Action)), nil
	case models.EConflict:
		c, cerr := b.cases.CaseByTrackingNo(t.ctx, req.TrackingNo)
		if cerr != nil {
			return "", cerr
		}
		return b.conflictText(t.ctx, req, c), nil
	}
	return "", err
}

// conflictText tells who has the case or why it cannot take the action now.
func (b *Bot) conflictText(ctx context.Context, req workflow.Request, c models.Case) string {
	switch {
	case req.Action == models.ActionSign && c.AssigneeID != 0 && c.State != models.StateDispatched:
		name := "其他队员"
		if p, err := b.cases.PersonByID(ctx, c.AssigneeID); err == nil {
			name = p.Name
		}
		return fmt.Sprintf("案件 %s 已由 %s 签收。", c.TrackingNo, name)
	case req.Action == models.ActionRequestExtension && !c.HandleDeadline.IsZero() && !b.now().Before(c.HandleDeadline):
		return fmt.Sprintf("案件 %s 已超过办理期限（%s），不能再申请延期，请尽快办结或联系指挥平台。", c.TrackingNo, b.clock(c.HandleDeadline))
	case req.Action == models.ActionReturn && c.FinalRuling:
		return fmt.Sprintf("案件 %s 已由指挥平台终审派遣，不能退回。", c.TrackingNo)
	}
	return fmt.Sprintf("案件 %s 当前状态为“%s”，不能%s。", c.TrackingNo, c.State.Chinese(), req.Action.Chinese())
}

// attachNext makes the photos a staff member sends in the next 30 minutes evidence of the
// case's latest event.
func (b *Bot) attachNext(t *turn, c models.Case) error {
	events, err := b.cases.Events(t.ctx, c.ID)
	if err != nil || len(events) == 0 {
		return err
	}
	v := fmt.Sprintf("%d:%d:%s", c.ID, events[len(events)-1].ID, c.TrackingNo)
	if err := b.state.SetAttach(t.ctx, t.in.OpenID, v, 30*time.Minute); err != nil {
		return fmt.Errorf("attach photos: %w", err)
	}
	return nil
}

// attachToCase adds a staff member's photo to the case they just handled, if any; ok reports it.
func (b *Bot) attachToCase(t *turn) (string, bool, error) {
	v, found, err := b.state.Attach(t.ctx, t.in.OpenID)
	if err != nil {
		return "", false, fmt.Errorf("attach photos: %w", err)
	}
	if !found {
		return "", false, nil
	}
	var caseID, eventID int64
	var no string
	if _, err := fmt.Sscanf(v, "%d:%d:%s", &caseID, &eventID, &no); err != nil {
		return "", false, nil
	}
	a, err := b.media.AddAttachment(t.ctx, models.Attachment{CaseID: caseID, EventID: eventID, MediaID: t.in.MediaID,
		MIMEType: "image/jpeg"})
	if err != nil {
		return "", false, fmt.Errorf("record attachment: %w", err)
	}
	b.media.Enqueue(a)
	return fmt.Sprintf("照片已附加到案件 %s。", no), true, nil
}

// shortReply answers "1" outside a conversation: it signs the case of the card the person
// received last (or of their task list or query), never another; a card that is not signed
// for is answered with what to send for its case.
func (b *Bot) shortReply(t *turn, text string) (string, bool, error) {
	if !t.person.Staff() || t.sess != nil {
		return "", false, nil
	}
	if n, ok := choice(text); !ok || n != 1 {
		return "", false, nil
	}
	f, err := b.currentFocus(t.ctx, t.in.OpenID, t.person.ID)
	if err != nil {
		return "", false, err
	}
	if f.From == focusTypo && b.now().Sub(f.At) <= focusFresh {
		return msgAfterTypo, true, nil
	}
	if f.No == "" {
		return "", false, nil
	}
	if !f.fresh(b.now()) {
		return staleFocus(f.No), true, nil
	}
	if f.card() && f.From != models.NoticeDispatched && f.From != models.NoticeAssigned {
		return b.cardHint(t, f), true, nil
	}
	r, err := b.apply(t, workflow.Request{Actor: t.person, TrackingNo: f.No, Action: models.ActionSign}, cmdSign)
	return r, true, err
}

// actionWord is the command word of an action, for usage hints.
func actionWord(a models.Action) string {
	switch a {
	case models.ActionSign:
		return cmdSign
	case models.ActionProgress:
		return cmdHandle
	case models.ActionFinish:
		return cmdFinish
	case models.ActionReturn:
		return cmdReturn
	case models.ActionTransfer:
		return cmdTransfer
	case models.ActionRequestJoint:
		return cmdJoint
	case models.ActionRequestExtension:
		return cmdExtend
	case models.ActionAssign:
		return cmdAssign
	case models.ActionApproveExtension:
		return cmdApprove
	case models.ActionRefuseExtension:
		return cmdRefuse
	case models.ActionAcceptTransfer:
		return cmdAcceptTransfer
	case models.ActionRefuseTransfer:
		return cmdRefuseTransfer
	case models.ActionAcceptJoint:
		return cmdAcceptJoint
	case models.ActionRefuseJoint:
		return cmdRefuseJoint
	}
	return cmdVerify
}

// cardHint says what to send for the case of a card that "1" does not sign: the request it
// waits on decides the words.
func (b *Bot) cardHint(t *turn, f focus) string {
	if f.From == models.NoticeRequest {
		if c, err := b.cases.CaseByTrackingNo(t.ctx, f.No); err == nil {
			switch {
			case c.Pending.Kind == models.ActionTransfer:
				return requestHint(cmdAcceptTransfer, cmdRefuseTransfer, f.No)
			case c.Pending.Kind == models.ActionRequestJoint:
				return requestHint(cmdAcceptJoint, cmdRefuseJoint, f.No)
			}
		}
	}
	return cardHint(f.From, f.No)
}
