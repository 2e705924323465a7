package shared

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// A staff member's short-lived marks, kept beside their conversation: the case their short
// replies act on (focus), an action waiting for confirmation, the case their next photos are
// evidence of, and the wrong binding codes they sent.

// SetFocus stores a person's focus, as the bot encodes it, for ttl.
func (c *Conversations) SetFocus(ctx context.Context, openID, focus string, ttl time.Duration) error {
	return c.rdb.Set(ctx, c.cfg.KeyPrefix+"focus:"+openID, focus, ttl).Err()
}

// Focus returns a person's stored focus ("" when there is none).
func (c *Conversations) Focus(ctx context.Context, openID string) (string, error) {
	v, _, err := c.get(ctx, c.cfg.KeyPrefix+"focus:"+openID)
	return v, err
}

// SavePending stores an action waiting for a person's confirmation, as the bot encodes it, for ttl.
func (c *Conversations) SavePending(ctx context.Context, openID string, action []byte, ttl time.Duration) error {
	return c.rdb.Set(ctx, c.cfg.KeyPrefix+"confirm:"+openID, action, ttl).Err()
}

// TakePending returns and removes the action waiting for a person's confirmation; found is
// false when there is none.
func (c *Conversations) TakePending(ctx context.Context, openID string) (action []byte, found bool, err error) {
	raw, err := c.rdb.GetDel(ctx, c.cfg.KeyPrefix+"confirm:"+openID).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return raw, true, nil
}

// SetAttach stores the case event a staff member's next photos are evidence of, for ttl.
func (c *Conversations) SetAttach(ctx context.Context, openID, target string, ttl time.Duration) error {
	return c.rdb.Set(ctx, c.cfg.KeyPrefix+"attach:"+openID, target, ttl).Err()
}

// Attach returns the case event a staff member's photos are evidence of; found is false when
// there is none.
func (c *Conversations) Attach(ctx context.Context, openID string) (target string, found bool, err error) {
	return c.get(ctx, c.cfg.KeyPrefix+"attach:"+openID)
}

// BindFailures returns the wrong binding codes a person sent in the last hour; ok is false when
// none is counted or the count cannot be read.
func (c *Conversations) BindFailures(ctx context.Context, openID string) (fails int, ok bool) {
	fails, err := c.rdb.Get(ctx, c.bindFailKey(openID)).Int()
	return fails, err == nil
}

// CountBindFailure counts a wrong binding code; the count expires an hour after the last one.
func (c *Conversations) CountBindFailure(ctx context.Context, openID string) error {
	pipe := c.rdb.TxPipeline()
	pipe.Incr(ctx, c.bindFailKey(openID))
	pipe.Expire(ctx, c.bindFailKey(openID), time.Hour)
	_, err := pipe.Exec(ctx)
	return err
}

// ForgetBindFailures drops a person's count of wrong binding codes, ignoring failure.
func (c *Conversations) ForgetBindFailures(ctx context.Context, openID string) {
	c.rdb.Del(ctx, c.bindFailKey(openID))
}

// bindFailKey names a person's count of wrong binding codes.
func (c *Conversations) bindFailKey(openID string) string {
	return c.cfg.KeyPrefix + "bindfail:" + openID
}

// get reads a string key; found is false when it is missing.
func (c *Conversations) get(ctx context.Context, key string) (string, bool, error) {
	v, err := c.rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	return v, err == nil, err
}
