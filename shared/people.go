package shared

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"

	"gridbot/models"
)

// Who is writing is cached in Redis beside the conversation, under the people generation: a
// counter that anything changing people bumps, retiring every cached person on every instance.

// PeopleGenerationKey names the Redis counter of the people generation under a key prefix.
func PeopleGenerationKey(prefix string) string { return prefix + "people:gen" }

// ForgetPeople retires every cached person: call it after changing people in the database.
func ForgetPeople(ctx context.Context, rdb redis.UniversalClient, prefix string) error {
	return rdb.Incr(ctx, PeopleGenerationKey(prefix)).Err()
}

// PeopleGeneration reads the people generation ("" before the first change of people).
func PeopleGeneration(ctx context.Context, rdb redis.UniversalClient, prefix string) (string, error) {
	gen, err := rdb.Get(ctx, PeopleGenerationKey(prefix)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	return gen, err
}

// ForgetPeople retires every cached person, as the package function does.
func (c *Conversations) ForgetPeople(ctx context.Context) error {
	return ForgetPeople(ctx, c.rdb, c.cfg.KeyPrefix)
}

// personKey names the cached person of an openid (or WeCom userid) on a channel.
func (c *Conversations) personKey(channel models.Channel, id string) string {
	return c.cfg.KeyPrefix + "person:" + string(channel) + ":" + id
}
