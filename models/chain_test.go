package models

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"
	"time"
)

func TestHashPartsRebuildTheHash(t *testing.T) {
	at := time.Date(2026, 11, 27, 3, 4, 5, 123456789, time.FixedZone("CST", 8*3600))
	tests := []struct {
		name string
		e    Event
	}{
		{"first event", Event{CaseID: 1, Seq: 1, ActorID: 7, ActorRole: RoleCitizen, Action: ActionCreate,
			ToState: StateReceived, Note: "投诉", At: at}},
		{"later event with attachments", Event{CaseID: 26112726649, Seq: 2, ActorRole: RoleSystem, Action: ActionDispatch,
			FromState: StateReceived, ToState: StateDispatched, Note: "违法占道经营 delegated to 安海镇, batch 1",
			AttachmentIDs: []int64{3, 41}, At: at, PrevHash: "af52148f12ebc0904438663c258f621d965257249663b74485fe717f3e8fbbac"}},
		{"text JSON escapes", Event{CaseID: 9, Seq: 3, Note: "\"引号\" \\ <b>&</b>\n换行\t😀 \u2028 \x01 \xff", At: at,
			PrevHash: "00"}},
		{"zero time", Event{CaseID: 5, Seq: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := HashPrefix + strconv.FormatInt(tt.e.CaseID, 10) + tt.e.HashMiddle() + tt.e.PrevHash + HashSuffix
			sum := sha256.Sum256([]byte(text))
			if got, want := hex.EncodeToString(sum[:]), tt.e.ComputeHash(); got != want {
				t.Fatalf("hash of the parts %s = %s, want %s", text, got, want)
			}
		})
	}
}
