package workflow

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"gridbot/models"
)

// toTeam notifies the officers and leaders of the case's team (the dispatch card).
func (ch *change) toTeam(kind string) {
	for _, p := range ch.w.county().Members[ch.c.TeamCode] {
		if p.Role == models.RoleOfficer || p.Role == models.RoleTeamLeader {
			ch.to(kind, p, true)
		}
	}
}

// toLeader notifies the leaders of the case's team.
func (ch *change) toLeader(kind string) {
	for _, p := range ch.w.county().Members[ch.c.TeamCode] {
		if p.Role == models.RoleTeamLeader {
			ch.to(kind, p, true)
		}
	}
}

// toPlatform notifies the county platform's operators.
func (ch *change) toPlatform(kind string) {
	for _, t := range ch.w.county().Teams {
		if t.Kind != models.TeamPlatform {
			continue
		}
		for _, p := range ch.w.county().Members[t.Code] {
			if p.Role == models.RolePlatformOperator {
				ch.to(kind, p, true)
			}
		}
	}
}

// toVerifier asks for the check: the grid worker who reported; for other cases the grid workers
// of the case's grid, or of its village's grids when it has no grid (who check on site), else the
// team's leader, else the platform.
func (ch *change) toVerifier() {
	if ch.c.Source == models.SourceGridWorker {
		if p, err := ch.person(ch.c.ReporterID); err == nil {
			ch.to(models.NoticeVerify, p, true)
			return
		}
	}
	before := len(ch.intents)
	for _, p := range ch.w.county().gridWorkersOf(ch.c.Location) {
		ch.to(models.NoticeVerify, p, true)
	}
	if len(ch.intents) == before {
		ch.toLeader(models.NoticeVerify)
	}
	if len(ch.intents) == before {
		ch.toPlatform(models.NoticeVerify)
	}
}

// toReporter tells the reporter and the followers where the case stands, without internal details.
func (ch *change) toReporter() { ch.toPublic("") }

// toReporterWithNote also tells them the note: a rejection's reason.
func (ch *change) toReporterWithNote() { ch.toPublic(ch.note) }

// toPublic notifies the reporter and the followers, with a note for them ("" for none) and the
// change's filtered handling result. Only the reporter is asked to rate a closed case, and not
// when they closed it themselves (a grid worker verifying their own report).
func (ch *change) toPublic(note string) {
	var people []models.Person
	if ch.c.ReporterID != 0 {
		if p, err := ch.person(ch.c.ReporterID); err == nil {
			people = append(people, p)
		}
	}
	if ch.c.ID != 0 { // a case not stored yet has no followers
		if fs, err := ch.w.store.Followers(ch.ctx, ch.c.ID); err == nil {
			people = append(people, fs...)
		}
	}
	for _, p := range people {
		n := ch.notice(false)
		n.Note, n.Result = note, ch.result
		n.NoRating = ch.c.State == models.StateClosed && (p.ID != ch.c.ReporterID || p.ID == ch.req.Actor.ID)
		ch.add(models.NoticeStatus, p, n)
	}
}

// person returns a person by id, the reporter without reading them again if already known.
func (ch *change) person(id int64) (models.Person, error) {
	if ch.reporter.ID != 0 && ch.reporter.ID == id {
		return ch.reporter, nil
	}
	return ch.w.store.PersonByID(ch.ctx, id)
}

// to notifies one person; staff get the case's details, and the team that has it the
// reporter's contact phone.
func (ch *change) to(kind string, p models.Person, staff bool) {
	n := ch.notice(staff)
	if staff {
		n.Contact = ch.c.ContactFor(p)
	}
	ch.add(kind, p, n)
}

// add writes one intent on the channel the person can be reached on; nothing if none. A notice
// like the one before (a team's members get the same) is not rendered again.
func (ch *change) add(kind string, p models.Person, n models.Notice) {
	if ch.rendered == nil || !ch.last.Equal(n) {
		ch.last, ch.rendered = n, marshalNotice(n)
	}
	ch.addPayload(kind, p, ch.rendered)
}

