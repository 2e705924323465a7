package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridbot/models"
	"gridbot/store"
	"gridbot/wechat"
)

// Deps are what a Dispatcher works with. WeCom may be nil when no WeCom application is set up:
// intents for the wecom channel then fail. Limiter (a shared.RateLimiter) paces sends across instances.
type Deps struct {
	Store    *store.Store
	Official OfficialSender
	WeCom    WeComSender
	Limiter  Limiter // nil: no rate limit
	// Quota counts the customer-service window and the daily quotas (shared with the account
	// and the late replies); nil counts nothing and relies on WeChat's answers.
	Quota    *wechat.Quota
	Log      *slog.Logger
	Registry *prometheus.Registry
	// PeopleChanged is called after a person was marked unreachable (caches of people retire).
	PeopleChanged func(ctx context.Context)
}

// outbox is what a dispatcher uses of the store (a *store.Store); tests wrap it to count calls.
type outbox interface {
	ClaimDueIntents(ctx context.Context, now time.Time, owner string, lease time.Duration, limit int) ([]models.Intent, error)
	MarkSent(ctx context.Context, id int64, claim string) error
	MarkRetry(ctx context.Context, id int64, claim string, next time.Time, errText string) error
	MarkFailed(ctx context.Context, id int64, claim string, errText string) error
	ReleaseIntents(ctx context.Context, claim string, ids []int64) error
	DeferIntents(ctx context.Context, claim string, ds []store.Deferral) error
	SetUnreachable(ctx context.Context, personID int64, unreachable bool) error
	PersonByID(ctx context.Context, id int64) (models.Person, error)
	PeopleByIDs(ctx context.Context, ids []int64) (map[int64]models.Person, error)
}

// Dispatcher delivers the outbox with a bounded pool of workers. Start it once; Close stops it.
type Dispatcher struct {
	cfg      Config
	store    outbox
	official OfficialSender
	wecom    WeComSender
	limiter  Limiter
	quota    *wechat.Quota
	log      *slog.Logger
	outcomes *prometheus.CounterVec
	// fallbacks counts notices sent another way than first tried, by reason.
	fallbacks *prometheus.CounterVec
	now       func() time.Time

	wake chan struct{}
	// wakeSoon is set while a wake-up is scheduled (see Wake).
	wakeSoon atomic.Bool
	stop     context.CancelFunc
	run      context.Context
	wg       sync.WaitGroup
	closed   sync.Once
	// peopleChanged is Deps.PeopleChanged, or a no-op.
	peopleChanged func(ctx context.Context)
}

// New builds a dispatcher; it sends nothing until Start. It fails on an invalid config or when
// the metrics cannot be registered.
func New(cfg Config, deps Deps) (*Dispatcher, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if deps.Store == nil || deps.Official == nil || deps.Registry == nil {
		return nil, errors.New("notify: a dispatcher needs a store, an official sender and a registry")
	}
	outcomes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gridbot_notifications_total",
		Help: "Notification delivery attempts by kind and outcome (sent, retry, failed, unreachable, deferred).",
	}, []string{"kind", "outcome"})
	fallbacks := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gridbot_notification_fallbacks_total",
		Help: "Notifications sent another way than first tried, by reason (window_spent, customer_quota, 45047, 45015, 45009, wecom_failed).",
	}, []string{"reason"})
	for _, c := range []prometheus.Collector{outcomes, fallbacks} {
		if err := deps.Registry.Register(c); err != nil {
			return nil, fmt.Errorf("notify: register metrics: %w", err)
		}
	}
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	changed := deps.PeopleChanged
	if changed == nil {
		changed = func(context.Context) {}
	}
	return &Dispatcher{cfg: cfg, store: deps.Store, official: deps.Official, wecom: deps.WeCom, limiter: deps.Limiter, quota: deps.Quota,
		log: log, outcomes: outcomes, fallbacks: fallbacks, now: time.Now, wake: make(chan struct{}, 1), peopleChanged: changed}, nil
}

// Owner is the name under which this dispatcher claims intents.
func (d *Dispatcher) Owner() string { return d.cfg.Owner }

// MissingTemplates returns the kinds among kinds with no template configured.
func (d *Dispatcher) MissingTemplates(kinds []string) []string { return d.cfg.MissingTemplates(kinds) }

