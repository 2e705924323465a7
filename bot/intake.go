package bot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gridbot/models"
)

// startSession opens a new draft of a kind for the person, with what their role implies: a
// grid worker's place defaults to their grid, a tip is confidential.
func (b *Bot) startSession(t *turn, kind models.CaseKind) *session {
	s := &session{Kind: kind, Source: models.SourceCitizen}
	switch t.person.Role {
	case models.RoleCitizen:
	case models.RoleGridWorker:
		s.Source = models.SourceGridWorker
	default:
		s.Source = models.SourceOfficer
	}
	if kind == models.KindReport || kind == models.KindTip {
		c := kind == models.KindTip
		s.Confidential = &c
	}
	if t.person.Role == models.RoleGridWorker && len(t.person.GridCodes) > 0 {
		if loc, ok := b.cat.Places.Grid(t.person.GridCodes[0]); ok {
			s.Location, s.PlaceDefault = &loc, true
		}
	}
	return s
}

// defaultKind is what a person files when they just start sending content.
func defaultKind(p models.Person) models.CaseKind {
	if p.Staff() {
		return models.KindReport
	}
	return models.KindComplaint
}

// ensureSession starts a draft when content arrives outside a conversation.
func (b *Bot) ensureSession(t *turn) {
	if t.sess == nil {
		t.sess = b.startSession(t, defaultKind(t.person))
	}
}

// photo adds a photo to the draft and fetches it from WeChat at once.
func (b *Bot) photo(t *turn) (string, error) {
	if t.person.Staff() && t.sess == nil {
		if r, ok, err := b.attachToCase(t); ok || err != nil {
			return r, err
		}
	}
	b.ensureSession(t)
	if err := b.attach(t, "image/jpeg"); err != nil {
		return "", err
	}
	if t.sess.Awaiting == waitPhotos {
		return photoReceived(len(t.sess.AttachmentIDs)), nil
	}
	return fmt.Sprintf("已收到照片（共%d张）。", len(t.sess.AttachmentIDs)) + "\n" + b.question(t), nil
}

// voice adds a voice message to the draft; its recognised text counts as description.
func (b *Bot) voice(t *turn) (string, error) {
	b.ensureSession(t)
	if err := b.attach(t, "audio/amr"); err != nil {
		return "", err
	}
	text := strings.TrimSpace(t.in.Recognition)
	if text == "" {
		if t.sess.Description == "" {
			return msgVoiceNotRecognised, nil
		}
		return "已收到语音。\n" + b.question(t), nil
	}
	b.describe(t.sess, text)
	return "已收到语音：“" + text + "”\n" + b.question(t), nil
}

// attach records a media message as an attachment of the draft and queues its download.
func (b *Bot) attach(t *turn, mime string) error {
	a, err := b.media.AddAttachment(t.ctx, models.Attachment{MediaID: t.in.MediaID, MIMEType: mime})
	if err != nil {
		return fmt.Errorf("record attachment: %w", err)
	}
	b.media.Enqueue(a)
	t.sess.AttachmentIDs = append(t.sess.AttachmentIDs, a.ID)
	return nil
}

// location places the draft by a location message.
func (b *Bot) location(t *turn) (string, error) {
	b.ensureSession(t)
	pt := models.Point{Lat: t.in.Lat, Lng: t.in.Lng}
	loc, ok := b.cat.Places.Locate(pt)
	if !ok {
		t.sess.Awaiting = waitPlace
		return msgOutsideCounty + "\n" + askPlace(b.townshipNames()), nil
	}
	loc.Address = t.in.Label
	t.sess.Location, t.sess.PlaceDefault, t.sess.Address = &loc, false, ""
	return placeNoted(b.placeName(loc)) + "\n" + b.question(t), nil
}

// describe sets or extends the draft's description.
func (b *Bot) describe(s *session, text string) {
	if s.Description == "" {
		s.Description = text
		return
	}
	s.Description += "；" + text
}

// answer takes a text as the answer to the question the conversation waits on.
func (b *Bot) answer(t *turn, text string) (string, error) {
	s := t.sess
	switch s.Awaiting {
	case waitPhotos:
		if oneOf(text, wordsDone()...) {
			return b.question(t), nil
		}
		b.describe(s, text)
		return "已补充到问题描述。" + msgAskPhotos, nil
	case waitPlace:
		return b.answerPlace(t, text), nil
	case waitMatter:
		return b.answerMatter(t, text), nil
	case waitConfidential:
		return b.answerConfidential(t, text), nil
	case waitConfirm:
		return b.answerConfirm(t, text)
	case waitDuplicate:
		return b.answerDuplicate(t, text)
	}
	b.describe(s, text)
	return b.question(t), nil
}

