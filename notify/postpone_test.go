package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"gridbot/models"
	"gridbot/shared"
	"gridbot/store"
	"gridbot/store/storetest"
	"gridbot/wechat"
)

// countingOutbox is the store with each DeferIntents call recorded.
type countingOutbox struct {
	outbox
	deferrals [][]store.Deferral
}

// DeferIntents records the call and passes it on.
func (o *countingOutbox) DeferIntents(ctx context.Context, owner string, ds []store.Deferral) error {
	o.deferrals = append(o.deferrals, ds)
	return o.outbox.DeferIntents(ctx, owner, ds)
}

// countingLimiter is a limiter with its calls counted.
type countingLimiter struct {
	Limiter
	reserves, turns int
}

// Reserve counts the call and passes it on.
func (l *countingLimiter) Reserve(ctx context.Context) (time.Duration, error) {
	l.reserves++
	return l.Limiter.Reserve(ctx)
}

// Turns counts the call and passes it on.
func (l *countingLimiter) Turns(ctx context.Context, recipients []int64) ([]time.Duration, error) {
	l.turns++
	return l.Limiter.Turns(ctx, recipients)
}

// acceptingOfficial is an Official Account that accepts every message.
type acceptingOfficial struct{ sent int }

// SendText counts the message.
func (o *acceptingOfficial) SendText(context.Context, string, string) error { o.sent++; return nil }

// SendTemplate counts the message.
func (o *acceptingOfficial) SendTemplate(context.Context, string, wechat.Template) error {
	o.sent++
	return nil
}

// DropToken does nothing.
func (o *acceptingOfficial) DropToken(context.Context) error { return nil }

// batchRig is a dispatcher whose batches a test runs one by one, with its calls counted.
type batchRig struct {
	d        *Dispatcher
	s        *store.Store
	out      *countingOutbox
	limiter  *countingLimiter
	official *acceptingOfficial
	people   []models.Person
	jitter   time.Duration // how far apart turns booked for one window may come due
}

