package workcal

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"gridbot/models"
)

// The years a Year may describe; the bounds keep the day table small.
const (
	minYear = 1990
	maxYear = 2199
)

// Date is a day of the civil calendar, independent of any time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// String writes d as "2006-01-02".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// parseDate reads "2006-01-02" and rejects dates that do not exist.
func parseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, models.Errorf(models.EInvalid, "date %q: want YYYY-MM-DD", s)
	}
	return Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}, nil
}

// DayKind says how a listed day departs from the Monday-to-Friday rule.
type DayKind string

// The kinds of listed days, spelt as in a year file.
const (
	Holiday DayKind = "holiday" // a day off (放假), whatever its weekday
	Workday DayKind = "workday" // a make-up working day (调休上班), usually a Saturday or Sunday
)

// Day is one date of a holiday schedule.
type Day struct {
	Date Date
	Kind DayKind
	Name string // the festival, e.g. "国庆节" or "国庆节调休"; informative only
}

// Year is one year's holiday schedule, as one State Council notice (国务院办公厅关于部分节假日安排的通知)
// publishes it: its days lie in that year or, for New Year's Day, in the December before.
type Year struct {
	Year int
	Days []Day
}

// validate checks the structure of y: a year in range, known kinds, existing dates in y.Year or the
// December before, each date listed once.
func (y Year) validate() error {
	if y.Year < minYear || y.Year > maxYear {
		return models.Errorf(models.EInvalid, "holiday year %d: want %d to %d", y.Year, minYear, maxYear)
	}
	if len(y.Days) == 0 {
		return models.Errorf(models.EInvalid, "holiday year %d: no days listed", y.Year)
	}
	seen := make(map[Date]bool, len(y.Days))
	for _, d := range y.Days {
		if err := y.validateDay(d); err != nil {
			return err
		}
		if seen[d.Date] {
			return models.Errorf(models.EInvalid, "holiday year %d: %s listed twice", y.Year, d.Date)
		}
		seen[d.Date] = true
	}
	return nil
}

// validateDay checks one listed day of y.
func (y Year) validateDay(d Day) error {
	if d.Kind != Holiday && d.Kind != Workday {
		return models.Errorf(models.EInvalid, "holiday year %d: %s: kind %q: want holiday or workday", y.Year, d.Date, d.Kind)
	}
	if _, err := parseDate(d.Date.String()); err != nil {
		return fmt.Errorf("holiday year %d: %w", y.Year, err)
	}
	inYear := d.Date.Year == y.Year
	inDecemberBefore := d.Date.Year == y.Year-1 && d.Date.Month == time.December
	if !inYear && !inDecemberBefore {
		return models.Errorf(models.EInvalid, "holiday year %d: %s is neither in %d nor in December %d", y.Year, d.Date, y.Year, y.Year-1)
	}
	return nil
}

// ParseYearFile reads one year's schedule in the text format of README.md: a line "year YYYY", then
// one line "YYYY-MM-DD holiday|workday [name]" per day; # starts a comment to the end of the line,
// and blank lines are ignored. A workday must fall on a Saturday or Sunday, since other days already are working days.
func ParseYearFile(r io.Reader) (Year, error) {
	var y Year
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if err := y.parseLine(line); err != nil {
			return Year{}, fmt.Errorf("holiday file line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return Year{}, fmt.Errorf("holiday file: %w", err)
	}
	if y.Year == 0 {
		return Year{}, models.Errorf(models.EInvalid, "holiday file: no \"year YYYY\" header")
	}
	if err := y.validate(); err != nil {
		return Year{}, fmt.Errorf("holiday file: %w", err)
	}
	return y, nil
}

// parseLine reads the header or one day line into y.
func (y *Year) parseLine(line string) error {
	fields := strings.Fields(line)
	if y.Year == 0 {
		return y.parseHeader(fields)
	}
	if len(fields) < 2 {
		return models.Errorf(models.EInvalid, "%q: want YYYY-MM-DD holiday|workday [name]", line)
	}
	date, err := parseDate(fields[0])
	if err != nil {
		return err
	}
	d := Day{Date: date, Kind: DayKind(fields[1]), Name: strings.Join(fields[2:], " ")}
	if err := y.validateDay(d); err != nil {
		return err
	}
	if d.Kind == Workday && !isWeekend(dayNumber(date)) {
		return models.Errorf(models.EInvalid, "%s is a %s, already a working day: a workday line is for a Saturday or Sunday", date, weekdayOf(dayNumber(date)))
	}
	y.Days = append(y.Days, d)
	return nil
}

// parseHeader reads "year YYYY".
func (y *Year) parseHeader(fields []string) error {
	if len(fields) != 2 || fields[0] != "year" {
		return models.Errorf(models.EInvalid, "want the header \"year YYYY\" before any day")
	}
	n, err := strconv.Atoi(fields[1])
	if err != nil || n < minYear || n > maxYear {
		return models.Errorf(models.EInvalid, "header year %q: want %d to %d", fields[1], minYear, maxYear)
	}
	y.Year = n
	return nil
}
