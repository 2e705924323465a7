package wechat_test

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"gridbot/wechat"
)

func TestCutKeepsCharactersWhole(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{"short text stays", "占道经营", 20, "占道经营"},
		{"chinese cut at the limit", strings.Repeat("城", 25), 20, strings.Repeat("城", 20)},
		{"ascii cut", "CG-20260102-0001-EXTRA", 10, "CG-2026010"},
		{"emoji counts two units", "ab😀c", 3, "ab"},
		{"emoji fits exactly", "ab😀c", 4, "ab😀"},
		{"skin tone stays with its emoji", "a👍🏽b", 4, "a"},
		{"skin tone sequence whole", "a👍🏽b", 5, "a👍🏽"},
		{"zwj family is one character", "x👨‍👩‍👧y", 8, "x"},
		{"zwj family whole", "x👨‍👩‍👧y", 9, "x👨‍👩‍👧"},
		{"flags pair up", "🇨🇳🇺🇸", 6, "🇨🇳"},
		{"a lone third indicator starts a new flag", "🇨🇳🇺", 4, "🇨🇳"},
		{"keycap sequence whole", "1️⃣2", 2, ""},
		{"keycap sequence fits", "1️⃣2", 3, "1️⃣"},
		{"combining accent stays", "cafe\u0301!", 4, "caf"},
		{"variation selector stays", "❤️x", 1, ""},
		{"crlf is one", "a\r\nb", 2, "a"},
		{"zero limit", "abc", 0, ""},
		{"empty", "", 5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wechat.Cut(tt.in, tt.limit)
			if got != tt.want {
				t.Errorf("Cut(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
		})
	}
}

func TestCutNeverExceedsNorBreaks(t *testing.T) {
	pieces := []string{"城", "a", "😀", "👍🏽", "👨‍👩‍👧", "🇨🇳", "1️⃣", "e\u0301", "，", " "}
	for n := range 400 {
		var b strings.Builder
		for i := range 12 {
			b.WriteString(pieces[(n*7+i*i+n/5)%len(pieces)])
		}
		s := b.String()
		for limit := range 30 {
			got := wechat.Cut(s, limit)
			units := len(utf16.Encode([]rune(got)))
			if !strings.HasPrefix(s, got) || !utf8.ValidString(got) || units > limit {
				t.Fatalf("Cut(%q, %d) = %q (%d units)", s, limit, got, units)
			}
			rest := s[len(got):]
			if r, _ := utf8.DecodeRuneInString(rest); rest != "" && (r == 0x200d || r == 0xfe0f || (r >= 0x1f3fb && r <= 0x1f3ff) || r == 0x301 || r == 0x20e3) {
				t.Fatalf("Cut(%q, %d) = %q leaves %q: a character was split", s, limit, got, rest)
			}
		}
	}
}

func TestFitFieldByType(t *testing.T) {
	tests := []struct {
		typ  wechat.FieldType
		in   string
		want string
	}{
		{wechat.FieldThing, "城关镇人民路与解放路交叉口东北角商铺门前空地", "城关镇人民路与解放路交叉口东北角商铺门前"},
		{wechat.FieldCharacterString, "  CG-20260102-0001  ", "CG-20260102-0001"},
		{wechat.FieldPhrase, "执法人员已签收", "执法人员已"},
		{wechat.FieldSymbol, "!!!!!!", "!!!!!"},
		{wechat.FieldName, "欧阳诸葛司马上官东方慕容", "欧阳诸葛司马上官东方"},
		{wechat.FieldPhoneNumber, "+86 138-0000-0000-1234", "+86 138-0000-0000"},
		{wechat.FieldCarNumber, "苏A12345警察", "苏A12345警"},
		{wechat.FieldNumber, strings.Repeat("9", 40), strings.Repeat("9", 32)},
		{wechat.FieldLetter, strings.Repeat("x", 33), strings.Repeat("x", 32)},
		{wechat.FieldAmount, "¥1234567890.00", "¥1234567890."},
		{wechat.FieldTime, "2026-01-03 17:00", "2026-01-03 17:00"},
		{wechat.FieldTime, "17:00", "17:00"},
		{wechat.FieldTime, "2026年1月3日 17:00~2026年1月4日 09:00", "2026年1月3日 17:00~2026年1月4日 09:00"},
		{wechat.FieldDate, "2026-01-03", "2026-01-03"},
		{wechat.FieldDate, "三个工作日内", ""},
		{wechat.FieldTime, "", ""},
	}
	for _, tt := range tests {
		if got := wechat.FitField(tt.typ, tt.in); got != tt.want {
			t.Errorf("FitField(%s, %q) = %q, want %q", tt.typ, tt.in, got, tt.want)
		}
	}
}

func TestFieldTypeOf(t *testing.T) {
	tests := map[string]wechat.FieldType{
		"thing2": wechat.FieldThing, "character_string1": wechat.FieldCharacterString, "time14": wechat.FieldTime,
		"phrase3": wechat.FieldPhrase, "keyword1": "", "thing": "", "first": "", "amount9": wechat.FieldAmount,
	}
	for name, want := range tests {
		if got := wechat.FieldTypeOf(name); got != want {
			t.Errorf("FieldTypeOf(%q) = %q, want %q", name, got, want)
		}
	}
}