// newBatchRig builds an unstarted dispatcher on s with a Redis limiter at rate and n people.
func newBatchRig(t *testing.T, s *store.Store, rate shared.RateConfig, n int) *batchRig {
	t.Helper()
	rdb, prefix := storetest.Redis(t)
	r := &batchRig{s: s, official: &acceptingOfficial{},
		limiter: &countingLimiter{Limiter: shared.NewRateLimiter(rdb.Client, prefix, rate)}, jitter: 100 * time.Millisecond}
	if rdb.Embedded() {
		r.jitter = 1500 * time.Millisecond // its key TTLs move on once a second
	}
	d, err := New(Config{Batch: 50, Lease: time.Minute, SendTimeout: 5 * time.Second, Owner: "w"},
		Deps{Store: s, Official: r.official, Limiter: r.limiter, Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	d.run = context.Background()
	r.out = &countingOutbox{outbox: d.store}
	r.d, d.store = d, r.out
	for i := range n {
		p, err := s.CreatePerson(context.Background(), models.Person{Role: models.RoleCitizen,
			OpenID: fmt.Sprintf("oBatch%04d", i), PreferredChannel: models.ChannelWeChat, LastInboundAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		r.people = append(r.people, p)
	}
	return r
}

// add writes n status intents, to the rig's people in turn, paced by the dispatcher when paced
// is set (as the workflow writes them).
func (r *batchRig) add(t *testing.T, n int, paced bool) {
	t.Helper()
	payload, err := json.Marshal(models.Notice{TrackingNo: "T0001", State: models.StateSigned, Matter: "占道经营"})
	if err != nil {
		t.Fatal(err)
	}
	in := make([]models.Intent, n)
	for i := range in {
		in[i] = models.Intent{RecipientID: r.people[i%len(r.people)].ID, Channel: models.ChannelWeChat,
			Kind: models.NoticeStatus, DedupKey: fmt.Sprintf("batch:%d", time.Now().UnixNano()+int64(i)), Payload: payload}
	}
	if paced {
		r.d.Pace(context.Background(), in)
	}
	if err := r.s.AddIntents(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// deferredCount reads the deferred counter of status notices.
func (r *batchRig) deferredCount(t *testing.T) float64 {
	t.Helper()
	var m dto.Metric
	if err := r.d.outcomes.WithLabelValues(models.NoticeStatus, outcomeDeferred).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func TestNoticesTakeOneTurnEachAndLaterTurnsAreDeferredTogether(t *testing.T) {
	const window = time.Minute
	tests := []struct {
		name          string
		rate          shared.RateConfig
		people        int   // intents go to them in turn
		rounds        []int // intents written before each batch
		paced         bool  // written paced (as the workflow writes them), else paced when claimed
		wantSent      int
		wantReserves  int
		wantTurns     int   // calls booking turns
		wantDeferrals []int // the size of each DeferIntents call
	}{
		{"within the limit nothing is deferred", shared.RateConfig{PerRecipient: 10}, 1, []int{5}, false, 5, 5, 1, nil},
		{"one recipient: the later turns in one statement", shared.RateConfig{PerRecipient: 3}, 1, []int{10}, false, 3, 3, 1, []int{7}},
		{"a later batch is booked after the first", shared.RateConfig{PerRecipient: 3}, 1, []int{10, 4}, false, 3, 3, 2, []int{7, 4}},
		{"a backlog is booked over later windows", shared.RateConfig{PerRecipient: 20}, 1, []int{30, 30}, false, 20, 20, 2,
			[]int{10, 30}},
		{"batches smaller than the limit still spread", shared.RateConfig{PerRecipient: 20}, 1, []int{10, 10, 10, 10, 10}, false,
			20, 20, 5, []int{10, 10, 10}},
		{"two recipients: one statement for the batch", shared.RateConfig{PerRecipient: 2}, 2, []int{9}, false, 4, 4, 1, []int{5}},
		{"paced when written: only the turns due now are claimed", shared.RateConfig{PerRecipient: 3}, 1, []int{10, 4}, true,
			3, 3, 2, nil},
		{"global limit: the rest of the batch in one statement", shared.RateConfig{Global: 3, GlobalWindow: window},
			8, []int{8}, false, 3, 4, 1, []int{5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				r := newBatchRig(t, s, tt.rate, tt.people)
				start := time.Now()
				for _, n := range tt.rounds {
					r.add(t, n, tt.paced)
					if _, err := r.d.runBatch(); err != nil {
						t.Fatal(err)
					}
				}
				var sizes []int
				deferredCount := 0
				for _, ds := range r.out.deferrals {
					sizes = append(sizes, len(ds))
					deferredCount += len(ds)
				}
				if !slices.Equal(sizes, tt.wantDeferrals) || r.official.sent != tt.wantSent ||
					r.limiter.reserves != tt.wantReserves || r.limiter.turns != tt.wantTurns {
					t.Fatalf("deferrals %v, sent %d, reserves %d, turns booked %d times; want %v, %d, %d, %d", sizes,
						r.official.sent, r.limiter.reserves, r.limiter.turns, tt.wantDeferrals, tt.wantSent, tt.wantReserves,
						tt.wantTurns)
				}
				deferred := checkDeferred(t, s, tt.wantSent)
				if got := r.deferredCount(t); got != float64(deferredCount) {
					t.Errorf("deferred counter %v, want %d", got, deferredCount)
				}
				if tt.rate.Global > 0 {
					checkShared(t, deferred, start, window)
				} else {
					checkSpread(t, deferred, start, tt.rate.PerRecipient, window, r.jitter)
				}
			})
		})
	}
}

// checkDeferred checks that wantSent intents were sent and the others are pending at their turn
// (paced) with no attempt counted, and returns those, by id.
func checkDeferred(t *testing.T, s *store.Store, wantSent int) []models.Intent {
	t.Helper()
	all, err := s.Intents(context.Background(), store.IntentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var sent int
	var deferred []models.Intent
	for _, in := range all {
		switch {
		case in.State == models.IntentSent:
			sent++
		case in.State == models.IntentPending && in.Attempts == 0 && in.Paced:
			deferred = append(deferred, in)
		default:
			t.Errorf("intent %+v neither sent nor deferred to its turn (paced) without an attempt", in)
		}
	}
	if sent != wantSent {
		t.Errorf("%d intents sent, want %d", sent, wantSent)
	}
	slices.SortFunc(deferred, func(a, b models.Intent) int { return int(a.ID - b.ID) })
	return deferred
}

// checkSpread checks that each person's deferred intents, in order, are due limit per window
// (give or take jitter) from the end of the window that refused them (about a window after start).
func checkSpread(t *testing.T, deferred []models.Intent, start time.Time, limit int, window, jitter time.Duration) {
	t.Helper()
	turns := map[int64][]time.Time{}
	for _, in := range deferred {
		turns[in.RecipientID] = append(turns[in.RecipientID], in.NextAttemptAt)
	}
	for who, due := range turns {
		if first := due[0].Sub(start); first < window-10*time.Second || first > window+time.Second {
			t.Errorf("recipient %d: first deferred intent due after %s, want about %s", who, first, window)
		}
		for k, at := range due {
			want := due[0].Add(time.Duration(k/limit) * window)
			if gap := at.Sub(want).Abs(); gap > jitter {
				t.Errorf("recipient %d: turn %d due at %s, want %s (%d per %s)", who, k, at, want, limit, window)
			}
		}
	}
}

// checkShared checks that intents the global limit deferred are all due when its window ends.
func checkShared(t *testing.T, deferred []models.Intent, start time.Time, window time.Duration) {
	t.Helper()
	for _, in := range deferred {
		if !in.NextAttemptAt.Equal(deferred[0].NextAttemptAt) {
			t.Errorf("intent %d due at %s, want %s like the others", in.ID, in.NextAttemptAt, deferred[0].NextAttemptAt)
		}
		if wait := in.NextAttemptAt.Sub(start); wait < window-10*time.Second || wait > window+time.Second {
			t.Errorf("intent %d due after %s, want about %s", in.ID, wait, window)
		}
	}
}

// turnlessLimiter cannot book turns (its script fails); the global limit still answers.
type turnlessLimiter struct{ Limiter }

// Turns fails.
func (turnlessLimiter) Turns(context.Context, []int64) ([]time.Duration, error) {
	return nil, errors.New("NOSCRIPT No matching script")
}

func TestIntentsWithoutATurnWaitWhenTurnsCannotBeBooked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newBatchRig(t, s, shared.RateConfig{PerRecipient: 10}, 1)
		r.d.limiter = turnlessLimiter{r.limiter}
		payload := []byte(`{"tracking_no":"T0002","state":"signed"}`)
		var in []models.Intent
		for i := range 5 {
			in = append(in, models.Intent{RecipientID: r.people[0].ID, Channel: models.ChannelWeChat,
				Kind: models.NoticeStatus, DedupKey: fmt.Sprintf("turnless:%d", i), Payload: payload, Paced: i < 2})
		}
		if err := s.AddIntents(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		if n, err := r.d.runBatch(); err != nil || n != 5 {
			t.Fatalf("runBatch = %d, %v; want 5 claimed", n, err)
		}
		all, err := s.Intents(context.Background(), store.IntentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range all {
			sent := got.State == models.IntentSent
			waiting := got.State == models.IntentPending && !got.Paced && got.Attempts == 0 &&
				time.Until(got.NextAttemptAt) < time.Second
			if (got.Paced && !sent) || (!got.Paced && !waiting) {
				t.Errorf("intent %s: %s, paced %v, %d attempts, due %s; want the paced sent, the others back unpaced",
					got.DedupKey, got.State, got.Paced, got.Attempts, got.NextAttemptAt)
			}
		}
		if r.official.sent != 2 {
			t.Fatalf("%d sent, want the 2 paced ones", r.official.sent)
		}
	})
}
