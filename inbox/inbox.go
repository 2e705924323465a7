// Package inbox receives inbound WeChat and WeCom messages so that none is lost: each is stored
// durably before it is acknowledged, retries are deduplicated across instances through Redis,
// processing runs in a bounded pool within a reply budget, late replies go out as
// customer-service messages, and unfinished entries are processed again (also after a restart).
package inbox

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

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
type Preparer = shared.Preparer

// Prepared is work a Preparer queued. After the round trip ran, Attach hands it to the
// processing of the message; Drop undoes it when the message is not processed here.
type Prepared = shared.Prepared

// Sender delivers a reply that missed its callback as a customer-service message.
type Sender interface {
	SendText(ctx context.Context, channel models.Channel, to, text string) error
}

// Config tunes the inbox.
type Config struct {
	Budget       time.Duration // how long Receive waits for a reply (WeChat waits 5 s)
	Workers      int           // most messages processed at once
	MaxAttempts  int           // a message that fails this often is marked failed
	RetryAfter   time.Duration // an unfinished entry older than this is processed again
	BusyText     string        // the answer when processing failed or the pool is full
	ProcessLimit time.Duration // the longest one processing attempt may take (keep it shared.InboxConfig.ClaimTTL)
}

// Service is the inbox. Build it with New, call Run to start its retry loop, Close to drain.
type Service struct {
	cfg    Config
	store  Store
	state  *shared.Inbox // nonces, claims, replies and late marks, shared by all instances
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
	begin  sync.Once // runs the pool and the batchers once, at the first Start
	done   *finisher
	writer *writer
	// closeFinisher closes the finisher once, after the processing it records has stopped.
	closeFinisher sync.Once
	now           func() time.Time
}

// New builds the inbox service; it starts nothing (Start does).
func New(cfg Config, st Store, state *shared.Inbox, proc Processor, sender Sender, log *slog.Logger) *Service {
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
	s := &Service{cfg: cfg, store: st, state: state, proc: proc, sender: sender, log: log,
		jobs: make(chan task), ctx: ctx, cancel: cancel, stop: make(chan struct{}),
		now: time.Now}
	s.done = newFinisher(st, state, func(msg string, err error) { log.Error(msg, "err", err) })
	s.writer = newWriter(st, writers, writeBatch)
	return s
}

// The group commit of inbound messages: this many batch writers, each storing up to
// writeBatch messages per statement.
const (
	writers    = 1
	writeBatch = 128
)

// check admits a callback's message (see shared.Inbox.Admit) in one round trip that the
// processor, when it is a Preparer, starts the message's work in.
func (s *Service) check(ctx context.Context, in models.Inbound, key string, n models.CallbackNonce) (shared.Admission, Prepared, error) {
	p, _ := s.proc.(Preparer)
	adm, err := s.state.Admit(ctx, in, n, key, p)
	if err != nil || adm.Verdict != shared.Claimed {
		return adm, nil, err // Admit dropped what was prepared
	}
	if adm.Prepared == nil {
		return adm, nothingPrepared{}, nil
	}
	return adm, adm.Prepared, nil
}

// nothingPrepared is the Prepared of a Processor that prepares nothing.
type nothingPrepared struct{}

func (nothingPrepared) Attach(ctx context.Context) context.Context { return ctx }
func (nothingPrepared) Drop()                                      {}

// Receive checks a callback's nonce, stores its message, processes it once across all retries
// and instances, and returns the reply to give in the callback ("" to acknowledge without one).
// A replayed nonce is models.EForbidden; any other error means the message was not stored:
// answer so that WeChat retries.
func (s *Service) Receive(ctx context.Context, in models.Inbound, n models.CallbackNonce) (string, error) {
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = s.now()
	}
	key := in.DedupKey()
	adm, prep, err := s.check(ctx, in, key, n)
	switch {
	case err != nil:
		return "", err
	case adm.Verdict == shared.Replayed:
		return "", models.Errorf(models.EForbidden, "nonce already used with another message")
	case adm.Verdict == shared.Finished:
		return adm.Reply, nil // a retry of a finished message: the same answer
	}
	claimed := adm.Verdict == shared.Claimed
	added, err := s.writer.add(ctx, in)
	if err != nil {
		if claimed {
			prep.Drop()
			s.release(adm.Claim)
		}
		return "", fmt.Errorf("store inbound: %w", err)
	}
	entry := added.Entry
	if entry.State != models.InboxPending {
		// Finished before, though Redis forgot its reply (a restarted Redis): the same answer.
		if claimed {
			prep.Drop()
		}
		return entry.Reply, nil
	}
	deadline := time.NewTimer(s.cfg.Budget)
	defer deadline.Stop()
	if !claimed {
		// Stored, so acknowledging loses nothing: the claimer finishes it, or the retry loop
		// does once its claim expires.
		return s.awaitOther(ctx, key, deadline.C)
	}
	j, ok := s.start(entry, prep, adm.Claim, deadline.C)
	if !ok {
		prep.Drop()
		s.release(adm.Claim)
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
		// Over with "" when the claimer gave up waiting and delivers the reply as a message.
		reply, over, err := s.state.Outcome(ctx, key)
		if err != nil {
			return "", nil
		}
		if over {
			return reply, nil
		}
	}
}

// release drops an entry's claim so that the retry loop or a retry can take it; what fails to
// release expires.
func (s *Service) release(c shared.Claim) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.state.Release(ctx, c); err != nil {
		s.log.Warn("releasing an inbox claim failed", "err", err)
	}
}
