package notify

import (
	"context"
	"slices"
	"time"

	"gridbot/models"
	"gridbot/store"
)

// A notice takes one turn under its recipient's rate limit. The workflow books it when it
// writes the notice (Pace), and the notice is written due at its turn; a notice written without
// one (the limiter could not be reached, or it went straight into the outbox) books it when it
// is first claimed and, unless its turn is now, goes back due at it. A flood of notices to one
// person is so spread over their windows once, when it is written, instead of each notice being
// claimed and deferred again. The global limit is asked before each send; a long refusal defers
// the rest of the batch in one statement.

// Pace books the turns of new intents and makes each one due at its turn, paced. When the
// limiter cannot be reached they stay as they are and take their turns when claimed.
func (d *Dispatcher) Pace(ctx context.Context, intents []models.Intent) {
	if d.limiter == nil || len(intents) == 0 {
		return
	}
	waits, err := d.turns(ctx, intents)
	if err != nil {
		d.log.Warn("book rate-limit turns of new notifications", "count", len(intents), "err", err)
		return
	}
	now := d.now()
	for i := range intents {
		intents[i].Paced = true
		if waits[i] > 0 {
			intents[i].NextAttemptAt = now.Add(waits[i])
		}
	}
}

// turns books one turn for each intent with the limiter.
func (d *Dispatcher) turns(ctx context.Context, intents []models.Intent) ([]time.Duration, error) {
	ids := make([]int64, len(intents))
	for i, in := range intents {
		ids[i] = in.RecipientID
	}
	return d.limiter.Turns(ctx, ids)
}

// paceClaimed books turns for the claimed intents not paced yet; those whose turn is later go
// back due at it (with the batch's deferrals) and are left out of the batch returned, so that
// every intent attempted has its turn. When the limiter cannot be reached they go back as they
// were, due at once, and wait for it.
func (d *Dispatcher) paceClaimed(batch []models.Intent, later *deferrals) []models.Intent {
	var unpaced []models.Intent
	for _, in := range batch {
		if !in.Paced {
			unpaced = append(unpaced, in)
		}
	}
	if d.limiter == nil || len(unpaced) == 0 {
		return batch
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(d.run), d.cfg.SendTimeout)
	defer cancel()
	waits, err := d.turns(ctx, unpaced)
	if err != nil {
		d.log.Warn("book rate-limit turns", "count", len(unpaced), "intent_id", unpaced[0].ID, "err", err)
		d.release(unpaced)
		return slices.DeleteFunc(slices.Clone(batch), func(in models.Intent) bool { return !in.Paced })
	}
	wait := make(map[int64]time.Duration, len(unpaced))
	for i, in := range unpaced {
		wait[in.ID] = waits[i]
	}
	now := d.now()
	kept := make([]models.Intent, 0, len(batch))
	for _, in := range batch {
		if w := wait[in.ID]; w > 0 {
			later.add(in, now.Add(w))
		} else {
			kept = append(kept, in)
		}
	}
	return kept
}

// deferrals collects a batch's postponed intents: they are handed back together, in one
// statement, when the batch ends (they stay claimed until then, which sends nothing).
type deferrals struct {
	ds    []store.Deferral
	kinds []string // each deferral's notice kind, counted once it is handed back
	claim string   // the claim that holds them: a batch's intents come from one claim
}

// add postpones one intent until next.
func (l *deferrals) add(in models.Intent, next time.Time) {
	l.claim = in.Claim
	l.ds = append(l.ds, store.Deferral{ID: in.ID, Next: next})
	l.kinds = append(l.kinds, in.Kind)
}

// flushDeferrals hands back a batch's postponed intents in one statement.
func (d *Dispatcher) flushDeferrals(later *deferrals) {
	if len(later.ds) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(d.run), d.cfg.SendTimeout)
	defer cancel()
	if err := d.store.DeferIntents(ctx, later.claim, later.ds); err != nil {
		d.log.Warn("defer notifications", "count", len(later.ds), "intent_id", later.ds[0].ID, "err", err)
	}
	for _, kind := range later.kinds {
		d.outcomes.WithLabelValues(kind, outcomeDeferred).Inc()
	}
	later.ds, later.kinds = nil, nil
}
