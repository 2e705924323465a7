// Package sharedtest gives tests a Redis connection and a key prefix of their own: the real
// server when GRIDBOT_TEST_REDIS_URL is set, else the embedded one. With
// GRIDBOT_TEST_REQUIRE_SERVERS=1 (as in CI) a missing server fails the test instead of skipping it.
package sharedtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"gridbot/shared"
)

// The environment variables that point tests at a real Redis.
const (
	EnvRedisURL       = "GRIDBOT_TEST_REDIS_URL"
	EnvRequireServers = "GRIDBOT_TEST_REQUIRE_SERVERS"
)

// Redis returns a Redis connection and a key prefix of the test's own: the real server of
// GRIDBOT_TEST_REDIS_URL (keys under the prefix are deleted at cleanup), else the embedded one.
func Redis(t testing.TB) (*shared.Redis, string) {
	t.Helper()
	ctx := context.Background()
	r, err := shared.OpenRedis(ctx, os.Getenv(EnvRedisURL))
	if err != nil {
		t.Fatalf("open redis: %v", err)
	}
	prefix := "gridbot-test:" + randomHex(t, 6) + ":"
	t.Cleanup(func() {
		defer r.Close()
		iter := r.Client.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			r.Client.Del(ctx, iter.Val())
		}
	})
	return r, prefix
}

// RealRedis is Redis on the real server only: it skips (or fails, see Unavailable) without one.
func RealRedis(t testing.TB) (*shared.Redis, string) {
	t.Helper()
	if os.Getenv(EnvRedisURL) == "" {
		Unavailable(t, EnvRedisURL+" is not set: Redis tests skipped")
	}
	return Redis(t)
}

// Unavailable skips the test because a server is not configured, or fails it when
// GRIDBOT_TEST_REQUIRE_SERVERS=1.
func Unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(EnvRequireServers) == "1" {
		t.Fatal(why + " (and " + EnvRequireServers + "=1)")
	}
	t.Skip(why)
}

// randomHex returns n random bytes as hex.
func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random: %v", err)
	}
	return hex.EncodeToString(b)
}
