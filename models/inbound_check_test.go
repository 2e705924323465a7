package models

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestInboundCheckFields(t *testing.T) {
	base := Inbound{Channel: ChannelWeChat, OpenID: "oUser", MsgID: 1, MsgType: MsgText, Content: "投诉", CreateTime: 1700000000}
	with := func(f func(*Inbound)) Inbound {
		in := base
		f(&in)
		return in
	}
	tests := []struct {
		name string
		in   Inbound
		ok   bool
	}{
		{"an ordinary text", base, true},
		{"openid of 64 four-byte characters", with(func(in *Inbound) { in.OpenID = strings.Repeat("𠀀", 64) }), true},
		{"openid of 65 characters", with(func(in *Inbound) { in.OpenID = strings.Repeat("o", 65) }), false},
		{"openid not UTF-8", with(func(in *Inbound) { in.OpenID = "o\xff" }), false},
		{"media id of 200", with(func(in *Inbound) { in.MediaID = strings.Repeat("m", 200) }), true},
		{"media id of 201", with(func(in *Inbound) { in.MediaID = strings.Repeat("m", 201) }), false},
		{"label of 500 Chinese characters", with(func(in *Inbound) { in.Label = strings.Repeat("路", 500) }), true},
		{"label of 501", with(func(in *Inbound) { in.Label = strings.Repeat("路", 501) }), false},
		{"content of 65535 bytes", with(func(in *Inbound) { in.Content = strings.Repeat("a", 65535) }), true},
		{"content of 65536 bytes", with(func(in *Inbound) { in.Content = strings.Repeat("a", 65536) }), false},
		{"recognition of 65536 bytes", with(func(in *Inbound) { in.Recognition = strings.Repeat("a", 65536) }), false},
		{"msg type of 33", with(func(in *Inbound) { in.MsgType = strings.Repeat("t", 33) }), false},
		{"event of 65", with(func(in *Inbound) { in.Event = strings.Repeat("e", 65) }), false},
		{"event key of 129 bytes", with(func(in *Inbound) { in.EventKey = strings.Repeat("k", 129) }), false},
		{"format of 33", with(func(in *Inbound) { in.Format = strings.Repeat("f", 33) }), false},
		{"title of 501", with(func(in *Inbound) { in.Title = strings.Repeat("标", 501) }), false},
		{"pic url of 2049 bytes", with(func(in *Inbound) { in.PicURL = strings.Repeat("u", 2049) }), false},
		{"url of 2049 bytes", with(func(in *Inbound) { in.URL = strings.Repeat("u", 2049) }), false},
		{"negative create time", with(func(in *Inbound) { in.CreateTime = -1 }), false},
	}
	for _, tt := range tests {
		err := tt.in.CheckFields()
		if (err == nil) != tt.ok || (err != nil && ErrorCodeOf(err) != EInvalid) {
			t.Errorf("%s: CheckFields = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestInboundValidLocation(t *testing.T) {
	tests := []struct {
		lat, lng float64
		ok       bool
	}{
		{0, 0, true}, // a message without a location
		{24.695, 118.552, true},
		{90, 180, true},
		{-90, -180, true},
		{math.NaN(), 118.5, false},
		{24.7, math.NaN(), false},
		{math.Inf(1), 118.5, false},
		{24.7, math.Inf(-1), false},
		{90.000001, 0, false},
		{0, -180.000001, false},
	}
	for _, tt := range tests {
		in := Inbound{MsgType: MsgLocation, Lat: tt.lat, Lng: tt.lng}
		if got := in.ValidLocation(); got != tt.ok {
			t.Errorf("ValidLocation(%v, %v) = %v, want %v", tt.lat, tt.lng, got, tt.ok)
		}
	}
}

// TestLongestEventKeyFitsItsColumn proves that an event with the longest accepted openid, event
// and create time has a dedup key within inbox.dedup_key VARCHAR(191), on either channel.
func TestLongestEventKeyFitsItsColumn(t *testing.T) {
	for _, ch := range []Channel{ChannelWeChat, ChannelWeCom} {
		in := Inbound{Channel: ch, OpenID: strings.Repeat("o", 64), MsgType: MsgEvent, Event: strings.Repeat("e", MaxEventLen),
			CreateTime: math.MaxInt64}
		if err := in.CheckFields(); err != nil {
			t.Fatal(err)
		}
		if n := utf8.RuneCountInString(in.DedupKey()); n > 191 {
			t.Errorf("%s: the dedup key has %d characters (create time %s)", ch, n, strconv.FormatInt(in.CreateTime, 10))
		}
	}
}
