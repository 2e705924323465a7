package shared

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// releaseScript deletes a lock only while it still holds the caller's token, so that an
// instance whose lock expired never releases the lock another instance took since.
const releaseScript = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`

// TryLock takes the lock named key for ttl if nobody holds it (SET NX PX with a random token).
// It returns ok=false, without error, when another holder has it. The release function deletes
// the lock only if it is still this holder's; the lock also expires by itself after ttl.
func (r *Redis) TryLock(ctx context.Context, key string, ttl time.Duration) (release func(context.Context) error, ok bool, err error) {
	return tryLock(ctx, r.Client, key, ttl)
}

// tryLock takes the lock named key in client for ttl, as TryLock does.
func tryLock(ctx context.Context, client redis.UniversalClient, key string, ttl time.Duration) (release func(context.Context) error, ok bool, err error) {
	token, err := lockToken()
	if err != nil {
		return nil, false, err
	}
	ok, err = client.SetNX(ctx, key, token, ttl).Result()
	if err != nil {
		return nil, false, fmt.Errorf("take lock %s: %w", key, err)
	}
	if !ok {
		return nil, false, nil
	}
	return func(ctx context.Context) error {
		if err := client.Eval(ctx, releaseScript, []string{key}, token).Err(); err != nil {
			return fmt.Errorf("release lock %s: %w", key, err)
		}
		return nil
	}, true, nil
}

// lockToken returns a random token that identifies one holder of a lock.
func lockToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("lock token: %w", err)
	}
	return hex.EncodeToString(b), nil
}
