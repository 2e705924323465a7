package store_test

import (
	"sync"
	"testing"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
)

// crashed is the panic the fault hook raises: the case whose commit the process "died" after.
type crashed struct{ c models.Case }

// createThenCrash creates a case with the fault hook armed and returns the case committed before
// the "crash" (the panic right after the commit); the caller never got it from CreateCaseSteps.
func createThenCrash(t *testing.T, s *store.Store, c models.Case, evs []models.Event, intents []models.Intent) (committed models.Case) {
	t.Helper()
	s.OnCaseCommitted(func(c models.Case) { panic(crashed{c}) })
	defer s.OnCaseCommitted(nil)
	defer func() {
		r := recover()
		crash, ok := r.(crashed)
		if !ok {
			t.Fatalf("CreateCaseSteps did not crash after its commit: recovered %v", r)
		}
		committed = crash.c
	}()
	if _, err := s.CreateCaseSteps(ctx, c, evs, intents); err != nil {
		t.Fatalf("create: %v", err)
	}
	return models.Case{}
}

// filingSteps are a chat case's creating and routing events and the intents of its dispatch.
func filingSteps(reporter int64, no string) ([]models.Event, []models.Intent) {
	evs := []models.Event{
		{ActorID: reporter, ActorRole: models.RoleCitizen, Action: models.ActionCreate, ToState: models.StateReceived},
		{ActorRole: models.RoleSystem, Action: models.ActionDispatch, FromState: models.StateReceived,
			ToState: models.StateDispatched, Note: "delegated"},
	}
	intents := []models.Intent{{RecipientID: 11, Channel: models.ChannelWeCom, Kind: "dispatched",
		DedupKey: "dispatched:11:" + no, Payload: []byte(`{"tracking_no":"` + no + `"}`)}}
	return evs, intents
}

func TestACaseIsFiledOncePerInboxEntryAcrossACrashAfterItsCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		citizen, err := s.CreatePerson(ctx, models.Person{Role: models.RoleCitizen, OpenID: "oSim_crash"})
		if err != nil {
			t.Fatal(err)
		}
		const key = "wechat:msg:24000000000000001"
		first := newCase(t, s, citizen.ID)
		first.State, first.TeamCode, first.InboxKey = models.StateDispatched, "team-anhai", key
		evs, intents := filingSteps(citizen.ID, first.TrackingNo)
		committed := createThenCrash(t, s, first, evs, intents)
		if committed.ID == 0 || committed.TrackingNo != first.TrackingNo || committed.InboxKey != key {
			t.Fatalf("committed case %+v", committed)
		}

		// The entry is processed again: a new tracking number, the same inbox key.
		again := newCase(t, s, citizen.ID)
		again.State, again.TeamCode, again.InboxKey = models.StateDispatched, "team-anhai", key
		evs2, intents2 := filingSteps(citizen.ID, again.TrackingNo)
		if _, err := s.CreateCaseSteps(ctx, again, evs2, intents2); models.ErrorCodeOf(err) != models.EConflict {
			t.Fatalf("a second case of the same inbox entry = %v, want a conflict", err)
		}
		if _, err := s.CreateCase(ctx, again, evs2[0], nil); models.ErrorCodeOf(err) != models.EConflict {
			t.Fatalf("a second case of the same inbox entry (one step) = %v, want a conflict", err)
		}
		filed, err := s.CaseByInboxKey(ctx, key)
		if err != nil || filed.ID != committed.ID || filed.TrackingNo != first.TrackingNo || !filed.CreatedAt.Equal(committed.CreatedAt) {
			t.Fatalf("case of the entry %+v, %v; want the committed case %+v", filed, err, committed)
		}
		if _, err := s.CaseByTrackingNo(ctx, again.TrackingNo); models.ErrorCodeOf(err) != models.ENotFound {
			t.Fatalf("the refused case is there: %v", err)
		}
		mine, err := s.CasesByReporter(ctx, citizen.ID, 10)
		if err != nil || len(mine) != 1 {
			t.Fatalf("the reporter has %d cases (%v), want one", len(mine), err)
		}
		history, err := s.Events(ctx, committed.ID)
		if err != nil || len(history) != 2 || models.VerifyChain(history) != 0 {
			t.Fatalf("history %+v, %v: want the two events of the first filing", history, err)
		}
		if all, err := s.Intents(ctx, store.IntentFilter{}); err != nil || len(all) != 1 || all[0].CaseID != committed.ID {
			t.Fatalf("intents %+v, %v: want the first filing's one", all, err)
		}

		// A later change keeps the key, even from a case value that lacks it.
		next := filed
		next.State, next.InboxKey = models.StateSigned, ""
		if _, err := s.UpdateCase(ctx, next, models.Event{ActorRole: models.RoleSystem, Action: models.ActionSign,
			FromState: models.StateDispatched, ToState: models.StateSigned}, nil); err != nil {
			t.Fatal(err)
		}
		if c, err := s.CaseByInboxKey(ctx, key); err != nil || c.ID != committed.ID || c.InboxKey != key {
			t.Fatalf("after a change the entry's case is %+v, %v", c, err)
		}
	})
}

func TestCasesNotFiledFromAChatHaveNoInboxKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for range 2 {
			c, err := s.CreateCase(ctx, newCase(t, s, 7), models.Event{ActorRole: models.RoleSystem, Action: models.ActionCreate}, nil)
			if err != nil {
				t.Fatalf("a case without an inbox key: %v (NULL must be allowed many times)", err)
			}
			if c.InboxKey != "" {
				t.Fatalf("case %s has inbox key %q", c.TrackingNo, c.InboxKey)
			}
		}
		if c, err := s.CaseByInboxKey(ctx, ""); models.ErrorCodeOf(err) != models.ENotFound {
			t.Fatalf("the case of no inbox entry = %+v, %v; want none (the key is NULL, not empty)", c, err)
		}
	})
}

func TestConcurrentFilingsOfOneInboxEntryStoreOneCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		const key, n = "wechat:msg:24000000000000002", 4
		cases := make([]models.Case, n)
		for i := range cases {
			cases[i] = newCase(t, s, 8)
			cases[i].InboxKey = key
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range cases {
			wg.Go(func() {
				evs, intents := filingSteps(8, cases[i].TrackingNo)
				_, errs[i] = s.CreateCaseSteps(ctx, cases[i], evs[:1], intents)
			})
		}
		wg.Wait()
		stored := 0
		for i, err := range errs {
			switch models.ErrorCodeOf(err) {
			case "":
				stored++
			case models.EConflict:
			default:
				t.Errorf("filing %d: %v", i, err)
			}
		}
		mine, err := s.CasesByReporter(ctx, 8, 10)
		if stored != 1 || err != nil || len(mine) != 1 || mine[0].InboxKey != key {
			t.Fatalf("%d filings stored, the reporter has %d cases (%v); want one", stored, len(mine), err)
		}
	})
}
