package wechat_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"gridbot/wechatsim"
)

func TestTokenIsFetchedOnceByManyInstances(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	// One user per send: a user's message allows 5 customer-service messages.
	to := func(round, i int) string { return fmt.Sprintf("oToken%d-%d", round, i) }
	for round := 1; round <= 2; round++ {
		for i := range 30 {
			f.api.SetLastInbound(to(round, i), time.Now())
		}
	}
	instances := []interface {
		SendText(ctx context.Context, openID, text string) error
	}{f.acct, f.newAccount(t), f.newAccount(t)}
	send := func(round int) {
		var wg sync.WaitGroup
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := instances[i%len(instances)].SendText(context.Background(), to(round, i), "你好"); err != nil {
					t.Errorf("round %d send %d: %v", round, i, err)
				}
			}()
		}
		wg.Wait()
	}
	send(1)
	if n := f.api.TokenFetches(wechatsim.Official); n != 1 {
		t.Fatalf("30 concurrent sends on 3 instances fetched the token %d times, want 1", n)
	}
	// WeChat invalidates the token; gridbot drops it (as the dispatcher does on 40001) and all
	// instances refresh it once between them.
	f.api.InvalidateTokens()
	if err := f.redis.Client.Del(context.Background(), f.prefix+f.acct.TokenCacheKey()).Err(); err != nil {
		t.Fatal(err)
	}
	send(2)
	if n := f.api.TokenFetches(wechatsim.Official); n != 2 {
		t.Fatalf("after the token was dropped: %d fetches in all, want 2", n)
	}
}
