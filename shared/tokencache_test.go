package shared_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gridbot/shared"
	"gridbot/shared/sharedtest"
)

func TestTokenCacheSemantics(t *testing.T) {
	tests := []struct {
		name      string
		val       any
		timeout   time.Duration
		want      any
		wantExist bool
		wantErr   bool
	}{
		{name: "string", val: "tok-1", timeout: time.Minute, want: "tok-1", wantExist: true},
		{name: "bytes read back as string", val: []byte("tok-2"), timeout: time.Minute, want: "tok-2", wantExist: true},
		{name: "empty string", val: "", timeout: time.Minute, want: "", wantExist: true},
		{name: "other types refused", val: 42, timeout: time.Minute, want: nil, wantErr: true},
		{name: "zero timeout stores nothing", val: "tok-3", timeout: 0, want: nil},
		{name: "negative timeout stores nothing", val: "tok-4", timeout: -1500 * time.Second, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, prefix := sharedtest.Redis(t)
			c := shared.NewTokenCache(r.Client, prefix)
			err := c.Set("k", tc.val, tc.timeout)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Set error = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, c.Get("k")); diff != "" {
				t.Errorf("Get (-want +got):\n%s", diff)
			}
			if got := c.IsExist("k"); got != tc.wantExist {
				t.Errorf("IsExist = %v, want %v", got, tc.wantExist)
			}
		})
	}
}

func TestTokenCacheKeysAndExpiry(t *testing.T) {
	ctx := context.Background()
	r, prefix := sharedtest.Redis(t)
	c := shared.NewTokenCache(r.Client, prefix)
	if got := c.Get("missing"); got != nil {
		t.Fatalf("Get(missing) = %#v, want untyped nil", got)
	}
	if err := c.Set("tok", "abc", 90*time.Second); err != nil {
		t.Fatal(err)
	}
	if got, err := r.Client.Get(ctx, prefix+"tok").Result(); err != nil || got != "abc" {
		t.Fatalf("redis GET %stok = %q, %v; want abc", prefix, got, err)
	}
	if ttl := r.Client.TTL(ctx, prefix+"tok").Val(); ttl <= 0 || ttl > 90*time.Second {
		t.Errorf("TTL = %v, want in (0, 90s]", ttl)
	}
	if err := c.Set("tok", "old", 0); err != nil {
		t.Fatal(err)
	}
	if c.IsExist("tok") {
		t.Error("a non-positive timeout left the old value in place")
	}
	if err := c.Delete("never-set"); err != nil {
		t.Errorf("Delete(missing) = %v, want nil", err)
	}
}

func TestTokenCacheRedisDown(t *testing.T) {
	r, err := shared.OpenRedis(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	c := shared.NewTokenCache(r.Client, "down:")
	r.Close()
	if got := c.Get("k"); got != nil {
		t.Errorf("Get = %#v, want nil", got)
	}
	if c.IsExist("k") {
		t.Error("IsExist = true, want false")
	}
	if err := c.Set("k", "v", time.Minute); err == nil {
		t.Error("Set succeeded on a closed client")
	}
}

func TestTokenCacheConcurrent(t *testing.T) {
	const workers, ops, keys = 32, 200, 8
	r, prefix := sharedtest.Redis(t)
	c := shared.NewTokenCache(r.Client, prefix)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range ops {
				exercise(t, c, fmt.Sprintf("k%d", (w+i)%keys), fmt.Sprintf("v-%d-%d", w, i), i)
			}
		})
	}
	wg.Wait()
	n, err := r.Client.Keys(context.Background(), prefix+"*").Result()
	if err != nil || len(n) > keys {
		t.Errorf("keys under the prefix = %d (%v), want at most %d", len(n), err, keys)
	}
}

// exercise runs one round of cache calls on a key shared with other goroutines.
func exercise(t *testing.T, c *shared.TokenCache, key, val string, i int) {
	if err := c.Set(key, val, time.Minute); err != nil {
		t.Errorf("Set: %v", err)
	}
	switch got := c.Get(key).(type) {
	case nil:
	case string:
		if !strings.HasPrefix(got, "v-") {
			t.Errorf("Get = %q, not a value any goroutine set", got)
		}
	default:
		t.Errorf("Get returned %T, want string or nil", got)
	}
	c.IsExist(key)
	if i%5 == 0 {
		if err := c.Delete(key); err != nil {
			t.Errorf("Delete: %v", err)
		}
	}
}

func TestTokenCacheLockIsUnderThePrefixAndExclusive(t *testing.T) {
	ctx := context.Background()
	r, prefix := sharedtest.Redis(t)
	c := shared.NewTokenCache(r.Client, prefix)
	release, ok, err := c.Lock(ctx, "tok:refresh-lock", time.Minute)
	if err != nil || !ok {
		t.Fatalf("first Lock = %v, %v; want the lock", ok, err)
	}
	if n := r.Client.Exists(ctx, prefix+"tok:refresh-lock").Val(); n != 1 {
		t.Fatalf("no lock key %stok:refresh-lock", prefix)
	}
	if _, ok, err := c.Lock(ctx, "tok:refresh-lock", time.Minute); err != nil || ok {
		t.Fatalf("second Lock = %v, %v; want refused while held", ok, err)
	}
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.Lock(ctx, "tok:refresh-lock", time.Minute); err != nil || !ok {
		t.Fatalf("Lock after release = %v, %v; want the lock", ok, err)
	}
}