// answerPlace takes a township number or a typed address.
func (b *Bot) answerPlace(t *turn, text string) string {
	s := t.sess
	if n, err := strconv.Atoi(text); err == nil {
		ts := b.cat.Places.Townships()
		if n < 1 || n > len(ts) {
			return "请回复 1 到 " + strconv.Itoa(len(ts)) + " 之间的序号。\n" + askPlace(b.townshipNames())
		}
		s.Location = &models.Location{TownshipCode: ts[n-1].Code, Address: s.Address}
		s.Address = ""
		return placeNoted(b.placeName(*s.Location)) + "\n" + b.question(t)
	}
	if loc, ok := b.cat.Places.MatchAddress(text); ok {
		loc.Address = text
		s.Location, s.Address = &loc, ""
		return placeNoted(b.placeName(loc)) + "\n" + b.question(t)
	}
	s.Address = text
	return askPlaceAgain(text, b.townshipNames())
}

// answerMatter takes a number from the offered matters, or a text to suggest from again.
func (b *Bot) answerMatter(t *turn, text string) string {
	s := t.sess
	if n, err := strconv.Atoi(text); err == nil {
		switch {
		case n >= 1 && n <= len(s.MatterOptions):
			s.MatterCode, s.MatterChosen = s.MatterOptions[n-1], true
		case n == len(s.MatterOptions)+1:
			s.MatterCode, s.MatterChosen = "", true
		default:
			return fmt.Sprintf("请回复 1 到 %d 之间的序号。\n", len(s.MatterOptions)+1) + b.question(t)
		}
		return b.question(t)
	}
	if sug := b.cat.Suggester.Suggest(text, 3); len(sug) > 0 {
		s.MatterOptions = codes(sug)
	}
	return b.question(t)
}

// answerConfidential takes yes or no.
func (b *Bot) answerConfidential(t *turn, text string) string {
	var c bool
	switch {
	case oneOf(text, wordsYes()...):
		c = true
	case oneOf(text, wordsNo()...):
		c = false
	default:
		return msgAskConfidentialRe
	}
	t.sess.Confidential = &c
	return b.question(t)
}

// answerConfirm submits the case, or reopens a part of the draft.
func (b *Bot) answerConfirm(t *turn, text string) (string, error) {
	s := t.sess
	switch {
	case oneOf(text, wordsConfirm()...):
		return b.submit(t)
	case oneOf(text, wordsMatter()...):
		s.MatterChosen, s.MatterCode, s.MatterAsked = false, "", true
		return b.askMatterNow(t), nil
	case oneOf(text, wordsPlace()...):
		s.Location, s.PlaceDefault = nil, false
		s.Awaiting = waitPlace
		return askPlace(b.townshipNames()), nil
	}
	return msgConfirmHint, nil
}

// question decides what the draft still lacks and asks for it: description, photos (citizens,
// once), place, matter, confidentiality (complaints), and finally confirmation.
func (b *Bot) question(t *turn) string {
	s := t.sess
	switch {
	case s.Description == "":
		s.Awaiting = waitDescription
		return b.askDescription(s.Kind)
	case t.person.Role == models.RoleCitizen && len(s.AttachmentIDs) == 0 && !s.PhotosAsked:
		s.Awaiting, s.PhotosAsked = waitPhotos, true
		return msgAskPhotos
	case s.Location == nil:
		s.Awaiting = waitPlace
		if s.Address != "" {
			return askPlaceAgain(s.Address, b.townshipNames())
		}
		return askPlace(b.townshipNames())
	case !s.MatterChosen:
		return b.askMatterNow(t)
	case s.Confidential == nil:
		s.Awaiting = waitConfidential
		return msgAskConfidential
	case !s.DuplicateOffered:
		s.DuplicateOffered = true
		if c, ok, err := b.duplicate(t); err == nil && ok {
			return b.offerDuplicate(t, c)
		}
	}
	s.Awaiting = waitConfirm
	return b.summary(s)
}

