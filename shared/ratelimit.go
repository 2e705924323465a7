package shared

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// globalScript admits one send when the global window (KEYS[1]) has room, counting it, and
// returns 0; else it returns the milliseconds until the window ends. ARGV: limit, window ms.
const globalScript = `
if tonumber(redis.call("GET", KEYS[1]) or "0") >= tonumber(ARGV[1]) then
  return math.max(redis.call("PTTL", KEYS[1]), 1)
end
if redis.call("INCR", KEYS[1]) == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0`

// turnsScript books turns for recipients, ARGV[2+i] of them for the recipient whose schedule
// is KEYS[i], and returns the milliseconds until each turn, in order. A schedule keeps its last
// window with turns booked: its start (Redis time, ms) and how many turns it holds. Turns fill
// that window up to the limit, then the windows after it; a window that has ended starts
// afresh at the current time. ARGV: limit, window ms, then the counts.
const turnsScript = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {}
for i, key in ipairs(KEYS) do
  local n = tonumber(ARGV[2 + i])
  local start = tonumber(redis.call("HGET", key, "start") or "0")
  local used = tonumber(redis.call("HGET", key, "used") or "0")
  if start + window <= now then start, used = now, 0 end
  for k = 0, n - 1 do
    out[#out + 1] = math.max(start + math.floor((used + k) / limit) * window - now, 0)
  end
  local last = used + n - 1
  local tail = start + math.floor(last / limit) * window
  redis.call("HSET", key, "start", string.format("%d", tail), "used", last % limit + 1)
  redis.call("PEXPIRE", key, tail + window - now)
end
return out`

// RateConfig sets the shared limits: GRIDBOT_NOTIFY_RATE_GLOBAL sends per GlobalWindow (1s),
// GRIDBOT_NOTIFY_RATE_PER_PERSON sends per RecipientWindow (1m) to one person.
type RateConfig struct {
	Global          int
	GlobalWindow    time.Duration
	PerRecipient    int
	RecipientWindow time.Duration
	// Batch books turns in these shared pipelines (the bot's), which a new case's notices are
	// booked in as it is written, instead of a round trip of their own; nil: their own.
	Batch *Batcher
}

// RateLimiter paces sends with fixed windows counted in Redis, shared by all instances: each
// send is admitted under the global limit, each notice takes a turn under its recipient's limit.
// It is notify's Limiter.
type RateLimiter struct {
	client redis.UniversalClient
	prefix string
	cfg    RateConfig
	global *redis.Script
	turns  *redis.Script
	batch  *Batcher // nil: a round trip of its own for each call
}

// NewRateLimiter returns a limiter keeping its counters under prefix.
func NewRateLimiter(client redis.UniversalClient, prefix string, cfg RateConfig) *RateLimiter {
	if cfg.GlobalWindow <= 0 {
		cfg.GlobalWindow = time.Second
	}
	if cfg.RecipientWindow <= 0 {
		cfg.RecipientWindow = time.Minute
	}
	return &RateLimiter{client: client, prefix: prefix, cfg: cfg, global: redis.NewScript(globalScript),
		turns: redis.NewScript(turnsScript), batch: cfg.Batch}
}

// Reserve admits one send under the global limit or returns the wait; a limit that is not
// positive is no limit.
func (l *RateLimiter) Reserve(ctx context.Context) (time.Duration, error) {
	if l.cfg.Global <= 0 {
		return 0, nil
	}
	ms, err := l.global.Run(ctx, l.client, []string{l.prefix + "rate:global"}, l.cfg.Global,
		l.cfg.GlobalWindow.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("rate limit: %w", err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// Turns books the recipients' turns in one script call; without a per-person limit every turn
// is now.
func (l *RateLimiter) Turns(ctx context.Context, recipients []int64) ([]time.Duration, error) {
	if len(recipients) == 0 || l.cfg.PerRecipient <= 0 {
		return make([]time.Duration, len(recipients)), nil
	}
	order, counts := tally(recipients)
	keys := make([]string, len(order))
	args := []any{l.cfg.PerRecipient, l.cfg.RecipientWindow.Milliseconds()}
	for i, r := range order {
		keys[i] = l.scheduleKey(r)
		args = append(args, counts[r])
	}
	res, err := l.runTurns(ctx, keys, args).Int64Slice()
	if err != nil || len(res) != len(recipients) {
		return nil, fmt.Errorf("rate limit turns: %w", scriptErr(err, res))
	}
	return spreadBack(recipients, order, counts, res), nil
}

// runTurns runs the turns script, in a shared pipeline when there is one: by its hash, loading
// it on its own when Redis does not have it yet.
func (l *RateLimiter) runTurns(ctx context.Context, keys []string, args []any) *redis.Cmd {
	if l.batch == nil {
		return l.turns.Run(ctx, l.client, keys, args...)
	}
	var cmd *redis.Cmd
	l.batch.Do(func(pipe redis.Pipeliner) { cmd = l.turns.EvalSha(ctx, pipe, keys, args...) })
	if redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
		return l.turns.Run(ctx, l.client, keys, args...)
	}
	return cmd
}

// tally returns the distinct ids in the order each first appears, and how often each appears.
func tally(ids []int64) ([]int64, map[int64]int) {
	counts := map[int64]int{}
	var order []int64
	for _, id := range ids {
		if counts[id] == 0 {
			order = append(order, id)
		}
		counts[id]++
	}
	return order, counts
}

// spreadBack maps the script's answer (each recipient's turns together, recipients in order)
// back onto recipients as given: the k-th entry of a recipient gets its k-th turn.
func spreadBack(recipients, order []int64, counts map[int64]int, ms []int64) []time.Duration {
	next := make(map[int64]int, len(order))
	at := 0
	for _, r := range order {
		next[r] = at
		at += counts[r]
	}
	out := make([]time.Duration, len(recipients))
	for i, r := range recipients {
		out[i] = time.Duration(ms[next[r]]) * time.Millisecond
		next[r]++
	}
	return out
}

// scheduleKey is the key of a recipient's booked turns.
func (l *RateLimiter) scheduleKey(recipientID int64) string {
	return l.prefix + "rate:turns:" + strconv.FormatInt(recipientID, 10)
}

// scriptErr is the error of a script call, or one saying its reply was malformed.
func scriptErr(err error, res []int64) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("unexpected reply %v", res)
}
