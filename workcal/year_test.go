package workcal

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gridbot/models"
)

func TestLunarGoYears(t *testing.T) {
	var want []int
	for y := 2002; y <= 2027; y++ {
		want = append(want, y)
	}
	if diff := cmp.Diff(want, newTestCalendar(t).Years()); diff != "" {
		t.Errorf("Years (-want +got):\n%s", diff)
	}
}

// exceptions lists the days of year whose status departs from the Monday-to-Friday rule, as
// "date holiday" (a weekday off) or "date workday" (a weekend day worked).
func exceptions(t *testing.T, c *Calendar, year int) []string {
	t.Helper()
	var got []string
	for d := time.Date(year, 1, 1, 12, 0, 0, 0, c.Location()); d.Year() == year; d = d.AddDate(0, 0, 1) {
		working, err := c.IsWorkingDay(d)
		if err != nil {
			t.Fatalf("IsWorkingDay(%s): %v", d, err)
		}
		weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
		switch {
		case working && weekend:
			got = append(got, d.Format(time.DateOnly)+" workday")
		case !working && !weekend:
			got = append(got, d.Format(time.DateOnly)+" holiday")
		}
	}
	return got
}

func TestSchedules(t *testing.T) {
	tests := []struct {
		year int
		want []string
	}{
		{2025, []string{ // the State Council notice of November 2024, the first under the 2024 amended holiday rules
			"2025-01-01 holiday",                                                                   // 元旦
			"2025-01-26 workday",                                                                   // 春节调休 (Sun)
			"2025-01-28 holiday", "2025-01-29 holiday", "2025-01-30 holiday", "2025-01-31 holiday", // 春节
			"2025-02-03 holiday", "2025-02-04 holiday",
			"2025-02-08 workday",                                             // 春节调休 (Sat)
			"2025-04-04 holiday",                                             // 清明 (Apr 4-6)
			"2025-04-27 workday",                                             // 劳动节调休 (Sun)
			"2025-05-01 holiday", "2025-05-02 holiday", "2025-05-05 holiday", // 劳动节 (May 1-5)
			"2025-06-02 holiday",                                             // 端午 (May 31-Jun 2)
			"2025-09-28 workday",                                             // 国庆中秋调休 (Sun)
			"2025-10-01 holiday", "2025-10-02 holiday", "2025-10-03 holiday", // 国庆中秋 (Oct 1-8)
			"2025-10-06 holiday", "2025-10-07 holiday", "2025-10-08 holiday",
			"2025-10-11 workday", // 国庆中秋调休 (Sat)
		}},
		{2026, []string{ // the State Council notice of November 2025
			"2026-01-01 holiday", "2026-01-02 holiday", // 元旦 (Jan 1-3)
			"2026-01-04 workday",                                                                   // 元旦调休 (Sun)
			"2026-02-14 workday",                                                                   // 春节调休 (Sat)
			"2026-02-16 holiday", "2026-02-17 holiday", "2026-02-18 holiday", "2026-02-19 holiday", // 春节 (Feb 15-23)
			"2026-02-20 holiday", "2026-02-23 holiday",
			"2026-02-28 workday",                                             // 春节调休 (Sat)
			"2026-04-06 holiday",                                             // 清明 (Apr 4-6)
			"2026-05-01 holiday", "2026-05-04 holiday", "2026-05-05 holiday", // 劳动节 (May 1-5)
			"2026-05-09 workday",                                             // 劳动节调休 (Sat)
			"2026-06-19 holiday",                                             // 端午 (Jun 19-21)
			"2026-09-20 workday",                                             // 国庆调休 (Sun)
			"2026-09-25 holiday",                                             // 中秋 (Sep 25-27)
			"2026-10-01 holiday", "2026-10-02 holiday", "2026-10-05 holiday", // 国庆 (Oct 1-7)
			"2026-10-06 holiday", "2026-10-07 holiday",
			"2026-10-10 workday", // 国庆调休 (Sat)
		}},
		{2027, []string{ // as lunar-go v1.4.7 has it (added 2026-11-06); pinned so a change is noticed
			"2027-01-01 holiday",                                                                   // 元旦 (Jan 1-3)
			"2027-01-31 workday",                                                                   // 春节调休 (Sun)
			"2027-02-05 holiday", "2027-02-08 holiday", "2027-02-09 holiday", "2027-02-10 holiday", // 春节 (Feb 5-13)
			"2027-02-11 holiday", "2027-02-12 holiday",
			"2027-02-14 workday",                                             // 春节调休 (Sun)
			"2027-04-05 holiday",                                             // 清明 (Apr 3-5)
			"2027-05-03 holiday", "2027-05-04 holiday", "2027-05-05 holiday", // 劳动节 (May 1-5)
			"2027-05-08 workday",                                             // 劳动节调休 (Sat)
			"2027-06-09 holiday",                                             // 端午
			"2027-09-15 holiday",                                             // 中秋
			"2027-09-26 workday",                                             // 国庆调休 (Sun)
			"2027-10-01 holiday", "2027-10-04 holiday", "2027-10-05 holiday", // 国庆 (Oct 1-7)
			"2027-10-06 holiday", "2027-10-07 holiday",
			"2027-10-09 workday", // 国庆调休 (Sat)
		}},
	}
	c := newTestCalendar(t)
	for _, tt := range tests {
		t.Run(time.Date(tt.year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), func(t *testing.T) {
			if diff := cmp.Diff(tt.want, exceptions(t, c, tt.year)); diff != "" {
				t.Errorf("days off the Mon-Fri rule in %d (-want +got):\n%s", tt.year, diff)
			}
		})
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := newTestCalendar(t)
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"plain Monday", at(t, "2025-03-10 09:00"), true},
		{"plain Saturday", at(t, "2025-03-08 09:00"), false},
		{"调休 Sunday before National Day", at(t, "2025-09-28 09:00"), true},
		{"National Day", at(t, "2025-10-01 09:00"), false},
		{"last day of the National Day week, a Wednesday", at(t, "2025-10-08 23:59"), false},
		{"Thursday after National Day", at(t, "2025-10-09 00:00"), true},
		{"调休 Saturday after National Day", at(t, "2025-10-11 09:00"), true},
		{"Sunday after it", at(t, "2025-10-12 09:00"), false},
		{"调休 Sunday before Spring Festival", at(t, "2025-01-26 09:00"), true},
		{"UTC evening that is already Oct 1 in Shanghai", time.Date(2025, 9, 30, 17, 0, 0, 0, time.UTC), false},
		{"调休 Sunday of New Year 2026", at(t, "2026-01-04 09:00"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.IsWorkingDay(tt.at)
			if err != nil {
				t.Fatalf("IsWorkingDay(%s): %v", tt.at, err)
			}
			if got != tt.want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func TestNoDataYears(t *testing.T) {
	c := newTestCalendar(t)
	for _, tt := range []struct {
		at   time.Time
		year string
	}{
		{at(t, "2028-03-01 09:00"), "2028"},
		{at(t, "2001-06-01 09:00"), "2001"}, // lunar-go holds only 2001-12-29/30, make-up days of 2002
		{at(t, "2001-12-29 09:00"), "2001"},
	} {
		_, err := c.IsWorkingDay(tt.at)
		want := "no holiday data for " + tt.year + ": add it before using dates in that year"
		if models.ErrorCodeOf(err) != models.EUnavailable || !strings.Contains(err.Error(), want) {
			t.Errorf("IsWorkingDay(%s) = %v, want %s error %q", tt.at, err, models.EUnavailable, want)
		}
	}
}

func TestParseYearFile(t *testing.T) {
	f, err := os.Open("testdata/fictional-2028.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ParseYearFile(f)
	if err != nil {
		t.Fatalf("ParseYearFile: %v", err)
	}
	want := Year{Year: 2028, Days: []Day{
		{Date{2028, time.January, 1}, Holiday, "元旦"},
		{Date{2028, time.January, 24}, Holiday, "春节"},
		{Date{2028, time.January, 25}, Holiday, "春节"},
		{Date{2028, time.January, 29}, Workday, "春节调休"},
		{Date{2028, time.October, 2}, Holiday, "国庆节"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseYearFile (-want +got):\n%s", diff)
	}
}

func TestParseYearFileErrors(t *testing.T) {
	tests := []struct {
		name, in, wantMsg string
	}{
		{"empty", "", "no \"year YYYY\" header"},
		{"no days", "year 2028\n", "no days listed"},
		{"no header", "2028-01-01 holiday 元旦\n", "line 1: invalid: want the header \"year YYYY\""},
		{"bad header year", "year twenty\n", "header year \"twenty\""},
		{"header twice", "year 2028\nyear 2028\n", "line 2: invalid: date \"year\""},
		{"date that does not exist", "year 2028\n2028-02-30 holiday x\n", "line 2: invalid: date \"2028-02-30\""},
		{"unknown kind", "year 2028\n2028-01-03 off 元旦\n", "kind \"off\""},
		{"no kind", "year 2028\n2028-01-03\n", "want YYYY-MM-DD holiday|workday"},
		{"date of another year", "year 2028\n2029-01-01 holiday 元旦\n", "neither in 2028 nor in December 2027"},
		{"November of the year before", "year 2028\n2027-11-30 holiday x\n", "neither in 2028 nor in December 2027"},
		{"workday on a weekday", "year 2028\n2028-01-26 workday 春节调休\n", "2028-01-26 is a Wednesday"},
		{"twice", "year 2028\n2028-01-01 holiday 元旦\n2028-01-01 holiday 元旦\n", "2028-01-01 listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseYearFile(strings.NewReader(tt.in))
			if models.ErrorCodeOf(err) != models.EInvalid || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ParseYearFile = %v, want %s error containing %q", err, models.EInvalid, tt.wantMsg)
			}
		})
	}
}

func TestParseYearFileDecemberBefore(t *testing.T) {
	in := "year 2028\n2027-12-31 holiday 元旦\n2027-12-26 workday 元旦调休\n"
	y, err := ParseYearFile(strings.NewReader(in))
	if err != nil {
		t.Fatalf("ParseYearFile: %v", err)
	}
	c := newTestCalendar(t)
	if err := c.AddYear(y); err != nil {
		t.Fatalf("AddYear: %v", err)
	}
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{
		{at(t, "2027-12-31 09:00"), false}, // a Friday, now off
		{at(t, "2027-12-26 09:00"), true},  // a Sunday, now worked
		{at(t, "2028-01-03 09:00"), true},  // a plain Monday of 2028
	} {
		got, err := c.IsWorkingDay(tt.at)
		if err != nil || got != tt.want {
			t.Errorf("IsWorkingDay(%s) = %v, %v; want %v", tt.at, got, err, tt.want)
		}
	}
}
