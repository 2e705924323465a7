package workcal

import (
	"fmt"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// lunarYears returns the schedules that github.com/6tail/lunar-go holds, grouped by the year of
// the festival each day belongs to (so 2001-12-29, a make-up day for New Year 2002, is in 2002).
func lunarYears() (map[int]Year, error) {
	years := make(map[int]Year)
	for y := minYear - 1; y <= maxYear; y++ {
		for e := HolidayUtil.GetHolidaysByYear(y).Front(); e != nil; e = e.Next() {
			h, ok := e.Value.(*HolidayUtil.Holiday)
			if !ok {
				return nil, fmt.Errorf("lunar-go holidays of %d: unexpected element %T", y, e.Value)
			}
			if err := addLunarDay(years, h); err != nil {
				return nil, fmt.Errorf("lunar-go holidays of %d: %w", y, err)
			}
		}
	}
	for _, y := range years {
		if err := y.validate(); err != nil {
			return nil, fmt.Errorf("lunar-go holidays: %w", err)
		}
	}
	return years, nil
}

// addLunarDay files one lunar-go day under the year of its festival.
func addLunarDay(years map[int]Year, h *HolidayUtil.Holiday) error {
	date, err := parseDate(h.GetDay())
	if err != nil {
		return err
	}
	target, err := parseDate(h.GetTarget())
	if err != nil {
		return err
	}
	d := Day{Date: date, Kind: Holiday, Name: h.GetName()}
	if h.IsWork() {
		d.Kind, d.Name = Workday, h.GetName()+"调休"
	}
	y := years[target.Year]
	y.Year = target.Year
	y.Days = append(y.Days, d)
	years[target.Year] = y
	return nil
}
