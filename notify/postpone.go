package notify

import (
	"context"
	"time"

	"gridbot/models"
	"gridbot/store"
)

// A rate limit that refuses for long holds back more than the intent it refused: the global limit
// every intent left in the batch, a recipient's limit that person's other intents. Asking the
// limiter again for each would only be refused again, and deferring each with its own statement
// costs a database round trip per intent; a recipient's backlog deferred to one window end
// would also come due all at once and be claimed and deferred again. So the held intents are
// deferred together in one statement, a recipient's spread over the turns the limiter books for
// it (at most its limit per window), so that each later claim finds mostly intents it may send.

// heldBack splits the intents left in a batch, the refused one first, into those a refusal holds
// back (all of them for the global limit, else the refused recipient's) and the rest, in order.
func heldBack(left []models.Intent, v Verdict) (held, rest []models.Intent) {
	if v.Global {
		return left, nil
	}
	for _, in := range left {
		if in.RecipientID == left[0].RecipientID {
			held = append(held, in)
		} else {
			rest = append(rest, in)
		}
	}
	return held, rest
}

// postpone defers held intents in one statement, each at its turn (see delays), without an
// attempt counted, and counts them as deferred.
func (d *Dispatcher) postpone(ctx context.Context, held []models.Intent, v Verdict, later *deferrals) {
	waits := d.delays(ctx, held, v)
	now := d.now()
	for i, in := range held {
		later.ds = append(later.ds, store.Deferral{ID: in.ID, Next: now.Add(waits[i])})
		later.kinds = append(later.kinds, in.Kind)
	}
}

// deferrals collects a batch's postponed intents: they are handed back together, in one
// statement, when the batch ends (they stay claimed until then, which sends nothing).
type deferrals struct {
	ds    []store.Deferral
	kinds []string // each deferral's notice kind, counted once it is handed back
}

// flushDeferrals hands back a batch's postponed intents in one statement.
func (d *Dispatcher) flushDeferrals(later *deferrals) {
	if len(later.ds) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(d.run), d.cfg.SendTimeout)
	defer cancel()
	if err := d.store.DeferIntents(ctx, d.cfg.Owner, later.ds); err != nil {
		d.log.Warn("defer notifications", "count", len(later.ds), "intent_id", later.ds[0].ID, "err", err)
	}
	for _, kind := range later.kinds {
		d.outcomes.WithLabelValues(kind, outcomeDeferred).Inc()
	}
	later.ds, later.kinds = nil, nil
}

// delays says how long each held intent waits: a recipient's intents the turns booked with the
// limiter; under the global limit, or when booking fails, all until the full window ends.
func (d *Dispatcher) delays(ctx context.Context, held []models.Intent, v Verdict) []time.Duration {
	if !v.Global {
		waits, err := d.limiter.Book(ctx, held[0].RecipientID, len(held))
		if err == nil && len(waits) == len(held) {
			return waits
		}
		d.log.Warn("book rate-limit turns", "count", len(held), "booked", len(waits), "intent_id", held[0].ID, "err", err)
	}
	waits := make([]time.Duration, len(held))
	for i := range waits {
		waits[i] = v.Wait
	}
	return waits
}
