package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

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
)

// staffWords lists the staff commands, longer words first so that prefixes do not shadow them.
func staffWords() []string {
	return []string{cmdApprove, cmdRefuse, cmdTasks, cmdSign, cmdHandle, cmdFinish, cmdReturn, cmdTransfer,
		cmdJoint, cmdExtend, cmdAssign, cmdVerify}
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
	r, err := b.act(t, word, strings.Fields(arg))
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
	if err := b.Focus(t.ctx, t.in.OpenID, cs[0].TrackingNo); err != nil {
		return "", err
	}
	return taskList(lines), nil
}

// act parses a staff action's arguments and applies it through the workflow.
func (b *Bot) act(t *turn, word string, args []string) (string, error) {
	no, rest, err := b.caseArg(t, args)
	if err != nil || no == "" {
		return usageOf(word), err
	}
	req := workflow.Request{Actor: t.person, TrackingNo: no, Note: strings.Join(rest, " ")}
	switch word {
	case cmdSign:
		req.Action = models.ActionSign
	case cmdHandle:
		req.Action = models.ActionProgress
	case cmdFinish:
		req.Action = models.ActionFinish
	case cmdReturn:
		req.Action = models.ActionReturn
	case cmdTransfer, cmdJoint:
		req.Action = models.ActionTransfer
		if word == cmdJoint {
			req.Action = models.ActionRequestJoint
		}
	case cmdExtend:
		if len(rest) < 2 {
			return usageOf(word), nil
		}
		days, err := strconv.Atoi(rest[0])
		if err != nil {
			return usageOf(word), nil
		}
		req.Action, req.Days, req.Note = models.ActionRequestExtension, days, strings.Join(rest[1:], " ")
	case cmdAssign:
		return b.assign(t, req, rest)
	case cmdApprove:
		req.Action = models.ActionApproveExtension
	case cmdRefuse:
		req.Action = models.ActionRefuseExtension
	case cmdVerify:
		return b.verify(t, req, rest)
	}
	return b.apply(t, req, word)
}

// caseArg takes the tracking number from the arguments, or the focused case when the first
// argument is not one.
func (b *Bot) caseArg(t *turn, args []string) (string, []string, error) {
	if len(args) > 0 && models.ValidTrackingNumber(args[0]) {
		return args[0], args[1:], nil
	}
	no, err := b.focused(t.ctx, t.in.OpenID, t.person.ID)
	return no, args, err
}

// assign gives a case to a member of the leader's team, named by name or code.
func (b *Bot) assign(t *turn, req workflow.Request, rest []string) (string, error) {
	if len(rest) == 0 {
		return usageOf(cmdAssign), nil
	}
	members, err := b.cases.TeamMembers(t.ctx, t.person.TeamCode)
	if err != nil {
		return "", err
	}
	for _, m := range members {
		if m.Name == rest[0] || m.Code == rest[0] {
			req.Action, req.AssigneeID, req.Note = models.ActionAssign, m.ID, strings.Join(rest[1:], " ")
			return b.apply(t, req, cmdAssign)
		}
	}
	return fmt.Sprintf("本队没有名为“%s”的队员。", rest[0]), nil
}

// verify records a check: 核查 <no> 通过|不通过 <note>.
func (b *Bot) verify(t *turn, req workflow.Request, rest []string) (string, error) {
	if len(rest) == 0 {
		return usageOf(cmdVerify), nil
	}
	switch rest[0] {
	case "通过":
		req.Action = models.ActionVerifyPass
	case "不通过":
		req.Action = models.ActionVerifyFail
		if len(rest) < 2 {
			return msgVerifyNeedsReason, nil
		}
	default:
		return usageOf(cmdVerify), nil
	}
	req.Note = strings.Join(rest[1:], " ")
	return b.apply(t, req, cmdVerify)
}

// apply runs a workflow action and answers in Chinese; photos that follow attach to it.
func (b *Bot) apply(t *turn, req workflow.Request, word string) (string, error) {
	c, err := b.cases.Act(t.ctx, req)
	if err != nil {
		return b.refusal(t, req, err)
	}
	if err := b.Focus(t.ctx, t.in.OpenID, c.TrackingNo); err != nil {
		return "", err
	}
	if req.Action == models.ActionProgress || req.Action == models.ActionFinish {
		if err := b.attachNext(t, c); err != nil {
			return "", err
		}
		return actionDone(word, c.TrackingNo, c.State.Chinese()) + "\n" + msgPhotosFollow, nil
	}
	return actionDone(word, c.TrackingNo, c.State.Chinese()), nil
}

