package wechat

import (
	"context"
	"time"

	"github.com/silenceper/wechat/v2/cache"
)

// cacheTimeout bounds each call of the token handle that comes without a context.
const cacheTimeout = 2 * time.Second

// TokenCache is a cache shared by every instance (shared.TokenCache is one): the library's cache,
// in which one access token serves them all, and the lock under which one of them refreshes it.
type TokenCache interface {
	cache.ContextCache
	// Lock takes the lock named name for ttl; ok is false, without error, when another holder
	// has it. release drops it only while it is still the caller's.
	Lock(ctx context.Context, name string, ttl time.Duration) (release func(context.Context) error, ok bool, err error)
}
