package shared_test

import (
	"testing"
	"time"

	"gridbot/shared/sharedtest"
)

func TestTryLock(t *testing.T) {
	r, prefix := sharedtest.Redis(t)
	key := prefix + "supervise:lock"
	release, ok, err := r.TryLock(ctx, key, time.Minute)
	if err != nil || !ok {
		t.Fatalf("first TryLock = %v, %v; want the lock", ok, err)
	}
	if _, ok, err := r.TryLock(ctx, key, time.Minute); err != nil || ok {
		t.Fatalf("second TryLock = %v, %v; want refused while held", ok, err)
	}
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
	again, ok, err := r.TryLock(ctx, key, time.Minute)
	if err != nil || !ok {
		t.Fatalf("TryLock after release = %v, %v", ok, err)
	}
	// A stale holder's release does not free the lock another holder took since.
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := r.TryLock(ctx, key, time.Minute); err != nil || ok {
		t.Fatalf("TryLock after a stale release = %v, %v; want refused", ok, err)
	}
	if err := again(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Client.Exists(ctx, key).Result(); err != nil || n != 0 {
		t.Fatalf("lock key still there after its holder released it: %d, %v", n, err)
	}
}
