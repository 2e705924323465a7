package inbox

import (
	"context"
	"time"

	"gridbot/batch"
	"gridbot/models"
	"gridbot/shared"
)

// finisher records finished entries in batches: their replies in Redis in one round trip, then
// their done marks in one commit, instead of both per message. Retries wait for the reply in
// Redis (the entry's claim keeps them from processing it again), and an entry whose mark was
// lost in a crash is finished from Redis, not processed again.
type finisher struct {
	store   Store
	state   *shared.Inbox                    // where the replies go
	replies *batch.Loop[models.InboxOutcome] // outcomes whose replies go to Redis
	marks   *batch.Loop[models.InboxOutcome] // outcomes whose replies are stored, to mark done
	log     func(msg string, err error)
}

// Finished entries' replies go to Redis every replyEvery (or replyBatch entries); their done
// marks, which only spare the retry loop a look at Redis, are written every markEvery (or
// markBatch entries), which keeps the commits they cost few.
const (
	replyEvery = 5 * time.Millisecond
	replyBatch = 200
	markEvery  = 200 * time.Millisecond
	markBatch  = 500
	// finishQueue outcomes wait before add blocks; the marks' queue holds as many, so that
	// a close without start can flush every reply and queue its mark.
	finishQueue = 1024
)

// newFinisher builds the two batching loops; start runs them.
func newFinisher(st Store, state *shared.Inbox, log func(string, error)) *finisher {
	f := &finisher{store: st, state: state, log: log}
	f.replies = batch.New(batch.Config{Max: replyBatch, Wait: replyEvery, Queue: finishQueue}, f.storeReplies)
	f.marks = batch.New(batch.Config{Max: markBatch, Wait: markEvery, Queue: finishQueue}, f.record)
	return f
}

// start runs the batching loops.
func (f *finisher) start() {
	f.marks.Start()
	f.replies.Start()
}

// add queues an outcome; it blocks when the queue is full (back-pressure on processing). After
// close it drops the outcome: the entry is finished from Redis at the next start.
func (f *finisher) add(o models.InboxOutcome) {
	_ = f.replies.Add(context.Background(), o) // only ErrClosed: the drop described above
}

// close writes what is queued, replies then marks, and stops.
func (f *finisher) close() {
	f.replies.Close(time.Minute)
	f.marks.Close(time.Minute)
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
// the inbox's next shared pipeline, then queues their done marks.
func (f *finisher) storeReplies(outcomes []models.InboxOutcome) {
	// The batcher bounds its pipelines.
	if err := f.state.StoreReplies(context.Background(), outcomes); err != nil {
		f.log("storing replies of finished inbox entries failed", err)
	}
	for _, o := range outcomes {
		_ = f.marks.Add(context.Background(), o) // closed only after the replies' loop
	}
}
