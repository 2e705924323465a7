package county

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"gridbot/bot"
	"gridbot/workflow"
)

// Config tunes the cache.
type Config struct {
	Radius float64 // metres: how far outside a grid's boundary a location still belongs to it
	// MaxAge reloads a snapshot this old even under the same generation (default 30 s): changes
	// no instance was told of, such as an import run without a shared Redis.
	MaxAge time.Duration
	// CheckEvery is how often County reads the generation itself (default 1 s); the bot passes
	// the generation it read with its lock instead.
	CheckEvery time.Duration
	// Generation reads the people generation that every change of the county bumps.
	Generation func(ctx context.Context) (string, error)
	// OnError hears of failed reloads; the last good snapshot is served meanwhile.
	OnError func(error)
}

// retryAfter is how long a failed reload waits before the next try.
const retryAfter = time.Second

// Cache holds the county snapshot of one instance: read with one atomic load, swapped for a
// new one built once when the people generation changes (after an import or a binding).
type Cache struct {
	src     Source
	cfg     Config
	cur     atomic.Pointer[held]
	checked atomic.Int64 // unix nanoseconds when the generation was last seen
	reload  sync.Mutex   // one reload at a time; others serve the snapshot held
	retryAt time.Time    // after a failed reload; guarded by reload
}

// held is a snapshot and when it was loaded.
type held struct {
	snap   *Snapshot
	loaded time.Time // zero when invalidated
}

// New loads the first snapshot; a failure here is an error.
func New(ctx context.Context, src Source, cfg Config) (*Cache, error) {
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 30 * time.Second
	}
	if cfg.CheckEvery <= 0 {
		cfg.CheckEvery = time.Second
	}
	c := &Cache{src: src, cfg: cfg}
	gen, err := cfg.Generation(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := Load(ctx, src, gen, cfg.Radius)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	c.cur.Store(&held{snap: snap, loaded: now})
	c.checked.Store(now.UnixNano())
	return c, nil
}

// Snapshot returns the snapshot held now, without checking the generation.
func (c *Cache) Snapshot() *Snapshot { return c.cur.Load().snap }

// At returns the snapshot of the generation gen just read from Redis, loading it first when gen
// is newer than the one held or the snapshot is older than MaxAge.
func (c *Cache) At(ctx context.Context, gen string) *Snapshot {
	now := time.Now()
	c.checked.Store(now.UnixNano())
	h := c.cur.Load()
	if !c.stale(h, gen, now) {
		return h.snap
	}
	return c.refresh(ctx, gen)
}

// Current returns the snapshot, reading the generation first when it was last seen over
// CheckEvery ago (for callers outside a conversation: supervision, the API).
func (c *Cache) Current(ctx context.Context) *Snapshot {
	now := time.Now()
	h := c.cur.Load()
	if now.UnixNano()-c.checked.Load() < int64(c.cfg.CheckEvery) && now.Sub(h.loaded) < c.cfg.MaxAge {
		return h.snap
	}
	gen, err := c.cfg.Generation(ctx)
	if err != nil {
		c.fail(err)
		gen = h.snap.Gen // reload only if too old
	}
	return c.At(ctx, gen)
}

// Invalidate makes the next read reload the snapshot (after a binding on this instance).
func (c *Cache) Invalidate() {
	h := *c.cur.Load()
	h.loaded = time.Time{}
	c.cur.Store(&h)
}

// Catalogue is the bot's catalogue held now (bot.Counties).
func (c *Cache) Catalogue() *bot.Catalogue { return c.Snapshot().Catalogue }

// CatalogueAt is the bot's catalogue of the generation gen (bot.Counties).
func (c *Cache) CatalogueAt(ctx context.Context, gen string) *bot.Catalogue {
	return c.At(ctx, gen).Catalogue
}

// County is the workflow's county, checked against the generation at most once per CheckEvery.
func (c *Cache) County() workflow.County { return c.Current(context.Background()).County }

// stale reports whether h must be loaded again for the generation gen.
func (c *Cache) stale(h *held, gen string, now time.Time) bool {
	return newer(gen, h.snap.Gen) || now.Sub(h.loaded) >= c.cfg.MaxAge
}

// newer reports whether generation a comes after b. Generations count up from "" (none yet); a
// turn that read the generation just before it changed must not bring back the older snapshot.
func newer(a, b string) bool {
	if a == b {
		return false
	}
	x, errA := generationNumber(a)
	y, errB := generationNumber(b)
	if errA != nil || errB != nil {
		return true
	}
	return x > y
}

// generationNumber reads a generation: "" is 0, before the first change.
func generationNumber(gen string) (int64, error) {
	if gen == "" {
		return 0, nil
	}
	return strconv.ParseInt(gen, 10, 64)
}

// refresh loads the snapshot of gen, unless the last attempt failed under retryAfter ago. A
// newer generation waits for a reload under way, so that a turn that saw it never uses an older
// county; a reload for age alone is left to whoever started one, the snapshot held served meanwhile.
func (c *Cache) refresh(ctx context.Context, gen string) *Snapshot {
	if newer(gen, c.Snapshot().Gen) {
		c.reload.Lock()
	} else if !c.reload.TryLock() {
		return c.Snapshot()
	}
	defer c.reload.Unlock()
	now := time.Now()
	h := c.cur.Load()
	if !c.stale(h, gen, now) || now.Before(c.retryAt) {
		return h.snap
	}
	if !newer(gen, h.snap.Gen) {
		gen = h.snap.Gen // reloaded for its age: keep the newest generation seen
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	snap, err := Load(ctx, c.src, gen, c.cfg.Radius)
	if err != nil {
		c.retryAt = now.Add(retryAfter)
		c.fail(err)
		return h.snap
	}
	c.cur.Store(&held{snap: snap, loaded: now})
	return snap
}

// fail reports an error to OnError, if set.
func (c *Cache) fail(err error) {
	if c.cfg.OnError != nil {
		c.cfg.OnError(err)
	}
}
