package inbox

import (
	"context"
	"errors"
	"time"

	"gridbot/batch"
	"gridbot/models"
)

// writer stores inbound messages durably in batches: a request hands its message over and waits
// for the commit. Whatever arrives while a batch is being written goes into the next one, so a
// burst of callbacks costs a few commits instead of one each, and a lone message waits for no
// timer.
type writer struct {
	store   Store
	loop    *batch.Loop[*write]
	batches int // most batches queued or in flight at once, which bounds close
}

// write is one message waiting to be stored.
type write struct {
	msg  models.Inbound
	done chan struct{}
	res  models.InboxAdded
	err  error
}

// writeTimeout bounds one batch's statement.
const writeTimeout = 10 * time.Second

// linger is how long a batch that is still small waits for more messages: a commit costs the
// database far more than a message's share of the statement, and the wait is short next to it.
const (
	linger      = time.Millisecond
	lingerBelow = 8
)

// newWriter builds n batch writers storing up to max messages per statement; start runs them.
func newWriter(st Store, n, max int) *writer {
	w := &writer{store: st, batches: 4 + n}
	w.loop = batch.New(batch.Config{Max: max, Wait: linger, Enough: lingerBelow, Queue: 4 * max, Workers: n},
		w.writeBatch)
	return w
}

// start runs the batch writers.
func (w *writer) start() { w.loop.Start() }

// add stores a message and returns what the store found; an error means it was not stored.
func (w *writer) add(ctx context.Context, msg models.Inbound) (models.InboxAdded, error) {
	wr := &write{msg: msg, done: make(chan struct{})}
	if err := w.loop.Add(ctx, wr); err != nil {
		if errors.Is(err, batch.ErrClosed) {
			return models.InboxAdded{}, models.Errorf(models.EUnavailable, "inbox is shutting down")
		}
		return models.InboxAdded{}, models.WrapError(models.EUnavailable, err, "inbox busy")
	}
	<-wr.done // once queued, a message is written (or fails) even if the request goes away
	return wr.res, wr.err
}

// close stops the writers after they wrote what is queued: each batch takes at most two
// writeTimeouts (its statement and its split).
func (w *writer) close() { w.loop.Close(time.Duration(w.batches) * 2 * writeTimeout) }

// writeBatch stores a batch and hands each request its result.
func (w *writer) writeBatch(batch []*write) {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	err := w.storeBatch(ctx, batch)
	cancel()
	if err != nil && len(batch) > 1 && splittable(err) {
		// One message the database refuses must not fail the others: store the halves apart,
		// all within one more timeout.
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		w.split(ctx, batch)
		cancel()
	}
	for _, wr := range batch {
		close(wr.done)
	}
}

// storeBatch stores a batch in one call and sets each write's result; an error is the batch's.
func (w *writer) storeBatch(ctx context.Context, batch []*write) error {
	msgs := make([]models.Inbound, len(batch))
	for i, wr := range batch {
		msgs[i] = wr.msg
	}
	res, err := w.store.AddInboundBatch(ctx, msgs)
	for i, wr := range batch {
		switch {
		case err != nil:
			wr.err = err
		case res[i].Err != nil:
			wr.err = res[i].Err
		default:
			wr.res, wr.err = res[i], nil
		}
	}
	return err
}

// split stores a failed batch in halves, and those that fail in halves again, until the
// messages the database refuses are alone; each write keeps the result of its last attempt.
func (w *writer) split(ctx context.Context, batch []*write) {
	half := len(batch) / 2
	for _, part := range [][]*write{batch[:half], batch[half:]} {
		if err := w.storeBatch(ctx, part); err != nil && len(part) > 1 && splittable(err) && ctx.Err() == nil {
			w.split(ctx, part)
		}
	}
}

// splittable reports whether a failed batch may succeed in parts: not when the database or the
// time is gone, which fails every part alike.
func splittable(err error) bool {
	return models.ErrorCodeOf(err) != models.EUnavailable && !errors.Is(err, context.DeadlineExceeded) &&
		!errors.Is(err, context.Canceled)
}
