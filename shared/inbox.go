package shared

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"gridbot/models"
)

// Pipe is a shared Redis pipeline lent to a caller that adds its own commands to a round trip
// run here (the bot's Prepare, during the inbox's admission of a message) through this
// package's methods that take it (Conversations.PrepareLock).
type Pipe struct{ p redis.Pipeliner }

// InboxConfig tunes the inbox's shared state.
type InboxConfig struct {
	KeyPrefix string        // Redis key prefix
	Window    time.Duration // nonces, replies and late marks are kept twice this long
	ClaimTTL  time.Duration // a claim expires after this (the longest processing attempt; 60 s if 0)
}

// Inbox is the inbox's state shared by all instances: callback nonces, the claims on messages
// being processed, the replies of finished messages and the marks of replies delivered late.
type Inbox struct {
	rdb     *redis.Client
	batch   *Batcher
	cfg     InboxConfig
	release *redis.Script // deletes a claim only if it still holds the given token
	tokens  atomic.Uint64 // the last claim token; it starts at a random number
}

// NewInbox returns the inbox's shared state on rdb; batch shares round trips with the other
// users of the same Redis (nil gives the inbox a batcher of its own).
func NewInbox(rdb *redis.Client, batch *Batcher, cfg InboxConfig) *Inbox {
	if cfg.ClaimTTL == 0 {
		cfg.ClaimTTL = 60 * time.Second
	}
	if batch == nil {
		batch = NewBatcher(rdb, 5*time.Second)
	}
	x := &Inbox{rdb: rdb, batch: batch, cfg: cfg, release: redis.NewScript(releaseScript)}
	x.tokens.Store(randomUint64())
	return x
}

// randomUint64 is a random number from crypto/rand, which never fails.
func randomUint64() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// Verdict is what admitting a callback found.
type Verdict int

// The verdicts of Admit.
const (
	Replayed Verdict = iota // the nonce was used with another body
	Taken                   // another request or instance is processing the message
	Claimed                 // this request now holds the message's claim
	Finished                // the message was processed already: its reply is known
)

// Preparer starts a message's work in the round trip that admits it (the bot takes the
// sender's conversation lock and reads the conversation there).
type Preparer interface {
	Prepare(ctx context.Context, pipe Pipe, in models.Inbound) Prepared
}

// Prepared is work a Preparer queued. After the round trip ran, Attach hands it to the
// processing of the message; Drop undoes it when the message is not processed here.
type Prepared interface {
	Attach(ctx context.Context) context.Context
	Drop()
}

// Admission is what Admit found.
type Admission struct {
	Verdict  Verdict
	Reply    string   // the known reply when Finished
	Claim    Claim    // the claim taken when Claimed
	Prepared Prepared // what the Preparer queued when Claimed (nil without a Preparer)
}

// Claim is a claim on a message being processed, held by whoever took it: only its Release
// drops it, so a holder whose claim expired cannot drop the next holder's.
type Claim struct {
	key   string // the claim's Redis key ("" for no claim)
	token uint64 // this holder's value of it
}

// Held reports whether the claim was taken.
func (c Claim) Held() bool { return c.key != "" }

// Admit checks a callback's nonce, reads the message's known reply and claims the message in
// one shared round trip, on which p (when not nil) starts the message's work. The nonce is kept
// with the body's digest, so a byte-identical request is a retry, not a replay; the claim is
// taken unless the reply is known. Unless the verdict is Claimed, Admit drops what p prepared
// and lets a claim it took go. A failed round trip is models.EUnavailable.
func (x *Inbox) Admit(ctx context.Context, in models.Inbound, n models.CallbackNonce, dedupKey string,
	p Preparer) (Admission, error) {
	a := admit{ctx: ctx, in: in, p: p, digest: n.Digest, window: x.cfg.Window, claimTTL: x.cfg.ClaimTTL,
		nonceKey: x.cfg.KeyPrefix + "nonce:" + string(in.Channel) + ":" + n.Timestamp + ":" + n.Nonce,
		replyKey: x.replyKey(dedupKey), claim: x.newClaim(dedupKey)}
	x.batch.Do(a.queue)
	if err := firstFailure(a.seen, a.reply, a.took); err != nil {
		a.drop()
		return Admission{}, models.WrapError(models.EUnavailable, err, "redis unavailable")
	}
	claimed := a.took.Val()
	adm := Admission{Verdict: Taken}
	switch {
	case a.seen.Err() == nil && a.seen.Val() != n.Digest:
		adm.Verdict = Replayed
	case a.reply.Err() == nil:
		adm.Verdict, adm.Reply = Finished, a.reply.Val()
	case claimed:
		return Admission{Verdict: Claimed, Claim: a.claim, Prepared: a.prep}, nil
	}
	a.drop()
	if claimed {
		x.releaseSoon(a.claim)
	}
	return adm, nil
}

