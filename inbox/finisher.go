package inbox

import (
	"context"
	"sync"
	"time"

	"gridbot/models"
	"gridbot/shared"
)

// finisher records finished entries in batches: their replies in Redis in one round trip, then
// their done marks in one commit, instead of both per message. Retries wait for the reply in
// Redis (the entry's claim keeps them from processing it again), and an entry whose mark was
// lost in a crash is finished from Redis, not processed again.
type finisher struct {
	store  Store
	state  *shared.Inbox // where the replies go
	in     chan models.InboxOutcome
	done   chan struct{}
	log    func(msg string, err error)
	mu     sync.RWMutex
	closed bool
}

// newFinisher starts the batching loop.
func newFinisher(st Store, state *shared.Inbox, log func(string, error)) *finisher {
	f := &finisher{store: st, state: state, in: make(chan models.InboxOutcome, 1024), done: make(chan struct{}), log: log}
	go f.loop()
	return f
}

// add queues an outcome; it blocks when the queue is full (back-pressure on processing). After
// close it drops the outcome: the entry is finished from Redis at the next start.
func (f *finisher) add(o models.InboxOutcome) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if !f.closed {
		f.in <- o
	}
}

// close writes what is queued and stops.
func (f *finisher) close() {
	f.mu.Lock()
	f.closed = true
	close(f.in)
	f.mu.Unlock()
	<-f.done
}

// Finished entries' replies go to Redis every replyEvery (or replyBatch entries); their done
// marks, which only spare the retry loop a look at Redis, are written every markEvery (or
// markBatch entries), which keeps the commits they cost few.
const (
	replyEvery = 5 * time.Millisecond
	replyBatch = 200
	markEvery  = 200 * time.Millisecond
	markBatch  = 500
)

// loop stores replies in small batches and records done marks in large ones, until close.
func (f *finisher) loop() {
	defer close(f.done)
	var marks []models.InboxOutcome
	tick := time.NewTicker(markEvery)
	defer tick.Stop()
	for {
		select {
		case o, ok := <-f.in:
			if !ok {
				f.record(marks)
				return
			}
			batch, open := f.collect(o)
			f.storeReplies(batch)
			if marks = append(marks, batch...); len(marks) >= markBatch || !open {
				f.record(marks)
				marks = nil
			}
			if !open {
				return
			}
		case <-tick.C:
			f.record(marks)
			marks = nil
		}
	}
}

// collect gathers the outcomes that arrive within replyEvery after first, up to replyBatch;
// open is false once the queue is closed.
func (f *finisher) collect(first models.InboxOutcome) (batch []models.InboxOutcome, open bool) {
	batch = []models.InboxOutcome{first}
	timer := time.NewTimer(replyEvery)
	defer timer.Stop()
	for len(batch) < replyBatch {
		select {
		case next, ok := <-f.in:
			if !ok {
				return batch, false
			}
			batch = append(batch, next)
		case <-timer.C:
			return batch, true
		}
	}
	return batch, true
}

// record writes done marks, retrying once; entries it cannot record are finished later from
// Redis (or processed again when Redis lost their reply too).
func (f *finisher) record(marks []models.InboxOutcome) {
	if len(marks) == 0 {
		return
	}
	for attempt := 0; attempt < 2; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := f.store.FinishInboundBatch(ctx, marks)
		cancel()
		if err == nil {
			return
		}
		f.log("recording finished inbox entries failed", err)
	}
}

// storeReplies puts the batch's replies in Redis, where retries and duplicates read them, in
// the inbox's next shared pipeline.
func (f *finisher) storeReplies(batch []models.InboxOutcome) {
	// The batcher bounds its pipelines.
	if err := f.state.StoreReplies(context.Background(), batch); err != nil {
		f.log("storing replies of finished inbox entries failed", err)
	}
}
