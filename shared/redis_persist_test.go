package shared_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gridbot/shared"
)

func TestEmbeddedRedisKeepsPersistedKeysAcrossARestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "conversations.json")
	r, err := shared.OpenRedis(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Persist(path, "p:conv:"); err != nil {
		t.Fatal(err)
	}
	r.Client.Set(ctx, "p:conv:a", "draft", time.Hour)
	r.Client.Set(ctx, "p:conv:b", "forever", 0)
	r.Client.Set(ctx, "p:lock:a", "1", time.Hour) // not kept
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	r, err = shared.OpenRedis(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Persist(path, "p:conv:"); err != nil {
		t.Fatal(err)
	}
	if v, err := r.Client.Get(ctx, "p:conv:a").Result(); err != nil || v != "draft" {
		t.Errorf("p:conv:a = %q, %v", v, err)
	}
	if ttl := r.Client.TTL(ctx, "p:conv:a").Val(); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("p:conv:a keeps %v to live, want about an hour", ttl)
	}
	if ttl := r.Client.TTL(ctx, "p:conv:b").Val(); ttl != -1 {
		t.Errorf("p:conv:b got a TTL of %v", ttl)
	}
	if n := r.Client.Exists(ctx, "p:lock:a").Val(); n != 0 {
		t.Error("a key outside the prefixes was kept")
	}
}

func TestEmbeddedRedisRefusesAnUnreadableSnapshot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conversations.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := shared.OpenRedis(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Persist(path, "p:"); err == nil {
		t.Fatal("an unreadable snapshot was accepted")
	}
}
