package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"gridbot/models"
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
	Awaiting         string           `json:"awaiting,omitempty"`
	LastActive       time.Time        `json:"last_active"`
}

// sessionKey names a person's conversation in Redis.
func (b *Bot) sessionKey(openID string) string { return b.cfg.KeyPrefix + "conv:" + openID }

// loadSession returns the person's open conversation, or nil; expired reports one that timed
// out (and is dropped) so that the person can be told.
func (b *Bot) loadSession(ctx context.Context, openID string, now time.Time) (*session, bool, error) {
	raw, err := b.redis.Get(ctx, b.sessionKey(openID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("load conversation: %w", err)
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

// saveSession stores the conversation, or drops it when it ended (nil). The key outlives the
// idle time by a day so that an expired conversation can still be reported.
func (b *Bot) saveSession(ctx context.Context, openID string, s *session, now time.Time) error {
	if s == nil {
		return b.dropSession(ctx, openID)
	}
	s.LastActive = now
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("save conversation: %w", err)
	}
	if err := b.redis.Set(ctx, b.sessionKey(openID), raw, b.cfg.Idle+24*time.Hour).Err(); err != nil {
		return fmt.Errorf("save conversation: %w", err)
	}
	return nil
}

// dropSession deletes a conversation.
func (b *Bot) dropSession(ctx context.Context, openID string) error {
	if err := b.redis.Del(ctx, b.sessionKey(openID)).Err(); err != nil {
		return fmt.Errorf("drop conversation: %w", err)
	}
	return nil
}
