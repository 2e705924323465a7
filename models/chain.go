package models

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// canonicalEvent is the content of an event that its hash covers, in a fixed field order.
type canonicalEvent struct {
	CaseID        int64   `json:"case_id"`
	Seq           int     `json:"seq"`
	ActorID       int64   `json:"actor_id"`
	ActorRole     Role    `json:"actor_role"`
	Action        Action  `json:"action"`
	FromState     State   `json:"from_state"`
	ToState       State   `json:"to_state"`
	Note          string  `json:"note"`
	AttachmentIDs []int64 `json:"attachment_ids"`
	At            string  `json:"at"`
	PrevHash      string  `json:"prev_hash"`
}

// EventTime truncates an event's time to what both databases keep: microseconds, in UTC.
func EventTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ComputeHash returns the hex sha256 of the event's canonical content and its PrevHash, so that
// any later edit of this event or of an earlier one breaks the chain.
func (e Event) ComputeHash() string {
	sum := sha256.Sum256(e.canonical())
	return hex.EncodeToString(sum[:])
}

// canonical returns the JSON text an event's hash covers.
func (e Event) canonical() []byte {
	ids := e.AttachmentIDs
	if ids == nil {
		ids = []int64{}
	}
	b, err := json.Marshal(canonicalEvent{
		CaseID: e.CaseID, Seq: e.Seq, ActorID: e.ActorID, ActorRole: e.ActorRole, Action: e.Action,
		FromState: e.FromState, ToState: e.ToState, Note: e.Note, AttachmentIDs: ids,
		At: EventTime(e.At).Format(time.RFC3339Nano), PrevHash: e.PrevHash,
	})
	if err != nil { // cannot happen: every field marshals
		panic("models: marshal canonical event: " + err.Error())
	}
	return b
}

// The canonical content starts with the case id and ends with the previous hash, so that a
// database can hash an event of a case whose id it assigns in the same statement batch:
// ComputeHash = hex sha256(HashPrefix + case id + e.HashMiddle() + PrevHash + HashSuffix).
const (
	HashPrefix = `{"case_id":`
	HashSuffix = `"}`
)

// HashMiddle returns the canonical content between the case id and the previous hash.
func (e Event) HashMiddle() string {
	e.CaseID, e.PrevHash = 0, ""
	b := e.canonical()
	return string(b[len(HashPrefix)+1 : len(b)-len(HashSuffix)])
}

// VerifyChain checks a case's events in order and returns the Seq of the first broken link
// (a hash that does not match the content, or a PrevHash that does not match the previous
// event), or 0 when the chain holds.
func VerifyChain(events []Event) int {
	prev := ""
	for i, e := range events {
		if e.Seq != i+1 || e.PrevHash != prev || e.ComputeHash() != e.Hash {
			return i + 1
		}
		prev = e.Hash
	}
	return 0
}
