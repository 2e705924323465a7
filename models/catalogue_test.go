package models

import (
	"testing"
	"time"
)

func TestDelegatedAt(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	may1 := time.Date(2023, 5, 1, 0, 0, 0, 0, cst)
	mar2027 := time.Date(2027, 3, 1, 0, 0, 0, 0, cst)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, cst)
	ds := []Delegation{
		{TownshipCode: "anhai", MatterCode: "CG-001", Situation: SituationPriority, Delegated: true, Batch: 1, Effective: may1},
		{TownshipCode: "anhai", MatterCode: "YJ-001", Situation: SituationAssessed, Delegated: true, Batch: 2, Effective: may1},
		{TownshipCode: "neikeng", MatterCode: "YJ-001", Situation: SituationAssessed, Delegated: false},
		{TownshipCode: "anhai", MatterCode: "SJ-001", Situation: SituationDeferred, Delegated: false, RetainedBy: "安海市场监督管理所"},
		{TownshipCode: "anhai", MatterCode: "HB-001", Situation: SituationStatutory, Delegated: true, Batch: 3, Effective: mar2027},
		{TownshipCode: "anhai", MatterCode: "ZR-001", Situation: SituationWhole, Delegated: true, Batch: 1, Effective: may1},
		{TownshipCode: "anhai", MatterCode: "BAD-1", Situation: SituationDeferred, Delegated: true, Batch: 1, Effective: may1},
	}
	tests := []struct {
		name     string
		matter   string
		township string
		at       time.Time
		want     bool
		found    bool
	}{
		{"priority in force", "CG-001", "anhai", now, true, true},
		{"priority from its first instant", "CG-001", "anhai", may1, true, true},
		{"priority a second before", "CG-001", "anhai", may1.Add(-time.Second), false, true},
		{"assessed and delegated", "YJ-001", "anhai", now, true, true},
		{"assessed but not delegated here", "YJ-001", "neikeng", now, false, true},
		{"deferred stays with the agency", "SJ-001", "anhai", now, false, true},
		{"deferred can never be in force", "BAD-1", "anhai", now, false, true},
		{"statutory batch not yet in force", "HB-001", "anhai", now, false, true},
		{"statutory batch in force later", "HB-001", "anhai", mar2027, true, true},
		{"whole delegation", "ZR-001", "anhai", now, true, true},
		{"matter kept at the county", "XF-009", "anhai", now, false, false},
		{"unknown township", "CG-001", "nowhere", now, false, false},
		{"effective date in another zone", "CG-001", "anhai", time.Date(2023, 4, 30, 16, 0, 0, 0, time.UTC), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, got := DelegatedAt(ds, tt.matter, tt.township, tt.at)
			if got != tt.want {
				t.Errorf("DelegatedAt(%s, %s, %v) = %v, want %v", tt.matter, tt.township, tt.at, got, tt.want)
			}
			if found := d.MatterCode != ""; found != tt.found {
				t.Errorf("record found = %v, want %v", found, tt.found)
			}
		})
	}
}

func TestParseTimeLimit(t *testing.T) {
	tests := []struct {
		in      string
		want    TimeLimit
		wantErr bool
	}{
		{"8h", TimeLimit{8, WorkingHours}, false},
		{"5d", TimeLimit{5, WorkingDays}, false},
		{" 13d ", TimeLimit{13, WorkingDays}, false},
		{"0h", TimeLimit{}, true},
		{"-1d", TimeLimit{}, true},
		{"5w", TimeLimit{}, true},
		{"d", TimeLimit{}, true},
		{"", TimeLimit{}, true},
	}
	for _, tt := range tests {
		got, err := ParseTimeLimit(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseTimeLimit(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err == nil && got.String() != stringsTrim(tt.in) {
			t.Errorf("String() = %q, want %q", got.String(), stringsTrim(tt.in))
		}
	}
}

// stringsTrim trims spaces without importing strings into the table above.
func stringsTrim(s string) string {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

func TestParseSituation(t *testing.T) {
	for _, s := range Situations() {
		for _, in := range []string{string(s), s.Chinese()} {
			got, err := ParseSituation(in)
			if err != nil || got != s {
				t.Errorf("ParseSituation(%q) = %v, %v", in, got, err)
			}
		}
	}
	if _, err := ParseSituation("下放"); err == nil {
		t.Error("ParseSituation accepted an unknown situation")
	}
}

func TestTrackingNumber(t *testing.T) {
	day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	n := TrackingNumber(day, 1)
	if len(n) != 11 || n[:10] != "2611270001" || !ValidTrackingNumber(n) {
		t.Fatalf("TrackingNumber(day, 1) = %q", n)
	}
	if big := TrackingNumber(day, 123456); len(big) != 13 || !ValidTrackingNumber(big) {
		t.Errorf("TrackingNumber(day, 123456) = %q", big)
	}
	// Every single-digit typo and every adjacent swap is caught.
	for i := 0; i < len(n); i++ {
		for d := byte('0'); d <= '9'; d++ {
			if d == n[i] {
				continue
			}
			typo := n[:i] + string(d) + n[i+1:]
			if ValidTrackingNumber(typo) {
				t.Errorf("typo %q of %q passes", typo, n)
			}
		}
		if i+1 < len(n) && n[i] != n[i+1] {
			swap := n[:i] + string(n[i+1]) + string(n[i]) + n[i+2:]
			if ValidTrackingNumber(swap) {
				t.Errorf("swap %q of %q passes", swap, n)
			}
		}
	}
	for _, bad := range []string{"", "2611270001", "26112700O13", "abcdefghijk"} {
		if ValidTrackingNumber(bad) {
			t.Errorf("ValidTrackingNumber(%q) = true", bad)
		}
	}
}
