package inbox

import (
	"context"
	"errors"
	"sync"
	"time"

	"gridbot/models"
)

// writer stores inbound messages durably in batches: a request hands its message over and waits
// for the commit. Whatever arrives while a batch is being written goes into the next one, so a
// burst of callbacks costs a few commits instead of one each, and a lone message waits for no
// timer.
type writer struct {
	store   Store
	queue   chan *write
	stop    chan struct{}
	stopped chan struct{}
	max     int
	mu      sync.RWMutex // held for reading while queueing, for writing by close
	closed  bool
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

// newWriter starts n batch writers storing up to max messages per statement.
func newWriter(st Store, n, max int) *writer {
	w := &writer{store: st, queue: make(chan *write, 4*max), stop: make(chan struct{}),
		stopped: make(chan struct{}), max: max}
	done := make(chan struct{}, n)
	for range n {
		go func() {
			w.loop()
			done <- struct{}{}
		}()
	}
	go func() {
		for range n {
			<-done
		}
		close(w.stopped)
	}()
	return w
}

// add stores a message and returns what the store found; an error means it was not stored.
func (w *writer) add(ctx context.Context, msg models.Inbound) (models.InboxAdded, error) {
	wr := &write{msg: msg, done: make(chan struct{})}
	if err := w.enqueue(ctx, wr); err != nil {
		return models.InboxAdded{}, err
	}
	<-wr.done // once queued, a message is written (or fails) even if the request goes away
	return wr.res, wr.err
}

// enqueue queues a write unless the writer is closed or the request gave up first.
func (w *writer) enqueue(ctx context.Context, wr *write) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return models.Errorf(models.EUnavailable, "inbox is shutting down")
	}
	select {
	case w.queue <- wr:
		return nil
	case <-ctx.Done():
		return models.WrapError(models.EUnavailable, ctx.Err(), "inbox busy")
	}
}

// close stops the writers after they wrote what is queued.
func (w *writer) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	close(w.stop)
	<-w.stopped
}

// loop writes batches until close, then drains the queue.
func (w *writer) loop() {
	for {
		select {
		case first := <-w.queue:
			w.writeBatch(w.collect(first))
		case <-w.stop:
			for {
				select {
				case first := <-w.queue:
					w.writeBatch(w.collect(first))
				default:
					return
				}
			}
		}
	}
}

// linger is how long a batch that is still small waits for more messages: a commit costs the
// database far more than a message's share of the statement, and the wait is short next to it.
const (
	linger      = time.Millisecond
	lingerBelow = 8
)

// collect takes what is queued behind first, up to the batch size; a batch of fewer than
// lingerBelow waits up to linger for more.
func (w *writer) collect(first *write) []*write {
	batch := []*write{first}
	var timeout <-chan time.Time
	for len(batch) < w.max {
		select {
		case next := <-w.queue:
			batch = append(batch, next)
			continue
		default:
		}
		if len(batch) >= lingerBelow {
			return batch
		}
		if timeout == nil {
			timer := time.NewTimer(linger)
			defer timer.Stop()
			timeout = timer.C
		}
		select {
		case next := <-w.queue:
			batch = append(batch, next)
		case <-timeout:
			return batch
		}
	}
	return batch
}

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
