package handlers_test

import (
	"testing"
	"time"
)

// TestStatsSinceIsASaneDate proves that a date outside 2000-01-01 … a year from now, or not a
// date, is 400 in the API's error format rather than a database error.
func TestStatsSinceIsASaneDate(t *testing.T) {
	eachAPI(t, func(t *testing.T, f *fixture) {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().In(loc)
		tests := []struct {
			since  string
			status int
		}{
			{"", 200},
			{"0001-01-01", 400},
			{"1970-01-01", 400},
			{"1999-12-31", 400},
			{"2000-01-01", 200},
			{now.Format("2006-01-02"), 200},
			{now.AddDate(1, 0, -1).Format("2006-01-02"), 200},
			{now.AddDate(1, 0, 2).Format("2006-01-02"), 400},
			{"9999-12-31", 400},
			{"2024-02-30", 400},
			{"2024-1-5", 400},
			{"yesterday", 400},
		}
		for _, tt := range tests {
			a := f.as(supervisor, "GET", "/api/v1/stats?since="+tt.since, "")
			if a.status != tt.status {
				t.Errorf("since=%q: %d %v, want %d", tt.since, a.status, a.body, tt.status)
				continue
			}
			if tt.status == 400 && a.errorCode() != "invalid" {
				t.Errorf("since=%q: error body %v", tt.since, a.body)
			}
		}
	})
}