// Start launches the workers; they run until Close or until ctx ends.
func (d *Dispatcher) Start(ctx context.Context) {
	d.run, d.stop = context.WithCancel(ctx)
	for i := range d.cfg.Workers {
		d.wg.Go(func() { d.work(i) })
	}
}

// gatherWindow is how long a wake-up waits for more commits: the intents of commits close
// together are claimed, rate-limited and deferred as one batch instead of one each.
const gatherWindow = 20 * time.Millisecond

// Wake makes an idle worker look for due intents within gatherWindow instead of at its next
// poll: call it after committing a transaction that wrote intents. It never blocks.
func (d *Dispatcher) Wake() {
	if d.wakeSoon.CompareAndSwap(false, true) {
		time.AfterFunc(gatherWindow, func() {
			d.wakeSoon.Store(false)
			d.signal()
		})
	}
}

// signal wakes an idle worker now.
func (d *Dispatcher) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Close stops claiming, lets the sends in flight finish, and hands back claimed intents not yet
// tried. It waits at most timeout; it then returns an error and any intent still held becomes
// due again when its lease ends.
func (d *Dispatcher) Close(timeout time.Duration) error {
	var err error
	d.closed.Do(func() {
		if d.stop == nil {
			return
		}
		d.stop()
		done := make(chan struct{})
		go func() { d.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(timeout):
			err = fmt.Errorf("notify: close: workers still sending after %s; their leases will expire", timeout)
		}
	})
	return err
}

// work is one worker: it claims a batch, sends it, and waits for a wake-up or the next poll when
// nothing is due.
func (d *Dispatcher) work(n int) {
	log := d.log.With("worker", n)
	ticker := time.NewTicker(d.cfg.PollInterval)
	defer ticker.Stop()
	for {
		claimed, err := d.runBatch()
		if err != nil {
			log.Warn("claim notifications", "err", err)
		}
		if claimed == d.cfg.Batch {
			d.signal() // more may be due: rope in an idle worker too
			if d.run.Err() == nil {
				continue
			}
		}
		select {
		case <-d.run.Done():
			return
		case <-d.wake:
		case <-ticker.C:
		}
	}
}

// runBatch claims due intents, books the turns of those not paced yet (postponing those whose
// turn is later) and delivers the rest in order; at shutdown it releases the ones not yet
// tried. It returns how many it claimed.
func (d *Dispatcher) runBatch() (int, error) {
	if d.run.Err() != nil {
		return 0, nil
	}
	claimed := d.now()
	batch, err := d.store.ClaimDueIntents(d.run, claimed, d.cfg.Owner, d.cfg.Lease, d.cfg.Batch)
	if err != nil {
		return 0, err
	}
	// An intent is attempted only while its lease leaves room for the whole attempt (a rate-limit
	// wait and a send); later ones go back, or another worker that reclaims them after the lease
	// could send them a second time.
	safeUntil := claimed.Add(d.cfg.Lease - d.cfg.SendTimeout - maxInlineWait)
	later := &deferrals{}
	defer d.flushDeferrals(later)
	due := d.paceClaimed(batch, later)
	people := d.recipients(due)
	for left := due; len(left) > 0; {
		if d.run.Err() != nil || d.now().After(safeUntil) {
			d.release(left)
			break
		}
		left = d.deliver(left, people, later)
	}
	return len(batch), nil
}

// recipients reads the people a batch is for in one query; when that fails each attempt reads
// its own.
func (d *Dispatcher) recipients(batch []models.Intent) map[int64]models.Person {
	if len(batch) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(batch))
	for _, in := range batch {
		ids = append(ids, in.RecipientID)
	}
	ctx, cancel := context.WithTimeout(d.run, d.cfg.SendTimeout)
	defer cancel()
	people, err := d.store.PeopleByIDs(ctx, ids)
	if err != nil {
		d.log.Warn("read the recipients of notifications", "count", len(ids), "err", err)
		return nil
	}
	return people
}

// release hands claimed intents back, due at once and without an attempt counted (at shutdown,
// or when the lease is running out); they come from one claim (one batch).
func (d *Dispatcher) release(rest []models.Intent) {
	ids := make([]int64, len(rest))
	for i, in := range rest {
		ids[i] = in.ID
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.store.ReleaseIntents(ctx, rest[0].Claim, ids); err != nil {
		d.log.Warn("release notifications", "count", len(ids), "err", err)
	}
}
