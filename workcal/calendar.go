// Package workcal counts working time on the Chinese calendar (statutory holidays and 调休 make-up
// working days) to compute the deadlines of enforcement matters.
package workcal

import (
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"time"
)

// defaultLocation is the time zone of every township gridbot serves.
const defaultLocation = "Asia/Shanghai"

// Config sets up a Calendar; its zero value means Asia/Shanghai and DefaultPeriods.
type Config struct {
	Location *time.Location // the time zone of the working periods; nil means Asia/Shanghai
	Periods  []Period       // the working periods of a working day; nil means DefaultPeriods()
	Years    []Year         // schedules to add after lunar-go's, as AddYear does
}

// Calendar answers working-time questions; it is safe for concurrent use.
type Calendar struct {
	loc     *time.Location
	periods []Period
	dayLen  time.Duration // working time of one full working day
	mu      sync.Mutex    // serialises AddYear
	tab     atomic.Pointer[table]
}

// New returns a Calendar with lunar-go's holiday data and cfg's additions.
func New(cfg Config) (*Calendar, error) {
	c, err := newEmpty(cfg)
	if err != nil {
		return nil, err
	}
	years, err := lunarYears()
	if err != nil {
		return nil, fmt.Errorf("workcal new: %w", err)
	}
	for _, y := range cfg.Years {
		if err := y.validate(); err != nil {
			return nil, fmt.Errorf("workcal new: %w", err)
		}
		years[y.Year] = y
	}
	c.tab.Store(newTable(years))
	return c, nil
}

// newEmpty returns a Calendar of cfg's location and periods with no holiday data.
func newEmpty(cfg Config) (*Calendar, error) {
	loc := cfg.Location
	if loc == nil {
		var err error
		if loc, err = time.LoadLocation(defaultLocation); err != nil {
			return nil, fmt.Errorf("workcal new: %w", err)
		}
	}
	periods := cfg.Periods
	if periods == nil {
		periods = DefaultPeriods()
	}
	if err := validatePeriods(periods); err != nil {
		return nil, fmt.Errorf("workcal new: %w", err)
	}
	c := &Calendar{loc: loc, periods: append([]Period(nil), periods...), dayLen: totalDuration(periods)}
	c.tab.Store(newTable(map[int]Year{}))
	return c, nil
}

// AddYear adds year y's schedule, replacing any schedule c already holds for that year; it fails
// with EInvalid if y is malformed.
func (c *Calendar) AddYear(y Year) error {
	if err := y.validate(); err != nil {
		return fmt.Errorf("workcal add year: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	years := maps.Clone(c.tab.Load().years)
	years[y.Year] = y
	c.tab.Store(newTable(years))
	return nil
}

// Years returns the years c has holiday data for, in order: the range it supports.
func (c *Calendar) Years() []int { return c.tab.Load().covered() }

// Location returns the time zone of c's working periods and results.
func (c *Calendar) Location() *time.Location { return c.loc }

// DayLength returns the working time of one full working day (6h30m with DefaultPeriods).
func (c *Calendar) DayLength() time.Duration { return c.dayLen }

// IsWorkingDay reports whether t's date in c's location is a working day: Monday to Friday and not a
// holiday, or a 调休 make-up working day; it fails with EUnavailable for a year without data.
func (c *Calendar) IsWorkingDay(t time.Time) (bool, error) {
	ok, err := c.tab.Load().working(dayOf(t.In(c.loc)))
	if err != nil {
		return false, fmt.Errorf("workcal is working day: %w", err)
	}
	return ok, nil
}
