package bot

import (
	"strings"
	"unicode/utf8"

	"gridbot/models"
	"gridbot/workflow"
)

// Follow-ups: a person who filed something asks about it in their own words ("怎么还没人来处理",
// "有人管吗", "进度") and is answered with their latest open case, not a new draft.

// followUpWords are what people write to ask about a case they filed.
func followUpWords() []string {
	return []string{"怎么还没", "还没人", "没人来", "没人管", "有人管吗", "有没有人管", "催一下", "催催", "催下",
		"什么时候处理", "什么时候来", "啥时候", "几时来", "处理了吗", "处理了没", "怎么样了", "有结果了吗", "有结果没",
		"进展怎么样", "进度怎么样", "到底管不管", "还要等多久", "要等多久", "多久能处理"}
}

// isFollowUp reports whether a text asks about an earlier case rather than reporting a new
// problem: it uses a follow-up phrase and is short, or names no matter.
func (b *Bot) isFollowUp(text string) bool {
	if !containsAny(text, followUpWords()) {
		return false
	}
	return utf8.RuneCountInString(text) <= 16 || len(b.catalogue().Suggester.Suggest(text, 1)) == 0
}

// followUp answers a follow-up with the person's latest open case; ok is false when the text
// is not one, or the person has no case to ask about.
func (b *Bot) followUp(t *turn, text string) (string, bool, error) {
	if !b.isFollowUp(text) {
		return "", false, nil
	}
	return b.latestOpen(t)
}

// latestOpen tells the person where their latest open case stands; ok is false when they have
// filed nothing yet.
func (b *Bot) latestOpen(t *turn) (string, bool, error) {
	cs, err := b.cases.CasesByReporter(t.ctx, t.person.ID, 10)
	if err != nil {
		return "", false, err
	}
	if len(cs) == 0 {
		return msgNoCases, false, nil
	}
	for _, c := range cs {
		if c.State.Open() {
			b.offerUrge(t, c.TrackingNo)
			return b.openCaseStatus(t, c) + "\n" + offerUrgeText(c.TrackingNo), true, nil
		}
	}
	return noOpenCase(cs[0].TrackingNo, cs[0].State.Chinese()), true, nil
}

// openCaseStatus tells a reporter where an open case stands and when to expect it done.
func (b *Bot) openCaseStatus(t *turn, c models.Case) string {
	due := ""
	if !c.HandleDeadline.IsZero() {
		due = b.clock(c.HandleDeadline)
	}
	return latestCase(c.Kind.Chinese(), c.TrackingNo, b.matterName(c.MatterCode), publicState(c.State), b.clock(c.CreatedAt), due)
}

// publicState names a state for a reporter, without the internal steps.
func publicState(s models.State) string {
	switch s {
	case models.StateReceived, models.StateTriage:
		return "已受理，正在分派"
	case models.StateDispatched, models.StateReopened, models.StateReturned, models.StateTransferred:
		return "已派给执法队伍，等待签收"
	case models.StateSigned, models.StateHandling, models.StateExtensionRequested, models.StateParked:
		return "执法人员已签收，正在处置"
	case models.StateHandled:
		return "已处置，等待核查"
	}
	return s.Chinese()
}

// preambleWords are the openings people write before saying what the problem is.
func preambleWords() []string {
	return []string{"反应一下", "反映一下", "反应个", "反映个", "反映问题", "反应问题", "说一下", "说个事", "投诉一下",
		"举报一下", "有个事", "有件事", "有个问题", "想反映", "想反应", "要投诉", "要举报", "想投诉", "想举报", "报告一下"}
}

// preamble reports whether a text only announces a report ("阿伯跟你们反应一下", "我要举报") and
// which kind it announces (a tip when it says 举报).
func preamble(text string) (models.CaseKind, bool) {
	if !containsAny(text, preambleWords()) || !onlyFiller(text) {
		return "", false
	}
	if strings.Contains(text, "举报") {
		return models.KindTip, true
	}
	return models.KindComplaint, true
}

