package wechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
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

// dailyScript counts one call in today's key (KEYS[1]) and returns the count, or minus the
// count when it has reached the limit and enforcing (the call is then not counted). ARGV:
// limit, ttl ms, enforce (1 or 0).
const dailyScript = `
local used = tonumber(redis.call("GET", KEYS[1]) or "0")
if ARGV[3] == "1" and used >= tonumber(ARGV[1]) then return -used end
used = redis.call("INCR", KEYS[1])
if used == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return used`

// customerScript counts one customer-service message in a person's window (KEYS[1], a hash of
// the window's start and count; a later start is a new message of theirs and begins a new count)
// and in today's quota (KEYS[2]). It returns {verdict, today's count}. ARGV: start ms, per
// window, daily limit, daily ttl ms, window ttl ms.
const customerScript = `
local since = tonumber(ARGV[1])
local start = tonumber(redis.call("HGET", KEYS[1], "start") or "0")
local n = tonumber(redis.call("HGET", KEYS[1], "n") or "0")
if since > start then start, n = since, 0 end
if n >= tonumber(ARGV[2]) then return {1, 0} end
local used = tonumber(redis.call("GET", KEYS[2]) or "0")
if used >= tonumber(ARGV[3]) then return {2, used} end
used = redis.call("INCR", KEYS[2])
if used == 1 then redis.call("PEXPIRE", KEYS[2], ARGV[4]) end
redis.call("HSET", KEYS[1], "start", string.format("%d", start), "n", n + 1)
redis.call("PEXPIRE", KEYS[1], ARGV[5])
return {0, used}`

// spendScript marks a person's window as spent unless a later message of theirs began a new one.
// ARGV: start ms, per window, window ttl ms.
const spendScript = `
local start = tonumber(redis.call("HGET", KEYS[1], "start") or "0")
if tonumber(ARGV[1]) < start then return 0 end
redis.call("HSET", KEYS[1], "start", ARGV[1], "n", ARGV[2])
redis.call("PEXPIRE", KEYS[1], ARGV[3])
return 1`

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

// Quota counts, in Redis shared by every instance, what WeChat allows an Official Account: the
// customer-service messages per person since their last message, and the daily calls per API.
// A nil *Quota counts nothing and allows everything.
type Quota struct {
	client   redis.UniversalClient
	prefix   string
	limits   map[QuotaAPI]int64
	loc      *time.Location
	log      *slog.Logger
	now      func() time.Time
	used     *prometheus.GaugeVec
	seen     seenCounts
	daily    *redis.Script
	customer *redis.Script
	spend    *redis.Script
}

// NewQuota builds the counters and registers gridbot_wechat_quota_used and _limit.
func NewQuota(client redis.UniversalClient, cfg QuotaConfig) (*Quota, error) {
	if client == nil || cfg.AppID == "" || cfg.Registry == nil {
		return nil, errors.New("wechat quota: needs a Redis client, the AppID and a metrics registry")
	}
	limits := DefaultQuotas()
	for api, n := range cfg.Daily {
		if n > 0 {
			limits[api] = n
		}
	}
	q := &Quota{client: client, prefix: cfg.KeyPrefix + "quota:" + cfg.AppID + ":", limits: limits, loc: cfg.Location,
		log: cfg.Log, now: cfg.Now, daily: redis.NewScript(dailyScript), customer: redis.NewScript(customerScript),
		spend: redis.NewScript(spendScript)}
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

// take runs the daily script and reports its count.
func (q *Quota) take(ctx context.Context, api QuotaAPI, enforce bool) (bool, error) {
	flag := "0"
	if enforce {
		flag = "1"
	}
	n, err := q.daily.Run(ctx, q.client, []string{q.dayKey(api)}, q.limits[api], dayTTL.Milliseconds(), flag).Int64()
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
	res, err := q.customer.Run(ctx, q.client, []string{q.windowKey(openID), q.dayKey(QuotaCustomer)},
		since.UnixMilli(), PerWindow, q.limits[QuotaCustomer], dayTTL.Milliseconds(), windowTTL.Milliseconds()).Int64Slice()
	if err != nil || len(res) != 2 {
		return Allowed, fmt.Errorf("wechat quota customer-service: %w", errors.Join(err, errors.New("unexpected reply")))
	}
	v := Verdict(res[0])
	if v == Allowed {
		q.counted(QuotaCustomer, res[1])
	} else if v == DailySpent {
		q.publish(QuotaCustomer, res[1])
	}
	return v, nil
}

// SpendWindow records that WeChat refused a customer-service message to openID (45047, or 45015
// when the window closed): later notices go as templates until they write again.
func (q *Quota) SpendWindow(ctx context.Context, openID string, since time.Time) error {
	if q == nil {
		return nil
	}
	err := q.spend.Run(ctx, q.client, []string{q.windowKey(openID)}, since.UnixMilli(), PerWindow,
		windowTTL.Milliseconds()).Err()
	if err != nil {
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
