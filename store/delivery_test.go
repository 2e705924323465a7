package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
)

// addTestIntents writes n pending intents due now and returns nothing; they get ids 1..n in order.
func addTestIntents(t *testing.T, s *store.Store, n int) {
	t.Helper()
	var in []models.Intent
	for i := range n {
		in = append(in, models.Intent{RecipientID: 1, Channel: models.ChannelWeChat, Kind: models.NoticeStatus,
			DedupKey: fmt.Sprintf("test:%d", i), Payload: []byte(`{}`)})
	}
	if err := s.AddIntents(ctx, in); err != nil {
		t.Fatal(err)
	}
}

func TestClaimDueIntentsNeverHandsOneIntentToTwoClaimers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		const total, claimers = 60, 4
		addTestIntents(t, s, total)
		now := time.Now().Add(time.Second)
		var (
			mu   sync.Mutex
			seen = map[int64]string{}
			wg   sync.WaitGroup
		)
		for c := range claimers {
			owner := fmt.Sprintf("worker-%d", c)
			wg.Go(func() {
				for {
					got, err := s.ClaimDueIntents(ctx, now, owner, time.Minute, 5)
					if err != nil {
						if models.ErrorCodeOf(err) == models.EConflict {
							continue // a deadlock victim on MySQL: try again
						}
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, in := range got {
						if prev, dup := seen[in.ID]; dup {
							t.Errorf("intent %d claimed by %s and %s", in.ID, prev, owner)
						}
						seen[in.ID] = owner
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != total {
			t.Fatalf("claimed %d intents, want %d", len(seen), total)
		}
	})
}

func TestClaimDueIntentsSkipsFutureAndMarksSending(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		future := models.Intent{RecipientID: 1, Channel: models.ChannelWeChat, Kind: models.NoticeStatus,
			DedupKey: "future", NextAttemptAt: time.Now().Add(time.Hour)}
		if err := s.AddIntents(ctx, []models.Intent{future}); err != nil {
			t.Fatal(err)
		}
		addTestIntents(t, s, 1)
		got, err := s.ClaimDueIntents(ctx, time.Now().Add(time.Second), "a", time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].DedupKey != "test:0" || got[0].State != models.IntentSending || got[0].Attempts != 1 {
			t.Fatalf("claimed %+v, want only test:0, sending, attempt 1", got)
		}
		stored, err := s.Intents(ctx, store.IntentFilter{State: models.IntentSending})
		if err != nil || len(stored) != 1 || stored[0].Attempts != 1 {
			t.Fatalf("stored sending = %+v, %v", stored, err)
		}
	})
}

func TestExpiredLeaseHandsIntentToAnotherOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		addTestIntents(t, s, 1)
		now := time.Now().Add(time.Second)
		first, err := s.ClaimDueIntents(ctx, now, "crashed", time.Minute, 10)
		if err != nil || len(first) != 1 {
			t.Fatalf("first claim = %v, %v", first, err)
		}
		if again, err := s.ClaimDueIntents(ctx, now.Add(30*time.Second), "other", time.Minute, 10); err != nil || len(again) != 0 {
			t.Fatalf("claim within the lease = %v, %v; want none", again, err)
		}
		second, err := s.ClaimDueIntents(ctx, now.Add(2*time.Minute), "other", time.Minute, 10)
		if err != nil || len(second) != 1 || second[0].ID != first[0].ID || second[0].Attempts != 2 {
			t.Fatalf("claim after the lease = %+v, %v; want the same intent, attempt 2", second, err)
		}
		if err := s.MarkSent(ctx, first[0].ID, first[0].Claim); models.ErrorCodeOf(err) != models.EConflict {
			t.Fatalf("MarkSent by the old claim = %v, want conflict", err)
		}
		if err := s.MarkSent(ctx, first[0].ID, second[0].Claim); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDeliveryOutcomes(t *testing.T) {
	tests := []struct {
		name  string
		mark  func(s *store.Store, id int64, owner string) error
		state models.IntentState
		err   string
	}{
		{"sent", func(s *store.Store, id int64, o string) error { return s.MarkSent(ctx, id, o) }, models.IntentSent, ""},
		{"retry", func(s *store.Store, id int64, o string) error {
			return s.MarkRetry(ctx, id, o, time.Now().Add(time.Hour), "errcode -1")
		}, models.IntentPending, "errcode -1"},
		{"failed", func(s *store.Store, id int64, o string) error { return s.MarkFailed(ctx, id, o, "errcode 43004") },
			models.IntentFailed, "errcode 43004"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				addTestIntents(t, s, 1)
				got, err := s.ClaimDueIntents(ctx, time.Now().Add(time.Second), "w", time.Minute, 1)
				if err != nil || len(got) != 1 {
					t.Fatalf("claim = %v, %v", got, err)
				}
				id := got[0].ID
				for _, other := range []string{"intruder", "w"} { // the owner's name is not its claim
					if err := tt.mark(s, id, other); models.ErrorCodeOf(err) != models.EConflict {
						t.Fatalf("outcome by %q = %v, want conflict", other, err)
					}
				}
				for range 2 { // idempotent
					if err := tt.mark(s, id, got[0].Claim); err != nil {
						t.Fatal(err)
					}
				}
				all, err := s.Intents(ctx, store.IntentFilter{})
				if err != nil || len(all) != 1 {
					t.Fatalf("intents = %v, %v", all, err)
				}
				if in := all[0]; in.State != tt.state || in.LastError != tt.err || (tt.state == models.IntentSent) == in.SentAt.IsZero() {
					t.Fatalf("intent after %s = %+v", tt.name, in)
				}
				if tt.state == models.IntentPending {
					if again, _ := s.ClaimDueIntents(ctx, time.Now().Add(time.Second), "w", time.Minute, 1); len(again) != 0 {
						t.Fatalf("retry due in an hour claimed now: %+v", again)
					}
				}
			})
		})
	}
}

