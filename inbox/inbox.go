// Package inbox receives inbound WeChat and WeCom messages so that none is lost: each is stored
// durably before it is acknowledged, retries are deduplicated across instances through Redis,
// processing runs in a bounded pool within a reply budget, late replies go out as
// customer-service messages, and unfinished entries are processed again (also after a restart).
package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"gridbot/models"
	"gridbot/shared"
)

// Store is the durable inbox.
type Store interface {
	// AddInboundBatch stores messages whose dedup key is not there yet, in one commit, and says
	// for each whether this call stored it (else what was stored before).
	AddInboundBatch(ctx context.Context, msgs []models.Inbound) ([]models.InboxAdded, error)
	// FinishInbound records the outcome of one processing attempt.
	FinishInbound(ctx context.Context, dedupKey string, state models.InboxState, reply string) error
	// FinishInboundBatch records many outcomes in one transaction.
	FinishInboundBatch(ctx context.Context, outcomes []models.InboxOutcome) error
	// PendingInbound returns unfinished entries received before a time.
	PendingInbound(ctx context.Context, before time.Time, limit int) ([]models.InboxEntry, error)
}

// Processor turns an inbound message into the reply text for its sender ("" for none): the bot.
type Processor interface {
	Process(ctx context.Context, in models.Inbound) (string, error)
}

// Preparer is a Processor that starts a message's work in the Redis round trip that admits it
// (the bot takes the sender's conversation lock and reads the conversation there).
type Preparer interface {
	Prepare(ctx context.Context, pipe redis.Pipeliner, in models.Inbound) Prepared
}

// Prepared is work a Preparer queued. After the round trip ran, Attach hands it to the
// processing of the message; Drop undoes it when the message is not processed here.
type Prepared interface {
	Attach(ctx context.Context) context.Context
	Drop()
}

// Sender delivers a reply that missed its callback as a customer-service message.
type Sender interface {
	SendText(ctx context.Context, channel models.Channel, to, text string) error
}

// Config tunes the inbox.
type Config struct {
	Budget       time.Duration // how long Receive waits for a reply (WeChat waits 5 s)
	Workers      int           // most messages processed at once
	Window       time.Duration // how long nonces and dedup claims are remembered
	MaxAttempts  int           // a message that fails this often is marked failed
	RetryAfter   time.Duration // an unfinished entry older than this is processed again
	KeyPrefix    string        // Redis key prefix
	BusyText     string        // the answer when processing failed or the pool is full
	ProcessLimit time.Duration // the longest one processing attempt may take
	// Batch shares Redis round trips with the other users of the same Redis (the bot's); nil
	// gives the inbox a batcher of its own.
	Batch *shared.Batcher
}

// Service is the inbox. Build it with New, call Run to start its retry loop, Close to drain.
type Service struct {
	cfg    Config
	store  Store
	redis  *redis.Client
	proc   Processor
	sender Sender
	log    *slog.Logger
	jobs   chan task // taken by the pool's workers; a send succeeds only when one is idle
	pool   sync.WaitGroup
	wg     sync.WaitGroup
	ctx    context.Context // cancelled by Close after the drain: stops processing still running
	cancel context.CancelFunc
	stop   chan struct{} // closed by Close: stops the retry loop
	once   sync.Once
	done   *finisher
	writer *writer
	batch  *shared.Batcher // shares Redis round trips between concurrent requests
	// closeFinisher closes the finisher once, after the processing it records has stopped.
	closeFinisher sync.Once
	now           func() time.Time
}

