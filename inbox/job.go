package inbox

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"gridbot/models"
	"gridbot/shared"
)

// errPanic marks a processing attempt that panicked.
var errPanic = errors.New("panic")

// job is one processing attempt of an entry, started by a request that may stop waiting for it.
type job struct {
	mu     sync.Mutex
	done   chan struct{}
	reply  string
	late   bool // the request gave up waiting: the reply goes out as a message
	waited bool // a request is waiting: a reply before the budget is answered passively
}

// task is an entry handed to the pool with the job that reports on it.
type task struct {
	entry models.InboxEntry
	prep  Prepared     // what the processor prepared when the message was admitted
	claim shared.Claim // the entry's claim, held by this attempt
	job   *job
}

// worker processes tasks until the service stops. The workers live as long as the service, so
// their stacks stay grown: a goroutine per message would grow a fresh stack each time.
func (s *Service) worker() {
	for {
		select {
		case t := <-s.jobs:
			s.run(t)
			s.wg.Done()
		case <-s.stop:
			return
		}
	}
}

// start runs a processing attempt in the bounded pool; false when no worker frees up in time.
func (s *Service) start(entry models.InboxEntry, prep Prepared, claim shared.Claim, deadline <-chan time.Time) (*job, bool) {
	j := &job{done: make(chan struct{}), waited: true}
	s.wg.Add(1)
	select {
	case s.jobs <- task{entry: entry, prep: prep, claim: claim, job: j}:
		return j, true
	case <-deadline:
	case <-s.stop:
	}
	s.wg.Done()
	return nil, false
}

// await returns the job's reply if it finishes before the deadline; otherwise it marks the job
// late, so that the reply is delivered as a message, and returns "" (acknowledge only).
func (j *job) await(deadline <-chan time.Time) string {
	select {
	case <-j.done:
		return j.reply
	case <-deadline:
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	select {
	case <-j.done:
		return j.reply
	default:
		j.late = true
		return ""
	}
}

// finish records the reply and reports whether it must be delivered as a message.
func (j *job) finish(reply string) (late bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.reply = reply
	close(j.done)
	return j.late || !j.waited
}

// run processes a task's entry once, records the outcome, and delivers the reply late if needed.
func (s *Service) run(t task) {
	entry, j := t.entry, t.job
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.ProcessLimit)
	defer cancel()
	ctx = t.prep.Attach(ctx)
	in := entry.Message
	in.InboxKey = entry.DedupKey // a case filed in this turn is filed once, however often it runs
	reply, err := s.process(ctx, in)
	state := models.InboxDone
	if err != nil {
		s.log.ErrorContext(ctx, "processing an inbound message failed", "inbox_key", entry.DedupKey,
			"attempt", entry.Attempts+1, "err", err)
		reply, state = s.cfg.BusyText, models.InboxPending
		if errors.Is(err, errPanic) {
			reply = "" // acknowledged with "success": WeChat must not retry into the same panic
		}
		if entry.Attempts+1 >= s.cfg.MaxAttempts {
			state = models.InboxFailed
		}
	}
	if state == models.InboxDone {
		// The reply goes to Redis and the done mark to the database with others, in one round
		// trip and one commit; the claim, held until it expires, keeps retries waiting for it.
		s.done.add(models.InboxOutcome{ID: entry.ID, DedupKey: entry.DedupKey, State: state, Reply: reply})
	} else {
		if err := s.store.FinishInbound(ctx, entry.DedupKey, state, reply); err != nil {
			s.log.ErrorContext(ctx, "recording an inbound message's outcome failed", "inbox_key", entry.DedupKey, "err", err)
		}
		s.release(t.claim)
	}
	if j.finish(reply) && state == models.InboxDone {
		if err := s.state.MarkLate(ctx, entry.DedupKey); err != nil {
			s.log.WarnContext(ctx, "marking an inbox reply late failed", "inbox_key", entry.DedupKey, "err", err)
		}
		s.deliverLate(ctx, entry, reply)
	}
}

// process calls the processor, turning a panic into an error so that the request is still
// acknowledged and WeChat does not retry into the same panic.
func (s *Service) process(ctx context.Context, in models.Inbound) (reply string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v\n%s", errPanic, r, debug.Stack())
		}
	}()
	return s.proc.Process(ctx, in)
}

// deliverLate sends a reply that missed its callback as a customer-service message, retrying a
// few times; what still fails is logged (the outbox takes over such deliveries later).
func (s *Service) deliverLate(ctx context.Context, entry models.InboxEntry, reply string) {
	if reply == "" || s.sender == nil {
		return
	}
	var err error
	for attempt, wait := 1, 200*time.Millisecond; attempt <= 3; attempt, wait = attempt+1, wait*4 {
		if err = s.sender.SendText(ctx, entry.Message.Channel, entry.Message.OpenID, reply); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
	s.log.ErrorContext(ctx, "a late reply could not be delivered", "inbox_key", entry.DedupKey, "err", err)
}