func TestReleaseIntentsMakesThemDueWithoutCountingAnAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		addTestIntents(t, s, 2)
		got, err := s.ClaimDueIntents(ctx, time.Now().Add(time.Second), "w", time.Hour, 2)
		if err != nil || len(got) != 2 {
			t.Fatalf("claim = %v, %v", got, err)
		}
		if err := s.ReleaseIntents(ctx, got[0].Claim, []int64{got[0].ID, got[1].ID}); err != nil {
			t.Fatal(err)
		}
		again, err := s.ClaimDueIntents(ctx, time.Now().Add(time.Second), "v", time.Hour, 2)
		if err != nil || len(again) != 2 || again[0].Attempts != 1 {
			t.Fatalf("claim after release = %+v, %v; want both, attempt 1", again, err)
		}
	})
}

func TestDeferIntentPostponesWithoutCountingAnAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		addTestIntents(t, s, 1)
		got, err := s.ClaimDueIntents(ctx, time.Now().Add(time.Second), "w", time.Hour, 1)
		if err != nil || len(got) != 1 {
			t.Fatalf("claim = %v, %v", got, err)
		}
		next := time.Now().Add(time.Hour)
		if err := s.DeferIntents(ctx, "other", []store.Deferral{{ID: got[0].ID, Next: next}}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeferIntents(ctx, got[0].Claim, []store.Deferral{{ID: got[0].ID, Next: next}}); err != nil {
			t.Fatal(err)
		}
		all, err := s.Intents(ctx, store.IntentFilter{})
		if err != nil || len(all) != 1 {
			t.Fatalf("intents = %v, %v", all, err)
		}
		if in := all[0]; in.State != models.IntentPending || in.Attempts != 0 || in.NextAttemptAt.Before(next.Add(-time.Second)) {
			t.Fatalf("deferred intent %+v, want pending, no attempt, due in an hour", in)
		}
	})
}

func TestDeferIntentsPostponesEachToItsTimeWithoutCountingAttempts(t *testing.T) {
	hour := time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)
	tests := []struct {
		name  string
		other bool        // the deferral names another claim than the one that holds them
		next  []time.Time // one per claimed intent
		want  []time.Time // due times after the deferral; zero: still being sent
	}{
		{"each its own time", false, []time.Time{hour, hour.Add(time.Minute), hour.Add(2 * time.Minute)},
			[]time.Time{hour, hour.Add(time.Minute), hour.Add(2 * time.Minute)}},
		{"one shared time", false, []time.Time{hour, hour, hour}, []time.Time{hour, hour, hour}},
		{"another claim's intents are left alone", true, []time.Time{hour, hour, hour}, make([]time.Time, 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				addTestIntents(t, s, len(tt.next))
				got, err := s.ClaimDueIntents(ctx, time.Now().Add(time.Second), "w", time.Hour, len(tt.next))
				if err != nil || len(got) != len(tt.next) {
					t.Fatalf("claim = %v, %v", got, err)
				}
				ds := make([]store.Deferral, len(got))
				for i, in := range got {
					ds[i] = store.Deferral{ID: in.ID, Next: tt.next[i]}
				}
				claim := got[0].Claim
				if tt.other {
					claim = "w"
				}
				if err := s.DeferIntents(ctx, claim, ds); err != nil {
					t.Fatal(err)
				}
				checkDeferrals(t, s, got, tt.want)
			})
		})
	}
}

