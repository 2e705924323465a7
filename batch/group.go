package batch

import "sync"

// Group runs the items of concurrent callers in shared batches without a goroutine of its own:
// what callers queue while one batch is being flushed goes out together in the next, and a lone
// caller waits for no timer. The first caller to find no batch in flight flushes, then hands
// the turn to a caller still waiting. There is nothing to start or close.
type Group[T any] struct {
	flush   func([]T)
	mu      sync.Mutex
	items   []T         // queued for the next batch
	waits   []chan bool // each queued caller's signal: true takes the turn, false is done
	spare   []T         // the last batch's slice, reused for the next queue
	spareW  []chan bool
	running bool
}

// NewGroup returns a group that hands each batch to flush; flush must not keep the slice.
func NewGroup[T any](flush func([]T)) *Group[T] {
	return &Group[T]{flush: flush}
}

// Do queues item on the next batch and returns once that batch was flushed.
func (g *Group[T]) Do(item T) {
	signal := make(chan bool, 1) // holds at most one signal at a time
	g.mu.Lock()
	g.items = append(g.items, item)
	g.waits = append(g.waits, signal)
	if g.running {
		g.mu.Unlock()
		if !<-signal {
			return // flushed by another caller
		}
	} else {
		g.running = true
		g.mu.Unlock()
	}
	g.send()
	<-signal // this caller's item was in the batch it sent
}

// send flushes every queued item in one batch, then passes the turn on.
func (g *Group[T]) send() {
	g.mu.Lock()
	items, waits := g.items, g.waits
	g.items, g.waits, g.spare, g.spareW = g.spare[:0], g.spareW[:0], nil, nil
	g.mu.Unlock()
	g.flush(items)
	for _, w := range waits {
		w <- false
	}
	clear(items)
	clear(waits)
	g.mu.Lock()
	g.spare, g.spareW = items[:0], waits[:0]
	if len(g.waits) > 0 {
		g.waits[0] <- true
	} else {
		g.running = false
	}
	g.mu.Unlock()
}
