package models

import (
	"math"
	"unicode/utf8"
)

// FieldLimit is the longest value one string field of an inbound message may have: where the
// value reaches a database column, the column's size (characters for VARCHAR, bytes for TEXT),
// else WeChat's own limit with room to spare.
type FieldLimit struct {
	Field  string // the field's name in WeChat's XML
	Max    int
	Bytes  bool   // Max counts bytes (a TEXT column); else characters
	Column string // "table.column" the value is stored in ("" when only the payload holds it)
	value  func(Inbound) string
}

// Len measures a value in the limit's unit.
func (l FieldLimit) Len(v string) int {
	if l.Bytes {
		return len(v)
	}
	return utf8.RuneCountInString(v)
}

// MaxEventLen is the longest event name: with the channel, the longest openid and a create
// time, an event's dedup key stays within inbox.dedup_key VARCHAR(191).
const MaxEventLen = 64

// InboundLimits lists the limits of every string field of an inbound message.
func InboundLimits() []FieldLimit {
	return []FieldLimit{
		{Field: "FromUserName", Max: 64, Column: "inbox.openid", value: func(in Inbound) string { return in.OpenID }},
		{Field: "MsgType", Max: 32, Column: "inbox.msg_type", value: func(in Inbound) string { return in.MsgType }},
		{Field: "MediaId", Max: 200, Column: "attachments.media_id", value: func(in Inbound) string { return in.MediaID }},
		{Field: "Label", Max: 500, Column: "cases.address", value: func(in Inbound) string { return in.Label }},
		{Field: "Content", Max: 65535, Bytes: true, Column: "cases.description", value: func(in Inbound) string { return in.Content }},
		{Field: "Recognition", Max: 65535, Bytes: true, Column: "cases.description", value: func(in Inbound) string { return in.Recognition }},
		{Field: "Event", Max: MaxEventLen, value: func(in Inbound) string { return in.Event }},
		{Field: "EventKey", Max: 128, Bytes: true, value: func(in Inbound) string { return in.EventKey }},
		{Field: "Format", Max: 32, value: func(in Inbound) string { return in.Format }},
		{Field: "PicUrl", Max: 2048, Bytes: true, value: func(in Inbound) string { return in.PicURL }},
		{Field: "Url", Max: 2048, Bytes: true, value: func(in Inbound) string { return in.URL }},
		{Field: "Title", Max: 500, value: func(in Inbound) string { return in.Title }},
	}
}

// CheckFields refuses, as EInvalid, a message with a string field over its limit or not valid
// UTF-8, or a negative create time: such a value would be cut or refused by the database.
func (in Inbound) CheckFields() error {
	for _, l := range InboundLimits() {
		v := l.value(in)
		if !utf8.ValidString(v) {
			return Errorf(EInvalid, "%s is not valid UTF-8", l.Field)
		}
		if n := l.Len(v); n > l.Max {
			unit := "characters"
			if l.Bytes {
				unit = "bytes"
			}
			return Errorf(EInvalid, "%s has %d %s, at most %d are accepted", l.Field, n, unit, l.Max)
		}
	}
	if in.CreateTime < 0 {
		return Errorf(EInvalid, "CreateTime is negative")
	}
	return nil
}

// ValidLocation reports whether the message's coordinates are finite numbers within the
// coordinate ranges (a message without a location has 0, 0).
func (in Inbound) ValidLocation() bool {
	if math.IsNaN(in.Lat) || math.IsNaN(in.Lng) {
		return false
	}
	return Point{Lat: in.Lat, Lng: in.Lng}.Valid()
}
