package workcal

import (
	"slices"
	"time"

	"gridbot/models"
)

// secondsPerDay is the length of a civil day in the UTC day numbering.
const secondsPerDay = 24 * 60 * 60

// dayNumber returns the number of days from 1970-01-01 to d.
func dayNumber(d Date) int {
	return int(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay)
}

// dayOf returns the day number of t's date in t's location.
func dayOf(t time.Time) int {
	y, m, d := t.Date()
	return dayNumber(Date{Year: y, Month: m, Day: d})
}

// dateOf returns the civil date of day number n.
func dateOf(n int) Date {
	y, m, d := time.Unix(int64(n)*secondsPerDay, 0).UTC().Date()
	return Date{Year: y, Month: m, Day: d}
}

// weekdayOf returns the weekday of day number n.
func weekdayOf(n int) time.Weekday { return time.Unix(int64(n)*secondsPerDay, 0).UTC().Weekday() }

// isWeekend reports whether day number n is a Saturday or Sunday.
func isWeekend(n int) bool {
	w := weekdayOf(n)
	return w == time.Saturday || w == time.Sunday
}

// status is what the table knows about one day.
type status uint8

// The statuses of a day; unknown marks a day of a year without data.
const (
	unknown status = iota
	dayOff
	workingDay
)

// table is an immutable day-by-day view of the loaded holiday years.
type table struct {
	years map[int]Year // the schedules it was built from, by year
	first int          // day number of days[0]
	days  []status
}

// newTable builds the table of the given schedules: every day of a year with a schedule is a working
// day on Monday to Friday, then the schedules' days are applied in year order (a later notice wins).
func newTable(years map[int]Year) *table {
	t := &table{years: years}
	covered := t.covered()
	if len(covered) == 0 {
		return t
	}
	t.first = dayNumber(Date{Year: covered[0], Month: time.January, Day: 1})
	last := dayNumber(Date{Year: covered[len(covered)-1], Month: time.December, Day: 31})
	t.days = make([]status, last-t.first+1)
	for _, y := range covered {
		t.fillWeekdays(y)
	}
	for _, y := range covered {
		t.apply(years[y])
	}
	return t
}

// covered returns the years of the table's schedules in order.
func (t *table) covered() []int {
	ys := make([]int, 0, len(t.years))
	for y := range t.years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// fillWeekdays marks year y's Mondays to Fridays as working days and its weekends as days off.
func (t *table) fillWeekdays(y int) {
	from := dayNumber(Date{Year: y, Month: time.January, Day: 1})
	to := dayNumber(Date{Year: y, Month: time.December, Day: 31})
	for n := from; n <= to; n++ {
		t.days[n-t.first] = workingDay
		if isWeekend(n) {
			t.days[n-t.first] = dayOff
		}
	}
}

// apply marks the listed days of y, skipping those in a year without data.
func (t *table) apply(y Year) {
	for _, d := range y.Days {
		i := dayNumber(d.Date) - t.first
		if i < 0 || i >= len(t.days) || t.days[i] == unknown {
			continue
		}
		t.days[i] = dayOff
		if d.Kind == Workday {
			t.days[i] = workingDay
		}
	}
}

// working reports whether day number n is a working day, or fails if n's year has no data.
func (t *table) working(n int) (bool, error) {
	i := n - t.first
	if i < 0 || i >= len(t.days) || t.days[i] == unknown {
		return false, noData(dateOf(n).Year)
	}
	return t.days[i] == workingDay, nil
}

// noData is the error for a date in a year without holiday data.
func noData(year int) error {
	return models.Errorf(models.EUnavailable, "no holiday data for %d: add it before using dates in that year", year)
}
