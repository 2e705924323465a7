package workcal

import (
	"math/rand/v2"
	"testing"
	"time"

	"gridbot/models"
)

// randomCase returns a start in 2025-2026 (to the second, or on a half hour to hit period bounds)
// and a limit of 1-40h or 1-30d.
func randomCase(r *rand.Rand, loc *time.Location) (time.Time, models.TimeLimit) {
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, loc)
	span := time.Date(2027, 1, 1, 0, 0, 0, 0, loc).Sub(from)
	start := from.Add(time.Duration(r.Int64N(int64(span/time.Second))) * time.Second)
	if r.IntN(2) == 0 {
		start = start.Truncate(30 * time.Minute)
	}
	if r.IntN(2) == 0 {
		return start, models.TimeLimit{Amount: 1 + r.IntN(40), Unit: models.WorkingHours}
	}
	return start, models.TimeLimit{Amount: 1 + r.IntN(30), Unit: models.WorkingDays}
}

func TestAddProperties(t *testing.T) {
	c := newTestCalendar(t)
	r := rand.New(rand.NewPCG(2025, 2026))
	for range 5000 {
		start, l := randomCase(r, c.Location())
		end, err := c.Add(start, l)
		if err != nil {
			t.Fatalf("Add(%s, %s): %v", start, l, err)
		}
		want, err := c.Duration(l)
		if err != nil {
			t.Fatalf("Duration(%s): %v", l, err)
		}
		if got, err := c.WorkingBetween(start, end); err != nil || got != want {
			t.Fatalf("WorkingBetween(%s, Add = %s) = %s, %v; want %s", start, end, got, err, want)
		}
		if got, err := c.WorkingBetween(start, end.Add(-time.Second)); err != nil || got >= want {
			t.Fatalf("Add(%s, %s) = %s is not the earliest instant: a second before, %s had passed (%v)", start, l, end, got, err)
		}
		if working, err := c.IsWorkingDay(end); err != nil || !working {
			t.Fatalf("Add(%s, %s) = %s, not on a working day (%v)", start, l, end, err)
		}
	}
}

func BenchmarkAdd30Days(b *testing.B) {
	c := newTestCalendar(b)
	start := at(b, "2025-09-26 17:20")
	for b.Loop() {
		if _, err := c.Add(start, days(30)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAdd8Hours(b *testing.B) {
	c := newTestCalendar(b)
	start := at(b, "2025-09-26 17:20")
	for b.Loop() {
		if _, err := c.Add(start, hours(8)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWorkingBetween30Days(b *testing.B) {
	c := newTestCalendar(b)
	from, to := at(b, "2025-09-26 17:20"), at(b, "2025-11-14 10:00")
	for b.Loop() {
		if _, err := c.WorkingBetween(from, to); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(Config{}); err != nil {
			b.Fatal(err)
		}
	}
}
