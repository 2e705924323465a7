package store

import (
	"context"
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Redis is gridbot's Redis connection: a real server, or an embedded Redis-compatible one
// running in-process so that the same go-redis code works on a machine with nothing installed.
type Redis struct {
	Client   *redis.Client
	embedded *miniredis.Miniredis
}

// OpenRedis connects to the server at url (redis:// or rediss://), or starts the embedded one
// when url is empty.
func OpenRedis(ctx context.Context, url string) (*Redis, error) {
	r := &Redis{}
	var opts *redis.Options
	if url == "" {
		m, err := miniredis.Run()
		if err != nil {
			return nil, fmt.Errorf("start embedded redis: %w", err)
		}
		m.ClockTTL(true) // keys expire with the wall clock, as on a real server
		r.embedded = m
		opts = &redis.Options{Addr: m.Addr()}
	} else {
		o, err := redis.ParseURL(url)
		if err != nil {
			return nil, fmt.Errorf("redis url: %w", err)
		}
		opts = o
	}
	r.Client = redis.NewClient(opts)
	if err := r.Client.Ping(ctx).Err(); err != nil {
		r.Close()
		return nil, fmt.Errorf("ping redis: %w", err)
	}
	return r, nil
}

// Embedded reports whether this is the in-process server.
func (r *Redis) Embedded() bool { return r.embedded != nil }

// Close closes the client and stops the embedded server, if any.
func (r *Redis) Close() error {
	err := r.Client.Close()
	if r.embedded != nil {
		r.embedded.Close()
	}
	return err
}

// Ping checks that Redis answers.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.Client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	return nil
}
