package models

import "testing"

func TestNormalizeMobile(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"13805951001", "13805951001", true},
		{"138 0595 1001", "13805951001", true},
		{"138-0595-1001", "13805951001", true},
		{"+86 13805951001", "13805951001", true},
		{"+86-138-0595-1001", "13805951001", true},
		{"0086 13805951001", "13805951001", true},
		{"8613805951001", "13805951001", true},
		{"(+86) 138 0595 1001", "13805951001", true},
		{"１３８０５９５１００１", "13805951001", true},
		{"１３８　０５９５　１００１", "13805951001", true},
		{"＋８６ １３８－０５９５－１００１", "13805951001", true},
		{" 19912345678 ", "19912345678", true},
		{"1380595100", "", false},   // a digit missing
		{"138059510011", "", false}, // a digit too many
		{"12805951001", "", false},  // second digit 2
		{"23805951001", "", false},  // not starting with 1
		{"0595-85671234", "", false},
		{"138O5951001", "", false}, // a letter O
		{"电话13805951001", "", false},
		{"+1 13805951001", "", false},
		{"138+05951001", "", false},
		{"", "", false},
		{"跳过", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeMobile(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeMobile(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestValidMobile(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"13805951001", true},
		{"19912345678", true},
		{"16600000000", true},
		{"11805951001", false},
		{"138 0595 1001", false}, // not normalised
		{"1380595100a", false},
		{"１３８０５９５１００１", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidMobile(tt.in); got != tt.ok {
			t.Errorf("ValidMobile(%q) = %v, want %v", tt.in, got, tt.ok)
		}
	}
}

func TestContactForTheAssignedTeamOnly(t *testing.T) {
	c := Case{TeamCode: "team-anhai", ContactPhone: "13805951001"}
	tests := []struct {
		name string
		p    Person
		c    Case
		want string
	}{
		{"officer of the team", Person{Role: RoleOfficer, TeamCode: "team-anhai"}, c, "13805951001"},
		{"leader of the team", Person{Role: RoleTeamLeader, TeamCode: "team-anhai"}, c, "13805951001"},
		{"legal reviewer of the team", Person{Role: RoleLegalReviewer, TeamCode: "team-anhai"}, c, "13805951001"},
		{"officer of another team", Person{Role: RoleOfficer, TeamCode: "team-cizao"}, c, ""},
		{"platform operator", Person{Role: RolePlatformOperator, TeamCode: "team-platform"}, c, ""},
		{"supervisor", Person{Role: RoleSupervisor}, c, ""},
		{"grid worker", Person{Role: RoleGridWorker}, c, ""},
		{"citizen", Person{Role: RoleCitizen}, c, ""},
		{"no team, case in triage", Person{Role: RoleOfficer}, Case{ContactPhone: "13805951001"}, ""},
		{"confidential case", Person{Role: RoleOfficer, TeamCode: "team-anhai"},
			Case{TeamCode: "team-anhai", Confidential: true, ContactPhone: "13805951001"}, ""},
	}
	for _, tt := range tests {
		if got := tt.c.ContactFor(tt.p); got != tt.want {
			t.Errorf("%s: ContactFor = %q, want %q", tt.name, got, tt.want)
		}
	}
}
