package wechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// QuotaAPI names a call WeChat limits per account and day (45009 beyond the limit).
type QuotaAPI string

// The daily quotas gridbot counts.
const (
	QuotaCustomer QuotaAPI = "customer_service" // customer-service messages: 500,000 a day
	QuotaTemplate QuotaAPI = "template"         // template messages: 100,000 a day by default
	QuotaToken    QuotaAPI = "access_token"     // access-token fetches: 2,000 a day
)

// PerWindow is how many customer-service messages one message of a user allows within the
// 48-hour window (since June 2023; beyond it WeChat answers 45047).
const PerWindow = 5

// DefaultQuotas returns WeChat's default daily quotas of an Official Account.
func DefaultQuotas() map[QuotaAPI]int64 {
	return map[QuotaAPI]int64{QuotaCustomer: 500_000, QuotaTemplate: 100_000, QuotaToken: 2_000}
}

// Verdict says whether a customer-service message may go now.
type Verdict int

// The verdicts of TakeCustomer.
const (
	Allowed     Verdict = iota // counted: send it
	WindowSpent                // the person's window allows no more: send a template instead
	DailySpent                 // today's customer-service quota is used up
)

// Counter keeps the quota counts in the store shared by every instance (shared.QuotaCounter is
// one). Keys name the counts; each lives the given ttl from its first count.
type Counter interface {
	// Daily counts one call under key and returns the count, or, when enforce is set and the
	// count has reached limit, counts nothing and returns minus the count.
	Daily(ctx context.Context, key string, limit int64, ttl time.Duration, enforce bool) (int64, error)
	// Customer counts one customer-service message in a person's window (window; a since later
	// than the window's start begins a new one) and in today's count (day). It returns the
	// verdict (0 counted, 1 the window allows no more, 2 the daily limit is reached) and today's count.
	Customer(ctx context.Context, window, day string, since time.Time, perWindow int, dailyLimit int64,
		dayTTL, windowTTL time.Duration) (verdict, used int64, err error)
	// Spend marks a person's window as spent unless a message later than since began a new one.
	Spend(ctx context.Context, window string, since time.Time, perWindow int, windowTTL time.Duration) error
}

// QuotaConfig is what NewQuota needs. Zero limits take WeChat's defaults.
type QuotaConfig struct {
	AppID     string             // the account whose calls are counted
	KeyPrefix string             // Redis key prefix, such as "gridbot:wechat:"
	Daily     map[QuotaAPI]int64 // daily limits; missing or zero: DefaultQuotas
	Location  *time.Location     // the day of the counts (GRIDBOT_TIMEZONE); nil: Asia/Shanghai as WeChat
	Log       *slog.Logger       // the warning at 80 % and at 100 %; nil discards
	Registry  prometheus.Registerer
	Now       func() time.Time // nil: time.Now
}

// Quota counts, in a Counter shared by every instance, what WeChat allows an Official Account: the
// customer-service messages per person since their last message, and the daily calls per API.
// A nil *Quota counts nothing and allows everything.
type Quota struct {
	counter Counter
	prefix  string
	limits  map[QuotaAPI]int64
	loc     *time.Location
	log     *slog.Logger
	now     func() time.Time
	used    *prometheus.GaugeVec
	seen    seenCounts
}

// NewQuota builds the counters and registers gridbot_wechat_quota_used and _limit.
func NewQuota(counter Counter, cfg QuotaConfig) (*Quota, error) {
	if counter == nil || cfg.AppID == "" || cfg.Registry == nil {
		return nil, errors.New("wechat quota: needs a counter, the AppID and a metrics registry")
	}
	limits := DefaultQuotas()
	for api, n := range cfg.Daily {
		if n > 0 {
			limits[api] = n
		}
	}
	q := &Quota{counter: counter, prefix: cfg.KeyPrefix + "quota:" + cfg.AppID + ":", limits: limits, loc: cfg.Location,
		log: cfg.Log, now: cfg.Now}
	q.defaults()
	return q, q.register(cfg.Registry)
}

// defaults fills the clock, zone and logger left out.
func (q *Quota) defaults() {
	if q.now == nil {
		q.now = time.Now
	}
	if q.loc == nil {
		q.loc = time.FixedZone("CST", 8*3600)
	}
	if q.log == nil {
		q.log = slog.New(slog.DiscardHandler)
	}
}

// register publishes today's use (as this instance last counted it) and the limits.
func (q *Quota) register(reg prometheus.Registerer) error {
	q.used = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "gridbot_wechat_quota_used",
		Help: "Calls counted today (in GRIDBOT_TIMEZONE) against WeChat's daily quota, by API, as last seen by this instance."},
		[]string{"api"})
	limit := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "gridbot_wechat_quota_limit",
		Help: "WeChat's daily quota by API, as configured."}, []string{"api"})
	for api, n := range q.limits {
		limit.WithLabelValues(string(api)).Set(float64(n))
		q.used.WithLabelValues(string(api))
	}
	for _, c := range []prometheus.Collector{q.used, limit} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("wechat quota: register metrics: %w", err)
		}
	}
	return nil
}

