package workflow_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
)

func TestSubmitStoresTheCaseRoutedInOneStep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newCounty(t, s, shanghai(t, 23, 9, 0))
		notes := &pacingNotifier{due: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), first: true}
		k.w.OnNotifications(notes)
		c := k.submit(t)
		if c.Version != 2 || c.TeamCode != "team-anhai" || c.RouteReason == "" || c.SignDeadline.IsZero() {
			t.Fatalf("submitted case %+v: want version 2, routed to team-anhai with deadlines", c)
		}
		events, err := s.Events(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || models.VerifyChain(events) != 0 || events[0].Action != models.ActionCreate ||
			events[0].ToState != models.StateReceived || events[1].Action != models.ActionDispatch ||
			events[1].FromState != models.StateReceived || events[1].ToState != models.StateDispatched {
			t.Fatalf("history %+v", events)
		}
		intents, err := s.Intents(ctx, store.IntentFilter{CaseID: c.ID})
		if err != nil || len(intents) < 2 {
			t.Fatalf("intents %+v, %v: want the dispatch notices", intents, err)
		}
		for i, in := range intents {
			if in.CaseID != c.ID || !strings.Contains(in.DedupKey, ":"+c.TrackingNo+":v2:") {
				t.Errorf("intent %s for case %d, want case %d and the key of routing (version 2)", in.DedupKey, in.CaseID, c.ID)
			}
			want := notes.due // the first is due now: written at the time the case was
			if i == 0 {
				want = models.EventTime(in.CreatedAt)
			}
			if !in.Paced || !in.NextAttemptAt.Equal(want) {
				t.Errorf("intent %s paced %v, due %s; want paced before it was written, due %s", in.DedupKey, in.Paced,
					in.NextAttemptAt, want)
			}
		}
		if notes.paced != len(intents) || notes.wakes != 1 {
			t.Errorf("%d intents paced, delivery woken %d times; want %d paced and woken once", notes.paced, notes.wakes,
				len(intents))
		}
		notes.first = false // every notice of the next case due later: nothing to wake up for
		k.submit(t)
		if notes.wakes != 1 {
			t.Errorf("delivery woken %d times after a case whose notices are all due later, want no more", notes.wakes-1)
		}
	})
}

// pacingNotifier paces intents as a dispatcher whose limits let through only the first (when
// first is set): that one stays due now, the others are due at one later time. It counts its calls.
type pacingNotifier struct {
	due          time.Time
	first        bool
	paced, wakes int
}

// Pace makes the intents due at n.due, the first one excepted when n.first.
func (n *pacingNotifier) Pace(_ context.Context, intents []models.Intent) {
	for i := range intents {
		intents[i].Paced = true
		if i > 0 || !n.first {
			intents[i].NextAttemptAt = n.due
		}
	}
	n.paced += len(intents)
}

// Wake counts the call.
func (n *pacingNotifier) Wake() { n.wakes++ }