// addPayload writes one intent with a rendered notice, as add does.
func (ch *change) addPayload(kind string, p models.Person, payload []byte) {
	channel := reachable(p)
	if channel == "" || p.ID == 0 {
		return
	}
	ch.intents = append(ch.intents, models.Intent{RecipientID: p.ID, Channel: channel, Kind: kind, CaseID: ch.c.ID,
		DedupKey: fmt.Sprintf("%s:%s:v%d:%d", kind, ch.c.TrackingNo, ch.c.Version+1, p.ID), Payload: payload})
}

// marshalNotice renders a notice as an intent's payload.
func marshalNotice(n models.Notice) []byte {
	payload, err := json.Marshal(n)
	if err != nil { // cannot happen: the notice has only strings
		panic("workflow: marshal notice: " + err.Error())
	}
	return payload
}

// notice renders what a message about the case shows. Staff see the description, place,
// deadline and shortcuts; nobody's message carries the reporter's identity.
func (ch *change) notice(staff bool) models.Notice {
	c := ch.c
	n := models.Notice{TrackingNo: c.TrackingNo, CaseKind: c.Kind, State: c.State, Action: ch.req.Action}
	if m, ok := ch.w.county().Matters[c.MatterCode]; ok {
		n.Matter = m.Name
	}
	if !staff {
		return n
	}
	n.Place = ch.w.county().placeName(c.Location)
	n.Description = shorten(c.Description, 80)
	n.Note = ch.note
	if !c.HandleDeadline.IsZero() {
		n.Deadline = c.HandleDeadline.In(ch.w.loc).Format("2006-01-02 15:04")
	}
	switch c.State {
	case models.StateDispatched, models.StateReopened:
		n.Shortcuts = []string{"1 签收", "退回 " + c.TrackingNo + " 原因"}
	case models.StateHandled:
		n.Shortcuts = []string{"核查 " + c.TrackingNo + " 通过", "核查 " + c.TrackingNo + " 不通过 原因"}
	case models.StateExtensionRequested:
		n.Shortcuts = []string{"批准延期 " + c.TrackingNo, "驳回延期 " + c.TrackingNo}
	}
	return n
}

// shorten cuts a text to n runes with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// limits returns a matter's sign-for and handling limits, or the defaults of 12345 practice
// (sign within 2 working hours, handle within 13 working days) for an unknown one.
func limits(m models.Matter) (models.TimeLimit, models.TimeLimit) {
	sign, handle := m.SignLimit, m.HandleLimit
	if sign.Amount == 0 {
		sign = models.TimeLimit{Amount: 2, Unit: models.WorkingHours}
	}
	if handle.Amount == 0 {
		handle = models.TimeLimit{Amount: 13, Unit: models.WorkingDays}
	}
	return sign, handle
}

// teamByCode returns the team of a code, if there is one.
func (county County) teamByCode(code string) (models.Team, bool) {
	return county.team("", func(t models.Team) bool { return t.Code == code })
}

// gridsOf returns the grids whose workers check a case at loc: its grid, else every grid of its
// village; none for a case placed at a township or nowhere.
func (county County) gridsOf(loc models.Location) []string {
	switch {
	case loc.GridCode != "":
		return []string{loc.GridCode}
	case loc.VillageCode != "":
		return county.VillageGrids[loc.VillageCode]
	}
	return nil
}

// gridWorkersOf returns the grid workers of the grids of gridsOf, each once.
func (county County) gridWorkersOf(loc models.Location) []models.Person {
	var out []models.Person
	seen := map[int64]bool{}
	for _, g := range county.gridsOf(loc) {
		for _, p := range county.GridWorkers[g] {
			if p.ID == 0 || !seen[p.ID] {
				seen[p.ID] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// townshipName names a township by its code, for an error message.
func (county County) townshipName(code string) string {
	if t, ok := county.Townships[code]; ok {
		return t.Name
	}
	return "township unknown"
}

// placeName names a location by its township and address, the township once when the address
// already starts with it.
func (county County) placeName(loc models.Location) string {
	name := county.Townships[loc.TownshipCode].Name
	switch {
	case loc.Address == "":
		return name
	case name == "" || strings.HasPrefix(loc.Address, name):
		return loc.Address
	}
	return name + " " + loc.Address
}
