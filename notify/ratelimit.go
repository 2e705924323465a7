package notify

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// limitScript admits one send when both the global window (KEYS[1]) and the recipient's window
// (KEYS[2]) have room, counting it in both, and returns {0, 0}; else it returns the milliseconds
// until the full window ends and which one it is (1 global, 2 recipient). ARGV: global limit,
// global window ms, recipient limit, recipient window ms.
const limitScript = `
local g = tonumber(redis.call("GET", KEYS[1]) or "0")
if g >= tonumber(ARGV[1]) then return {math.max(redis.call("PTTL", KEYS[1]), 1), 1} end
local r = tonumber(redis.call("GET", KEYS[2]) or "0")
if r >= tonumber(ARGV[3]) then return {math.max(redis.call("PTTL", KEYS[2]), 1), 2} end
if redis.call("INCR", KEYS[1]) == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
if redis.call("INCR", KEYS[2]) == 1 then redis.call("PEXPIRE", KEYS[2], ARGV[4]) end
return {0, 0}`

// bookScript books ARGV[1] turns for a recipient whose window (KEYS[1]) is full, after the turns
// already booked. KEYS[2] keeps the booking's tail: the start (Redis time, ms) of the last
// window with turns booked and how many it holds. A tail that ends before the current window
// does is stale and the booking starts afresh when that window ends; a tail window that opens
// before then moves to that time (actual windows start at a first send, so they lag). It
// returns the milliseconds until the window of the first new turn opens and the turns booked
// in that window before it. ARGV: turns, recipient limit, recipient window ms.
const bookScript = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local open = now + math.max(redis.call("PTTL", KEYS[1]), 0)
local start = tonumber(redis.call("HGET", KEYS[2], "start") or "0")
local used = tonumber(redis.call("HGET", KEYS[2], "used") or "0")
if start + window <= open then start, used = open, 0 elseif start < open then start = open end
local last = used + n - 1
local tail = start + math.floor(last / limit) * window
redis.call("HSET", KEYS[2], "start", string.format("%d", tail), "used", last % limit + 1)
redis.call("PEXPIRE", KEYS[2], tail + window - now)
return {start - now, used}`

// Limiter bounds the pace of sends across every instance.
type Limiter interface {
	// Reserve admits one send to recipient now (a zero Wait) or says how long to wait before
	// asking again and which limit refused.
	Reserve(ctx context.Context, recipientID int64) (Verdict, error)
	// Book sets aside n later turns for recipient after its own limit refused a send, after the
	// turns already booked for it, and returns for each how long from now until it is due: at
	// most the recipient's limit of them per window.
	Book(ctx context.Context, recipientID int64, n int) ([]time.Duration, error)
}

// Verdict is a limiter's answer to Reserve: a zero Wait admits the send; else it must wait that
// long, because the global limit is reached when Global is set, else the recipient's.
type Verdict struct {
	Wait   time.Duration
	Global bool
}

// RateConfig sets the shared limits: GRIDBOT_NOTIFY_RATE_GLOBAL sends per GlobalWindow (1s),
// GRIDBOT_NOTIFY_RATE_RECIPIENT sends per RecipientWindow (1m) to one person.
type RateConfig struct {
	Global          int
	GlobalWindow    time.Duration
	PerRecipient    int
	RecipientWindow time.Duration
}

// RedisLimiter is a Limiter with fixed windows counted in Redis, shared by all instances.
type RedisLimiter struct {
	client redis.UniversalClient
	prefix string
	cfg    RateConfig
	script *redis.Script
	book   *redis.Script
}

// NewRedisLimiter returns a limiter keeping its counters under prefix.
func NewRedisLimiter(client redis.UniversalClient, prefix string, cfg RateConfig) *RedisLimiter {
	if cfg.GlobalWindow <= 0 {
		cfg.GlobalWindow = time.Second
	}
	if cfg.RecipientWindow <= 0 {
		cfg.RecipientWindow = time.Minute
	}
	return &RedisLimiter{client: client, prefix: prefix, cfg: cfg, script: redis.NewScript(limitScript),
		book: redis.NewScript(bookScript)}
}

// Reserve admits one send or returns the wait; a limit that is not positive is no limit.
func (l *RedisLimiter) Reserve(ctx context.Context, recipientID int64) (Verdict, error) {
	keys := []string{l.prefix + "rate:global", l.recipientKey(recipientID)}
	res, err := l.script.Run(ctx, l.client, keys, orNoLimit(l.cfg.Global), l.cfg.GlobalWindow.Milliseconds(),
		orNoLimit(l.cfg.PerRecipient), l.cfg.RecipientWindow.Milliseconds()).Int64Slice()
	if err != nil || len(res) != 2 {
		return Verdict{}, fmt.Errorf("rate limit: %w", scriptErr(err, res))
	}
	return Verdict{Wait: time.Duration(res[0]) * time.Millisecond, Global: res[1] == 1}, nil
}

// Book books n turns for recipient in Redis and spreads them over its windows.
func (l *RedisLimiter) Book(ctx context.Context, recipientID int64, n int) ([]time.Duration, error) {
	if n <= 0 {
		return nil, nil
	}
	key := l.recipientKey(recipientID)
	res, err := l.book.Run(ctx, l.client, []string{key, key + ":booked"}, n, orNoLimit(l.cfg.PerRecipient),
		l.cfg.RecipientWindow.Milliseconds()).Int64Slice()
	if err != nil || len(res) != 2 {
		return nil, fmt.Errorf("rate limit booking: %w", scriptErr(err, res))
	}
	return turnDelays(time.Duration(res[0])*time.Millisecond, int(res[1]), orNoLimit(l.cfg.PerRecipient),
		l.cfg.RecipientWindow, n), nil
}

// turnDelays spreads n turns over windows of limit turns each, the first window opening after
// first and already holding skip turns: turn k waits first plus (skip+k)/limit whole windows.
func turnDelays(first time.Duration, skip, limit int, window time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for k := range out {
		out[k] = first + time.Duration((skip+k)/limit)*window
	}
	return out
}

// recipientKey is the key of a recipient's window counter.
func (l *RedisLimiter) recipientKey(recipientID int64) string {
	return l.prefix + "rate:recipient:" + strconv.FormatInt(recipientID, 10)
}

// orNoLimit turns a limit that is not positive into one never reached.
func orNoLimit(limit int) int {
	if limit <= 0 {
		return 1 << 30
	}
	return limit
}

// scriptErr is the error of a script call, or one saying its reply was malformed.
func scriptErr(err error, res []int64) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("unexpected reply %v", res)
}
