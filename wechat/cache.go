package wechat

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"
)

// cacheTimeout bounds each Redis command of the context-free cache.Cache methods.
const cacheTimeout = 2 * time.Second

// RedisCache is silenceper's cache.Cache (and cache.ContextCache) over go-redis v9, every key under
// a prefix, so that all instances of gridbot share one access token; it is safe for concurrent use.
type RedisCache struct {
	client redis.UniversalClient
	prefix string
}

// The RedisCache satisfies both cache interfaces of the library.
var _ cache.ContextCache = (*RedisCache)(nil)

// NewRedisCache returns a cache that stores key under prefix+key in client.
func NewRedisCache(client redis.UniversalClient, prefix string) *RedisCache {
	return &RedisCache{client: client, prefix: prefix}
}

// Key returns the Redis key under which the cache stores key.
func (c *RedisCache) Key(key string) string {
	return c.prefix + key
}

// Get returns the string stored under key, or nil when it is missing or Redis fails.
func (c *RedisCache) Get(key string) any {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	return c.GetContext(ctx, key)
}

// GetContext returns the string stored under key, or nil when it is missing or Redis fails.
func (c *RedisCache) GetContext(ctx context.Context, key string) any {
	val, err := c.client.Get(ctx, c.Key(key)).Result()
	if err != nil {
		return nil // the interface has no error: a miss makes the library fetch a fresh value
	}
	return val
}

// Set stores val (a string or []byte) under key for timeout; a timeout that is not positive
// stores nothing and removes any old value, since nothing the library caches may live forever.
func (c *RedisCache) Set(key string, val any, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	return c.SetContext(ctx, key, val, timeout)
}

// SetContext stores val (a string or []byte) under key for timeout, as Set does.
func (c *RedisCache) SetContext(ctx context.Context, key string, val any, timeout time.Duration) error {
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
func (c *RedisCache) IsExist(key string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	return c.IsExistContext(ctx, key)
}

// IsExistContext reports whether key holds a value; a Redis failure reads as false.
func (c *RedisCache) IsExistContext(ctx context.Context, key string) bool {
	n, err := c.client.Exists(ctx, c.Key(key)).Result()
	return err == nil && n > 0
}

// Delete removes key; a missing key is not an error.
func (c *RedisCache) Delete(key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	return c.DeleteContext(ctx, key)
}

// DeleteContext removes key; a missing key is not an error.
func (c *RedisCache) DeleteContext(ctx context.Context, key string) error {
	if err := c.client.Del(ctx, c.Key(key)).Err(); err != nil {
		return fmt.Errorf("cache delete %s: %w", key, err)
	}
	return nil
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
