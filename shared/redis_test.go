package shared_test

import (
	"context"
	"testing"
	"time"

	"gridbot/shared"
	"gridbot/shared/sharedtest"
)

var ctx = context.Background()

func TestRedisEmbeddedAndReal(t *testing.T) {
	for name, open := range map[string]func(testing.TB) (*shared.Redis, string){
		"embedded": func(t testing.TB) (*shared.Redis, string) {
			r, err := shared.OpenRedis(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			return r, "p:"
		},
		"real": sharedtest.RealRedis,
	} {
		t.Run(name, func(t *testing.T) {
			r, prefix := open(t)
			if err := r.Client.Set(ctx, prefix+"k", "值", time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
			if v, err := r.Client.Get(ctx, prefix+"k").Result(); err != nil || v != "值" {
				t.Fatalf("get = %q, %v", v, err)
			}
			if r.Embedded() != (name == "embedded") {
				t.Errorf("Embedded() = %v", r.Embedded())
			}
		})
	}
}

func TestEmbeddedRedisExpiresKeys(t *testing.T) {
	r, err := shared.OpenRedis(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Client.Set(ctx, "k", "v", 500*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	if n, err := r.Client.Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Fatalf("a key with a 500ms TTL still exists after 2.1s: %d %v", n, err)
	}
}
