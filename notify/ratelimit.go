package notify

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// limitScript admits one send when both the global window (KEYS[1]) and the recipient's window
// (KEYS[2]) have room, counting it in both; else it returns the milliseconds until the full
// window ends. ARGV: global limit, global window ms, recipient limit, recipient window ms.
const limitScript = `
local g = tonumber(redis.call("GET", KEYS[1]) or "0")
if g >= tonumber(ARGV[1]) then return math.max(redis.call("PTTL", KEYS[1]), 1) end
local r = tonumber(redis.call("GET", KEYS[2]) or "0")
if r >= tonumber(ARGV[3]) then return math.max(redis.call("PTTL", KEYS[2]), 1) end
if redis.call("INCR", KEYS[1]) == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
if redis.call("INCR", KEYS[2]) == 1 then redis.call("PEXPIRE", KEYS[2], ARGV[4]) end
return 0`

// Limiter bounds the pace of sends across every instance.
type Limiter interface {
	// Reserve admits one send to recipient now (0) or says how long to wait before asking again.
	Reserve(ctx context.Context, recipientID int64) (time.Duration, error)
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
}

// NewRedisLimiter returns a limiter keeping its counters under prefix.
func NewRedisLimiter(client redis.UniversalClient, prefix string, cfg RateConfig) *RedisLimiter {
	if cfg.GlobalWindow <= 0 {
		cfg.GlobalWindow = time.Second
	}
	if cfg.RecipientWindow <= 0 {
		cfg.RecipientWindow = time.Minute
	}
	return &RedisLimiter{client: client, prefix: prefix, cfg: cfg, script: redis.NewScript(limitScript)}
}

// Reserve admits one send or returns the wait; a limit that is not positive is no limit.
func (l *RedisLimiter) Reserve(ctx context.Context, recipientID int64) (time.Duration, error) {
	global, per := l.cfg.Global, l.cfg.PerRecipient
	if global <= 0 {
		global = 1 << 30
	}
	if per <= 0 {
		per = 1 << 30
	}
	keys := []string{l.prefix + "rate:global", l.prefix + "rate:recipient:" + strconv.FormatInt(recipientID, 10)}
	ms, err := l.script.Run(ctx, l.client, keys, global, l.cfg.GlobalWindow.Milliseconds(),
		per, l.cfg.RecipientWindow.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("rate limit: %w", err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}
