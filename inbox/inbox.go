// Package inbox receives inbound WeChat and WeCom messages so that none is lost: each is stored
// durably before it is acknowledged, retries are deduplicated across instances through Redis,
// processing runs in a bounded pool within a reply budget, late replies go out as
// customer-service messages, and unfinished entries are processed again (also after a restart).
package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"gridbot/models"
)

// Store is the durable inbox.
type Store interface {
	// AddInbound stores a message unless its dedup key is there; it returns the entry and whether it is new.
	AddInbound(ctx context.Context, in models.Inbound) (models.InboxEntry, bool, error)
	// InboxEntry returns an entry; models.ENotFound if there is none.
	InboxEntry(ctx context.Context, id int64) (models.InboxEntry, error)
	// FinishInbound records the outcome of one processing attempt.
	FinishInbound(ctx context.Context, id int64, state models.InboxState, reply string) error
	// FinishInboundBatch records many outcomes in one transaction.
	FinishInboundBatch(ctx context.Context, outcomes []models.InboxOutcome) error
	// PendingInbound returns unfinished entries received before a time.
	PendingInbound(ctx context.Context, before time.Time, limit int) ([]models.InboxEntry, error)
}

// Processor turns an inbound message into the reply text for its sender ("" for none): the bot.
type Processor interface {
	Process(ctx context.Context, in models.Inbound) (string, error)
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
}

// Service is the inbox. Build it with New, call Run to start its retry loop, Close to drain.
type Service struct {
	cfg    Config
	store  Store
	redis  *redis.Client
	proc   Processor
	sender Sender
	log    *slog.Logger
	slots  chan struct{}
	wg     sync.WaitGroup
	ctx    context.Context // cancelled by Close after the drain: stops processing still running
	cancel context.CancelFunc
	stop   chan struct{} // closed by Close: stops the retry loop
	once   sync.Once
	done   *finisher
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
		slots: make(chan struct{}, max(cfg.Workers, 1)), ctx: ctx, cancel: cancel, stop: make(chan struct{}),
		now: time.Now}
	s.done = newFinisher(st, func(msg string, err error) { log.Error(msg, "err", err) })
	return s
}

// CheckNonce refuses a replayed request: the same timestamp and nonce seen within the window with
// a different body. A byte-identical request is a retry, which dedup handles, and passes.
func (s *Service) CheckNonce(ctx context.Context, channel models.Channel, timestamp, nonce string, body []byte) error {
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:])
	key := s.cfg.KeyPrefix + "nonce:" + string(channel) + ":" + timestamp + ":" + nonce
	ok, err := s.redis.SetNX(ctx, key, digest, 2*s.cfg.Window).Result()
	if err != nil {
		return models.WrapError(models.EUnavailable, err, "redis unavailable")
	}
	if ok {
		return nil
	}
	seen, err := s.redis.Get(ctx, key).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return models.WrapError(models.EUnavailable, err, "redis unavailable")
	}
	if seen != digest {
		return models.Errorf(models.EForbidden, "nonce already used with another message")
	}
	return nil
}

// claimKey and replyKey name the Redis keys of an entry's processing claim and its finished reply.
func (s *Service) claimKey(id int64) string {
	return s.cfg.KeyPrefix + "inbox:claim:" + strconv.FormatInt(id, 10)
}
func (s *Service) replyKey(id int64) string {
	return s.cfg.KeyPrefix + "inbox:reply:" + strconv.FormatInt(id, 10)
}
func (s *Service) lateKey(id int64) string {
	return s.cfg.KeyPrefix + "inbox:late:" + strconv.FormatInt(id, 10)
}

// Receive stores a message, processes it once across all retries and instances, and returns the
// reply to give in the callback ("" to acknowledge without one). An error means the message was
// not stored: answer so that WeChat retries.
func (s *Service) Receive(ctx context.Context, in models.Inbound) (string, error) {
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = s.now()
	}
	entry, _, err := s.store.AddInbound(ctx, in)
	if err != nil {
		return "", fmt.Errorf("store inbound: %w", err)
	}
	if entry.State != models.InboxPending {
		return entry.Reply, nil // a retry of a finished message: the same answer
	}
	deadline := time.NewTimer(s.cfg.Budget)
	defer deadline.Stop()
	claimed, err := s.redis.SetNX(ctx, s.claimKey(entry.ID), "1", s.cfg.ProcessLimit).Result()
	if err != nil {
		// Redis is down: the entry is stored and the retry loop will process it.
		s.log.WarnContext(ctx, "inbox claim failed; left for the retry loop", "inbox_id", entry.ID, "err", err)
		return s.cfg.BusyText, nil
	}
	if !claimed {
		return s.awaitOther(ctx, entry.ID, deadline.C)
	}
	j, ok := s.start(entry, deadline.C)
	if !ok {
		s.release(entry.ID)
		return s.cfg.BusyText, nil
	}
	return j.await(deadline.C), nil
}

// awaitOther waits for the instance that claimed an entry to finish it and returns its reply,
// or acknowledges without one when the budget runs out or that instance replies late.
func (s *Service) awaitOther(ctx context.Context, id int64, deadline <-chan time.Time) (string, error) {
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
		vals, err := s.redis.MGet(ctx, s.replyKey(id), s.lateKey(id)).Result()
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
func (s *Service) release(id int64) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s.redis.Del(ctx, s.claimKey(id))
}
