package shared

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"gridbot/batch"
)

// Batcher runs the Redis commands of concurrent callers in shared pipelines: what callers queue
// while one pipeline is in flight goes out together in the next, so a burst of requests costs a
// few round trips instead of one each, and a lone caller waits for no timer. There is no
// goroutine of its own (see batch.Group): the first caller to find no pipeline in flight sends
// one, then hands the turn to a caller still waiting.
type Batcher struct {
	client  redis.UniversalClient
	timeout time.Duration
	group   *batch.Group[func(redis.Pipeliner)]
}

// NewBatcher returns a batcher on client; each shared pipeline is bounded by timeout.
func NewBatcher(client redis.UniversalClient, timeout time.Duration) *Batcher {
	b := &Batcher{client: client, timeout: timeout}
	b.group = batch.NewGroup(b.send)
	return b
}

// Do queues commands on the next shared pipeline and returns once it ran. Each command's result
// and error (a transport failure included) are in the Cmd that queue created; one caller's
// failing command does not fail another's.
func (b *Batcher) Do(queue func(redis.Pipeliner)) { b.group.Do(queue) }

// send runs a batch of callers' commands in one pipeline.
func (b *Batcher) send(batch []func(redis.Pipeliner)) {
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	pipe := b.client.Pipeline()
	for _, queue := range batch {
		queue(pipe)
	}
	_, _ = pipe.Exec(ctx) // each command keeps its own result and error
}
