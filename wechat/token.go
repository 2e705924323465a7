package wechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/silenceper/wechat/v2/credential"
)

// sharedToken is an access-token handle that any number of instances share through a TokenCache:
// a missing token is fetched by one of them, under the cache's lock, while the others wait for it.
type sharedToken struct {
	stable *credential.StableAccessToken // fetches from WeChat (/cgi-bin/stable_token)
	cache  TokenCache
	key    string // the cache key of the token (TokenCacheKey)
	lock   string // the name of the refresh lock in the cache
	wait   time.Duration
	quota  *Quota // counts the fetches against the daily quota; nil: none
	log    *slog.Logger
}

// newSharedToken builds the handle for an Official Account whose token lives in cache.
func newSharedToken(appID, secret string, cache TokenCache, quota *Quota, log *slog.Logger) *sharedToken {
	const prefix = credential.CacheKeyOfficialAccountPrefix
	stable, _ := credential.NewStableAccessToken(appID, secret, prefix, cache).(*credential.StableAccessToken)
	key := fmt.Sprintf("%s_stable_access_token_%s", prefix, appID)
	return &sharedToken{stable: stable, cache: cache, key: key, lock: key + ":refresh-lock", wait: 5 * time.Second,
		quota: quota, log: log}
}

// GetAccessToken returns the shared token, fetching it once for everyone when it is missing.
func (t *sharedToken) GetAccessToken() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), t.wait+cacheTimeout)
	defer cancel()
	return t.GetAccessTokenContext(ctx)
}

// GetAccessTokenContext is GetAccessToken with a context.
func (t *sharedToken) GetAccessTokenContext(ctx context.Context) (string, error) {
	deadline := time.Now().Add(t.wait)
	for {
		if tok := t.cached(ctx); tok != "" {
			return tok, nil
		}
		release, ok, err := t.acquire(ctx)
		if err != nil {
			return "", err
		}
		if ok {
			defer t.release(release)
			return t.refresh(ctx)
		}
		if time.Now().After(deadline) {
			return "", errors.New("access token: another instance holds the refresh lock too long")
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// cached returns the token in the shared cache, or "".
func (t *sharedToken) cached(ctx context.Context) string {
	if v, ok := t.cache.GetContext(ctx, t.key).(string); ok {
		return v
	}
	return ""
}

// refresh fetches a token (after a last look, another instance may have just stored one) and
// stores it for everyone until 5 minutes before it expires.
func (t *sharedToken) refresh(ctx context.Context) (string, error) {
	if tok := t.cached(ctx); tok != "" {
		return tok, nil
	}
	if err := t.quota.Note(ctx, QuotaToken); err != nil {
		t.log.WarnContext(ctx, "count an access-token fetch", "err", err) // the fetch matters more
	}
	res, err := t.stable.GetAccessTokenDirectly(ctx, false)
	if err != nil {
		return "", err
	}
	ttl := time.Duration(res.ExpiresIn-300) * time.Second
	if ttl <= 0 {
		ttl = time.Minute
	}
	if err := t.cache.SetContext(ctx, t.key, res.AccessToken, ttl); err != nil {
		return "", err
	}
	return res.AccessToken, nil
}

// acquire takes the refresh lock for at most 10 s; ok is false when another instance holds it.
func (t *sharedToken) acquire(ctx context.Context) (func(context.Context) error, bool, error) {
	release, ok, err := t.cache.Lock(ctx, t.lock, 10*time.Second)
	if err != nil {
		return nil, false, fmt.Errorf("access token lock: %w", err)
	}
	return release, ok, nil
}

// release drops the lock if this caller still holds it; a failure leaves it to expire.
func (t *sharedToken) release(release func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	_ = release(ctx)
}
