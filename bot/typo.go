package bot

import (
	"fmt"
	"time"

	"gridbot/models"
)

// A number that looks like a tracking number but is not one is refused, and the person is shown
// the cases they may have meant. The Damm check digit makes these findable: every number one
// typing mistake away (one digit wrong, one missing or extra, two neighbours swapped) is
// generated, and those that are valid tracking numbers of cases the person may see are offered.

// maxNearCases bounds the cases offered for a mistyped number.
const maxNearCases = 3

// typoCandidates returns the valid tracking numbers one typing mistake away from digits, with a
// date part that is a real day no later than tomorrow and no earlier than three years ago.
func typoCandidates(digits string, now time.Time) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] && s != digits && models.ValidTrackingNumber(s) && plausibleDay(s, now) {
			seen[s] = true
			out = append(out, s)
		}
	}
	for i := 0; i < len(digits); i++ {
		for d := byte('0'); d <= '9'; d++ {
			add(digits[:i] + string(d) + digits[i+1:]) // one digit wrong
		}
		if i+1 < len(digits) {
			add(digits[:i] + string(digits[i+1]) + string(digits[i]) + digits[i+2:]) // neighbours swapped
		}
		add(digits[:i] + digits[i+1:]) // one digit too many
	}
	for i := 0; i <= len(digits); i++ {
		for d := byte('0'); d <= '9'; d++ {
			add(digits[:i] + string(d) + digits[i:]) // one digit missing
		}
	}
	return out
}

// plausibleDay reports whether a tracking number's YYMMDD is a real day in the last three years
// (or tomorrow, across time zones).
func plausibleDay(no string, now time.Time) bool {
	day, err := time.ParseInLocation("060102", no[:6], now.Location())
	if err != nil {
		return false
	}
	return !day.After(now.AddDate(0, 0, 1)) && day.After(now.AddDate(-3, 0, 0))
}

// nearCases returns the cases the person may see whose number is one typing mistake away from
// digits; openOnly keeps only cases still being worked on.
func (b *Bot) nearCases(t *turn, digits string, openOnly bool) ([]models.Case, error) {
	var out []models.Case
	for _, no := range typoCandidates(digits, b.now().In(b.cfg.Location)) {
		c, err := b.cases.CaseByTrackingNo(t.ctx, no)
		if models.ErrorCodeOf(err) == models.ENotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if openOnly && !c.State.Open() {
			continue
		}
		if ok, err := b.maySee(t, c); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, c)
		if len(out) == maxNearCases {
			break
		}
	}
	return out, nil
}

// typoReply refuses a mistyped number, naming it and offering the cases it may have meant. A
// staff member's focus is cleared, so that a "1" sent next picks none of the cases offered
// and nothing else either.
func (b *Bot) typoReply(t *turn, digits string, openOnly bool) (string, error) {
	near, err := b.nearCases(t, digits, openOnly)
	if err != nil {
		return "", err
	}
	if t.person.Staff() {
		if err := b.setFocus(t.ctx, t.in.OpenID, "", focusTypo); err != nil {
			return "", err
		}
	}
	lines := make([]string, len(near))
	for i, c := range near {
		lines[i] = b.caseLine(c)
	}
	return mistypedNumber(digits, len(digits) >= 11, lines), nil
}

// caseLine names a case in one line: number, matter and place.
func (b *Bot) caseLine(c models.Case) string {
	at := c.Location
	at.Address = ""
	return fmt.Sprintf("%s（%s，%s）", c.TrackingNo, b.matterName(c.MatterCode), b.placeName(at))
}
