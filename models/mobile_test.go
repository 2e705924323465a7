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
