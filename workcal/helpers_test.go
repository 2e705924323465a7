package workcal

import (
	"testing"
	"time"
)

// newTestCalendar returns the default calendar: Asia/Shanghai, default periods, lunar-go data.
func newTestCalendar(t testing.TB) *Calendar {
	t.Helper()
	c, err := New(Config{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// at parses "2006-01-02 15:04" in Asia/Shanghai.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatalf("load location: %v", err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}
