package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gridbot/models"
	"gridbot/workflow"
)

// text handles a text message: a command word first, else the answer to the pending question,
// else the start of a new report when it reads like one.
func (b *Bot) text(t *turn, text string) (string, error) {
	if sw, sarg := splitStaffCommand(text); sw != "" {
		r, _, err := b.staffCommand(t, sw, sarg)
		return r, err
	}
	if r, ok, err := b.shortReply(t, text); ok || err != nil {
		return r, err
	}
	word, arg := splitCommand(text)
	switch word {
	case cmdCancel:
		if t.sess == nil {
			return msgNothingToCancel, nil
		}
		t.sess = nil
		return msgCancelled, nil
	case cmdHelp, "help", "?", "？":
		return b.help(t.person), nil
	case cmdComplaint, cmdTip, cmdReport:
		return b.start(t, word), nil
	case cmdQuery, cmdProgress:
		return b.query(t, arg)
	case cmdBind:
		return b.bind(t, arg)
	case cmdRate:
		return b.rate(t, arg)
	}
	if t.sess != nil {
		return b.answer(t, text)
	}
	if oneOf(text, wordsGreetings()...) || !b.readsLikeReport(text) {
		return b.greeting(t.person), nil
	}
	t.sess = b.startSession(t, defaultKind(t.person))
	b.describe(t.sess, text)
	return b.question(t), nil
}

// splitCommand separates a leading command word from its argument ("查询26112700013" too).
func splitCommand(text string) (word, arg string) {
	for _, w := range []string{cmdComplaint, cmdTip, cmdReport, cmdQuery, cmdProgress, cmdRate, cmdHelp, cmdCancel, cmdBind} {
		if rest, ok := strings.CutPrefix(text, w); ok {
			rest = strings.TrimSpace(strings.TrimLeft(rest, ":：,，"))
			if rest == "" || w == cmdQuery || w == cmdProgress || w == cmdRate || w == cmdBind {
				return w, rest
			}
		}
	}
	return "", text
}

// readsLikeReport tells a description from small talk: long enough, or naming a matter.
func (b *Bot) readsLikeReport(text string) bool {
	return utf8.RuneCountInString(text) >= 8 || len(b.cat.Suggester.Suggest(text, 1)) > 0
}

// start opens a new draft of the kind a command word asks for.
func (b *Bot) start(t *turn, word string) string {
	kind := models.KindComplaint
	switch word {
	case cmdTip:
		kind = models.KindTip
	case cmdReport:
		if !t.person.Staff() {
			return "“上报”供网格员和工作人员使用。群众反映问题请发送“投诉”或“举报”。"
		}
		kind = models.KindReport
	}
	var note string
	if t.sess != nil && (t.sess.Description != "" || len(t.sess.AttachmentIDs) > 0) {
		note = msgRestarted + "\n"
	}
	t.sess = b.startSession(t, kind)
	return note + b.question(t)
}

// help explains what the person can do, by role.
func (b *Bot) help(p models.Person) string {
	switch {
	case p.Role == models.RoleGridWorker:
		return msgHelpGridWorker
	case p.Staff():
		return msgHelpStaff
	}
	return msgHelpCitizen
}

// greeting answers small talk outside a conversation.
func (b *Bot) greeting(p models.Person) string {
	if p.Staff() {
		return b.help(p)
	}
	return msgUnbound
}

// query shows a case's progress to someone allowed to see it, or lists the person's cases.
// Anyone else gets the same answer as for a number that does not exist.
func (b *Bot) query(t *turn, arg string) (string, error) {
	if arg == "" {
		return b.listCases(t)
	}
	no := strings.Fields(arg)[0]
	if !models.ValidTrackingNumber(no) {
		return msgNotFound, nil
	}
	c, err := b.cases.CaseByTrackingNo(t.ctx, no)
	if models.ErrorCodeOf(err) == models.ENotFound {
		return msgNotFound, nil
	}
	if err != nil {
		return "", err
	}
	if ok, err := b.maySee(t, c); err != nil || !ok {
		return msgNotFound, err
	}
	events, err := b.cases.Events(t.ctx, c.ID)
	if err != nil {
		return "", err
	}
	atts, err := b.cases.Attachments(t.ctx, c.ID)
	if err != nil {
		return "", err
	}
	if t.person.Staff() {
		if err := b.Focus(t.ctx, t.in.OpenID, c.TrackingNo); err != nil {
			return "", err
		}
	}
	history := make([]string, 0, len(events))
	for _, e := range events {
		history = append(history, fmt.Sprintf("%s %s", b.clock(e.At), e.Action.Chinese()))
	}
	return caseStatus(c.TrackingNo, c.Kind.Chinese(), b.matterName(c.MatterCode), c.State.Chinese(),
		b.clock(c.CreatedAt), evidence(atts), history), nil
}

