package workcal

import (
	"fmt"
	"math"
	"time"

	"gridbot/models"
)

// Duration returns the working time limit l stands for: Amount hours for "h", Amount times
// DayLength for "d"; it fails with EInvalid for a non-positive amount, an unknown unit or an overflow.
func (c *Calendar) Duration(l models.TimeLimit) (time.Duration, error) {
	unit := c.unitOf(l.Unit)
	if unit == 0 || l.Amount <= 0 {
		return 0, models.Errorf(models.EInvalid, "time limit %q: want Nh or Nd with N > 0", l.String())
	}
	if int64(l.Amount) > math.MaxInt64/int64(unit) {
		return 0, models.Errorf(models.EInvalid, "time limit %s: too large", l)
	}
	return time.Duration(l.Amount) * unit, nil
}

// unitOf returns the working time of one unit u, 0 for an unknown unit.
func (c *Calendar) unitOf(u models.LimitUnit) time.Duration {
	switch u {
	case models.WorkingHours:
		return time.Hour
	case models.WorkingDays:
		return c.dayLen
	}
	return 0
}

// Add returns the deadline of limit l started at start, in c's location.
//
// Only working time counts: the working periods of working days. "Nh" is N hours of working time
// from start; "Nd" is the working time of N full working days (N × DayLength), so 1d from 10:00
// on a Monday ends at 10:00 on the next working day, and 1d from 18:00 on a Friday ends at the end
// of the next working day. A start outside working time counts from the next period's start. When
// the count runs out exactly at a period's end, the deadline is that end (17:30), not the next
// period's start. Add fails with EInvalid for a bad limit and EUnavailable when the count reaches a
// year without holiday data.
func (c *Calendar) Add(start time.Time, l models.TimeLimit) (time.Time, error) {
	need, err := c.Duration(l)
	if err != nil {
		return time.Time{}, fmt.Errorf("workcal add: %w", err)
	}
	tab := c.tab.Load()
	from := start.In(c.loc)
	for n := dayOf(from); ; n++ {
		working, err := tab.working(n)
		if err != nil {
			return time.Time{}, fmt.Errorf("workcal add %s to %s: %w", l, start.In(c.loc).Format(time.DateTime), err)
		}
		switch {
		case !working:
		case from.IsZero() && need > c.dayLen:
			need -= c.dayLen // a whole working day, without building its times
		default:
			if end, ok := c.consume(n, from, &need); ok {
				return end, nil
			}
		}
		from = time.Time{} // later days count from their start
	}
}

// consume spends the working time of day n from instant from (zero: from the day's start) out of
// need; it returns the instant need runs out, or false with need reduced by the day's working time.
func (c *Calendar) consume(n int, from time.Time, need *time.Duration) (time.Time, bool) {
	for _, p := range c.periods {
		start, end := c.bounds(n, p)
		if !end.After(from) {
			continue
		}
		if start.After(from) {
			from = start
		}
		if avail := end.Sub(from); *need > avail {
			*need -= avail
			continue
		}
		return from.Add(*need), true
	}
	return time.Time{}, false
}

// WorkingBetween returns the working time from a to b, 0 if b is not after a; it fails with
// EUnavailable if a day between them is in a year without holiday data.
func (c *Calendar) WorkingBetween(a, b time.Time) (time.Duration, error) {
	if !b.After(a) {
		return 0, nil
	}
	tab := c.tab.Load()
	a, b = a.In(c.loc), b.In(c.loc)
	first, last := dayOf(a), dayOf(b)
	var total time.Duration
	for n := first; n <= last; n++ {
		working, err := tab.working(n)
		if err != nil {
			return 0, fmt.Errorf("workcal working between %s and %s: %w", a.Format(time.DateTime), b.Format(time.DateTime), err)
		}
		switch {
		case !working:
		case n != first && n != last:
			total += c.dayLen
		default:
			total += c.overlap(n, a, b)
		}
	}
	return total, nil
}

// overlap returns the working time of day n that lies between a and b.
func (c *Calendar) overlap(n int, a, b time.Time) time.Duration {
	var total time.Duration
	for _, p := range c.periods {
		start, end := c.bounds(n, p)
		if a.After(start) {
			start = a
		}
		if b.Before(end) {
			end = b
		}
		if end.After(start) {
			total += end.Sub(start)
		}
	}
	return total
}

// bounds returns the instants period p starts and ends on day n in c's location.
func (c *Calendar) bounds(n int, p Period) (time.Time, time.Time) {
	d := dateOf(n)
	start := time.Date(d.Year, d.Month, d.Day, p.Start.Hour(), p.Start.Minute(), 0, 0, c.loc)
	end := time.Date(d.Year, d.Month, d.Day, p.End.Hour(), p.End.Minute(), 0, 0, c.loc)
	return start, end
}
