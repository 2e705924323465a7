package workflow

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gridbot/models"
)

// phoneNumbers matches mainland mobile numbers (1[3-9] and nine digits, spaces or dashes
// allowed between them) and landlines (a 3- or 4-digit area code from 0, maybe in brackets,
// then 7 or 8 digits). redact checks that no digit touches a match.
var phoneNumbers = regexp.MustCompile(`1[3-9](?:[ -]?[0-9]){9}|(?:\(0[0-9]{2,3}\)|（0[0-9]{2,3}）|0[0-9]{2,3})[ -]?[0-9]{7,8}`)

// redact hides personal data in a text a reporter is shown: phone numbers, and the names of the
// county's staff, whose surname only is kept ("林某").
func (county County) redact(s string) string {
	return redact(s, county.names)
}

// redact replaces the phone numbers in s and masks the names (longest first).
func redact(s string, names []string) string {
	s = maskPhones(s)
	for _, n := range names {
		first, _ := utf8.DecodeRuneInString(n)
		s = strings.ReplaceAll(s, n, string(first)+maskName)
	}
	return s
}

// maskPhones replaces every phone number in s that no other digit touches.
func maskPhones(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range phoneNumbers.FindAllStringIndex(s, -1) {
		if digitAt(s, m[0]-1) || digitAt(s, m[1]) {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(maskPhone)
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// digitAt reports whether byte i of s is an ASCII digit.
func digitAt(s string, i int) bool {
	return i >= 0 && i < len(s) && s[i] >= '0' && s[i] <= '9'
}

// staffNames returns the distinct names of two runes or more of the people, longest first (a
// name inside a longer one is masked after it).
func staffNames(people []models.Person) []string {
	var names []string
	seen := map[string]bool{}
	for _, p := range people {
		n := strings.TrimSpace(p.Name)
		if utf8.RuneCountInString(n) >= 2 && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	slices.SortStableFunc(names, func(a, b string) int {
		return utf8.RuneCountInString(b) - utf8.RuneCountInString(a)
	})
	return names
}
