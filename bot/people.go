package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"gridbot/models"
)

// Who is writing is read from the database once and then kept in Redis beside the conversation,
// fetched in the round trip that takes the person's lock. Every cached person carries the
// people generation it was read under; anything that changes people (a binding, an unsubscribe,
// a refusal seen by the notifier, an import of the deployment file) bumps the generation, which
// retires every cached person at once, on every instance.

// personTTL bounds how long a cached person is used without reading the database again.
const personTTL = 10 * time.Minute

// refreshEvery is how often the time of a citizen's last message is written to the database
// (it decides whether customer-service messages may still be sent to them).
const refreshEvery = time.Minute

// cachedPerson is a person as kept in Redis, with the generation it was read under.
type cachedPerson struct {
	Gen    string        `json:"gen"`
	Person models.Person `json:"person"`
}

// cachedIdentity returns the person cached for the turn's sender when it is still current.
func (b *Bot) cachedIdentity(h *held, channel models.Channel, at time.Time) (models.Person, bool) {
	if h == nil || h.Person == nil {
		return models.Person{}, false
	}
	c, ok := b.decoded.get(h.Person)
	if !ok {
		if err := json.Unmarshal(h.Person, &c); err != nil {
			return models.Person{}, false
		}
		b.decoded.put(h.Person, c)
	}
	if c.Gen != h.Gen {
		return models.Person{}, false
	}
	p := c.Person
	if channel != models.ChannelWeCom && (p.Unreachable || at.Sub(p.LastInboundAt) >= refreshEvery) {
		return models.Person{}, false // the database records this message's time
	}
	return p, true
}

// decodedPeople remembers cached people as decoded, by their cached bytes: someone writing
// again finds the same bytes in Redis until their cached copy changes, and is not decoded
// again. It forgets everything when it holds maxDecoded of them.
type decodedPeople struct {
	mu sync.Mutex
	m  map[string]cachedPerson
}

// maxDecoded bounds the decoded people kept in memory.
const maxDecoded = 10000

// get returns the person decoded from raw before, if any.
func (d *decodedPeople) get(raw []byte) (cachedPerson, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.m[string(raw)]
	return c, ok
}

// put remembers the person decoded from raw.
func (d *decodedPeople) put(raw []byte, c cachedPerson) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil || len(d.m) >= maxDecoded {
		d.m = make(map[string]cachedPerson)
	}
	d.m[string(raw)] = c
}

// remember queues a person read from the database to be cached when the turn releases its lock.
func (h *held) remember(p models.Person) {
	if h == nil {
		return
	}
	raw, err := json.Marshal(cachedPerson{Gen: h.Gen, Person: p})
	if err == nil {
		h.toCache = raw
	}
}

// PeopleChanged retires cached people after the bot changed one; a failure is logged, and the
// cached copies expire by themselves.
func (b *Bot) PeopleChanged(ctx context.Context) {
	if h := heldFromContext(ctx); h != nil {
		h.toCache = nil
	}
	retirePeople(ctx, b.state.ForgetPeople, b.log)
}

// PeopleRetirer returns what retires every instance's cached people after a change made outside
// a conversation (the notifier marking a person unreachable) with forget (e.g.
// shared.ForgetPeople), logging a failure as PeopleChanged.
func PeopleRetirer(forget func(ctx context.Context) error, log *slog.Logger) func(ctx context.Context) {
	return func(ctx context.Context) { retirePeople(ctx, forget, log) }
}

// retirePeople bumps the people generation with forget, even for a cancelled ctx, and logs a failure.
func retirePeople(ctx context.Context, forget func(ctx context.Context) error, log *slog.Logger) {
	if err := forget(context.WithoutCancel(ctx)); err != nil {
		log.WarnContext(ctx, "could not retire cached people", "err", err)
	}
}
