package store_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
)

// TestCaseKeepsItsRequestAndContact checks that a pending request, the joint teams and the
// contact phone are stored by both ways of creating a case (one batch on MySQL, a transaction on
// SQLite) and by an update, and are cleared by one.
func TestCaseKeepsItsRequestAndContact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		citizen, err := s.CreatePerson(ctx, models.Person{Role: models.RoleCitizen, OpenID: "oCitizen_request"})
		if err != nil {
			t.Fatal(err)
		}
		c := newCase(t, s, citizen.ID)
		c.TeamCode, c.State, c.ContactPhone = "team-anhai", models.StateTransferred, "13805951001"
		c.Pending = models.PendingRequest{Kind: models.ActionRequestJoint, Teams: []string{"team-dept-scjgj", "team-dept-sthjj"},
			FromTeam: "team-anhai", FromState: models.StateSigned, ByID: 42}
		c.JointTeams = []string{"team-dept-cgj"}
		created, err := s.CreateCase(ctx, c, models.Event{ActorID: citizen.ID, ActorRole: models.RoleCitizen, Action: models.ActionCreate}, nil)
		if err != nil {
			t.Fatal(err)
		}
		read, err := s.CaseByID(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		type kept struct {
			Pending models.PendingRequest
			Joint   []string
			Phone   string
		}
		want := kept{c.Pending, c.JointTeams, c.ContactPhone}
		for name, got := range map[string]models.Case{"created": created, "read": read} {
			if diff := cmp.Diff(want, kept{got.Pending, got.JointTeams, got.ContactPhone}); diff != "" {
				t.Errorf("%s case (-want +got):\n%s", name, diff)
			}
		}
		read.Pending, read.JointTeams = models.PendingRequest{}, nil
		updated, err := s.UpdateCase(ctx, read, models.Event{ActorRole: models.RoleSystem, Action: models.ActionChase,
			FromState: read.State, ToState: read.State}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(kept{Phone: "13805951001"}, kept{updated.Pending, updated.JointTeams, updated.ContactPhone}); diff != "" {
			t.Errorf("updated case (-want +got):\n%s", diff)
		}
	})
}

// TestStatsCountUrgedCases checks that statistics count the cases urged at least once, each once.
func TestStatsCountUrgedCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		citizen, err := s.CreatePerson(ctx, models.Person{Role: models.RoleCitizen, OpenID: "oCitizen_urge"})
		if err != nil {
			t.Fatal(err)
		}
		since := time.Now().Add(-time.Hour)
		var cases []models.Case
		for range 3 {
			c, err := s.CreateCase(ctx, newCase(t, s, citizen.ID), models.Event{ActorID: citizen.ID,
				ActorRole: models.RoleCitizen, Action: models.ActionCreate}, nil)
			if err != nil {
				t.Fatal(err)
			}
			cases = append(cases, c)
		}
		urge := func(c models.Case) models.Case {
			t.Helper()
			u, err := s.UpdateCase(ctx, c, models.Event{ActorID: citizen.ID, ActorRole: models.RoleCitizen,
				Action: models.ActionUrge, FromState: c.State, ToState: c.State, Note: "群众催办"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		urge(urge(cases[0])) // twice: counted once
		urge(cases[2])
		st, err := s.CaseStats(ctx, since, since, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if st.Received != 3 || st.Urged != 2 {
			t.Errorf("received %d, urged %d; want 3 and 2", st.Received, st.Urged)
		}
		if st, err = s.CaseStats(ctx, time.Now().Add(time.Hour), since, time.Now()); err != nil || st.Urged != 0 {
			t.Errorf("urged since later: %d, %v; want 0", st.Urged, err)
		}
	})
}