// checkDeferrals checks that each claimed intent is pending at its wanted time with no attempt
// counted, or still being sent with its attempt where the wanted time is zero.
func checkDeferrals(t *testing.T, s *store.Store, claimed []models.Intent, want []time.Time) {
	t.Helper()
	all, err := s.Intents(ctx, store.IntentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]models.Intent{}
	for _, in := range all {
		byID[in.ID] = in
	}
	for i, c := range claimed {
		in := byID[c.ID]
		switch {
		case want[i].IsZero() && (in.State != models.IntentSending || in.Attempts != 1):
			t.Errorf("intent %+v, want still sending with its attempt", in)
		case !want[i].IsZero() && (in.State != models.IntentPending || in.Attempts != 0 || !in.NextAttemptAt.Equal(want[i])):
			t.Errorf("intent %+v, want pending at %s with no attempt", in, want[i])
		}
	}
}

// claimLog records which claim got each intent, and fails the test when one got it twice.
type claimLog struct {
	mu   sync.Mutex
	by   map[int64]string
	dups int
}

// add records a claim's intents and reports how many the log holds.
func (l *claimLog) add(t *testing.T, got []models.Intent) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, in := range got {
		if prev, dup := l.by[in.ID]; dup {
			l.dups++
			t.Errorf("intent %d claimed by %s and by %s", in.ID, prev, in.Claim)
		}
		l.by[in.ID] = in.Claim
	}
	return len(l.by)
}

// TestClaimsWithoutSkipLockedNeverOverlapMySQL runs three instances of four claimers each
// against one MariaDB with SKIP LOCKED off, as on TiDB, where the rows a claim reads are not
// locked: the guarded UPDATE alone must keep every intent to one claim. Some intents were
// claimed by an instance that crashed: they come back when its lease ends, once.
func TestClaimsWithoutSkipLockedNeverOverlapMySQL(t *testing.T) {
	const total, crashed, instances, workers, batch = 3000, 40, 3, 4, 20
	stores := storetest.MySQLInstances(t, instances, store.Options{MaxOpenConns: 8, NoSkipLocked: true})
	if stores[0].SkipsLocked() {
		t.Fatal("NoSkipLocked: the store still claims with SKIP LOCKED")
	}
	addTestIntents(t, stores[0], total)
	lost, err := stores[0].ClaimDueIntents(ctx, time.Now(), "crashed", 300*time.Millisecond, crashed)
	if err != nil || len(lost) != crashed {
		t.Fatalf("claim of the crashed instance = %d, %v", len(lost), err)
	}
	log := &claimLog{by: map[int64]string{}}
	deadline := time.Now().Add(60 * time.Second)
	var wg sync.WaitGroup
	for i := range instances * workers {
		s, owner := stores[i%instances], fmt.Sprintf("instance-%d", i%instances)
		wg.Go(func() {
			for time.Now().Before(deadline) {
				got, err := s.ClaimDueIntents(ctx, time.Now(), owner, time.Minute, batch)
				if err != nil {
					t.Error(err)
					return
				}
				claimed := log.add(t, got)
				for _, in := range got {
					if err := s.MarkSent(ctx, in.ID, in.Claim); err != nil {
						t.Error(err)
						return
					}
				}
				if claimed == total {
					return
				}
				if len(got) == 0 {
					time.Sleep(20 * time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	if len(log.by) != total || log.dups != 0 {
		t.Fatalf("%d of %d intents claimed, %d twice", len(log.by), total, log.dups)
	}
	checkAllSentOnce(t, stores[0], lost)
}

// checkAllSentOnce checks that every intent was sent with one attempt counted, two for those
// the crashed claim held.
func checkAllSentOnce(t *testing.T, s *store.Store, lost []models.Intent) {
	t.Helper()
	all, err := s.Intents(ctx, store.IntentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	twice := map[int64]bool{}
	for _, in := range lost {
		twice[in.ID] = true
	}
	for _, in := range all {
		want := 1
		if twice[in.ID] {
			want = 2
		}
		if in.State != models.IntentSent || in.Attempts != want {
			t.Errorf("intent %d: %s after %d attempts, want sent after %d", in.ID, in.State, in.Attempts, want)
		}
	}
}