// admit is one admission's commands, queued on a shared pipeline; one value holds them all, so
// that an admission costs few allocations.
type admit struct {
	ctx              context.Context
	in               models.Inbound
	p                Preparer
	prep             Prepared
	nonceKey, digest string
	replyKey         string
	claim            Claim
	window, claimTTL time.Duration
	seen             *redis.StatusCmd
	reply            *redis.StringCmd
	took             *redis.BoolCmd
}

// queue adds the admission's commands, and the Preparer's, to pipe.
func (a *admit) queue(pipe redis.Pipeliner) {
	// SET NX GET: nothing when the nonce is new, else the digest it was first seen with.
	a.seen = pipe.SetArgs(a.ctx, a.nonceKey, a.digest, redis.SetArgs{Mode: "NX", Get: true, TTL: 2 * a.window})
	a.reply = pipe.Get(a.ctx, a.replyKey)
	a.took = pipe.SetNX(a.ctx, a.claim.key, a.claim.token, a.claimTTL)
	if a.p != nil {
		a.prep = a.p.Prepare(a.ctx, Pipe{pipe}, a.in)
	}
}

// drop undoes what the Preparer queued.
func (a *admit) drop() {
	if a.prep != nil {
		a.prep.Drop()
	}
}

// firstFailure returns the first error of commands other than redis.Nil (a missing key).
func firstFailure(cmds ...redis.Cmder) error {
	for _, c := range cmds {
		if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
	}
	return nil
}

// newClaim returns a claim on a message with a token no other claim has in practice: a counter
// that starts at a random number on each instance.
func (x *Inbox) newClaim(dedupKey string) Claim {
	return Claim{key: x.claimKey(dedupKey), token: x.tokens.Add(1)}
}

// TakeClaim claims a message for processing (the retry loop's claim); false when another holds it.
func (x *Inbox) TakeClaim(ctx context.Context, dedupKey string) (Claim, bool, error) {
	c := x.newClaim(dedupKey)
	ok, err := x.rdb.SetNX(ctx, c.key, c.token, x.cfg.ClaimTTL).Result()
	if err != nil || !ok {
		return Claim{}, false, err
	}
	return c, true, nil
}

// Release drops a claim if it is still the one taken, so that the retry loop or a retry can
// take the message; a claim that expired and was taken by another is left to its holder.
func (x *Inbox) Release(ctx context.Context, c Claim) error {
	if !c.Held() {
		return nil
	}
	return x.release.Run(ctx, x.rdb, []string{c.key}, c.token).Err()
}

// releaseSoon releases a claim within a second, ignoring failure: the claim then expires.
func (x *Inbox) releaseSoon(c Claim) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = x.Release(ctx, c)
}

// Reply returns a finished message's reply; false when none is known.
func (x *Inbox) Reply(ctx context.Context, dedupKey string) (string, bool, error) {
	reply, err := x.rdb.Get(ctx, x.replyKey(dedupKey)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return "", false, nil
	case err != nil:
		return "", false, err
	}
	return reply, true, nil
}

// Outcome tells a request waiting for another's processing whether to stop waiting: over with
// the reply when it is known, over with "" when the claimer delivers it late as a message.
func (x *Inbox) Outcome(ctx context.Context, dedupKey string) (reply string, over bool, err error) {
	vals, err := x.rdb.MGet(ctx, x.replyKey(dedupKey), x.lateKey(dedupKey)).Result()
	if err != nil {
		return "", false, err
	}
	if vals[1] != nil {
		return "", true, nil
	}
	reply, over = vals[0].(string)
	return reply, over, nil
}

// MarkLate records that a message's reply goes out as a message, not in a callback.
func (x *Inbox) MarkLate(ctx context.Context, dedupKey string) error {
	return x.rdb.Set(ctx, x.lateKey(dedupKey), "1", 2*x.cfg.Window).Err()
}

// StoreReplies keeps finished messages' replies, where retries and duplicates read them, in one
// shared round trip; it returns the first failure.
func (x *Inbox) StoreReplies(ctx context.Context, outcomes []models.InboxOutcome) error {
	sets := make([]*redis.StatusCmd, 0, len(outcomes))
	x.batch.Do(func(pipe redis.Pipeliner) {
		for _, o := range outcomes {
			sets = append(sets, pipe.Set(ctx, x.replyKey(o.DedupKey), o.Reply, 2*x.cfg.Window))
		}
	})
	for _, set := range sets {
		if err := set.Err(); err != nil {
			return err
		}
	}
	return nil
}

// claimKey, replyKey and lateKey name the Redis keys of a message's processing claim, its
// finished reply and its late delivery, by the message's dedup key.
func (x *Inbox) claimKey(key string) string { return x.cfg.KeyPrefix + "inbox:claim:" + key }
func (x *Inbox) replyKey(key string) string { return x.cfg.KeyPrefix + "inbox:reply:" + key }
func (x *Inbox) lateKey(key string) string  { return x.cfg.KeyPrefix + "inbox:late:" + key }
