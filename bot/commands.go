package bot

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gridbot/models"
	"gridbot/workflow"
)

// text handles a text message: a confirmation or a command word first, else the answer to the
// pending question, else the start of a new report when it reads like one.
func (b *Bot) text(t *turn, raw string) (string, error) {
	text := clean(raw)
	t.raw = strings.TrimFunc(strings.TrimSpace(raw), isQuote)
	if text == "" && strings.ContainsAny(raw, "?？") {
		text = cmdHelp
	}
	if r, ok, err := b.confirmPending(t, text); ok || err != nil {
		return r, err
	}
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
	case cmdHelp:
		return b.help(t.person), nil
	case cmdComplaint, cmdTip, cmdReport:
		return b.start(t, word, arg), nil
	case cmdQuery, cmdProgress:
		return b.query(t, word, arg)
	case cmdBind:
		return b.bind(t, arg)
	case cmdRate:
		return b.rate(t, arg)
	case cmdUrge:
		return b.urgeCommand(t, arg)
	}
	if t.sess != nil {
		return b.answer(t, text)
	}
	return b.fresh(t, text)
}

// fresh reads a text outside any conversation: small talk, a follow-up about one's case, a
// preamble ("阿伯跟你们反应一下"), or the description that starts a new report.
func (b *Bot) fresh(t *turn, text string) (string, error) {
	if oneOf(text, "催一下", "催催", "催下", "帮我催一下", "帮忙催一下", "催一催") {
		return b.urgeCommand(t, "")
	}
	if r, ok, err := b.followUp(t, text); ok || err != nil {
		return r, err
	}
	if t.expired {
		return msgExpiredFresh, nil
	}
	if kind, ok := preamble(text); ok {
		if kind != models.KindTip {
			kind = defaultKind(t.person)
		}
		t.sess = b.startSession(t, kind)
		return msgGoOn + b.question(t), nil
	}
	if oneOf(text, wordsGreetings()...) || !b.readsLikeReport(text) {
		return b.greeting(t.person), nil
	}
	t.sess = b.startSession(t, defaultKind(t.person))
	b.describe(t, text)
	return b.question(t), nil
}

// splitCommand separates a leading command word from its argument ("查询26112700136" too). A
// 投诉 or 举报 followed by text on the same line ("举报：有人偷倒垃圾") carries the description.
func splitCommand(text string) (word, arg string) {
	if oneOf(text, "help", "?", "？", "帮忙", "怎么用", "使用说明", "菜单") {
		return cmdHelp, ""
	}
	for _, w := range []string{cmdComplaint, cmdTip, cmdReport, cmdQuery, cmdProgress, cmdRate, cmdHelp, cmdCancel, cmdBind, cmdUrge} {
		rest, ok := stripPrefixWord(text, w)
		if !ok {
			continue
		}
		switch w {
		case cmdQuery, cmdProgress, cmdRate, cmdBind, cmdComplaint, cmdTip, cmdReport, cmdUrge:
			return w, rest
		}
		if rest == "" {
			return w, ""
		}
	}
	return "", text
}

// readsLikeReport tells a description from small talk: long enough, or naming a matter.
func (b *Bot) readsLikeReport(text string) bool {
	return utf8.RuneCountInString(text) >= 8 || len(b.catalogue().Suggester.Suggest(text, 1)) > 0
}

// start opens a new draft of the kind a command word asks for; text after the word ("举报：…")
// is its description, unless it is only filler ("投诉一下").
func (b *Bot) start(t *turn, word, rest string) string {
	kind := models.KindComplaint
	switch word {
	case cmdTip:
		kind = models.KindTip
	case cmdReport:
		if !t.person.Staff() {
			return msgReportStaffOnly
		}
		kind = models.KindReport
	}
	var note string
	if t.sess != nil && (t.sess.Description != "" || len(t.sess.AttachmentIDs) > 0) {
		note = msgRestarted + "\n"
	}
	t.sess = b.startSession(t, kind)
	if !onlyFiller(rest) {
		if typed, ok := stripPrefixWord(t.raw, word); ok {
			rest = typed
		}
		b.describe(t, rest)
	}
	return note + b.question(t)
}

