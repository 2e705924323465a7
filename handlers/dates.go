package handlers

import (
	"time"

	"gridbot/models"
)

// earliestYear is the year from whose first day a date parameter may be: gridbot holds nothing older.
const earliestYear = 2000

// dateParam reads a date parameter (YYYY-MM-DD, in loc) from 2000-01-01 to one year after now;
// anything else is EInvalid, so that no far year reaches the database.
func dateParam(name, s string, now time.Time, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, models.Errorf(models.EInvalid, "%s must be a date YYYY-MM-DD", name)
	}
	first, last := time.Date(earliestYear, time.January, 1, 0, 0, 0, 0, loc), now.In(loc).AddDate(1, 0, 0)
	if t.Before(first) || t.After(last) {
		return time.Time{}, models.Errorf(models.EInvalid, "%s must be a date from %s to %s", name,
			first.Format("2006-01-02"), last.Format("2006-01-02"))
	}
	return t, nil
}
