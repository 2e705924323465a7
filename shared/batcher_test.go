package shared_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gridbot/shared"
	"gridbot/shared/sharedtest"
)

// pipelineCounter counts the pipelines a client sends.
type pipelineCounter struct{ n atomic.Int32 }

func (c *pipelineCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *pipelineCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return next
}
func (c *pipelineCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

func TestBatcherSharesRoundTripsAndKeepsEachResult(t *testing.T) {
	r, prefix := sharedtest.Redis(t)
	counter := &pipelineCounter{}
	r.Client.AddHook(counter)
	b := shared.NewBatcher(r.Client, 5*time.Second)
	const callers = 200
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			key := prefix + "batch:" + strconv.Itoa(i)
			var set *redis.StatusCmd
			var get, missing *redis.StringCmd
			b.Do(func(pipe redis.Pipeliner) {
				set = pipe.Set(context.Background(), key, i, time.Minute)
				get = pipe.Get(context.Background(), key)
				missing = pipe.Get(context.Background(), key+":none")
			})
			if set.Err() != nil || get.Val() != strconv.Itoa(i) || missing.Err() != redis.Nil {
				t.Errorf("caller %d: set %v, get %q %v, missing %v", i, set.Err(), get.Val(), get.Err(), missing.Err())
			}
		})
	}
	wg.Wait()
	if n := counter.n.Load(); n < 1 || n >= callers {
		t.Fatalf("%d pipelines for %d concurrent callers: want them shared", n, callers)
	}
	t.Logf("%d callers, %d pipelines", callers, counter.n.Load())
}
