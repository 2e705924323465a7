package store

import "testing"

func TestReturningVersion(t *testing.T) {
	tests := []struct {
		version string
		want    bool
	}{
		{"10.11.19-MariaDB-0+deb12u1", true},
		{"10.5.2-MariaDB", true},
		{"11.4.3-MariaDB-log", true},
		{"10.4.32-MariaDB", false},
		{"8.0.36", false},
		{"8.4.0-0ubuntu0.24.04.1", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := returningVersion(tt.version); got != tt.want {
			t.Errorf("returningVersion(%q) = %v, want %v", tt.version, got, tt.want)
		}
	}
}
