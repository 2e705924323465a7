package shared

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Batcher runs the Redis commands of concurrent callers in shared pipelines: what callers queue
// while one pipeline is in flight goes out together in the next, so a burst of requests costs a
// few round trips instead of one each, and a lone caller waits for no timer. There is no
// goroutine of its own: the first caller to find no pipeline in flight sends one, then hands
// the turn to a caller still waiting.
type Batcher struct {
	client  redis.UniversalClient
	timeout time.Duration
	mu      sync.Mutex
	pending []*batchItem
	running bool
}

// batchItem is one caller's commands.
type batchItem struct {
	queue func(redis.Pipeliner)
	done  chan struct{}
	lead  chan struct{} // this caller sends the next pipeline
}

// NewBatcher returns a batcher on client; each shared pipeline is bounded by timeout.
func NewBatcher(client redis.UniversalClient, timeout time.Duration) *Batcher {
	return &Batcher{client: client, timeout: timeout}
}

// Do queues commands on the next shared pipeline and returns once it ran. Each command's result
// and error (a transport failure included) are in the Cmd that queue created; one caller's
// failing command does not fail another's.
func (b *Batcher) Do(queue func(redis.Pipeliner)) {
	it := &batchItem{queue: queue, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, it)
	if b.running {
		b.mu.Unlock()
		select {
		case <-it.done:
			return
		case <-it.lead:
		}
	} else {
		b.running = true
		b.mu.Unlock()
	}
	b.send()
	<-it.done
}

// send runs every queued caller's commands in one pipeline, then passes the turn on.
func (b *Batcher) send() {
	b.mu.Lock()
	batch := b.pending
	b.pending = nil
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	pipe := b.client.Pipeline()
	for _, it := range batch {
		it.queue(pipe)
	}
	_, _ = pipe.Exec(ctx) // each command keeps its own result and error
	cancel()
	for _, it := range batch {
		close(it.done)
	}
	b.mu.Lock()
	if len(b.pending) > 0 {
		b.pending[0].lead <- struct{}{}
	} else {
		b.running = false
	}
	b.mu.Unlock()
}
