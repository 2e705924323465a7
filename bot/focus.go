package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"gridbot/models"
)

// A staff member's short replies ("1", a command without a number) act on their focused case:
// the case of the last card they received, or of their last task list or query, whichever came
// last, and only while it is recent. Weighty actions without a number are confirmed first.

// focusFresh is how long a focus lets a command without a number act on its case.
const focusFresh = 30 * time.Minute

// confirmFresh is how long a question "对案件 N 办结？回复 1 确认" waits for its answer.
const confirmFresh = 5 * time.Minute

// Where a focus came from, besides the kind of a card.
const (
	focusList   = "list"   // a task list: its first case
	focusQuery  = "query"  // the case the person asked about
	focusAction = "action" // the case the person acted on last
	focusTypo   = "typo"   // no case: the person's last command named a number that is not one
)

// focus is the case a staff member's short replies act on, when and how it was set.
type focus struct {
	No   string
	At   time.Time
	From string // a notice kind (the card), or focusList, focusQuery, focusAction
}

// fresh reports whether the focus is recent enough to act on.
func (f focus) fresh(now time.Time) bool { return f.No != "" && now.Sub(f.At) <= focusFresh }

// card reports whether the focus was set by a card.
func (f focus) card() bool {
	return f.From != focusList && f.From != focusQuery && f.From != focusAction
}

// cardKinds are the notices whose cards set a staff member's focus.
func cardKinds() []string {
	return []string{models.NoticeDispatched, models.NoticeAssigned, models.NoticeVerify, models.NoticeTriage,
		models.NoticeReturned, models.NoticeRequest, models.NoticeExtensionDecision, models.NoticeChase,
		models.NoticeEscalation}
}

// Focus makes a case the one a staff member's short replies act on (a task list, a query).
func (b *Bot) Focus(ctx context.Context, openID, trackingNo string) error {
	return b.setFocus(ctx, openID, trackingNo, focusQuery)
}

// setFocus stores a focus set by the person's own message.
func (b *Bot) setFocus(ctx context.Context, openID, trackingNo, from string) error {
	v := trackingNo + "|" + strconv.FormatInt(b.now().UnixNano(), 10) + "|" + from
	if err := b.state.SetFocus(ctx, openID, v, 24*time.Hour); err != nil {
		return fmt.Errorf("focus case: %w", err)
	}
	return nil
}

// currentFocus returns the newer of the focus the person's messages set and the last card
// delivered to them; a zero focus when there is neither.
func (b *Bot) currentFocus(ctx context.Context, openID string, personID int64) (focus, error) {
	v, err := b.state.Focus(ctx, openID)
	if err != nil {
		return focus{}, fmt.Errorf("focused case: %w", err)
	}
	f := parseFocus(v)
	in, err := b.cases.LatestSentIntent(ctx, personID, cardKinds())
	if err != nil || in.CaseID == 0 {
		return f, nil
	}
	at := in.SentAt
	if at.IsZero() {
		at = in.CreatedAt
	}
	if !at.After(f.At) {
		return f, nil
	}
	c, err := b.cases.CaseByID(ctx, in.CaseID)
	if err != nil {
		return f, nil
	}
	return focus{No: c.TrackingNo, At: at, From: in.Kind}, nil
}

// parseFocus reads a stored focus: "no|unixnano|from".
func parseFocus(v string) focus {
	parts := strings.SplitN(v, "|", 3)
	if len(parts) < 2 {
		return focus{}
	}
	n, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return focus{}
	}
	f := focus{No: parts[0], At: time.Unix(0, n), From: focusAction}
	if len(parts) == 3 {
		f.From = parts[2]
	}
	return f
}

// pendingAction is a weighty action without a number, waiting for the person to confirm the
// case it would act on.
type pendingAction struct {
	Word       string    `json:"word"`
	No         string    `json:"no"`
	Action     string    `json:"action"`
	Note       string    `json:"note,omitempty"`
	Days       int       `json:"days,omitempty"`
	AssigneeID int64     `json:"assignee_id,omitempty"`
	Teams      []string  `json:"teams,omitempty"`
	TeamCode   string    `json:"team_code,omitempty"`
	At         time.Time `json:"at"`
}

// savePending stores an action waiting for confirmation; it is kept an hour so that a late
// answer is told it expired instead of being read as something else.
func (b *Bot) savePending(ctx context.Context, openID string, p pendingAction) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("save confirmation: %w", err)
	}
	if err := b.state.SavePending(ctx, openID, raw, time.Hour); err != nil {
		return fmt.Errorf("save confirmation: %w", err)
	}
	return nil
}

// takePending returns and removes the action waiting for confirmation, if any.
func (b *Bot) takePending(ctx context.Context, openID string) (pendingAction, bool, error) {
	raw, found, err := b.state.TakePending(ctx, openID)
	if err != nil {
		return pendingAction{}, false, fmt.Errorf("read confirmation: %w", err)
	}
	if !found {
		return pendingAction{}, false, nil
	}
	var p pendingAction
	if err := json.Unmarshal(raw, &p); err != nil {
		return pendingAction{}, false, nil
	}
	return p, true, nil
}
