package workcal

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gridbot/models"
)

func TestParsePeriods(t *testing.T) {
	tests := []struct {
		in   string
		want []Period
	}{
		{"08:30-12:00,14:30-17:30", DefaultPeriods()},
		{" 8:30 - 12:00 , 14:30-17:30 ", DefaultPeriods()},
		{"09:00-17:00", []Period{{ClockAt(9, 0), ClockAt(17, 0)}}},
		{"00:00-24:00", []Period{{0, ClockAt(24, 0)}}},
		{"08:00-12:00,12:00-13:00", []Period{{ClockAt(8, 0), ClockAt(12, 0)}, {ClockAt(12, 0), ClockAt(13, 0)}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePeriods(tt.in)
			if err != nil {
				t.Fatalf("ParsePeriods(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParsePeriods(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParsePeriodsErrors(t *testing.T) {
	tests := []struct {
		in, wantMsg string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"08:30", "want HH:MM-HH:MM"},
		{"08:30-12:00;14:30-17:30", "want HH:MM from 00:00 to 24:00"},
		{"08:30-12:00,", "want HH:MM-HH:MM"},
		{"12:00-08:30", "want a start before its end"},
		{"08:30-08:30", "want a start before its end"},
		{"08:30-12:00,11:00-17:30", "overlaps"},
		{"14:30-17:30,08:30-12:00", "want periods in order"},
		{"25:00-26:00", "want HH:MM from 00:00 to 24:00"},
		{"23:00-24:01", "want HH:MM from 00:00 to 24:00"},
		{"08:60-09:00", "want HH:MM from 00:00 to 24:00"},
		{"8h30-12h", "want HH:MM from 00:00 to 24:00"},
		{"08:3-12:00", "want HH:MM from 00:00 to 24:00"},
		{"-1:00-12:00", "want HH:MM from 00:00 to 24:00"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParsePeriods(tt.in)
			if err == nil {
				t.Fatalf("ParsePeriods(%q): no error", tt.in)
			}
			if models.ErrorCodeOf(err) != models.EInvalid || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ParsePeriods(%q) = %v, want %s error containing %q", tt.in, err, models.EInvalid, tt.wantMsg)
			}
		})
	}
}

func TestPeriodStrings(t *testing.T) {
	var got []string
	for _, p := range DefaultPeriods() {
		got = append(got, p.String(), p.Duration().String())
	}
	want := []string{"08:30-12:00", "3h30m0s", "14:30-17:30", "3h0m0s"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("periods (-want +got):\n%s", diff)
	}
}
