package store_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
)

func TestCasesToSupervise(t *testing.T) {
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	past, future, earlier := now.Add(-time.Hour), now.Add(time.Hour), now.Add(-3*time.Hour)
	tests := []struct {
		name  string
		state models.State
		sign  time.Time
		hand  time.Time
		chase time.Time
		over  time.Time
		want  bool
	}{
		{"dispatched, not chased", models.StateDispatched, future, future, time.Time{}, time.Time{}, true},
		{"dispatched, chased, deadline ahead", models.StateDispatched, future, future, past, time.Time{}, false},
		{"dispatched, chased, deadline passed", models.StateDispatched, past, future, earlier, time.Time{}, true},
		{"dispatched, overdue", models.StateDispatched, past, future, earlier, past, true},
		{"dispatched without a deadline", models.StateDispatched, time.Time{}, time.Time{}, time.Time{}, time.Time{}, false},
		{"reopened, not chased", models.StateReopened, future, future, time.Time{}, time.Time{}, true},
		{"signed, chased for sign-for only", models.StateSigned, past, future, earlier, time.Time{}, true},
		{"signed, chased for handling", models.StateSigned, earlier, future, past, time.Time{}, false},
		{"handling, overdue for sign-for only", models.StateHandling, earlier, future, past, past, true},
		{"handling, deadline passed", models.StateHandling, earlier, past, time.Time{}, time.Time{}, true},
		{"extension requested, not chased", models.StateExtensionRequested, earlier, future, time.Time{}, time.Time{}, true},
		{"handling without a sign-for deadline, chased", models.StateHandling, time.Time{}, future, past, time.Time{}, true},
		{"handled", models.StateHandled, past, past, time.Time{}, time.Time{}, false},
		{"closed", models.StateClosed, past, past, time.Time{}, time.Time{}, false},
		{"triage", models.StateTriage, time.Time{}, time.Time{}, time.Time{}, time.Time{}, false},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var want []string
		for _, tt := range tests {
			c := newCase(t, s, 0)
			c.Description, c.State, c.SignDeadline, c.HandleDeadline = tt.name, tt.state, tt.sign, tt.hand
			c.ChasedAt, c.OverdueAt, c.DispatchedAt = tt.chase, tt.over, earlier.Add(-time.Hour)
			if _, err := s.CreateCase(ctx, c, models.Event{ActorRole: models.RoleSystem, Action: models.ActionCreate}, nil); err != nil {
				t.Fatal(err)
			}
			if tt.want {
				want = append(want, tt.name)
			}
		}
		var got []string
		var after int64
		for page := 0; page < 10; page++ {
			cases, err := s.CasesToSupervise(ctx, now, after, 3)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cases {
				got = append(got, c.Description)
				after = c.ID
			}
			if len(cases) < 3 {
				break
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("cases to supervise, paged by 3 (-want +got):\n%s", diff)
		}
	})
}

func TestCasesStuckReceived(t *testing.T) {
	now := time.Now().UTC()
	tests := []struct {
		name    string
		state   models.State
		created time.Time
		want    bool
	}{
		{"received two minutes ago", models.StateReceived, now.Add(-2 * time.Minute), true},
		{"received just now", models.StateReceived, now, false},
		{"triaged long ago", models.StateTriage, now.Add(-time.Hour), false},
		{"received an hour ago", models.StateReceived, now.Add(-time.Hour), true},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var want []string
		for _, tt := range tests {
			c := newCase(t, s, 0)
			c.Description, c.State, c.CreatedAt = tt.name, tt.state, models.EventTime(tt.created)
			if _, err := s.CreateCase(ctx, c, models.Event{ActorRole: models.RoleSystem, Action: models.ActionCreate}, nil); err != nil {
				t.Fatal(err)
			}
			if tt.want {
				want = append(want, tt.name)
			}
		}
		before := now.Add(-time.Minute)
		first, err := s.CasesStuckReceived(ctx, before, 0, 1)
		if err != nil || len(first) != 1 {
			t.Fatalf("first page = %d cases, %v", len(first), err)
		}
		rest, err := s.CasesStuckReceived(ctx, before, first[0].ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range append(first, rest...) {
			got = append(got, c.Description)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("stuck cases (-want +got):\n%s", diff)
		}
	})
}