// New builds the inbox service.
func New(cfg Config, st Store, rdb *redis.Client, proc Processor, sender Sender, log *slog.Logger) *Service {
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.RetryAfter == 0 {
		cfg.RetryAfter = 30 * time.Second
	}
	if cfg.ProcessLimit == 0 {
		cfg.ProcessLimit = 60 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{cfg: cfg, store: st, redis: rdb, proc: proc, sender: sender, log: log,
		jobs: make(chan task), ctx: ctx, cancel: cancel, stop: make(chan struct{}),
		now: time.Now}
	s.batch = cfg.Batch
	if s.batch == nil {
		s.batch = shared.NewBatcher(rdb, 5*time.Second)
	}
	s.done = newFinisher(st, s.batch, 2*cfg.Window, s.replyKey, func(msg string, err error) { log.Error(msg, "err", err) })
	s.writer = newWriter(st, writers, writeBatch)
	for range max(cfg.Workers, 1) {
		s.pool.Go(s.worker)
	}
	return s
}

// The group commit of inbound messages: this many batch writers, each storing up to
// writeBatch messages per statement.
const (
	writers    = 1
	writeBatch = 128
)

// admission is what the admission round trip found.
type admission int

// The answers of check.
const (
	admitReplay   admission = iota // the nonce was used with another body
	admitOther                     // another request or instance is processing the message
	admitClaimed                   // this request now holds the message's claim
	admitFinished                  // the message was processed already: its reply is known
)

// check checks a callback's nonce and claims its message in one round trip: the nonce is kept
// with the body's digest (a byte-identical request is a retry, not a replay), and the claim is
// taken unless the message's reply is known. A claim taken by a refused request is let go.
func (s *Service) check(ctx context.Context, in models.Inbound, key string, n models.CallbackNonce) (admission, string, Prepared, error) {
	nonceKey := s.cfg.KeyPrefix + "nonce:" + string(in.Channel) + ":" + n.Timestamp + ":" + n.Nonce
	var (
		seen  *redis.StatusCmd
		reply *redis.StringCmd
		claim *redis.BoolCmd
		prep  Prepared = nothingPrepared{}
	)
	s.batch.Do(func(pipe redis.Pipeliner) {
		// SET NX GET: nothing when the nonce is new, else the digest it was first seen with.
		seen = pipe.SetArgs(ctx, nonceKey, n.Digest, redis.SetArgs{Mode: "NX", Get: true, TTL: 2 * s.cfg.Window})
		reply = pipe.Get(ctx, s.replyKey(key))
		claim = pipe.SetNX(ctx, s.claimKey(key), "1", s.cfg.ProcessLimit)
		if p, ok := s.proc.(Preparer); ok {
			prep = p.Prepare(ctx, pipe, in)
		}
	})
	if err := firstFailure(seen, reply, claim); err != nil {
		prep.Drop()
		return 0, "", nil, models.WrapError(models.EUnavailable, err, "redis unavailable")
	}
	claimed := claim.Val()
	adm := admitOther
	switch {
	case seen.Err() == nil && seen.Val() != n.Digest:
		adm = admitReplay
	case reply.Err() == nil:
		adm = admitFinished
	case claimed:
		return admitClaimed, "", prep, nil
	}
	prep.Drop()
	if claimed {
		s.release(key)
	}
	return adm, reply.Val(), nil, nil
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

// nothingPrepared is the Prepared of a Processor that prepares nothing.
type nothingPrepared struct{}

func (nothingPrepared) Attach(ctx context.Context) context.Context { return ctx }
func (nothingPrepared) Drop()                                      {}

// claimKey, replyKey and lateKey name the Redis keys of a message's processing claim, its
// finished reply and its late delivery, by the message's dedup key.
func (s *Service) claimKey(key string) string { return s.cfg.KeyPrefix + "inbox:claim:" + key }
func (s *Service) replyKey(key string) string { return s.cfg.KeyPrefix + "inbox:reply:" + key }
func (s *Service) lateKey(key string) string  { return s.cfg.KeyPrefix + "inbox:late:" + key }

// Receive checks a callback's nonce, stores its message, processes it once across all retries
// and instances, and returns the reply to give in the callback ("" to acknowledge without one).
// A replayed nonce is models.EForbidden; any other error means the message was not stored:
// answer so that WeChat retries.
func (s *Service) Receive(ctx context.Context, in models.Inbound, n models.CallbackNonce) (string, error) {
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = s.now()
	}
	key := in.DedupKey()
	adm, reply, prep, err := s.check(ctx, in, key, n)
	switch {
	case err != nil:
		return "", err
	case adm == admitReplay:
		return "", models.Errorf(models.EForbidden, "nonce already used with another message")
	case adm == admitFinished:
		return reply, nil // a retry of a finished message: the same answer
	}
	added, err := s.writer.add(ctx, in)
	if err != nil {
		if adm == admitClaimed {
			prep.Drop()
			s.release(key)
		}
		return "", fmt.Errorf("store inbound: %w", err)
	}
	entry := added.Entry
	if entry.State != models.InboxPending {
		// Finished before, though Redis forgot its reply (a restarted Redis): the same answer.
		if adm == admitClaimed {
			prep.Drop()
		}
		return entry.Reply, nil
	}
	deadline := time.NewTimer(s.cfg.Budget)
	defer deadline.Stop()
	if adm != admitClaimed {
		// Stored, so acknowledging loses nothing: the claimer finishes it, or the retry loop
		// does once its claim expires.
		return s.awaitOther(ctx, key, deadline.C)
	}
	j, ok := s.start(entry, prep, deadline.C)
	if !ok {
		prep.Drop()
		s.release(key)
		return s.cfg.BusyText, nil
	}
	return j.await(deadline.C), nil
}

// awaitOther waits for the instance that claimed an entry to finish it and returns its reply,
// or acknowledges without one when the budget runs out or that instance replies late.
func (s *Service) awaitOther(ctx context.Context, key string, deadline <-chan time.Time) (string, error) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-deadline:
			return "", nil
		case <-ctx.Done():
			return "", nil
		case <-tick.C:
		}
		vals, err := s.redis.MGet(ctx, s.replyKey(key), s.lateKey(key)).Result()
		if err != nil {
			return "", nil
		}
		if vals[1] != nil {
			return "", nil // the claimer gave up waiting and delivers it as a message
		}
		if r, ok := vals[0].(string); ok {
			return r, nil
		}
	}
}

// release drops an entry's claim so that the retry loop or a retry can take it.
func (s *Service) release(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s.redis.Del(ctx, s.claimKey(key))
}