// Limit is the daily limit of an API.
func (q *Quota) Limit(api QuotaAPI) int64 { return q.limits[api] }

// Take counts one call of api today and reports whether it was within the quota; a call
// beyond it is not counted. A nil Quota allows it.
func (q *Quota) Take(ctx context.Context, api QuotaAPI) (bool, error) {
	if q == nil {
		return true, nil
	}
	return q.take(ctx, api, true)
}

// Note counts one call of api today whatever the quota (an access-token fetch must happen).
func (q *Quota) Note(ctx context.Context, api QuotaAPI) error {
	if q == nil {
		return nil
	}
	_, err := q.take(ctx, api, false)
	return err
}

// take counts one call of api today and reports whether it was within the quota.
func (q *Quota) take(ctx context.Context, api QuotaAPI, enforce bool) (bool, error) {
	n, err := q.counter.Daily(ctx, q.dayKey(api), q.limits[api], dayTTL, enforce)
	if err != nil {
		return false, fmt.Errorf("wechat quota %s: %w", api, err)
	}
	if n < 0 {
		q.publish(api, -n)
		return false, nil
	}
	q.counted(api, n)
	return true, nil
}

// TakeCustomer counts one customer-service message to openID, whose last message (or the one
// being answered) was at since, in their window and in today's quota.
func (q *Quota) TakeCustomer(ctx context.Context, openID string, since time.Time) (Verdict, error) {
	if q == nil {
		return Allowed, nil
	}
	verdict, used, err := q.counter.Customer(ctx, q.windowKey(openID), q.dayKey(QuotaCustomer), since, PerWindow,
		q.limits[QuotaCustomer], dayTTL, windowTTL)
	if err != nil {
		return Allowed, fmt.Errorf("wechat quota customer-service: %w", err)
	}
	v := Verdict(verdict)
	if v == Allowed {
		q.counted(QuotaCustomer, used)
	} else if v == DailySpent {
		q.publish(QuotaCustomer, used)
	}
	return v, nil
}

// SpendWindow records that WeChat refused a customer-service message to openID (45047, or 45015
// when the window closed): later notices go as templates until they write again.
func (q *Quota) SpendWindow(ctx context.Context, openID string, since time.Time) error {
	if q == nil {
		return nil
	}
	if err := q.counter.Spend(ctx, q.windowKey(openID), since, PerWindow, windowTTL); err != nil {
		return fmt.Errorf("wechat quota spend window: %w", err)
	}
	return nil
}

// NextDay is when today's counts end: the next midnight in the configured zone.
func (q *Quota) NextDay() time.Time {
	if q == nil {
		return time.Now()
	}
	y, m, d := q.now().In(q.loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, q.loc)
}

// counted publishes a count and warns once, by the call that reaches them, at 80 % and 100 %.
func (q *Quota) counted(api QuotaAPI, n int64) {
	q.publish(api, n)
	limit := q.limits[api]
	switch n {
	case (limit*4 + 4) / 5:
		q.log.Warn("WeChat daily quota 80% used", "api", string(api), "used", n, "limit", limit)
	case limit:
		q.log.Warn("WeChat daily quota used up; more calls wait for tomorrow", "api", string(api), "used", n, "limit", limit)
	}
}

// publish sets the used gauge to the highest count seen today: counts answered out of order
// never move it back.
func (q *Quota) publish(api QuotaAPI, n int64) {
	if top, ok := q.seen.raise(api, q.now().In(q.loc).Format("20060102"), n); ok {
		q.used.WithLabelValues(string(api)).Set(float64(top))
	}
}

// seenCounts is the highest count of each API seen today by this instance.
type seenCounts struct {
	mu  sync.Mutex
	day string
	top map[QuotaAPI]int64
}

// raise records n for api on day and reports whether it is the new highest of the day.
func (s *seenCounts) raise(api QuotaAPI, day string, n int64) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.day != day || s.top == nil {
		s.day, s.top = day, map[QuotaAPI]int64{}
	}
	if n <= s.top[api] && s.top[api] != 0 {
		return s.top[api], false
	}
	s.top[api] = n
	return n, true
}

// The lives of the keys: a day's count outlives its day; a window lasts 48 hours from its start.
const (
	dayTTL    = 49 * time.Hour
	windowTTL = 49 * time.Hour
)

// dayKey is the key of today's count of an API.
func (q *Quota) dayKey(api QuotaAPI) string {
	return q.prefix + string(api) + ":" + q.now().In(q.loc).Format("20060102")
}

// windowKey is the key of a person's customer-service window.
func (q *Quota) windowKey(openID string) string {
	return q.prefix + "window:" + openID
}
