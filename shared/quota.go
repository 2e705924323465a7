package shared

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
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

// QuotaCounter keeps the counts of WeChat's quotas in Redis, shared by all instances, each in one
// script call (wechat.Counter); wechat.Quota holds the limits and what they mean.
type QuotaCounter struct {
	client   redis.UniversalClient
	daily    *redis.Script
	customer *redis.Script
	spend    *redis.Script
}

// NewQuotaCounter returns a counter in client.
func NewQuotaCounter(client redis.UniversalClient) *QuotaCounter {
	return &QuotaCounter{client: client, daily: redis.NewScript(dailyScript), customer: redis.NewScript(customerScript),
		spend: redis.NewScript(spendScript)}
}

// Daily counts one call under key and returns the count, or, when enforce is set and the count
// has reached limit, counts nothing and returns minus the count.
func (c *QuotaCounter) Daily(ctx context.Context, key string, limit int64, ttl time.Duration, enforce bool) (int64, error) {
	flag := "0"
	if enforce {
		flag = "1"
	}
	return c.daily.Run(ctx, c.client, []string{key}, limit, ttl.Milliseconds(), flag).Int64()
}

// Customer counts one customer-service message in a person's window and in today's count, and
// returns the verdict (0 counted, 1 window spent, 2 daily limit reached) and today's count.
func (c *QuotaCounter) Customer(ctx context.Context, window, day string, since time.Time, perWindow int, dailyLimit int64,
	dayTTL, windowTTL time.Duration) (verdict, used int64, err error) {
	res, err := c.customer.Run(ctx, c.client, []string{window, day}, since.UnixMilli(), perWindow, dailyLimit,
		dayTTL.Milliseconds(), windowTTL.Milliseconds()).Int64Slice()
	if err != nil || len(res) != 2 {
		return 0, 0, errors.Join(err, errors.New("unexpected reply"))
	}
	return res[0], res[1], nil
}

// Spend marks a person's window as spent unless a message later than since began a new one.
func (c *QuotaCounter) Spend(ctx context.Context, window string, since time.Time, perWindow int, windowTTL time.Duration) error {
	return c.spend.Run(ctx, c.client, []string{window}, since.UnixMilli(), perWindow, windowTTL.Milliseconds()).Err()
}
