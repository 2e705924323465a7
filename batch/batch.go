// Package batch groups items that concurrent callers add into batches handed to one flush
// function, with one discipline: New builds, Start runs the loops, Close flushes what is queued
// and stops. It imports nothing of ours.
package batch

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrClosed is returned by Add after Close.
var ErrClosed = errors.New("batch: closed")

// Config sets a loop's batch size, its wait for more items, its queue and its workers.
type Config struct {
	Max     int           // most items per batch
	Wait    time.Duration // how long a batch smaller than Enough waits, from its first item, for more
	Enough  int           // a batch this large goes without waiting; 0 means Max
	Queue   int           // items queued before Add blocks; 0 means Max
	Workers int           // loops flushing batches concurrently; 0 means 1
}

// Loop batches items of type T: what is queued behind a batch's first item goes with it, up to
// Max, and a batch below Enough waits up to Wait for more. Each worker reuses its batch slice,
// so flush must not keep the slice after it returns.
type Loop[T any] struct {
	cfg     Config
	flush   func([]T)
	queue   chan T
	mu      sync.RWMutex // held for reading while queueing, for writing by Close
	closed  bool
	started bool
	wg      sync.WaitGroup
}

// New returns a loop that hands batches to flush; it starts nothing.
func New[T any](cfg Config, flush func([]T)) *Loop[T] {
	cfg.Max = max(cfg.Max, 1)
	if cfg.Enough <= 0 || cfg.Enough > cfg.Max {
		cfg.Enough = cfg.Max
	}
	if cfg.Queue <= 0 {
		cfg.Queue = cfg.Max
	}
	cfg.Workers = max(cfg.Workers, 1)
	return &Loop[T]{cfg: cfg, flush: flush, queue: make(chan T, cfg.Queue)}
}

// Start runs the workers until Close; a second call does nothing.
func (l *Loop[T]) Start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started || l.closed {
		return
	}
	l.started = true
	for range l.cfg.Workers {
		l.wg.Go(l.run)
	}
}

// Add queues an item, blocking while the queue is full; it returns ErrClosed after Close, or
// ctx's error when ctx is done first.
func (l *Loop[T]) Add(ctx context.Context, item T) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return ErrClosed
	}
	select {
	case l.queue <- item:
		return nil
	default:
	}
	select {
	case l.queue <- item:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close refuses new items, flushes what is queued and waits up to timeout for the workers to
// finish; it reports whether they did. Without Start it flushes the queue itself.
func (l *Loop[T]) Close(timeout time.Duration) bool {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return l.wait(timeout)
	}
	l.closed = true
	close(l.queue)
	started := l.started
	l.mu.Unlock()
	if !started {
		l.run()
		return true
	}
	return l.wait(timeout)
}

// wait waits up to timeout for the workers to stop.
func (l *Loop[T]) wait(timeout time.Duration) bool {
	done := make(chan struct{})
	go func() {
		l.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// run flushes batches until the queue is closed and empty.
func (l *Loop[T]) run() {
	batch := make([]T, 0, l.cfg.Max)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for first := range l.queue {
		batch = append(batch[:0], first)
		open := l.collect(&batch, timer)
		l.flush(batch)
		clear(batch) // drop references to flushed items
		batch = batch[:0]
		if !open {
			break
		}
	}
}

// collect adds to batch what is queued, up to Max; a batch below Enough waits up to Wait from
// now for more. It returns false once the queue is closed and empty.
func (l *Loop[T]) collect(batch *[]T, timer *time.Timer) bool {
	var timeout <-chan time.Time
	defer timer.Stop()
	for len(*batch) < l.cfg.Max {
		select {
		case next, ok := <-l.queue:
			if !ok {
				return false
			}
			*batch = append(*batch, next)
			continue
		default:
		}
		if len(*batch) >= l.cfg.Enough || l.cfg.Wait <= 0 {
			return true
		}
		if timeout == nil {
			timer.Reset(l.cfg.Wait)
			timeout = timer.C
		}
		select {
		case next, ok := <-l.queue:
			if !ok {
				return false
			}
			*batch = append(*batch, next)
		case <-timeout:
			return true
		}
	}
	return true
}
