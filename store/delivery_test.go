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
		if err := s.MarkSent(ctx, first[0].ID, "crashed"); models.ErrorCodeOf(err) != models.EConflict {
			t.Fatalf("MarkSent by the old owner = %v, want conflict", err)
		}
		if err := s.MarkSent(ctx, first[0].ID, "other"); err != nil {
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
				if err := tt.mark(s, id, "intruder"); models.ErrorCodeOf(err) != models.EConflict {
					t.Fatalf("outcome by another owner = %v, want conflict", err)
				}
				for range 2 { // idempotent
					if err := tt.mark(s, id, "w"); err != nil {
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
		if err := s.ReleaseIntents(ctx, "w", []int64{got[0].ID, got[1].ID}); err != nil {
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
		if err := s.DeferIntents(ctx, "w", []store.Deferral{{ID: got[0].ID, Next: next}}); err != nil {
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
		owner string
		next  []time.Time // one per claimed intent
		want  []time.Time // due times after the deferral; zero: still being sent
	}{
		{"each its own time", "w", []time.Time{hour, hour.Add(time.Minute), hour.Add(2 * time.Minute)},
			[]time.Time{hour, hour.Add(time.Minute), hour.Add(2 * time.Minute)}},
		{"one shared time", "w", []time.Time{hour, hour, hour}, []time.Time{hour, hour, hour}},
		{"another owner's claims are left alone", "other", []time.Time{hour, hour, hour}, make([]time.Time, 3)},
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
				if err := s.DeferIntents(ctx, tt.owner, ds); err != nil {
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
