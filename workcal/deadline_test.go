package workcal

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gridbot/models"
)

func hours(n int) models.TimeLimit { return models.TimeLimit{Amount: n, Unit: models.WorkingHours} }
func days(n int) models.TimeLimit  { return models.TimeLimit{Amount: n, Unit: models.WorkingDays} }

func TestAdd(t *testing.T) {
	c := newTestCalendar(t)
	tests := []struct {
		name  string
		start time.Time
		limit models.TimeLimit
		want  time.Time
	}{
		// Friday 2025-09-26 17:20, before the National Day week: 10 minutes that day, Saturday off,
		// Sunday 28 a 调休 working day, Mon 29 and Tue 30 working, Oct 1-8 off, Thu Oct 9 working.
		{"Fri 17:20 before National Day, 8h", at(t, "2025-09-26 17:20"), hours(8), at(t, "2025-09-29 09:50")},
		{"Fri 17:20 before National Day, 2d", at(t, "2025-09-26 17:20"), days(2), at(t, "2025-09-29 17:20")},
		{"Fri 17:20 before National Day, 4d over the holiday", at(t, "2025-09-26 17:20"), days(4), at(t, "2025-10-09 17:20")},
		{"Fri 17:20 before National Day, 20h", at(t, "2025-09-26 17:20"), hours(20), at(t, "2025-10-09 08:50")},
		{"plain Saturday counts from the 调休 Sunday", at(t, "2025-09-27 09:00"), hours(1), at(t, "2025-09-28 09:30")},
		{"lunch time 12:30, 2h", at(t, "2025-03-10 12:30"), hours(2), at(t, "2025-03-10 16:30")},
		{"across lunch", at(t, "2025-03-10 11:00"), hours(2), at(t, "2025-03-10 15:30")},
		{"before office hours", at(t, "2025-03-10 06:00"), hours(1), at(t, "2025-03-10 09:30")},
		{"调休 Saturday 2025-10-11, 2h", at(t, "2025-10-11 09:00"), hours(2), at(t, "2025-10-11 11:00")},
		{"调休 Saturday 2025-02-08, 4h into Monday", at(t, "2025-02-08 16:00"), hours(4), at(t, "2025-02-10 11:00")},
		{"on a holiday, 1d", at(t, "2025-10-03 10:00"), days(1), at(t, "2025-10-09 17:30")},
		{"on a holiday, 1h", at(t, "2025-05-01 10:00"), hours(1), at(t, "2025-05-06 09:30")},
		{"ends exactly at 17:30", at(t, "2025-03-10 14:30"), hours(3), at(t, "2025-03-10 17:30")},
		{"ends exactly at 12:00", at(t, "2025-03-10 09:00"), hours(3), at(t, "2025-03-10 12:00")},
		{"1d from 08:30 ends at 17:30 the same day", at(t, "2025-03-10 08:30"), days(1), at(t, "2025-03-10 17:30")},
		{"1d from 17:30 ends at 17:30 the next day", at(t, "2025-03-10 17:30"), days(1), at(t, "2025-03-11 17:30")},
		{"Monday 10:00, 1d", at(t, "2025-03-10 10:00"), days(1), at(t, "2025-03-11 10:00")},
		{"Friday 18:00, 1d", at(t, "2025-03-07 18:00"), days(1), at(t, "2025-03-10 17:30")},
		{"complaint, 13d over Labour Day and its 调休 Sunday", at(t, "2025-04-21 09:00"), days(13), at(t, "2025-05-12 09:00")},
		{"30d ending on the 调休 Saturday 2026-02-14", at(t, "2026-01-05 09:00"), days(30), at(t, "2026-02-14 09:00")},
		{"New Year's Eve 2025, 1d, over New Year 2026 to its 调休 Sunday", at(t, "2025-12-31 16:00"), days(1), at(t, "2026-01-04 16:00")},
		{"start given in UTC", time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC), hours(1), at(t, "2025-03-10 11:00")},
		{"seconds kept", at(t, "2025-03-10 10:00").Add(30 * time.Second), hours(1), at(t, "2025-03-10 11:00").Add(30 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Add(tt.start, tt.limit)
			if err != nil {
				t.Fatalf("Add(%s, %s): %v", tt.start, tt.limit, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Add(%s, %s) (-want +got):\n%s", tt.start, tt.limit, diff)
			}
			if got.Location() != c.Location() {
				t.Errorf("Add(%s, %s) in %s, want %s", tt.start, tt.limit, got.Location(), c.Location())
			}
		})
	}
}

