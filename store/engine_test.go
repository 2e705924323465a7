package store

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSkipLockedVersion(t *testing.T) {
	tests := []struct {
		version string
		want    bool
	}{
		{"10.11.19-MariaDB-0+deb12u1", true},
		{"10.6.0-MariaDB", true},
		{"11.4.3-MariaDB-log", true},
		{"10.5.25-MariaDB", false}, // SKIP LOCKED came with 10.6
		{"8.0.36", true},
		{"8.0.1", true},
		{"8.0.0-dmr", false},
		{"8.4.0-0ubuntu0.24.04.1", true},
		{"5.7.44-log", false},
		{"8.0.11-TiDB-v7.5.0", false}, // accepts SKIP LOCKED and takes no lock
		{"5.7.25-TiDB-v6.5.3", false},
		{"", false},
		{"unknown", false},
	}
	for _, tt := range tests {
		if got := skipLockedVersion(tt.version); got != tt.want {
			t.Errorf("skipLockedVersion(%q) = %v, want %v", tt.version, got, tt.want)
		}
	}
}

func TestClaimTokenIsUniqueAndFitsTheColumn(t *testing.T) {
	tests := []struct {
		name, owner string
	}{
		{"short", "gridbot-1-abcd"},
		{"long pod name", "gridbot-notify-7f9c8d6b5-x2k4q.cluster.county.example.gov.cn-12345-ABCDEFGH"},
		{"multibyte at the cut", "实例-" + strings.Repeat("网格", 20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := claimToken(tt.owner)
			if err != nil {
				t.Fatal(err)
			}
			b, err := claimToken(tt.owner)
			if err != nil {
				t.Fatal(err)
			}
			if a == b {
				t.Fatalf("two claims of %q got the same token %q", tt.owner, a)
			}
			if len(a) > 64 || !utf8.ValidString(a) {
				t.Fatalf("token %q: %d bytes (at most 64) or not UTF-8", a, len(a))
			}
			if owner, _, _ := strings.Cut(a, "/"); !strings.HasPrefix(tt.owner, owner) || owner == "" {
				t.Fatalf("token %q does not start with the owner's name %q", a, tt.owner)
			}
		})
	}
}
