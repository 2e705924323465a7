package bot

import (
	"context"
	"fmt"
	"time"

	json "github.com/goccy/go-json" // the conversation is read and written on every message: 2.5× encoding/json's speed

	"gridbot/models"
	"gridbot/shared"
)

// The questions a conversation can be waiting on.
const (
	waitDescription  = "description"
	waitPhotos       = "photos"
	waitPlace        = "place"
	waitMatter       = "matter"
	waitConfidential = "confidential"
	waitConfirm      = "confirm"
	waitDuplicate    = "duplicate"
	waitPhone        = "phone"         // a mobile number after 不保密, or 跳过
	waitPlaceConfirm = "place_confirm" // is it the nearest village to a location outside every village's radius?
	waitUrge         = "urge"          // after a follow-up: 催办 the case, or not
)

// session is one person's conversation in progress: the draft case and what it waits for.
type session struct {
	Kind             models.CaseKind  `json:"kind"`
	Source           models.Source    `json:"source"`
	Description      string           `json:"description,omitempty"`
	Location         *models.Location `json:"location,omitempty"`
	PlaceDefault     bool             `json:"place_default,omitempty"` // the grid worker's own grid
	MatterCode       string           `json:"matter_code,omitempty"`
	MatterChosen     bool             `json:"matter_chosen,omitempty"`
	MatterOptions    []string         `json:"matter_options,omitempty"`
	MatterAsked      bool             `json:"matter_asked,omitempty"` // the person asked to choose the matter
	Confidential     *bool            `json:"confidential,omitempty"`
	AttachmentIDs    []int64          `json:"attachment_ids,omitempty"`
	PhotosAsked      bool             `json:"photos_asked,omitempty"`
	Address          string           `json:"address,omitempty"`      // typed, waiting for a township
	DuplicateNo      string           `json:"duplicate_no,omitempty"` // an open case of the same matter nearby
	DuplicateOffered bool             `json:"duplicate_offered,omitempty"`
	Phone            string           `json:"phone,omitempty"` // a mobile number to reach a reporter who is not confidential
	PhoneAsked       bool             `json:"phone_asked,omitempty"`
	PlaceSkips       int              `json:"place_skips,omitempty"` // 跳过 said at the place step
	Candidate        *models.Location `json:"candidate,omitempty"`   // the nearest village, waiting for confirmation
	UrgeNo           string           `json:"urge_no,omitempty"`     // the case offered to 催办
	Awaiting         string           `json:"awaiting,omitempty"`
	LastActive       time.Time        `json:"last_active"`
}

// held is the conversation lock a turn holds. The conversation is read in the same round trip
// that takes the lock, and the lock is released in the one that stores the conversation.
type held struct {
	shared.Turn
	toCache  []byte // a person read from the database, cached when the turn ends
	fetched  bool   // Conversation is still what is stored
	released bool   // the lock was released with the conversation's last write
}

// newHeld returns the turn's held lock.
func newHeld(t shared.Turn) *held { return &held{Turn: t, fetched: t.Read} }

// heldKey is the context key of the turn's held lock.
type heldKey struct{}

// heldFromContext returns the lock the context holds, or nil.
func heldFromContext(ctx context.Context) *held {
	h, _ := ctx.Value(heldKey{}).(*held)
	return h
}

// heldFor returns the lock the context holds for an openid, or nil.
func heldFor(ctx context.Context, openID string) *held {
	if h, ok := ctx.Value(heldKey{}).(*held); ok && h.OpenID == openID {
		return h
	}
	return nil
}

// readSession returns the stored conversation (found is false when there is none): the copy
// read with the lock if nothing changed it since, else from Redis.
func (b *Bot) readSession(ctx context.Context, openID string) (raw []byte, found bool, err error) {
	if h := heldFor(ctx, openID); h != nil && h.fetched {
		h.fetched = false
		return h.Conversation, h.Conversation != nil, nil
	}
	return b.state.Read(ctx, openID)
}

// loadSession returns the person's open conversation, or nil; expired reports one that timed
// out (and is dropped) so that the person can be told.
func (b *Bot) loadSession(ctx context.Context, openID string, now time.Time) (*session, bool, error) {
	raw, found, err := b.readSession(ctx, openID)
	if err != nil {
		return nil, false, fmt.Errorf("load conversation: %w", err)
	}
	if !found {
		return nil, false, nil
	}
	var s session
	if err := json.Unmarshal(raw, &s); err != nil {
		b.log.WarnContext(ctx, "dropping an unreadable conversation", "err", err)
		return nil, false, b.dropSession(ctx, openID)
	}
	if now.Sub(s.LastActive) > b.cfg.Idle {
		return nil, true, b.dropSession(ctx, openID)
	}
	return &s, false, nil
}

// saveSession stores the conversation, or drops it when it ended (nil), and releases the
// turn's lock in the same round trip: nothing of the turn touches the conversation after it.
// The key outlives the idle time by a day so that an expired conversation can still be reported.
func (b *Bot) saveSession(ctx context.Context, openID string, s *session, now time.Time) error {
	var raw []byte
	if s != nil {
		s.LastActive = now
		var err error
		if raw, err = json.Marshal(s); err != nil {
			return fmt.Errorf("save conversation: %w", err)
		}
	}
	h := heldFor(ctx, openID)
	if h != nil {
		h.fetched = false
	}
	var err error
	if h != nil && !h.released {
		var released bool
		released, err = h.Save(ctx, raw, h.toCache, personTTL)
		h.toCache = nil
		h.released = released
	} else {
		err = b.state.Write(ctx, openID, raw)
	}
	if err != nil {
		if s == nil {
			return fmt.Errorf("drop conversation: %w", err)
		}
		return fmt.Errorf("save conversation: %w", err)
	}
	return nil
}

// dropSession deletes a conversation.
func (b *Bot) dropSession(ctx context.Context, openID string) error {
	if h := heldFor(ctx, openID); h != nil {
		h.fetched = false
	}
	if err := b.state.Drop(ctx, openID); err != nil {
		return fmt.Errorf("drop conversation: %w", err)
	}
	return nil
}