// refusal explains in Chinese why an action was not taken.
func (b *Bot) refusal(t *turn, req workflow.Request, err error) (string, error) {
	switch models.ErrorCodeOf(err) {
	case models.ENotFound:
		return msgNotFound, nil
	case models.EForbidden:
		return msgNotAllowed, nil
	case models.EInvalid:
		return msgInvalidAction + "\n" + usageOf(actionWord(req.Action)), nil
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

// focusKey names the case a staff member's short replies act on.
func (b *Bot) focusKey(openID string) string { return b.cfg.KeyPrefix + "focus:" + openID }

// Focus makes a case the one a staff member's short replies act on (after its dispatch
// notification, a task list or a query); it lasts a day.
func (b *Bot) Focus(ctx context.Context, openID, trackingNo string) error {
	v := trackingNo + "|" + strconv.FormatInt(b.now().UnixNano(), 10)
	if err := b.redis.Set(ctx, b.focusKey(openID), v, 24*time.Hour).Err(); err != nil {
		return fmt.Errorf("focus case: %w", err)
	}
	return nil
}

// focused returns the case a staff member's short replies act on: the newer of the case they
// last looked at or acted on, and the last case dispatched to them; "" for none.
func (b *Bot) focused(ctx context.Context, openID string, personID int64) (string, error) {
	v, err := b.redis.Get(ctx, b.focusKey(openID)).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("focused case: %w", err)
	}
	no, at := parseFocus(v)
	in, err := b.cases.LatestIntent(ctx, personID, models.NoticeDispatched)
	if err != nil || !in.CreatedAt.After(at) {
		return no, nil
	}
	c, err := b.cases.CaseByID(ctx, in.CaseID)
	if err != nil {
		return no, nil
	}
	return c.TrackingNo, nil
}

// parseFocus splits a stored focus into the tracking number and when it was set.
func parseFocus(v string) (string, time.Time) {
	no, nanos, ok := strings.Cut(v, "|")
	if !ok {
		return v, time.Time{}
	}
	n, err := strconv.ParseInt(nanos, 10, 64)
	if err != nil {
		return no, time.Time{}
	}
	return no, time.Unix(0, n)
}

// attachKey names where a staff member's next photos go.
func (b *Bot) attachKey(openID string) string { return b.cfg.KeyPrefix + "attach:" + openID }

// attachNext makes the photos a staff member sends in the next 30 minutes evidence of the
// case's latest event.
func (b *Bot) attachNext(t *turn, c models.Case) error {
	events, err := b.cases.Events(t.ctx, c.ID)
	if err != nil || len(events) == 0 {
		return err
	}
	v := fmt.Sprintf("%d:%d:%s", c.ID, events[len(events)-1].ID, c.TrackingNo)
	if err := b.redis.Set(t.ctx, b.attachKey(t.in.OpenID), v, 30*time.Minute).Err(); err != nil {
		return fmt.Errorf("attach photos: %w", err)
	}
	return nil
}

// attachToCase adds a staff member's photo to the case they just handled, if any; ok reports it.
func (b *Bot) attachToCase(t *turn) (string, bool, error) {
	v, err := b.redis.Get(t.ctx, b.attachKey(t.in.OpenID)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("attach photos: %w", err)
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

// shortReply acts on the focused case with a one-character answer ("1" signs it).
func (b *Bot) shortReply(t *turn, text string) (string, bool, error) {
	if text != "1" || !t.person.Staff() || t.sess != nil {
		return "", false, nil
	}
	no, err := b.focused(t.ctx, t.in.OpenID, t.person.ID)
	if err != nil || no == "" {
		return "", false, err
	}
	r, err := b.apply(t, workflow.Request{Actor: t.person, TrackingNo: no, Action: models.ActionSign}, cmdSign)
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
	}
	return cmdVerify
}