// listCases lists the person's recent cases.
func (b *Bot) listCases(t *turn) (string, error) {
	cs, err := b.cases.CasesByReporter(t.ctx, t.person.ID, 5)
	if err != nil {
		return "", err
	}
	if len(cs) == 0 {
		return msgNoCases, nil
	}
	lines := make([]string, len(cs))
	for i, c := range cs {
		lines[i] = fmt.Sprintf("%s %s %s", c.TrackingNo, b.matterName(c.MatterCode), c.State.Chinese())
	}
	return caseList(lines), nil
}

// bind links the WeChat account to a staff person by a one-time code; wrong codes are limited.
func (b *Bot) bind(t *turn, arg string) (string, error) {
	code := strings.TrimSpace(arg)
	if code == "" {
		return msgBindUsage, nil
	}
	failKey := b.cfg.KeyPrefix + "bindfail:" + t.in.OpenID
	fails, err := b.redis.Get(t.ctx, failKey).Int()
	if err == nil && fails >= b.cfg.BindFailuresPerHour {
		return msgBindTooMany, nil
	}
	p, err := b.people.RedeemBindingCode(t.ctx, t.in.OpenID, code, b.now())
	switch models.ErrorCodeOf(err) {
	case "":
	case models.ENotFound:
		pipe := b.redis.TxPipeline()
		pipe.Incr(t.ctx, failKey)
		pipe.Expire(t.ctx, failKey, time.Hour)
		if _, err := pipe.Exec(t.ctx); err != nil {
			return "", fmt.Errorf("count binding failures: %w", err)
		}
		return msgBindWrong, nil
	case models.EConflict:
		return msgBindTaken, nil
	default:
		return "", err
	}
	b.PeopleChanged(t.ctx)
	b.redis.Del(t.ctx, failKey)
	t.person, t.sess = p, nil
	team := ""
	if tm, ok := b.teams[p.TeamCode]; ok {
		team = tm.Name
	}
	return bound(p.Name, p.Role.Chinese(), team), nil
}

// rate answers "评价 <no> <score>": only the reporter may rate, and only a closed case.
func (b *Bot) rate(t *turn, arg string) (string, error) {
	f := strings.Fields(arg)
	if len(f) < 2 {
		return msgRateUsage, nil
	}
	score, err := strconv.Atoi(f[1])
	if err != nil || score < 1 || score > 5 || !models.ValidTrackingNumber(f[0]) {
		return msgRateUsage, nil
	}
	c, err := b.cases.CaseByTrackingNo(t.ctx, f[0])
	if models.ErrorCodeOf(err) == models.ENotFound {
		return msgNotFound, nil
	}
	if err != nil {
		return "", err
	}
	if c.ReporterID != t.person.ID {
		return msgRateNotYours, nil
	}
	if c.State != models.StateClosed {
		return msgRateNotClosed, nil
	}
	comment := strings.Join(f[2:], " ")
	req := workflow.Request{Actor: t.person, TrackingNo: c.TrackingNo, Action: models.ActionRate, Score: score, Note: comment}
	if _, err := b.cases.Act(t.ctx, req); err != nil {
		if models.ErrorCodeOf(err) == models.EConflict {
			return msgAlreadyRated, nil
		}
		return "", err
	}
	if score > 2 {
		return rated(c.TrackingNo, score, false), nil
	}
	req.Action, req.Note = models.ActionReopen, fmt.Sprintf("评价%d分，不满意：%s", score, comment)
	if _, err := b.cases.Act(t.ctx, req); err != nil {
		return "", err
	}
	return rated(c.TrackingNo, score, true), nil
}

// matterName names a matter, or says it is still to be classified.
func (b *Bot) matterName(code string) string {
	if m, ok := b.matters[code]; ok {
		return m.Name
	}
	return "待分类"
}

// clock formats a time for people, in the county's zone.
func (b *Bot) clock(t time.Time) string { return t.In(b.cfg.Location).Format("2006-01-02 15:04") }

// evidence summarises a case's attachments, showing downloads that failed.
func evidence(atts []models.Attachment) string {
	var failed, pending int
	for _, a := range atts {
		switch {
		case a.FetchError != "":
			failed++
		case a.Path == "":
			pending++
		}
	}
	return attachmentsLine(len(atts), failed, pending)
}

// maySee reports whether the person may see a case: as the workflow allows, or as a follower.
func (b *Bot) maySee(t *turn, c models.Case) (bool, error) {
	if b.cases.MaySee(t.person, c) {
		return true, nil
	}
	fs, err := b.cases.Followers(t.ctx, c.ID)
	if err != nil {
		return false, err
	}
	for _, f := range fs {
		if f.ID == t.person.ID {
			return true, nil
		}
	}
	return false, nil
}
