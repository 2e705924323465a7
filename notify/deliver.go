package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"gridbot/models"
	"gridbot/wechat"
)

// The outcomes counted per kind in gridbot_notifications_total.
const (
	outcomeSent        = "sent"
	outcomeRetry       = "retry"
	outcomeFailed      = "failed"
	outcomeUnreachable = "unreachable"
	outcomeDeferred    = "deferred" // a rate limit postponed the send to a later turn; no attempt counted
)

// maxInlineWait is the longest a worker waits for a rate limit before deferring the intent.
const maxInlineWait = time.Second

// errFinal marks an error after which retrying is useless: the intent fails at once.
var errFinal = errors.New("final")

// final wraps a reason so that the intent fails without retries.
func final(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errFinal, fmt.Sprintf(format, args...))
}

// deliver handles the first of the intents left in a batch and returns those still left. A send
// (or its failure) takes that one intent; a long refusal of the global rate limit postpones
// every intent left until its window ends. The send runs on a context that shutdown does not
// cancel, so that a message in flight is never abandoned half-way.
func (d *Dispatcher) deliver(left []models.Intent, people map[int64]models.Person, later *deferrals) []models.Intent {
	in := left[0]
	ctx, cancel := context.WithTimeout(context.WithoutCancel(d.run), d.cfg.SendTimeout)
	defer cancel()
	wait, err := d.admit(ctx)
	if err == nil && wait > 0 {
		next := d.now().Add(wait)
		for _, held := range left {
			later.add(held, next)
		}
		return nil
	}
	if err == nil {
		err = d.attempt(ctx, in, people)
	}
	outcome, recordErr := d.record(ctx, in, err)
	d.report(in, outcome, err, recordErr)
	return left[1:]
}

// report counts the outcome of an attempt and logs what an operator should see.
func (d *Dispatcher) report(in models.Intent, outcome string, err, recordErr error) {
	d.outcomes.WithLabelValues(in.Kind, outcome).Inc()
	log := d.log.With("intent_id", in.ID, "kind", in.Kind, "channel", string(in.Channel), "attempt", in.Attempts)
	switch {
	case recordErr != nil:
		log.Warn("record notification outcome", "outcome", outcome, "err", recordErr)
	case outcome == outcomeFailed || outcome == outcomeUnreachable:
		log.Warn("notification failed", "outcome", outcome, "err", err)
	case outcome == outcomeRetry:
		log.Info("notification will be retried", "err", err)
	}
}

// record stores the outcome of an attempt: sent, retried later with backoff, or failed (and the
// person marked unreachable after 43004/43101).
func (d *Dispatcher) record(ctx context.Context, in models.Intent, err error) (string, error) {
	owner := in.Claim // the claim that handed this intent out: its outcome is recorded under it
	switch {
	case err == nil:
		return outcomeSent, d.store.MarkSent(ctx, in.ID, owner)
	case isUnsubscribed(err):
		if uerr := d.store.SetUnreachable(ctx, in.RecipientID, true); uerr != nil {
			return outcomeUnreachable, uerr
		}
		d.peopleChanged(ctx)
		return outcomeUnreachable, d.store.MarkFailed(ctx, in.ID, owner, err.Error())
	case errors.Is(err, errFinal) || !retryable(err) || in.Attempts >= d.cfg.MaxAttempts:
		return outcomeFailed, d.store.MarkFailed(ctx, in.ID, owner, err.Error())
	}
	next := d.now().Add(Backoff(in.Attempts, d.cfg.BackoffBase, d.cfg.BackoffMax))
	return outcomeRetry, d.store.MarkRetry(ctx, in.ID, owner, next, err.Error())
}

