package shared

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// cacheTimeout bounds each Redis command of the context-free cache.Cache methods.
const cacheTimeout = 2 * time.Second

// TokenCache is the WeChat library's cache (its cache.Cache and cache.ContextCache) in Redis, every
// key under a prefix, so that all instances of gridbot share one access token, with the lock under
// which one of them refreshes it (wechat.TokenCache); it is safe for concurrent use.
type TokenCache struct {
	client redis.UniversalClient
	prefix string
}

// NewTokenCache returns a cache that stores key under prefix+key in client.
func NewTokenCache(client redis.UniversalClient, prefix string) *TokenCache {
	return &TokenCache{client: client, prefix: prefix}
}

// Key returns the Redis key under which the cache stores key.
func (c *TokenCache) Key(key string) string {
	return c.prefix + key
}

// Get returns the string stored under key, or nil when it is missing or Redis fails.
func (c *TokenCache) Get(key string) any {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	return c.GetContext(ctx, key)
}

// GetContext returns the string stored under key, or nil when it is missing or Redis fails.
func (c *TokenCache) GetContext(ctx context.Context, key string) any {
	val, err := c.client.Get(ctx, c.Key(key)).Result()
	if err != nil {
		return nil // the interface has no error: a miss makes the library fetch a fresh value
	}
	return val
}

// Set stores val (a string or []byte) under key for timeout; a timeout that is not positive
// stores nothing and removes any old value, since nothing the library caches may live forever.
func (c *TokenCache) Set(key string, val any, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	return c.SetContext(ctx, key, val, timeout)
}

// SetContext stores val (a string or []byte) under key for timeout, as Set does.
func (c *TokenCache) SetContext(ctx context.Context, key string, val any, timeout time.Duration) error {
	s, err := cacheString(val)
	if err != nil {
		return fmt.Errorf("cache set %s: %w", key, err)
	}
	if timeout <= 0 {
		return c.DeleteContext(ctx, key)
	}
	if err := c.client.Set(ctx, c.Key(key), s, timeout).Err(); err != nil {
		return fmt.Errorf("cache set %s: %w", key, err)
	}
	return nil
}

// IsExist reports whether key holds a value; a Redis failure reads as false.
func (c *TokenCache) IsExist(key string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	return c.IsExistContext(ctx, key)
}

// IsExistContext reports whether key holds a value; a Redis failure reads as false.
func (c *TokenCache) IsExistContext(ctx context.Context, key string) bool {
	n, err := c.client.Exists(ctx, c.Key(key)).Result()
	return err == nil && n > 0
}

// Delete removes key; a missing key is not an error.
func (c *TokenCache) Delete(key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	return c.DeleteContext(ctx, key)
}

// DeleteContext removes key; a missing key is not an error.
func (c *TokenCache) DeleteContext(ctx context.Context, key string) error {
	if err := c.client.Del(ctx, c.Key(key)).Err(); err != nil {
		return fmt.Errorf("cache delete %s: %w", key, err)
	}
	return nil
}

// Lock takes the lock named name (stored as Key(name)) for ttl; ok is false, without error, when
// another holder has it. release drops it only while it is still the caller's.
func (c *TokenCache) Lock(ctx context.Context, name string, ttl time.Duration) (release func(context.Context) error, ok bool, err error) {
	return tryLock(ctx, c.client, c.Key(name), ttl)
}

// errCacheType reports a value the cache cannot store as a string.
var errCacheType = errors.New("value is neither string nor []byte")

// cacheString converts a value the library caches to the string Get must return.
func cacheString(val any) (string, error) {
	switch v := val.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	}
	return "", fmt.Errorf("%T: %w", val, errCacheType)
}