// fillerWords carry no content of a report: greetings, who is speaking, "I want to say".
func fillerWords() []string {
	return []string{"你好", "您好", "领导", "同志", "师傅", "麻烦", "请问", "帮忙", "阿伯", "阿公", "阿嬷", "阿婆", "阿姨",
		"阿叔", "老人家", "我们", "你们", "我", "跟", "和", "给", "向", "想", "要", "一下", "个", "件", "事情", "事", "问题",
		"情况", "有", "反应", "反映", "投诉", "举报", "说", "报告", "这里", "这边", "那个", "就是", "的", "啊", "呀", "哈",
		"喂", "在吗", "吗", "了", "吧", "下"}
}

// onlyFiller reports whether a text says nothing beyond filler words (at most 2 other characters).
func onlyFiller(text string) bool {
	s := strings.ReplaceAll(clean(text), " ", "")
	for _, w := range fillerWords() {
		s = strings.ReplaceAll(s, w, "")
	}
	s = strings.TrimFunc(s, isEdge)
	n := 0
	for _, r := range s {
		if !isEdge(r) {
			n++
		}
	}
	return n <= 2
}

// containsAny reports whether text contains one of the words.
func containsAny(text string, words []string) bool {
	for _, w := range words {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// offerUrge keeps the case a follow-up answered about, so that "催办" or "1" urges it.
func (b *Bot) offerUrge(t *turn, no string) {
	t.sess = &session{Kind: models.KindComplaint, Awaiting: waitUrge, UrgeNo: no}
}

// answerUrge urges the offered case (1, 催办, 催一下), or reads the text afresh.
func (b *Bot) answerUrge(t *turn, text string) (string, error) {
	no := t.sess.UrgeNo
	t.sess = nil
	n, isChoice := choice(text)
	if (isChoice && n == 1) || oneOf(text, wordsUrge()...) || oneOf(text, wordsYes()...) {
		return b.urge(t, no)
	}
	return b.fresh(t, text)
}

// urge records the reporter's 催办 on a case and tells them it reached the handlers.
func (b *Bot) urge(t *turn, no string) (string, error) {
	req := workflow.Request{Actor: t.person, TrackingNo: no, Action: models.ActionUrge, Note: "报告人催办"}
	if _, err := b.cases.Act(t.ctx, req); err != nil {
		switch models.ErrorCodeOf(err) {
		case models.EConflict:
			return b.urgedAlready(t, no)
		case models.ENotFound, models.EForbidden:
			return notFoundNo(no), nil
		case models.EInvalid:
			return urgeClosed(no), nil
		}
		return "", err
	}
	return urged(no), nil
}

// urgeCommand answers "催办" alone (the latest open case) or "催办 NO".
func (b *Bot) urgeCommand(t *turn, arg string) (string, error) {
	if arg == "" {
		cs, err := b.cases.CasesByReporter(t.ctx, t.person.ID, 10)
		if err != nil {
			return "", err
		}
		for _, c := range cs {
			if c.State.Open() {
				return b.urge(t, c.TrackingNo)
			}
		}
		return msgNothingToUrge, nil
	}
	n, ok := leadingNumber(arg)
	if !ok || !n.LooksLikeTrackingNo() {
		return msgUrgeUsage, nil
	}
	if !models.ValidTrackingNumber(n.Digits) {
		return b.typoReply(t, n.Digits, true)
	}
	return b.urge(t, n.Digits)
}

// urgedAlready says when the person last urged the case.
func (b *Bot) urgedAlready(t *turn, no string) (string, error) {
	c, err := b.cases.CaseByTrackingNo(t.ctx, no)
	if err != nil {
		return "", err
	}
	at, err := b.cases.LastUrged(t.ctx, c.ID, t.person.ID)
	if err != nil {
		return "", err
	}
	return urgedAlready(no, b.clock(at)), nil
}