// admit waits for the global rate limit to let a send through (zero). A wait longer than
// maxInlineWait is not spent holding a worker: admit returns it instead.
func (d *Dispatcher) admit(ctx context.Context) (time.Duration, error) {
	if d.limiter == nil {
		return 0, nil
	}
	for {
		wait, err := d.limiter.Reserve(ctx)
		if err != nil || wait == 0 {
			return 0, err
		}
		if wait > maxInlineWait {
			return wait, nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// isUnsubscribed reports the final refusals: the user unfollowed (43004) or refused (43101).
func isUnsubscribed(err error) bool {
	code, ok := wechat.ErrCode(err)
	return ok && (code == wechat.CodeUnsubscribed || code == wechat.CodeRefusedSubscribe)
}

// retryable reports whether a failed send may succeed later: WeChat's busy and quota answers,
// 5xx, timeouts and errors that never reached WeChat (network). Any other errcode is final.
func retryable(err error) bool {
	var apiErr *wechat.APIError
	if errors.As(err, &apiErr) {
		return wechat.IsRetryable(err) || wechat.IsTokenInvalid(err)
	}
	return !errors.Is(err, context.Canceled)
}

// Backoff is the wait before the attempt after attempt number n (1 for the first): base doubled
// per attempt up to max, with equal jitter (between half and all of it).
func Backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	half := d / 2
	return half + rand.N(d-half+1)
}

// attempt takes the recipient (read with the batch, else now), renders the notice and sends
// it; a rejected access token is dropped and the send retried once at once.
func (d *Dispatcher) attempt(ctx context.Context, in models.Intent, people map[int64]models.Person) error {
	p, ok := people[in.RecipientID]
	var err error
	if !ok {
		p, err = d.store.PersonByID(ctx, in.RecipientID)
	}
	if models.ErrorCodeOf(err) == models.ENotFound {
		return final("recipient %d not found", in.RecipientID)
	} else if err != nil {
		return err
	}
	if StaffOnly(in.Kind) && p.Role == models.RoleCitizen {
		return final("%s is for staff only", in.Kind)
	}
	var n models.Notice
	if err := json.Unmarshal(in.Payload, &n); err != nil {
		return final("notice payload: %v", err)
	}
	msg, err := Render(in.Kind, n)
	if err != nil {
		return final("%v", err)
	}
	err = d.send(ctx, in, p, msg, n.TrackingNo)
	if wechat.IsTokenInvalid(err) {
		if derr := d.dropToken(ctx, in.Channel); derr != nil {
			return fmt.Errorf("drop access token: %w", derr)
		}
		err = d.send(ctx, in, p, msg, n.TrackingNo)
	}
	return err
}

// dropToken forgets the shared access token of a channel.
func (d *Dispatcher) dropToken(ctx context.Context, ch models.Channel) error {
	if ch == models.ChannelWeCom {
		return d.wecom.DropToken(ctx)
	}
	return d.official.DropToken(ctx)
}

// send picks the way to the person: WeCom text card; customer-service text within the 48-hour
// window (a template at once if WeChat answers 45015); else a template message.
func (d *Dispatcher) send(ctx context.Context, in models.Intent, p models.Person, msg Message, trackingNo string) error {
	if in.Channel == models.ChannelWeCom {
		if d.wecom == nil || p.WeComUserID == "" {
			return final("person %d has no WeCom userid or WeCom is not configured", p.ID)
		}
		return d.wecom.SendTextCard(ctx, p.WeComUserID, TextCard{Title: msg.Title, Description: cardDescription(msg),
			URL: d.caseURL(trackingNo)})
	}
	if p.OpenID == "" || p.Unreachable {
		return final("person %d has no openid or is unreachable", p.ID)
	}
	if !p.LastInboundAt.IsZero() && d.now().Sub(p.LastInboundAt) < ServiceWindow {
		err := d.official.SendText(ctx, p.OpenID, msg.Text())
		if code, _ := wechat.ErrCode(err); code != wechat.CodeOutOfWindow {
			return err
		}
	}
	return d.sendTemplate(ctx, in, p.OpenID, msg, trackingNo)
}

// sendTemplate sends the template configured for the intent's kind, with the intent's id as
// client_msg_id; a kind without a template cannot be sent.
func (d *Dispatcher) sendTemplate(ctx context.Context, in models.Intent, openID string, msg Message, trackingNo string) error {
	id := d.cfg.Templates[in.Kind]
	if id == "" {
		return final("no template configured for %s and the person is outside the 48-hour window", in.Kind)
	}
	return d.official.SendTemplate(ctx, openID, Template{ID: id, ClientMsgID: "intent-" + strconv.FormatInt(in.ID, 10),
		URL: d.caseURL(trackingNo), Data: templateData(msg)})
}

// templateData maps a message onto the classic template fields: first, keyword1…, remark.
func templateData(msg Message) map[string]string {
	data := map[string]string{"first": msg.Title}
	for i, f := range msg.Fields {
		data["keyword"+strconv.Itoa(i+1)] = f.Value
	}
	if msg.Remark != "" {
		data["remark"] = msg.Remark
	}
	return data
}

// cardDescription is the body of a WeCom text card: the fields and the remark, one per line.
func cardDescription(msg Message) string {
	return strings.TrimPrefix(Message{Fields: msg.Fields, Remark: msg.Remark}.Text(), "\n") // no title line
}

// caseURL links to a case in the web view, or nothing when no base is configured.
func (d *Dispatcher) caseURL(trackingNo string) string {
	if d.cfg.CaseURLBase == "" || trackingNo == "" {
		return ""
	}
	return d.cfg.CaseURLBase + trackingNo
}
