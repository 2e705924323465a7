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
	var spent *quotaSpent
	if errors.As(err, &spent) { // not an attempt: it waits for tomorrow's quota
		d.log.Warn("notification waits for tomorrow's WeChat quota", "intent_id", in.ID, "kind", in.Kind,
			"api", string(spent.API), "until", spent.Until)
		later.add(in, spent.Until)
		return left[1:]
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

// attempt takes the recipient (read with the batch, else now), renders the notice and sends it.
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
	return d.send(ctx, in, p, msg, n.TrackingNo)
}

// withToken runs a call and, when WeChat rejected the access token of the channel, drops it
// and runs the call once more.
func (d *Dispatcher) withToken(ctx context.Context, ch models.Channel, call func() error) error {
	err := call()
	if !wechat.IsTokenInvalid(err) {
		return err
	}
	if derr := d.dropToken(ctx, ch); derr != nil {
		return fmt.Errorf("drop access token: %w", derr)
	}
	return call()
}

// dropToken forgets the shared access token of a channel.
func (d *Dispatcher) dropToken(ctx context.Context, ch models.Channel) error {
	if ch == models.ChannelWeCom {
		return d.wecom.DropToken(ctx)
	}
	return d.official.DropToken(ctx)
}

// send picks the way to the person. Staff with a WeCom userid get a WeCom text card first,
// whatever the intent's channel, and the Official Account when WeCom fails or is not set up;
// everyone else gets the Official Account.
func (d *Dispatcher) send(ctx context.Context, in models.Intent, p models.Person, msg Message, trackingNo string) error {
	wantsWeCom := p.WeComUserID != "" && (p.Staff() || in.Channel == models.ChannelWeCom)
	if !wantsWeCom || d.wecom == nil {
		if in.Channel == models.ChannelWeCom && p.OpenID == "" {
			return final("person %d has no WeCom userid or WeCom is not configured, and no openid", p.ID)
		}
		return d.viaOfficial(ctx, in, p, msg, trackingNo)
	}
	err := d.withToken(ctx, models.ChannelWeCom, func() error {
		return d.wecom.SendTextCard(ctx, p.WeComUserID, wechat.TextCard{Title: msg.Title, Description: cardDescription(msg),
			URL: d.caseURL(trackingNo)})
	})
	if err == nil || p.OpenID == "" || p.Unreachable || errors.Is(err, context.Canceled) {
		return err
	}
	d.fellBack(in, "wecom_failed", err)
	return d.viaOfficial(ctx, in, p, msg, trackingNo)
}

// viaOfficial sends on the Official Account: a customer-service text while the person's window
// is open and its count (5 per message of theirs) not spent, else a template message. A refusal
// of the text (45047, 45015, or the daily quota) falls back to the template.
func (d *Dispatcher) viaOfficial(ctx context.Context, in models.Intent, p models.Person, msg Message, trackingNo string) error {
	if p.OpenID == "" || p.Unreachable {
		return final("person %d has no openid or is unreachable", p.ID)
	}
	if p.LastInboundAt.IsZero() || d.now().Sub(p.LastInboundAt) >= ServiceWindow {
		return d.sendTemplate(ctx, in, p.OpenID, msg, trackingNo)
	}
	verdict, err := d.quota.TakeCustomer(ctx, p.OpenID, p.LastInboundAt)
	if err != nil {
		return err
	}
	switch verdict {
	case wechat.WindowSpent:
		d.fellBack(in, "window_spent", nil)
	case wechat.DailySpent:
		d.fellBack(in, "customer_quota", nil)
	default:
		err = d.withToken(ctx, models.ChannelWeChat, func() error { return d.official.SendText(ctx, p.OpenID, msg.Text()) })
		if !d.textRefused(ctx, in, p, err) {
			return err
		}
	}
	return d.sendTemplate(ctx, in, p.OpenID, msg, trackingNo)
}

// textRefused reports whether WeChat refused a customer-service text in a way a template may
// still get through: the window's count is spent (45047) or the window closed (45015), which are
// recorded so that the next notices go as templates at once, or the daily quota (45009).
func (d *Dispatcher) textRefused(ctx context.Context, in models.Intent, p models.Person, err error) bool {
	code, _ := wechat.ErrCode(err)
	switch code {
	case wechat.CodeWindowSpent, wechat.CodeOutOfWindow:
		if serr := d.quota.SpendWindow(ctx, p.OpenID, p.LastInboundAt); serr != nil {
			d.log.Warn("record a spent customer-service window", "intent_id", in.ID, "err", serr)
		}
	case wechat.CodeAPIQuota:
	default:
		return false
	}
	d.fellBack(in, strconv.Itoa(code), nil)
	return true
}

// fellBack counts a notice sent another way than first tried, and why.
func (d *Dispatcher) fellBack(in models.Intent, reason string, err error) {
	d.fallbacks.WithLabelValues(reason).Inc()
	if err != nil {
		d.log.Info("notification falls back to the Official Account", "intent_id", in.ID, "reason", reason, "err", err)
	}
}

// quotaSpent is a send that today's quota does not allow: the intent waits until Until.
type quotaSpent struct {
	API   wechat.QuotaAPI
	Until time.Time
}

// Error names the quota.
func (e *quotaSpent) Error() string {
	return fmt.Sprintf("the daily %s quota is used up until %s", e.API, e.Until.Format(time.RFC3339))
}

// sendTemplate sends the template configured for the intent's kind, with the intent's id as
// client_msg_id, while today's template quota allows; a kind without a template cannot be sent.
func (d *Dispatcher) sendTemplate(ctx context.Context, in models.Intent, openID string, msg Message, trackingNo string) error {
	id := d.cfg.Templates[in.Kind]
	if id == "" {
		return final("no template configured for %s and the person is outside the 48-hour window or its count", in.Kind)
	}
	ok, err := d.quota.Take(ctx, wechat.QuotaTemplate)
	if err != nil {
		return err
	}
	if !ok {
		return &quotaSpent{API: wechat.QuotaTemplate, Until: d.quota.NextDay()}
	}
	t := wechat.Template{ID: id, ClientMsgID: "intent-" + strconv.FormatInt(in.ID, 10), URL: d.caseURL(trackingNo),
		Data: templateData(d.cfg.TemplateFields[in.Kind], msg)}
	return d.withToken(ctx, models.ChannelWeChat, func() error { return d.official.SendTemplate(ctx, openID, t) })
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