func TestAddErrors(t *testing.T) {
	c := newTestCalendar(t)
	tests := []struct {
		name     string
		start    time.Time
		limit    models.TimeLimit
		wantCode models.ErrorCode
		wantMsg  string
	}{
		{"year without data", at(t, "2028-03-01 09:00"), hours(1), models.EUnavailable, "no holiday data for 2028: add it before using dates in that year"},
		{"count runs into a year without data", at(t, "2027-12-31 09:00"), days(5), models.EUnavailable, "no holiday data for 2028"},
		{"before lunar-go's data", at(t, "2001-06-01 09:00"), hours(1), models.EUnavailable, "no holiday data for 2001"},
		{"zero limit", at(t, "2025-03-10 09:00"), models.TimeLimit{}, models.EInvalid, "want Nh or Nd with N > 0"},
		{"negative limit", at(t, "2025-03-10 09:00"), hours(-1), models.EInvalid, "want Nh or Nd with N > 0"},
		{"unknown unit", at(t, "2025-03-10 09:00"), models.TimeLimit{Amount: 1, Unit: "w"}, models.EInvalid, "want Nh or Nd"},
		{"overflow", at(t, "2025-03-10 09:00"), days(1 << 62), models.EInvalid, "too large"},
		{"huge but finite", at(t, "2025-03-10 09:00"), days(100000), models.EUnavailable, "no holiday data for 2028"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Add(tt.start, tt.limit)
			if models.ErrorCodeOf(err) != tt.wantCode || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Add(%s, %s) = %v, want %s error containing %q", tt.start, tt.limit, err, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

func TestWorkingBetween(t *testing.T) {
	c := newTestCalendar(t)
	tests := []struct {
		name string
		a, b time.Time
		want time.Duration
	}{
		{"across the lunch break", at(t, "2025-03-10 11:00"), at(t, "2025-03-10 15:00"), 90 * time.Minute},
		{"within lunch", at(t, "2025-03-10 12:10"), at(t, "2025-03-10 14:00"), 0},
		{"across a weekend", at(t, "2025-03-07 16:00"), at(t, "2025-03-10 10:00"), 3 * time.Hour},
		{"a plain week", at(t, "2025-03-10 00:00"), at(t, "2025-03-17 00:00"), 5 * (6*time.Hour + 30*time.Minute)},
		{"over the National Day week", at(t, "2025-09-30 17:00"), at(t, "2025-10-09 09:00"), time.Hour},
		{"over the 调休 Sunday", at(t, "2025-09-26 17:00"), at(t, "2025-09-29 08:30"), 30*time.Minute + 6*time.Hour + 30*time.Minute},
		{"inside a holiday", at(t, "2025-10-02 09:00"), at(t, "2025-10-03 17:00"), 0},
		{"equal instants", at(t, "2025-03-10 10:00"), at(t, "2025-03-10 10:00"), 0},
		{"b before a", at(t, "2025-03-10 11:00"), at(t, "2025-03-10 10:00"), 0},
		{"b before a in a year without data", at(t, "2030-03-10 11:00"), at(t, "2030-03-10 10:00"), 0},
		{"mixed zones", time.Date(2025, 3, 10, 1, 30, 0, 0, time.UTC), at(t, "2025-03-10 10:00"), 30 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.WorkingBetween(tt.a, tt.b)
			if err != nil {
				t.Fatalf("WorkingBetween(%s, %s): %v", tt.a, tt.b, err)
			}
			if got != tt.want {
				t.Errorf("WorkingBetween(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestWorkingBetweenNoData(t *testing.T) {
	c := newTestCalendar(t)
	_, err := c.WorkingBetween(at(t, "2027-12-30 09:00"), at(t, "2028-01-03 09:00"))
	if models.ErrorCodeOf(err) != models.EUnavailable || !strings.Contains(err.Error(), "no holiday data for 2028") {
		t.Errorf("WorkingBetween into 2028 = %v, want an %s error naming 2028", err, models.EUnavailable)
	}
}

func TestDuration(t *testing.T) {
	c := newTestCalendar(t)
	var got []time.Duration
	for _, l := range []models.TimeLimit{hours(8), days(1), days(13)} {
		d, err := c.Duration(l)
		if err != nil {
			t.Fatalf("Duration(%s): %v", l, err)
		}
		got = append(got, d)
	}
	want := []time.Duration{8 * time.Hour, 6*time.Hour + 30*time.Minute, 13 * (6*time.Hour + 30*time.Minute)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Duration (-want +got):\n%s", diff)
	}
}

func TestConfig(t *testing.T) {
	loc := time.FixedZone("UTC+8", 8*3600)
	periods, err := ParsePeriods("09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{Location: loc, Periods: periods})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	got, err := c.Add(time.Date(2025, 9, 30, 16, 0, 0, 0, loc), days(1))
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	if want := time.Date(2025, 10, 9, 16, 0, 0, 0, loc); !got.Equal(want) || got.Location() != loc {
		t.Errorf("Add = %s, want %s", got, want)
	}
	if _, err := New(Config{Periods: []Period{{ClockAt(12, 0), ClockAt(8, 0)}}}); models.ErrorCodeOf(err) != models.EInvalid {
		t.Errorf("New with a reversed period = %v, want an %s error", err, models.EInvalid)
	}
	if _, err := New(Config{Periods: []Period{}}); models.ErrorCodeOf(err) != models.EInvalid {
		t.Errorf("New with no period = %v, want an %s error", err, models.EInvalid)
	}
}

func TestAddYear(t *testing.T) {
	f, err := os.Open("testdata/fictional-2028.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	y, err := ParseYearFile(f)
	if err != nil {
		t.Fatalf("ParseYearFile: %v", err)
	}
	c := newTestCalendar(t)
	if err := c.AddYear(y); err != nil {
		t.Fatalf("AddYear: %v", err)
	}
	// 2027-12-31 09:00 + 5d: Dec 31, then 2028: Jan 1 holiday (Sat), Jan 3-6 working.
	got, err := c.Add(at(t, "2027-12-31 09:00"), days(5))
	if err != nil {
		t.Fatalf("Add into the added year: %v", err)
	}
	if diff := cmp.Diff(at(t, "2028-01-07 09:00"), got); diff != "" {
		t.Errorf("Add into the added year (-want +got):\n%s", diff)
	}
	if last := c.Years()[len(c.Years())-1]; last != 2028 {
		t.Errorf("last year = %d, want 2028", last)
	}
	working, err := c.IsWorkingDay(at(t, "2028-01-29 09:00"))
	if err != nil || !working {
		t.Errorf("IsWorkingDay(the added 调休 Saturday) = %v, %v; want true", working, err)
	}
}

func TestAddYearReplaces(t *testing.T) {
	c, err := New(Config{Years: []Year{{Year: 2025, Days: []Day{{Date{2025, time.March, 10}, Holiday, "test"}}}}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{
		{at(t, "2025-03-10 09:00"), false}, // the replacement's holiday
		{at(t, "2025-10-01 09:00"), true},  // lunar-go's holiday, gone with the replaced year
	} {
		got, err := c.IsWorkingDay(tt.at)
		if err != nil || got != tt.want {
			t.Errorf("IsWorkingDay(%s) = %v, %v; want %v", tt.at, got, err, tt.want)
		}
	}
}

func TestAddYearInvalid(t *testing.T) {
	c := newTestCalendar(t)
	tests := []struct {
		name string
		y    Year
	}{
		{"no days", Year{Year: 2028}},
		{"out of range", Year{Year: 3000, Days: []Day{{Date{3000, 1, 1}, Holiday, ""}}}},
		{"bad kind", Year{Year: 2028, Days: []Day{{Date{2028, 1, 1}, "off", ""}}}},
		{"bad date", Year{Year: 2028, Days: []Day{{Date{2028, 2, 30}, Holiday, ""}}}},
		{"other year", Year{Year: 2028, Days: []Day{{Date{2026, 12, 31}, Holiday, ""}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.AddYear(tt.y); models.ErrorCodeOf(err) != models.EInvalid {
				t.Errorf("AddYear = %v, want an %s error", err, models.EInvalid)
			}
		})
	}
	if _, err := c.IsWorkingDay(at(t, "2028-01-03 09:00")); err == nil {
		t.Error("a refused year was added")
	}
}

func TestConcurrentUse(t *testing.T) {
	c := newTestCalendar(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if i == 0 {
				if err := c.AddYear(Year{Year: 2028, Days: []Day{{Date{2028, 1, 1}, Holiday, ""}}}); err != nil {
					t.Errorf("AddYear: %v", err)
				}
				return
			}
			for range 200 {
				if _, err := c.Add(at(t, "2025-09-26 17:20"), days(4)); err != nil {
					t.Errorf("Add: %v", err)
				}
			}
		})
	}
	wg.Wait()
}