// help explains what the person can do, by role.
func (b *Bot) help(p models.Person) string {
	switch p.Role {
	case models.RoleGridWorker:
		return msgHelpGridWorker
	case models.RoleOfficer, models.RoleLegalReviewer:
		return msgHelpOfficer
	case models.RoleTeamLeader:
		return msgHelpLeader
	case models.RolePlatformOperator:
		return msgHelpPlatform
	case models.RoleSupervisor, models.RoleAdmin:
		return msgHelpSupervisor
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

// query shows a case's progress to someone allowed to see it, or lists the person's cases
// (查询 alone) or answers about their latest open case (进度 alone). Anyone else gets the same
// answer as for a number that does not exist; a mistyped number is named and refused.
func (b *Bot) query(t *turn, word, arg string) (string, error) {
	if arg == "" {
		if word == cmdProgress && !t.person.Staff() {
			r, _, err := b.latestOpen(t)
			return r, err
		}
		return b.listCases(t)
	}
	n, ok := leadingNumber(arg)
	if !ok {
		return b.query(t, word, "")
	}
	if !n.LooksLikeTrackingNo() {
		return msgQueryUsage, nil
	}
	if !models.ValidTrackingNumber(n.Digits) {
		return b.typoReply(t, n.Digits, false)
	}
	c, err := b.cases.CaseByTrackingNo(t.ctx, n.Digits)
	if models.ErrorCodeOf(err) == models.ENotFound {
		return notFoundNo(n.Digits), nil
	}
	if err != nil {
		return "", err
	}
	if ok, err := b.maySee(t, c); err != nil || !ok {
		return notFoundNo(n.Digits), err
	}
	return b.showCase(t, c)
}

// showCase renders a case for a person allowed to see it: reporters see its state and history;
// staff also see the description, place, time limit and evidence, and the case becomes their focus.
func (b *Bot) showCase(t *turn, c models.Case) (string, error) {
	events, err := b.cases.Events(t.ctx, c.ID)
	if err != nil {
		return "", err
	}
	atts, err := b.cases.Attachments(t.ctx, c.ID)
	if err != nil {
		return "", err
	}
	history := make([]string, 0, len(events))
	for _, e := range events {
		history = append(history, fmt.Sprintf("%s %s", b.clock(e.At), e.Action.Chinese()))
	}
	if !t.person.Staff() || c.ReporterID == t.person.ID && t.person.Role == models.RoleGridWorker {
		return caseStatus(c.TrackingNo, c.Kind.Chinese(), b.matterName(c.MatterCode), c.State.Chinese(),
			b.clock(c.CreatedAt), evidence(atts), history), nil
	}
	if err := b.setFocus(t.ctx, t.in.OpenID, c.TrackingNo, focusQuery); err != nil {
		return "", err
	}
	limit := "无"
	if !c.HandleDeadline.IsZero() {
		limit = b.clock(c.HandleDeadline) + "前办结"
	}
	return staffCaseView(staffView{No: c.TrackingNo, Kind: c.Kind.Chinese(), Matter: b.matterName(c.MatterCode),
		State: c.State.Chinese(), Place: b.placeName(c.Location), Description: c.Description, Limit: limit,
		Received: b.clock(c.CreatedAt), Evidence: evidence(atts), Photos: photoCount(atts), URL: b.caseURL(c.TrackingNo),
		History: brief(history, 6)}), nil
}

// brief keeps the last n lines of a history, saying how many earlier ones were left out.
func brief(lines []string, n int) []string {
	if len(lines) <= n {
		return lines
	}
	return append([]string{fmt.Sprintf("……（前%d条略）", len(lines)-n)}, lines[len(lines)-n:]...)
}

// photoCount counts the photos among a case's attachments.
func photoCount(atts []models.Attachment) int {
	n := 0
	for _, a := range atts {
		if strings.HasPrefix(a.MIMEType, "image/") {
			n++
		}
	}
	return n
}

// caseURL is the link to a case's page, or "" when none is configured.
func (b *Bot) caseURL(no string) string {
	if b.cfg.CaseURL == "" {
		return ""
	}
	return b.cfg.CaseURL + no
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
	fails, counted := b.state.BindFailures(t.ctx, t.in.OpenID)
	if counted && fails >= b.cfg.BindFailuresPerHour {
		return msgBindTooMany, nil
	}
	p, err := b.people.RedeemBindingCode(t.ctx, t.in.OpenID, code, b.now())
	switch models.ErrorCodeOf(err) {
	case "":
	case models.ENotFound:
		if err := b.state.CountBindFailure(t.ctx, t.in.OpenID); err != nil {
			return "", fmt.Errorf("count binding failures: %w", err)
		}
		return msgBindWrong, nil
	case models.EConflict:
		return msgBindTaken, nil
	default:
		return "", err
	}
	b.PeopleChanged(t.ctx)
	b.state.ForgetBindFailures(t.ctx, t.in.OpenID)
	t.person, t.sess = p, nil
	team := ""
	if tm, ok := b.catalogue().teamIndex[p.TeamCode]; ok {
		team = tm.Name
	}
	return bound(p.Name, p.Role.Chinese(), team), nil
}

// rate answers "评价 <no> <score> [comment]": only the reporter may rate, and only a closed case.
func (b *Bot) rate(t *turn, arg string) (string, error) {
	n, ok := leadingNumber(arg)
	if !ok || !n.LooksLikeTrackingNo() {
		return msgRateUsage, nil
	}
	if !models.ValidTrackingNumber(n.Digits) {
		return b.typoReply(t, n.Digits, false)
	}
	score, comment, ok := parseScore(n.Rest)
	if !ok {
		return msgRateUsage, nil
	}
	c, err := b.cases.CaseByTrackingNo(t.ctx, n.Digits)
	if models.ErrorCodeOf(err) == models.ENotFound {
		return notFoundNo(n.Digits), nil
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

// parseScore reads a rating of 1 to 5 and the comment after it: "5", "5分 很快", "五星", "4 还行".
func parseScore(rest string) (int, string, bool) {
	rest = strings.TrimSpace(rest)
	i := strings.IndexFunc(rest, func(r rune) bool { return r == ' ' || r == '分' || r == '星' || r == ',' || r == '，' })
	head, tail := rest, ""
	if i >= 0 {
		head, tail = rest[:i], rest[i:]
	}
	score, ok := smallNumber(head)
	if !ok || score < 1 || score > 5 {
		return 0, "", false
	}
	return score, strings.TrimSpace(strings.TrimLeft(tail, " 分星,，:：")), true
}

// matterName names a matter, or says it is still to be classified.
func (b *Bot) matterName(code string) string {
	if m, ok := b.catalogue().matterIndex[code]; ok {
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
