package workcal

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gridbot/models"
)

// minutesPerDay is the number of minutes from one midnight to the next.
const minutesPerDay = 24 * 60

// Clock is a wall-clock time of day in minutes since midnight, from 00:00 (0) to 24:00 (1440).
type Clock int

// ClockAt returns the Clock for hour:minute.
func ClockAt(hour, minute int) Clock { return Clock(hour*60 + minute) }

// Hour returns the hour of k (24 for 24:00).
func (k Clock) Hour() int { return int(k) / 60 }

// Minute returns the minute within the hour of k.
func (k Clock) Minute() int { return int(k) % 60 }

// String writes k as "HH:MM".
func (k Clock) String() string { return fmt.Sprintf("%02d:%02d", k.Hour(), k.Minute()) }

// Period is one working period of a working day, from Start (inclusive) to End (exclusive).
type Period struct {
	Start, End Clock
}

// Duration returns the length of p.
func (p Period) Duration() time.Duration { return time.Duration(p.End-p.Start) * time.Minute }

// String writes p as "HH:MM-HH:MM", the form ParsePeriods reads.
func (p Period) String() string { return p.Start.String() + "-" + p.End.String() }

// DefaultPeriods returns the usual office hours of a township: 08:30–12:00 and 14:30–17:30.
func DefaultPeriods() []Period {
	return []Period{
		{Start: ClockAt(8, 30), End: ClockAt(12, 0)},
		{Start: ClockAt(14, 30), End: ClockAt(17, 30)},
	}
}

// ParsePeriods reads comma-separated periods such as "08:30-12:00,14:30-17:30"; they must be
// non-empty, in order and non-overlapping.
func ParsePeriods(s string) ([]Period, error) {
	if strings.TrimSpace(s) == "" {
		return nil, models.Errorf(models.EInvalid, "working periods: empty; want e.g. \"08:30-12:00,14:30-17:30\"")
	}
	var periods []Period
	for _, part := range strings.Split(s, ",") {
		p, err := parsePeriod(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("working periods %q: %w", s, err)
		}
		periods = append(periods, p)
	}
	if err := validatePeriods(periods); err != nil {
		return nil, fmt.Errorf("working periods %q: %w", s, err)
	}
	return periods, nil
}

// parsePeriod reads one "HH:MM-HH:MM".
func parsePeriod(s string) (Period, error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Period{}, models.Errorf(models.EInvalid, "period %q: want HH:MM-HH:MM", s)
	}
	start, err := parseClock(strings.TrimSpace(from))
	if err != nil {
		return Period{}, fmt.Errorf("period %q: %w", s, err)
	}
	end, err := parseClock(strings.TrimSpace(to))
	if err != nil {
		return Period{}, fmt.Errorf("period %q: %w", s, err)
	}
	return Period{Start: start, End: end}, nil
}

// parseClock reads "H:MM" or "HH:MM" from 00:00 to 24:00.
func parseClock(s string) (Clock, error) {
	h, m, ok := strings.Cut(s, ":")
	hour, herr := strconv.Atoi(h)
	minute, merr := strconv.Atoi(m)
	if !ok || herr != nil || merr != nil || len(h) < 1 || len(h) > 2 || len(m) != 2 ||
		hour < 0 || minute < 0 || minute > 59 || ClockAt(hour, minute) > minutesPerDay {
		return 0, models.Errorf(models.EInvalid, "time of day %q: want HH:MM from 00:00 to 24:00", s)
	}
	return ClockAt(hour, minute), nil
}

// validatePeriods checks that periods is non-empty and each period is non-empty, within the day,
// and starts no earlier than the previous one ends.
func validatePeriods(periods []Period) error {
	if len(periods) == 0 {
		return models.Errorf(models.EInvalid, "no working period")
	}
	for i, p := range periods {
		if p.Start < 0 || p.End > minutesPerDay || p.Start >= p.End {
			return models.Errorf(models.EInvalid, "period %s: want a start before its end, within 00:00-24:00", p)
		}
		if i > 0 && p.Start < periods[i-1].End {
			return models.Errorf(models.EInvalid, "period %s overlaps or precedes %s: want periods in order", p, periods[i-1])
		}
	}
	return nil
}

// totalDuration returns the working time of one full working day.
func totalDuration(periods []Period) time.Duration {
	var total time.Duration
	for _, p := range periods {
		total += p.Duration()
	}
	return total
}
