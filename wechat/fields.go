package wechat

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf16"
)

// FieldType is the type of a field of a category template (类目模板): WeChat checks each value
// against its type, and a template's field names start with their type (thing2, time4).
type FieldType string

// The field types of category templates.
const (
	FieldThing           FieldType = "thing"            // text, up to 20 characters
	FieldCharacterString FieldType = "character_string" // letters, digits and symbols, up to 32
	FieldNumber          FieldType = "number"           // digits, up to 32
	FieldLetter          FieldType = "letter"           // letters, up to 32
	FieldSymbol          FieldType = "symbol"           // symbols, up to 5
	FieldPhrase          FieldType = "phrase"           // Chinese characters only, up to 5
	FieldCarNumber       FieldType = "car_number"       // a plate number, up to 8
	FieldName            FieldType = "name"             // a person's name, up to 10
	FieldPhoneNumber     FieldType = "phone_number"     // digits and symbols, up to 17
	FieldAmount          FieldType = "amount"           // a currency symbol and up to 10 digits, up to 12
	FieldTime            FieldType = "time"             // a time (15:01) or date and time (2026-01-03 17:00)
	FieldDate            FieldType = "date"             // a date, optionally with a time
)

// dateTimeValue is the form of a time or date value: a date (2026-01-03 or 2026年1月3日), a time
// (17:00), or a date and a time; two of them joined by "~" are a period.
var dateTimeValue = regexp.MustCompile(`^(?:(?:\d{4}-\d{1,2}-\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)(?: \d{1,2}:\d{2}(?::\d{2})?)?|\d{1,2}:\d{2}(?::\d{2})?)$`)

// FieldTypes lists every field type gridbot knows, for messages that name the accepted ones.
func FieldTypes() []FieldType {
	return []FieldType{FieldThing, FieldCharacterString, FieldNumber, FieldLetter, FieldSymbol, FieldPhrase,
		FieldCarNumber, FieldName, FieldPhoneNumber, FieldAmount, FieldTime, FieldDate}
}

// Known reports whether t is a field type gridbot knows.
func (t FieldType) Known() bool {
	return t.Limit() > 0 || t == FieldTime || t == FieldDate
}

// Limit is the longest value of the type in UTF-16 code units, or 0 for time and date, which
// are checked by form instead, and for unknown types.
func (t FieldType) Limit() int {
	switch t {
	case FieldThing:
		return 20
	case FieldCharacterString, FieldNumber, FieldLetter:
		return 32
	case FieldSymbol, FieldPhrase:
		return 5
	case FieldCarNumber:
		return 8
	case FieldName:
		return 10
	case FieldPhoneNumber:
		return 17
	case FieldAmount:
		return 12
	}
	return 0
}

// FieldTypeOf is the type a field name starts with (thing2 is a thing), or "" when none.
func FieldTypeOf(name string) FieldType {
	t := FieldType(strings.TrimRight(name, "0123456789"))
	if t == FieldType(name) || !t.Known() {
		return ""
	}
	return t
}

// FitField makes a value fit its type: a cut type is cut to its limit without splitting a
// character or an emoji sequence; a time or date that is not one becomes "" (WeChat refuses
// it). Surrounding spaces go.
func FitField(t FieldType, value string) string {
	value = strings.TrimSpace(value)
	if t == FieldTime || t == FieldDate {
		for part := range strings.SplitSeq(value, "~") {
			if !dateTimeValue.MatchString(strings.TrimSpace(part)) {
				return ""
			}
		}
		return value
	}
	if limit := t.Limit(); limit > 0 {
		return Cut(value, limit)
	}
	return value
}

// Cut returns the longest prefix of s that is at most limit UTF-16 code units long and ends
// between two user-perceived characters: never inside a character, a surrogate pair, or an
// emoji sequence (modifiers, ZWJ sequences, flags, keycaps, variation selectors, combining marks).
// UTF-16 units count an emoji as 2, so the value fits whether WeChat counts those or characters.
func Cut(s string, limit int) string {
	used, end := 0, 0
	for _, cluster := range clusters(s) {
		n := utf16Len(cluster)
		if used+n > limit {
			break
		}
		used += n
		end += len(cluster)
	}
	return s[:end]
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// clusters splits s into user-perceived characters, approximating Unicode's extended grapheme
// clusters closely enough for cutting: a character keeps the marks, selectors, modifiers and
// tags that follow it, a ZWJ joins the next one, regional indicators pair up, and CR LF is one.
func clusters(s string) []string {
	var out []string
	start, riRun := 0, 0
	var prev rune = -1
	for i, r := range s {
		if prev >= 0 && !joins(prev, r, riRun) {
			out = append(out, s[start:i])
			start = i
		}
		if isRegionalIndicator(r) {
			riRun++
		} else {
			riRun = 0
		}
		prev = r
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// joins reports whether r belongs to the same character as prev; riRun is how many regional
// indicators end the text before r.
func joins(prev, r rune, riRun int) bool {
	switch {
	case prev == '\r' && r == '\n':
		return true
	case prev == zwj:
		return true
	case isRegionalIndicator(prev) && isRegionalIndicator(r):
		return riRun%2 == 1
	}
	return extends(r)
}

// zwj is the zero-width joiner of emoji sequences.
const zwj = '\u200d'

// extends reports whether r extends the character before it.
func extends(r rune) bool {
	switch {
	case r == zwj, r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF: // ZWJ, variation selectors
		return true
	case r >= 0x1F3FB && r <= 0x1F3FF, r >= 0xE0020 && r <= 0xE007F: // skin tones, tags
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc)
}

// isRegionalIndicator reports a regional indicator letter, two of which make a flag.
func isRegionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }
