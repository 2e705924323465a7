package workflow_test

import (
	"strings"
	"testing"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
)

func TestSubmitStoresTheCaseRoutedInOneStep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newCounty(t, s, shanghai(t, 23, 9, 0))
		wakes := 0
		k.w.OnNotifications(func() { wakes++ })
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
		if err != nil || len(intents) == 0 {
			t.Fatalf("intents %+v, %v: want the dispatch notices", intents, err)
		}
		for _, in := range intents {
			if in.CaseID != c.ID || !strings.Contains(in.DedupKey, ":"+c.TrackingNo+":v2:") {
				t.Errorf("intent %s for case %d, want case %d and the key of routing (version 2)", in.DedupKey, in.CaseID, c.ID)
			}
		}
		if wakes != 1 {
			t.Errorf("delivery woken %d times, want once", wakes)
		}
	})
}
