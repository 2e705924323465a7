package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"gridbot/models"
)

// This file is the one normalisation of what people type, used by every step of every
// conversation and by the staff commands: full-width forms, quotes, trailing punctuation and
// emoji, spaces inside numbers, Chinese numerals and ordinals.

// clean folds full-width letters and digits to their half-width forms, drops 「」“” quotes,
// collapses runs of spaces, and trims spaces, punctuation, symbols and emoji at both ends
// ("  进度 ２６１２０３００２５０。" → "进度 26120300250"). Chinese punctuation inside the text stays
// as it was typed, since results and reasons are recorded as people wrote them.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		r = foldWidth(r)
		switch {
		case isQuote(r) || r == '\u200b' || r == '\ufeff':
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimFunc(b.String(), isEdge)
}

// foldWidth maps full-width digits, letters and the signs used inside numbers (＋－．) to
// their ASCII forms, and the ideographic space to a space.
func foldWidth(r rune) rune {
	switch {
	case r == '\u3000':
		return ' '
	case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ', r == '＋', r == '－', r == '．':
		return r - 0xfee0
	}
	return r
}

// isQuote reports whether r is a quotation mark people put around words they type.
func isQuote(r rune) bool { return strings.ContainsRune("「」『』“”‘’\"'`﹁﹂﹃﹄", r) }

// isEdge reports whether r may be trimmed from the ends of a message: spaces, punctuation,
// symbols (emoji among them) and the invisible joiners and selectors of emoji sequences.
func isEdge(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.Is(unicode.M, r) ||
		unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Co, r) || r == utf8.RuneError
}

// cnDigits maps Chinese digit characters to their values.
var cnDigits = map[rune]int{'〇': 0, '零': 0, '一': 1, '壹': 1, '二': 2, '贰': 2, '两': 2, '三': 3, '叁': 3, '四': 4,
	'肆': 4, '五': 5, '伍': 5, '六': 6, '陆': 6, '七': 7, '柒': 7, '八': 8, '捌': 8, '九': 9, '玖': 9}

// smallNumber reads a whole number from 0 to 999 written in digits ("12"), in Chinese numerals
// ("十二", "二十", "一百零五", "两"), or circled (①–⑳).
func smallNumber(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	if n, ok := asciiNumber(s); ok {
		return n, n < 1000
	}
	if r, size := utf8.DecodeRuneInString(s); size == len(s) && r >= '①' && r <= '⑳' {
		return int(r-'①') + 1, true
	}
	return chineseNumber(s)
}

// asciiNumber reads a run of ASCII digits of at most 9 characters.
func asciiNumber(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// chineseNumber reads 0–999 in Chinese numerals: 三, 十三, 二十, 二十三, 一百, 一百零五, 三百二十.
func chineseNumber(s string) (int, bool) {
	total, digit, seen := 0, -1, false
	for _, r := range s {
		switch r {
		case '百', '佰':
			if digit < 0 {
				return 0, false
			}
			total, digit = total+digit*100, -1
		case '十', '拾':
			if digit < 0 {
				digit = 1
			}
			total, digit = total+digit*10, -1
		default:
			d, ok := cnDigits[r]
			if !ok {
				return 0, false
			}
			seen = true
			if d == 0 {
				continue
			}
			if digit >= 0 { // "二三" is not a number
				return 0, false
			}
			digit = d
		}
		seen = true
	}
	if !seen {
		return 0, false
	}
	if digit > 0 {
		total += digit
	}
	return total, true
}

// choicePrefixes and choiceSuffixes are the words around a number that picks an option:
// "第一个", "选二", "1号", "就选2吧".
var (
	choicePrefixes = []string{"我选择", "我选", "就选", "选择", "选第", "回复", "选", "第", "序号", "编号"}
	choiceSuffixes = []string{"个吧", "号吧", "吧", "个", "号", "项", "条", "种", "类", "的", "选项", "啦", "了"}
)

// choice reads an answer that picks a numbered option: "1", "１", "一", "第一个", "选二",
// "1号", "②". It is false for anything else.
func choice(text string) (int, bool) {
	s := strings.ReplaceAll(clean(text), " ", "")
	for changed := true; changed; {
		changed = false
		for _, p := range choicePrefixes {
			if rest, ok := strings.CutPrefix(s, p); ok && rest != "" {
				s, changed = rest, true
			}
		}
		for _, x := range choiceSuffixes {
			if rest, ok := strings.CutSuffix(s, x); ok && rest != "" {
				s, changed = rest, true
			}
		}
	}
	n, ok := smallNumber(s)
	return n, ok && n > 0 && n < 100
}

// numberToken is a number as typed at the start of a command's argument, with the spaces and
// punctuation people put inside it removed.
type numberToken struct {
	Digits string // the digits, joined
	Rest   string // what follows the number
}

// LooksLikeTrackingNo reports whether the number is long enough to be meant as a tracking
// number (six digits or more), valid or not.
func (n numberToken) LooksLikeTrackingNo() bool { return len(n.Digits) >= 6 }

// numberSeparators may stand between the digit groups of one number: "2612 0300 064",
// "2612-0300-064".
const numberSeparators = " -._·,/，、"

// leadingNumber reads the number at the start of a cleaned argument. Digit groups joined by
// one separator are taken together until they hold the 11 digits of a tracking number, so
// "2612 0300 064 已清理" is one number and "26120300064 3天" is a number and "3天".
func leadingNumber(arg string) (numberToken, bool) {
	s := strings.TrimLeft(arg, " ")
	var digits strings.Builder
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		digits.WriteString(s[i:j])
		i = j
		if digits.Len() >= 11 || i >= len(s) {
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !strings.ContainsRune(numberSeparators, r) || i+size >= len(s) || s[i+size] < '0' || s[i+size] > '9' {
			break
		}
		i += size // the separator inside the number
	}
	if digits.Len() == 0 {
		return numberToken{}, false
	}
	return numberToken{Digits: digits.String(), Rest: strings.TrimLeft(strings.TrimLeft(s[i:], numberSeparators), " ")}, true
}

// stripPrefixWord removes a leading label such as "举报：" or "投诉:" and returns what follows
// on the same line, and whether the label was there.
func stripPrefixWord(text, word string) (string, bool) {
	rest, ok := strings.CutPrefix(text, word)
	if !ok {
		return text, false
	}
	return strings.TrimLeft(rest, " :：,，、。.!！~"), true
}

// mobileNumber reads a mainland mobile number as people type it ("138 0595 1001", "+86…").
func mobileNumber(text string) (string, bool) { return models.NormalizeMobile(clean(text)) }
