package models

import "strings"

// ValidMobile reports whether s is a mainland China mobile number in its plain form: 11 ASCII
// digits, the first 1 and the second 3 to 9.
func ValidMobile(s string) bool {
	if len(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9' {
		return false
	}
	for i := 2; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizeMobile returns a mobile number as people write it ("138 0595 1001", "138-0595-1001",
// "+86 13805951001", full-width digits) in its plain form of 11 digits, and whether it is a
// valid mainland mobile number.
func NormalizeMobile(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		r = foldWidth(r)
		switch {
		case r >= '0' && r <= '9' || r == '+':
			b.WriteRune(r)
		case !mobileSeparator(r):
			return "", false
		}
	}
	n := b.String()
	for _, prefix := range []string{"+86", "0086"} {
		n = strings.TrimPrefix(n, prefix)
	}
	if len(n) == 13 && strings.HasPrefix(n, "86") {
		n = n[2:]
	}
	if !ValidMobile(n) {
		return "", false
	}
	return n, true
}

// mobileSeparator reports whether a rune may separate the digits of a phone number.
func mobileSeparator(r rune) bool {
	switch r {
	case ' ', '\t', '\u00a0', '-', '‐', '–', '—', '.', '(', ')':
		return true
	}
	return false
}

// foldWidth turns a full-width ASCII character (０, －, ＋, the ideographic space) into its
// half-width form.
func foldWidth(r rune) rune {
	switch {
	case r == '\u3000':
		return ' '
	case r >= '\uff01' && r <= '\uff5e':
		return r - 0xfee0
	}
	return r
}
