package bot

import (
	"fmt"
	"strings"
	"unicode/utf8"

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
		if loc, ok := b.catalogue().Places.Grid(t.person.GridCodes[0]); ok {
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
	if t.sess == nil || t.sess.Awaiting == waitUrge {
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
	return photosSoFar(len(t.sess.AttachmentIDs)) + "\n" + b.question(t), nil
}

// voice adds a voice message to the draft; its recognised text answers the pending question
// (a place said by voice is a place) or counts as description.
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
	heard := "已收到语音：“" + text + "”\n"
	if t.sess.Awaiting == waitPlace || t.sess.Awaiting == waitPlaceConfirm {
		return heard + b.answerPlace(t, clean(text)), nil
	}
	b.describe(t, text)
	return heard + b.question(t), nil
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

// location places the draft by a location message: in a grid or near a village; else, inside
// the county, the nearest village is offered for confirmation; outside it, the county is named.
func (b *Bot) location(t *turn) (string, error) {
	b.ensureSession(t)
	pt := models.Point{Lat: t.in.Lat, Lng: t.in.Lng}
	loc, ok := b.catalogue().Places.Locate(pt)
	if !ok {
		near, inCounty := b.catalogue().Places.Nearest(pt)
		if !inCounty {
			t.sess.Awaiting = waitPlace
			return outsideCounty(b.catalogue().CountyName) + "\n" + askPlaceShort(b.townshipNames()), nil
		}
		near.Address = t.in.Label
		t.sess.Candidate, t.sess.Awaiting = &near, waitPlaceConfirm
		return askNearestVillage(b.placeName(near)), nil
	}
	loc.Address = t.in.Label
	t.sess.Location, t.sess.PlaceDefault, t.sess.Address = &loc, false, ""
	return placeNoted(b.placeName(loc)) + "\n" + b.question(t), nil
}

// maxDescription and maxAddress bound what a draft keeps, in characters, well within their
// columns: a longer text is refused with a word, never cut silently.
const (
	maxDescription = 5000
	maxAddress     = 200
)

// describe sets or extends the draft's description; matters are suggested again from the
// whole of it until one is chosen. Text beyond maxDescription is not taken, and the person is told.
func (b *Bot) describe(t *turn, text string) bool {
	s := t.sess
	text = strings.TrimSpace(text)
	if text == "" {
		return false
	}
	if utf8.RuneCountInString(s.Description)+utf8.RuneCountInString(text) > maxDescription {
		t.notes = append(t.notes, msgDescriptionFull)
		return false
	}
	if s.Description == "" {
		s.Description = text
	} else {
		s.Description += "；" + text
	}
	if !s.MatterChosen {
		s.MatterOptions = nil
	}
	return true
}

// answer takes a text as the answer to the question the conversation waits on; a text that
// answers another question (a place when photos were asked for) is used for that one.
func (b *Bot) answer(t *turn, text string) (string, error) {
	switch t.sess.Awaiting {
	case waitPhotos:
		return b.answerPhotos(t, text), nil
	case waitPlace:
		return b.answerPlace(t, text), nil
	case waitPlaceConfirm:
		return b.answerPlaceConfirm(t, text), nil
	case waitMatter:
		return b.answerMatter(t, text), nil
	case waitConfidential:
		return b.answerConfidential(t, text), nil
	case waitPhone:
		return b.answerPhone(t, text), nil
	case waitConfirm:
		return b.answerConfirm(t, text)
	case waitDuplicate:
		return b.answerDuplicate(t, text)
	case waitUrge:
		return b.answerUrge(t, text)
	}
	return b.answerDescription(t, text), nil
}

// answerDescription takes the description; it cannot be skipped, and a place sent instead is
// kept as the place.
func (b *Bot) answerDescription(t *turn, text string) string {
	s := t.sess
	switch {
	case oneOf(text, wordsSkip()...):
		return msgDescriptionRequired
	case oneOf(text, wordsDone()...):
		return msgDescriptionRequired
	}
	if loc, ok := b.placeOnly(text); ok && (s.Location == nil || s.PlaceDefault) {
		s.Location, s.PlaceDefault = &loc, false
		return placeNoted(b.placeName(loc)) + "\n" + b.question(t)
	}
	b.describe(t, t.raw)
	return b.question(t)
}

// answerPhotos ends the photo step (好了, 没了, 跳过), takes a place sent instead, or adds the
// text to the description.
func (b *Bot) answerPhotos(t *turn, text string) string {
	s := t.sess
	if oneOf(text, wordsDone()...) || oneOf(text, wordsSkip()...) {
		return b.question(t)
	}
	if loc, ok := b.placeOnly(text); ok {
		s.Location, s.PlaceDefault = &loc, false
		return placeNoted(b.placeName(loc)) + "\n" + b.question(t)
	}
	return addedTo(b.describe(t, t.raw)) + msgAskPhotos
}

// maxPlaceOnly is the longest text, in characters, read as only a place.
const maxPlaceOnly = 16

// placeOnly reports whether a text is a place rather than a description: it names a place of
// the county, and says little else ("就在磁灶大埔村那条溪", "陈埭镇江头村").
func (b *Bot) placeOnly(text string) (models.Location, bool) {
	if utf8.RuneCountInString(text) > maxPlaceOnly {
		return models.Location{}, false // a description: not worth a search of every place name
	}
	loc, ok := b.catalogue().Places.MatchAddress(text)
	if !ok {
		return models.Location{}, false
	}
	rest := strings.ReplaceAll(text, " ", "")
	for _, code := range []string{loc.TownshipCode, loc.VillageCode} {
		for _, form := range nameForms(b.catalogue().Places.Name(code)) {
			rest = strings.ReplaceAll(rest, form, "")
		}
	}
	for _, w := range placeFiller() {
		rest = strings.ReplaceAll(rest, w, "")
	}
	return loc, utf8.RuneCountInString(strings.TrimFunc(rest, isEdge)) <= 4
}

// answerPlace takes a township number or a typed address. The place cannot be skipped: the
// first 跳过 says what would do, the second leaves it to the county platform.
func (b *Bot) answerPlace(t *turn, text string) string {
	s := t.sess
	if oneOf(text, wordsSkip()...) {
		s.PlaceSkips++
		if s.PlaceSkips == 1 {
			return msgPlaceRequired
		}
		s.Location, s.PlaceDefault = &models.Location{Address: s.Address}, false
		return msgPlaceLeftOpen + "\n" + b.question(t)
	}
	ts := b.catalogue().Places.Townships()
	if n, ok := choice(text); ok {
		if n > len(ts) {
			return fmt.Sprintf("请回复 1 到 %d 之间的乡镇序号。\n", len(ts)) + askPlaceShort(b.townshipNames())
		}
		s.Location, s.PlaceDefault = &models.Location{TownshipCode: ts[n-1].Code, Address: s.Address}, false
		s.Address = ""
		return placeNoted(b.placeName(*s.Location)) + "\n" + b.question(t)
	}
	if utf8.RuneCountInString(t.raw) > maxAddress {
		return msgAddressTooLong
	}
	if loc, ok := b.catalogue().Places.MatchAddress(text); ok {
		loc.Address = t.raw
		s.Location, s.PlaceDefault, s.Address = &loc, false, ""
		return placeNoted(b.placeName(loc)) + "\n" + b.question(t)
	}
	if !hasAddressMarker(text) && b.readsLikeReport(text) && s.Address == "" {
		return addedTo(b.describe(t, t.raw)) + "\n" + askPlaceShort(b.townshipNames())
	}
	s.Address = t.raw
	return askPlaceAgain(t.raw, b.townshipNames())
}

// hasAddressMarker reports whether a text has the words of an address (路, 号, 村, 附近 …).
func hasAddressMarker(text string) bool {
	return containsAny(text, []string{"路", "街", "巷", "号", "村", "社区", "镇", "小区", "附近", "旁边", "对面", "门口",
		"楼", "桥", "市场", "学校", "广场", "公园", "路口", "工业区"})
}

// answerPlaceConfirm accepts the nearest village offered for a location, or takes a place.
func (b *Bot) answerPlaceConfirm(t *turn, text string) string {
	s := t.sess
	n, isChoice := choice(text)
	switch {
	case (isChoice && n == 1) || oneOf(text, wordsYes()...) || oneOf(text, "对", "是的", "没错", "对的"):
		s.Location, s.PlaceDefault, s.Candidate = s.Candidate, false, nil
		return placeNoted(b.placeName(*s.Location)) + "\n" + b.question(t)
	case (isChoice && n == 2) || oneOf(text, wordsNo()...) || oneOf(text, "不对", "不是"):
		s.Candidate, s.Awaiting = nil, waitPlace
		return askPlaceShort(b.townshipNames())
	}
	s.Candidate, s.Awaiting = nil, waitPlace
	return b.answerPlace(t, text)
}

// answerMatter takes a number from the offered matters, 跳过 or 不知道 for the platform to
// classify, or more words to suggest from again with the whole description.
func (b *Bot) answerMatter(t *turn, text string) string {
	s := t.sess
	if n, ok := choice(text); ok {
		switch {
		case n <= len(s.MatterOptions):
			s.MatterCode, s.MatterChosen = s.MatterOptions[n-1], true
		case n == len(s.MatterOptions)+1:
			s.MatterCode, s.MatterChosen = "", true
		default:
			return fmt.Sprintf("请回复 1 到 %d 之间的序号。\n", len(s.MatterOptions)+1) + b.question(t)
		}
		return b.question(t)
	}
	if oneOf(text, wordsSkip()...) || oneOf(text, wordsUnsure()...) {
		s.MatterCode, s.MatterChosen = "", true
		return b.question(t)
	}
	if sug := b.catalogue().Suggester.Suggest(s.Description+" "+text, 3); len(sug) > 0 {
		s.MatterOptions = codes(sug)
	}
	return b.question(t)
}

// answerConfidential takes yes or no, or a mobile number (not confidential, call me here);
// 跳过 keeps the reporter's identity confidential. 不保密 asks for a phone number.
func (b *Bot) answerConfidential(t *turn, text string) string {
	s := t.sess
	n, isChoice := choice(text)
	if phone, ok := mobileNumber(text); ok {
		c := false
		s.Confidential, s.Phone, s.PhoneAsked = &c, phone, true
		return phoneNoted(phone) + "\n" + b.question(t)
	}
	switch {
	case oneOf(text, wordsSkip()...):
		c := true
		s.Confidential = &c
		return msgConfidentialByDefault + "\n" + b.question(t)
	case (isChoice && n == 1) || oneOf(text, wordsYes()...):
		c := true
		s.Confidential = &c
	case (isChoice && n == 2) || oneOf(text, wordsNo()...):
		c := false
		s.Confidential = &c
	default:
		return msgAskConfidentialRe
	}
	return b.question(t)
}

// answerPhone takes a mainland mobile number, or 跳过.
func (b *Bot) answerPhone(t *turn, text string) string {
	s := t.sess
	if oneOf(text, wordsSkip()...) || oneOf(text, wordsNo()...) || oneOf(text, "不留", "不想留", "没有") {
		s.PhoneAsked = true
		return b.question(t)
	}
	phone, ok := mobileNumber(text)
	if !ok {
		return msgPhoneWrong
	}
	s.Phone, s.PhoneAsked = phone, true
	return phoneNoted(phone) + "\n" + b.question(t)
}

// answerConfirm submits the case, or reopens a part of the draft and comes back to the
// summary: 改描述, 改地点, 改事项/改类别, 重拍, 补充照片. A place or more words sent here are
// taken as such.
func (b *Bot) answerConfirm(t *turn, text string) (string, error) {
	s := t.sess
	switch {
	case oneOf(text, wordsConfirm()...):
		return b.submit(t)
	case oneOf(text, wordsMatter()...):
		s.MatterChosen, s.MatterCode, s.MatterAsked = false, "", true
		return b.askMatterNow(t), nil
	case oneOf(text, wordsPlace()...):
		s.Location, s.PlaceDefault, s.PlaceSkips = nil, false, 0
		return b.question(t), nil
	case oneOf(text, wordsDescription()...):
		s.Description = ""
		return b.question(t), nil
	case oneOf(text, wordsRetake()...):
		s.AttachmentIDs = nil
		s.Awaiting = waitPhotos
		return msgAskPhotosAgain, nil
	case oneOf(text, wordsMorePhotos()...):
		s.Awaiting = waitPhotos
		return msgAskPhotosMore, nil
	}
	if loc, ok := b.placeOnly(text); ok {
		s.Location, s.PlaceDefault = &loc, false
		return placeNoted(b.placeName(loc)) + "\n" + b.question(t), nil
	}
	if utf8.RuneCountInString(text) >= 6 && !oneOf(text, wordsDone()...) {
		return addedTo(b.describe(t, t.raw)) + "\n" + b.question(t), nil
	}
	return msgConfirmHint, nil
}

// question decides what the draft still lacks and asks for it: description, photos (citizens,
// once), place, matter, confidentiality (complaints), a phone number (not confidential), and
// finally confirmation.
func (b *Bot) question(t *turn) string {
	s := t.sess
	switch {
	case s.Description == "":
		s.Awaiting = waitDescription
		return b.askDescription(s.Kind, len(s.AttachmentIDs))
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
	case !*s.Confidential && s.Kind == models.KindComplaint && !s.PhoneAsked:
		s.Awaiting = waitPhone
		return msgAskPhone
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
		s.MatterOptions = codes(b.catalogue().Suggester.Suggest(s.Description, 3))
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
		names[i] = b.catalogue().matterIndex[c].Name
	}
	return askMatter(names)
}

// askDescription asks for the description in the words of the kind.
func (b *Bot) askDescription(kind models.CaseKind, photos int) string {
	var ask string
	switch kind {
	case models.KindTip:
		ask = msgAskDescTip
	case models.KindReport:
		ask = msgAskDescReport
	default:
		ask = msgAskDescComplaint
	}
	if photos > 0 {
		return msgDescribePhoto + ask
	}
	return ask
}

// summary renders the draft for confirmation.
func (b *Bot) summary(s *session) string {
	matter := msgNoMatterLabel
	if m, ok := b.catalogue().matterIndex[s.MatterCode]; ok {
		matter = m.Name
	}
	conf := ""
	if s.Kind != models.KindReport && s.Confidential != nil {
		conf = confidentialWord(*s.Confidential)
	}
	place := "未知（由指挥平台核实）"
	if s.Location != nil && s.Location.TownshipCode != "" {
		place = b.placeName(*s.Location)
	}
	return summary(string(s.Kind), s.Description, place, matter, len(s.AttachmentIDs), conf, s.Phone)
}

// submit turns the confirmed draft into a case and ends the conversation.
func (b *Bot) submit(t *turn) (string, error) {
	s := t.sess
	nc := models.NewCase{Kind: s.Kind, Source: s.Source, Description: s.Description, Location: *s.Location,
		MatterCode: s.MatterCode, Confidential: s.Confidential != nil && *s.Confidential,
		ReporterID: t.person.ID, Reporter: &t.person, AttachmentIDs: s.AttachmentIDs, Acknowledged: true,
		InboxKey: t.in.InboxKey}
	if !nc.Confidential {
		nc.ContactPhone = s.Phone
	}
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
	if m, ok := b.catalogue().matterIndex[c.MatterCode]; ok && m.HandleLimit.Amount > 0 {
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

// placeName names a location for people: township and village, and what the address adds to
// them ("安海镇海东社区（成功路12号）"), never the same name twice.
func (b *Bot) placeName(loc models.Location) string {
	var names []string
	for _, code := range []string{loc.TownshipCode, loc.VillageCode} {
		if name := b.catalogue().Places.Name(code); name != "" {
			names = append(names, name)
		}
	}
	name := strings.Join(names, "")
	extra := addressBeyond(loc.Address, names)
	switch {
	case name == "" && extra == "":
		return "未知"
	case name == "":
		return extra
	case extra == "":
		return name
	}
	return name + "（" + extra + "）"
}

// addressBeyond returns what an address says beyond the place names: the part after the last
// name it repeats, or all of it; "" when it only repeats them.
func addressBeyond(address string, names []string) string {
	rest := strings.TrimSpace(address)
	for _, n := range names {
		for _, form := range nameForms(n) {
			if i := strings.LastIndex(rest, form); i >= 0 {
				rest = rest[i+len(form):]
			}
		}
	}
	return strings.TrimFunc(rest, isEdge)
}

// townshipNames lists the townships in the order they are offered.
func (b *Bot) townshipNames() []string {
	ts := b.catalogue().Places.Townships()
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

// oneOf reports whether a cleaned text is one of the words, ignoring case.
func oneOf(text string, words ...string) bool {
	for _, w := range words {
		if strings.EqualFold(text, w) {
			return true
		}
	}
	return false
}
