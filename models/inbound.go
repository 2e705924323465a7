package models

import (
	"strconv"
	"time"
)

// Message types of inbound messages, as WeChat names them.
const (
	MsgText       = "text"
	MsgImage      = "image"
	MsgVoice      = "voice"
	MsgVideo      = "video"
	MsgShortVideo = "shortvideo"
	MsgLocation   = "location"
	MsgLink       = "link"
	MsgFile       = "file"
	MsgEvent      = "event"
)

// Inbound is one message or event a person sent us through WeChat or WeCom.
type Inbound struct {
	Channel     Channel   `json:"channel"`
	OpenID      string    `json:"openid"` // WeChat openid, or WeCom userid
	MsgID       int64     `json:"msg_id,omitempty"`
	MsgType     string    `json:"msg_type"`
	Content     string    `json:"content,omitempty"`
	MediaID     string    `json:"media_id,omitempty"`
	PicURL      string    `json:"pic_url,omitempty"`
	Format      string    `json:"format,omitempty"`
	Recognition string    `json:"recognition,omitempty"` // speech-to-text of a voice message
	Lat         float64   `json:"lat,omitempty"`
	Lng         float64   `json:"lng,omitempty"`
	Scale       int       `json:"scale,omitempty"`
	Label       string    `json:"label,omitempty"`
	Title       string    `json:"title,omitempty"`
	URL         string    `json:"url,omitempty"`
	Event       string    `json:"event,omitempty"`
	EventKey    string    `json:"event_key,omitempty"`
	CreateTime  int64     `json:"create_time"`
	ReceivedAt  time.Time `json:"received_at"`
	// InboxKey is the dedup key of the inbox entry being processed, set by the inbox for the
	// turn ("" outside the inbox); a case filed in the turn carries it (see NewCase.InboxKey).
	InboxKey string `json:"-"`
}

// DedupKey identifies a message across WeChat's retries: its MsgId, or for events (which have
// none) the sender, creation time and event.
func (in Inbound) DedupKey() string {
	if in.MsgID != 0 {
		return string(in.Channel) + ":msg:" + strconv.FormatInt(in.MsgID, 10)
	}
	return string(in.Channel) + ":event:" + in.OpenID + ":" + strconv.FormatInt(in.CreateTime, 10) + ":" + in.Event
}

// InboxState is where an inbox entry stands.
type InboxState string

// The states of an inbox entry.
const (
	InboxPending InboxState = "pending" // stored, not yet fully processed
	InboxDone    InboxState = "done"
	InboxFailed  InboxState = "failed" // gave up after repeated failures; visible to operators
)

// InboxEntry is an inbound message stored durably before it is acknowledged.
type InboxEntry struct {
	ID         int64
	DedupKey   string
	Message    Inbound
	State      InboxState
	Attempts   int
	Reply      string
	ReceivedAt time.Time
	DoneAt     time.Time
}

// InboxOutcome is the result of processing one inbox entry, named by its dedup key.
type InboxOutcome struct {
	ID       int64 // the entry's id when known (0: found by its dedup key)
	DedupKey string
	State    InboxState
	Reply    string
}

// InboxAdded is what storing an inbound message found: the entry (as stored before, when the
// message was there already) and whether this call stored it.
type InboxAdded struct {
	Entry InboxEntry
	New   bool
	Err   error // set when this message alone could not be stored (EInvalid); the others were
}

// CallbackNonce is a callback's timestamp and nonce with a digest of its body: the same pair
// seen again with another body within the window is a replay.
type CallbackNonce struct {
	Timestamp string
	Nonce     string
	Digest    string // hex sha256 of the body
}
