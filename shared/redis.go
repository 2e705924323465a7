package shared

import (
	"context"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Redis is gridbot's Redis connection: a real server, or an embedded Redis-compatible one
// running in-process so that the same go-redis code works on a machine with nothing installed.
type Redis struct {
	Client   *redis.Client
	embedded *miniredis.Miniredis
	stop     chan struct{} // stops the embedded server's clock
	stopped  chan struct{}

	persistPath     string   // where the embedded server's kept keys are saved ("" for nowhere)
	persistPrefixes []string // the prefixes of the keys kept
	persistErr      func(error)
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
		r.embedded = m
		r.startClock()
		opts = &redis.Options{Addr: m.Addr()}
	} else {
		o, err := redis.ParseURL(url)
		if err != nil {
			return nil, fmt.Errorf("redis url: %w", err)
		}
		opts = o
	}
	if opts.Protocol == 0 {
		// RESP2: gridbot uses no push notifications, and RESP3's check for them costs a
		// peek at the socket on every reply.
		opts.Protocol = 2
	}
	r.Client = redis.NewClient(opts)
	if err := r.Client.Ping(ctx).Err(); err != nil {
		r.Close()
		return nil, fmt.Errorf("ping redis: %w", err)
	}
	return r, nil
}

// startClock moves the embedded server's key TTLs forward once a second, so keys expire as on
// a real server (miniredis only expires keys when told time passed; doing it per command would
// cost a scan of all keys each time).
func (r *Redis) startClock() {
	r.stop, r.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(r.stopped)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		last, saved := time.Now(), time.Now()
		for {
			select {
			case <-r.stop:
				return
			case now := <-t.C:
				r.embedded.FastForward(now.Sub(last))
				last = now
				if now.Sub(saved) >= persistEvery {
					r.report(r.save())
					saved = now
				}
			}
		}
	}()
}

// Embedded reports whether this is the in-process server.
func (r *Redis) Embedded() bool { return r.embedded != nil }

// Close closes the client and stops the embedded server, if any.
func (r *Redis) Close() error {
	err := r.Client.Close()
	if r.embedded != nil {
		close(r.stop)
		<-r.stopped
		if serr := r.save(); serr != nil && err == nil {
			err = serr
		}
		r.embedded.Close()
	}
	return err
}

// OnPersistError sets what is told when a periodic save of the embedded server's kept keys fails.
func (r *Redis) OnPersistError(fn func(error)) { r.persistErr = fn }

// report passes a failed periodic save on, if anyone listens.
func (r *Redis) report(err error) {
	if err != nil && r.persistErr != nil {
		r.persistErr(err)
	}
}

// Ping checks that Redis answers.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.Client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	return nil
}
