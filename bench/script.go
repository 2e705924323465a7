package bench

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"gridbot/wechatsim"
)

// Checker tells whether a reply is the right answer to a step of the conversation.
type Checker int

// The two servers the generator drives.
const (
	// CheckGridbot expects gridbot's questions and, at the end, a receipt with a tracking number.
	CheckGridbot Checker = iota
	// CheckEcho expects the baseline's echo of each message.
	CheckEcho
)

// step is one message of a conversation and the phrases its reply must contain.
type step struct {
	in   wechatsim.Inbound
	want []string
	echo string // what the baseline answers: the text, or the location's label
}

// conversation returns the steps of one complaint that ends in a case: 投诉 → description →
// 跳过 (no photo) → a location in 安海镇 → 1 (first matter offered) → a mobile number (not confidential) → 确认;
// gridbot may also offer an open case of the same matter nearby, which converse answers.
func conversation(description string) []step {
	return []step{
		textStep(sayComplaint, wantAskDescription),
		textStep(description, wantAskPhotos),
		textStep(saySkipPhoto, wantAskPlace),
		{in: wechatsim.Inbound{MsgType: "location", LocationX: placeLat, LocationY: placeLng, Scale: placeScale,
			Label: placeLabel}, want: []string{wantPlaceNoted, wantMatterOffered}, echo: placeLabel},
		textStep(sayMatter1, wantAskSecret),
		textStep(sayNotSecret, wantSummary, wantSummaryMatter),
		textStep(sayConfirm, wantReceipt),
	}
}

// label names a step in the report: its number and what it sends.
func (s step) label(i int) string {
	what := s.echo
	if s.in.MsgType != "text" {
		what = s.in.MsgType
	} else if what == sayNotSecret {
		what = "phone"
	} else if utf8.RuneCountInString(what) > 8 {
		what = "description"
	}
	return fmt.Sprintf("%d %s", i+1, what)
}

// textStep is a text message and what its reply must contain.
func textStep(text string, want ...string) step {
	return step{in: wechatsim.Inbound{MsgType: "text", Content: text}, want: want, echo: text}
}

// trackingRe finds the tracking number (受理编号) in a receipt.
var trackingRe = regexp.MustCompile(wantReceipt + `(\d{11,})`)

// check returns nil when content answers the step as the server should.
func (c Checker) check(s step, content string) error {
	if c == CheckEcho {
		if content != s.echo {
			return fmt.Errorf("echo %q, want %q", clip(content), s.echo)
		}
		return nil
	}
	if strings.Contains(content, busyReply) {
		return errBusy
	}
	for _, w := range s.want {
		if !strings.Contains(content, w) {
			return fmt.Errorf("reply to %s %q lacks %q: %q", s.in.MsgType, clip(s.echo), w, clip(content))
		}
	}
	return nil
}

// trackingNo returns the tracking number of a receipt, or "".
func trackingNo(content string) string {
	m := trackingRe.FindStringSubmatch(content)
	if m == nil {
		return ""
	}
	return m[1]
}

// clip shortens a reply for an error message.
func clip(s string) string {
	const most = 80
	r := []rune(s)
	if len(r) <= most {
		return s
	}
	return string(r[:most]) + "…"
}
