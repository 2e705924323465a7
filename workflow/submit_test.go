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
		k.notifying(notes)
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

func TestSubmitOfAnInboxEntryProcessedAgainReturnsTheCaseItFiled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		k := newCounty(t, s, shanghai(t, 23, 9, 0))
		notes := &pacingNotifier{}
		k.notifying(notes)
		nc := models.NewCase{Kind: models.KindComplaint, Source: models.SourceCitizen,
			Description: "安平路有人占道卖菜", Location: models.Location{TownshipCode: "anhai", Address: "安平路12号"},
			MatterCode: "CG-001", ReporterID: k.people["citizen"].ID, Acknowledged: true, InboxKey: "wechat:msg:24000000000000003"}
		committed := submitThenCrash(t, k, s, nc)
		if committed.ID == 0 || committed.State != models.StateDispatched || committed.InboxKey != nc.InboxKey {
			t.Fatalf("the case committed before the crash: %+v", committed)
		}
		events, intents := recorded(t, s, committed.ID)
		wakes := notes.wakes

		k.clk.Add(time.Minute) // the retry comes later
		again, err := k.w.Submit(ctx, nc)
		if err != nil {
			t.Fatalf("the entry's confirmation processed again: %v", err)
		}
		if again.ID != committed.ID || again.TrackingNo != committed.TrackingNo || !again.CreatedAt.Equal(committed.CreatedAt) ||
			again.State != committed.State || again.Version != committed.Version {
			t.Fatalf("processed again: %+v\nwant the committed case %+v", again, committed)
		}
		if e, in := recorded(t, s, committed.ID); e != events || in != intents || notes.wakes != wakes {
			t.Fatalf("processed again: %d events, %d intents, %d wakes; want %d, %d, %d (nothing written again)",
				e, in, notes.wakes, events, intents, wakes)
		}
		if all, err := s.Intents(ctx, store.IntentFilter{}); err != nil || len(all) != intents {
			t.Fatalf("%d intents in all (%v), want the first filing's %d", len(all), err, intents)
		}

		// Another message of the same person files another case.
		nc.InboxKey = "wechat:msg:24000000000000004"
		other, err := k.w.Submit(ctx, nc)
		if err != nil || other.ID == committed.ID {
			t.Fatalf("another message's case %+v, %v: want a new case", other, err)
		}
		// So does a case not from a chat, every time.
		nc.InboxKey = ""
		a, errA := k.w.Submit(ctx, nc)
		b, errB := k.w.Submit(ctx, nc)
		if errA != nil || errB != nil || a.ID == b.ID {
			t.Fatalf("two cases without an inbox key: %d, %d (%v, %v); want two", a.ID, b.ID, errA, errB)
		}
	})
}

// submitThenCrash submits with the store's fault hook armed and returns the case committed just
// before the process "died" (a panic right after the commit).
func submitThenCrash(t *testing.T, k *county, s *store.Store, nc models.NewCase) (committed models.Case) {
	t.Helper()
	s.OnCaseCommitted(func(c models.Case) { panic(c) })
	defer s.OnCaseCommitted(nil)
	defer func() {
		c, ok := recover().(models.Case)
		if !ok {
			t.Fatal("Submit did not crash after the commit")
		}
		committed = c
	}()
	if _, err := k.w.Submit(ctx, nc); err != nil {
		t.Fatalf("submit: %v", err)
	}
	return models.Case{}
}

// recorded counts a case's events and intents.
func recorded(t *testing.T, s *store.Store, caseID int64) (events, intents int) {
	t.Helper()
	evs, err := s.Events(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	ins, err := s.Intents(ctx, store.IntentFilter{CaseID: caseID})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs), len(ins)
}
