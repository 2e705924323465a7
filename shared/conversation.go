package shared

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"gridbot/models"
)

// ConversationConfig tunes the conversations' shared state.
type ConversationConfig struct {
	KeyPrefix string        // Redis key prefix
	Keep      time.Duration // a stored conversation is kept this long after its last write
}

// Conversations is the bot's state shared by all instances: each person's conversation (stored
// as the bot encodes it) and its lock, the cached people, and the staff's focus, confirmations,
// photo attachments and binding failures.
type Conversations struct {
	rdb   *redis.Client
	batch *Batcher
	cfg   ConversationConfig
}

// NewConversations returns the conversations' shared state on rdb; batch shares round trips
// with the other users of the same Redis (nil gives the conversations a batcher of their own).
func NewConversations(rdb *redis.Client, batch *Batcher, cfg ConversationConfig) *Conversations {
	if batch == nil {
		batch = NewBatcher(rdb, 5*time.Second)
	}
	return &Conversations{rdb: rdb, batch: batch, cfg: cfg}
}

// lockTTL is how long a conversation lock lasts when its holder never releases it.
const lockTTL = 10 * time.Second

// Turn is a person's conversation lock, held, with what was read in the round trip that took it.
type Turn struct {
	OpenID       string
	Channel      models.Channel
	Read         bool   // the reads succeeded: Conversation, Gen and Person are what is stored
	Conversation []byte // the stored conversation; nil when there is none
	Gen          string // the people generation ("" before the first change of people)
	Person       []byte // the cached person; nil when there is none
	c            *Conversations
	lockKey      string
}

// LockAttempt is a try to take a person's conversation lock, queued on a pipeline with the reads
// a turn needs: the conversation, the people generation and the cached person.
type LockAttempt struct {
	turn Turn
	take *redis.BoolCmd
	read *redis.SliceCmd // the conversation, the people generation, the cached person
}

// PrepareLock queues a lock attempt on a pipeline the inbox lends while admitting a message.
func (c *Conversations) PrepareLock(ctx context.Context, pipe Pipe, channel models.Channel, openID string) *LockAttempt {
	return c.queueLock(ctx, pipe.p, channel, openID)
}

// queueLock queues a lock attempt on pipe.
func (c *Conversations) queueLock(ctx context.Context, pipe redis.Pipeliner, channel models.Channel, openID string) *LockAttempt {
	a := &LockAttempt{turn: Turn{OpenID: openID, Channel: channel, c: c, lockKey: c.cfg.KeyPrefix + "lock:" + openID}}
	a.take = pipe.SetNX(ctx, a.turn.lockKey, "1", lockTTL)
	a.read = pipe.MGet(ctx, c.conversationKey(openID), PeopleGenerationKey(c.cfg.KeyPrefix), c.personKey(channel, openID))
	return a
}

// Result returns the turn after the pipeline ran; ok is false when another turn holds the lock.
func (a *LockAttempt) Result() (t Turn, ok bool, err error) {
	ok, err = a.take.Result()
	if err != nil {
		return Turn{}, false, fmt.Errorf("conversation lock: %w", err)
	}
	if !ok {
		return Turn{}, false, nil
	}
	t = a.turn
	vals, err := a.read.Result()
	if err != nil || len(vals) != 3 {
		return t, true, nil // the turn reads the conversation again, and who is writing from the database
	}
	if conv, ok := vals[0].(string); ok {
		t.Conversation = []byte(conv)
	}
	t.Gen, _ = vals[1].(string)
	t.Read = true
	if person, ok := vals[2].(string); ok {
		t.Person = []byte(person)
	}
	return t, true, nil
}

// Drop lets the lock go, if the attempt took it, when the message is not processed after all.
func (a *LockAttempt) Drop(ctx context.Context) {
	if ok, err := a.take.Result(); err == nil && ok {
		a.turn.Release(ctx, nil, 0)
	}
}

// Lock takes a person's conversation lock, waiting up to 3 s, with the conversation, the people
// generation and the cached person read in the same round trip.
func (c *Conversations) Lock(ctx context.Context, channel models.Channel, openID string) (Turn, error) {
	deadline := time.Now().Add(3 * time.Second)
	for {
		var try *LockAttempt
		c.batch.Do(func(pipe redis.Pipeliner) { try = c.queueLock(ctx, pipe, channel, openID) })
		t, ok, err := try.Result()
		if err != nil {
			return Turn{}, err
		}
		if ok {
			return t, nil
		}
		if time.Now().After(deadline) {
			return Turn{}, errors.New("conversation lock: busy")
		}
		select {
		case <-ctx.Done():
			return Turn{}, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Save stores the conversation (drops it when conversation is nil), caches person when not nil
// (for personTTL) and releases the lock, in one round trip. released reports the lock's release;
// err is the conversation's write failing.
func (t *Turn) Save(ctx context.Context, conversation, person []byte, personTTL time.Duration) (released bool, err error) {
	var (
		write  redis.Cmder
		unlock *redis.IntCmd
	)
	t.c.batch.Do(func(pipe redis.Pipeliner) {
		write = t.c.queueWrite(ctx, pipe, t.OpenID, conversation)
		t.queueCache(ctx, pipe, person, personTTL)
		unlock = pipe.Del(ctx, t.lockKey)
	})
	return unlock.Err() == nil, write.Err()
}

// Release lets the lock go, caching person when not nil (for personTTL), in one round trip.
func (t *Turn) Release(ctx context.Context, person []byte, personTTL time.Duration) {
	t.c.batch.Do(func(pipe redis.Pipeliner) {
		t.queueCache(ctx, pipe, person, personTTL)
		pipe.Del(ctx, t.lockKey)
	})
}

// queueCache queues the caching of the turn's person, if any.
func (t *Turn) queueCache(ctx context.Context, pipe redis.Pipeliner, person []byte, ttl time.Duration) {
	if person != nil {
		pipe.Set(ctx, t.c.personKey(t.Channel, t.OpenID), person, ttl)
	}
}

// queueWrite queues the storing of a conversation, or its deletion when it is nil.
func (c *Conversations) queueWrite(ctx context.Context, pipe redis.Pipeliner, openID string, conversation []byte) redis.Cmder {
	if conversation == nil {
		return pipe.Del(ctx, c.conversationKey(openID))
	}
	return pipe.Set(ctx, c.conversationKey(openID), conversation, c.cfg.Keep)
}

// Write stores a conversation (drops it when conversation is nil) without a lock held.
func (c *Conversations) Write(ctx context.Context, openID string, conversation []byte) error {
	var write redis.Cmder
	c.batch.Do(func(pipe redis.Pipeliner) { write = c.queueWrite(ctx, pipe, openID, conversation) })
	return write.Err()
}

// Read returns a person's stored conversation; found is false when there is none.
func (c *Conversations) Read(ctx context.Context, openID string) (conversation []byte, found bool, err error) {
	raw, err := c.rdb.Get(ctx, c.conversationKey(openID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return raw, true, nil
}

// Drop deletes a person's conversation.
func (c *Conversations) Drop(ctx context.Context, openID string) error {
	return c.rdb.Del(ctx, c.conversationKey(openID)).Err()
}

// conversationKey names a person's conversation in Redis.
func (c *Conversations) conversationKey(openID string) string {
	return c.cfg.KeyPrefix + "conv:" + openID
}