// askMatterNow offers matters suggested from the description; staff get the best one chosen
// for them (they can change it at confirmation), and no suggestion at all leaves it to triage.
func (b *Bot) askMatterNow(t *turn) string {
	s := t.sess
	if len(s.MatterOptions) == 0 {
		s.MatterOptions = codes(b.cat.Suggester.Suggest(s.Description, 3))
	}
	if len(s.MatterOptions) == 0 || (t.person.Staff() && !s.MatterAsked) {
		s.MatterChosen = true
		if len(s.MatterOptions) > 0 {
			s.MatterCode = s.MatterOptions[0]
		}
		return b.question(t)
	}
	s.Awaiting = waitMatter
	names := make([]string, len(s.MatterOptions))
	for i, c := range s.MatterOptions {
		names[i] = b.matters[c].Name
	}
	return askMatter(names)
}

// waitDescription asks for the description in the words of the kind.
func (b *Bot) askDescription(kind models.CaseKind) string {
	switch kind {
	case models.KindTip:
		return msgAskDescTip
	case models.KindReport:
		return msgAskDescReport
	}
	return msgAskDescComplaint
}

// summary renders the draft for confirmation.
func (b *Bot) summary(s *session) string {
	matter := msgNoMatterLabel
	if m, ok := b.matters[s.MatterCode]; ok {
		matter = m.Name
	}
	conf := ""
	if s.Kind != models.KindReport && s.Confidential != nil {
		conf = confidentialWord(*s.Confidential)
	}
	place := "未知"
	if s.Location != nil {
		place = b.placeName(*s.Location)
	}
	return summary(string(s.Kind), s.Description, place, matter, len(s.AttachmentIDs), conf)
}

// submit turns the confirmed draft into a case and ends the conversation.
func (b *Bot) submit(t *turn) (string, error) {
	s := t.sess
	nc := models.NewCase{Kind: s.Kind, Source: s.Source, Description: s.Description, Location: *s.Location,
		MatterCode: s.MatterCode, Confidential: s.Confidential != nil && *s.Confidential,
		ReporterID: t.person.ID, Reporter: &t.person, AttachmentIDs: s.AttachmentIDs, Acknowledged: true}
	c, err := b.cases.Submit(t.ctx, nc)
	if err != nil {
		return "", fmt.Errorf("submit case: %w", err)
	}
	t.sess = nil
	return submitted(string(c.Kind), c.TrackingNo, b.due(c)), nil
}

// due is when the reporter can expect an answer: the matter's handling limit (or the default)
// on the working-time calendar.
func (b *Bot) due(c models.Case) string {
	limit := b.cfg.DefaultLimit
	if m, ok := b.matters[c.MatterCode]; ok && m.HandleLimit.Amount > 0 {
		limit = m.HandleLimit
	}
	at, err := b.deadlines.Add(c.CreatedAt, limit)
	if err != nil {
		b.log.Warn("no deadline for the receipt", "err", err)
		return limitWords(limit)
	}
	return at.In(b.cfg.Location).Format("2006年1月2日15:04")
}

// limitWords renders a time limit in words, e.g. "13个工作日".
func limitWords(l models.TimeLimit) string {
	if l.Unit == models.WorkingHours {
		return fmt.Sprintf("%d个工作小时内", l.Amount)
	}
	return fmt.Sprintf("%d个工作日内", l.Amount)
}

// placeName names a location for people: township, village, grid and address as known.
func (b *Bot) placeName(loc models.Location) string {
	var parts []string
	for _, code := range []string{loc.TownshipCode, loc.VillageCode} {
		if name := b.cat.Places.Name(code); name != "" {
			parts = append(parts, name)
		}
	}
	if loc.Address != "" {
		parts = append(parts, "（"+loc.Address+"）")
	}
	if len(parts) == 0 {
		return "未知"
	}
	return strings.Join(parts, "")
}

// townshipNames lists the townships in the order they are offered.
func (b *Bot) townshipNames() []string {
	ts := b.cat.Places.Townships()
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return names
}

// codes returns the matter codes of suggestions.
func codes(sug []Suggestion) []string {
	out := make([]string, len(sug))
	for i, s := range sug {
		out[i] = s.Matter.Code
	}
	return out
}

// oneOf reports whether text is one of the words, ignoring case and surrounding punctuation.
func oneOf(text string, words ...string) bool {
	text = strings.ToLower(strings.Trim(text, " 。.!！~～,，"))
	return slices.ContainsFunc(words, func(w string) bool { return strings.ToLower(w) == text })
}
