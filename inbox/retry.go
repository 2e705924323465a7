package inbox

import (
	"context"
	"time"

	"gridbot/models"
)

// Start runs the processing pool and the batch writers until Close, and the retry loop: it
// processes unfinished entries at once (those a crash or a failure left behind) and then every
// interval, until ctx is done or Close. An interval of 0 runs no retry loop.
func (s *Service) Start(ctx context.Context, interval time.Duration) {
	s.begin.Do(func() {
		s.writer.start()
		s.done.start()
		for range max(s.cfg.Workers, 1) {
			s.pool.Go(s.worker)
		}
	})
	if interval > 0 {
		s.wg.Add(1)
		go s.retryLoop(ctx, interval)
	}
}

// retryLoop is the body of Start.
func (s *Service) retryLoop(ctx context.Context, interval time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := s.RetryPending(ctx, s.now().Add(-s.cfg.RetryAfter)); err != nil {
			s.log.WarnContext(ctx, "inbox retry pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

// RetryPending processes every unfinished entry received before a time that nobody is
// processing now; their replies go out as messages.
func (s *Service) RetryPending(ctx context.Context, before time.Time) error {
	entries, err := s.store.PendingInbound(ctx, before, 200)
	if err != nil {
		return err
	}
	for _, e := range entries {
		reply, known, err := s.state.Reply(ctx, e.DedupKey)
		if err != nil {
			return err
		}
		if known {
			// Processed, but its done mark was lost (a crash before the batch was written).
			if err := s.store.FinishInbound(ctx, e.DedupKey, models.InboxDone, reply); err != nil {
				return err
			}
			continue
		}
		claim, claimed, err := s.state.TakeClaim(ctx, e.DedupKey)
		if err != nil {
			return err
		}
		if !claimed {
			continue
		}
		j := &job{done: make(chan struct{})} // nobody waits: the reply is delivered as a message
		s.wg.Add(1)
		select {
		case s.jobs <- task{entry: e, prep: nothingPrepared{}, claim: claim, job: j}:
		case <-ctx.Done():
			s.wg.Done()
			s.release(claim)
			return ctx.Err()
		case <-s.stop:
			s.wg.Done()
			s.release(claim)
			return nil
		}
	}
	return nil
}

// Close stops the retry loop and waits up to timeout for processing in flight to finish.
func (s *Service) Close(timeout time.Duration) {
	s.once.Do(func() { close(s.stop) })
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
		s.log.Warn("inbox: processing still running at shutdown; unfinished entries are retried at the next start")
	}
	s.cancel()
	s.closeFinisher.Do(func() {
		s.writer.close()
		s.done.close()
	})
}
