package store_test

import (
	"testing"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
)

func TestCreateCaseStepsStoresTheChainAndIntents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		citizen, err := s.CreatePerson(ctx, models.Person{Role: models.RoleCitizen, OpenID: "oSim_steps"})
		if err != nil {
			t.Fatal(err)
		}
		photo, err := s.AddAttachment(ctx, models.Attachment{MediaID: "MEDIA_STEPS", MIMEType: "image/jpeg"})
		if err != nil {
			t.Fatal(err)
		}
		c := newCase(t, s, citizen.ID)
		c.State, c.TeamCode, c.RouteReason = models.StateDispatched, "team-anhai", "delegated"
		evs := []models.Event{
			{ActorID: citizen.ID, ActorRole: models.RoleCitizen, Action: models.ActionCreate, ToState: models.StateReceived,
				AttachmentIDs: []int64{photo.ID}},
			{ActorRole: models.RoleSystem, Action: models.ActionTriage, FromState: models.StateReceived,
				ToState: models.StateReceived, Note: "\"引号\" \\ <b>&</b>\n换行 😀 \u2028 it's"},
			{ActorRole: models.RoleSystem, Action: models.ActionDispatch, FromState: models.StateReceived,
				ToState: models.StateDispatched, Note: "delegated"},
		}
		notice := []byte(`{"note":"违法占道经营 \"quoted\" it's","shortcuts":["1 签收"]}`)
		intents := []models.Intent{
			{RecipientID: citizen.ID, Channel: models.ChannelWeChat, Kind: "status", DedupKey: "status:" + c.TrackingNo},
			{RecipientID: citizen.ID, Channel: models.ChannelWeChat, Kind: "status", DedupKey: "status:" + c.TrackingNo},
			{RecipientID: 11, Channel: models.ChannelWeCom, Kind: "dispatched", DedupKey: "dispatched:11:" + c.TrackingNo, Payload: notice},
			{RecipientID: 12, Channel: models.ChannelWeChat, Kind: "dispatched", DedupKey: "dispatched:12:" + c.TrackingNo, Payload: notice},
		}
		created, err := s.CreateCaseSteps(ctx, c, evs, intents)
		if err != nil {
			t.Fatal(err)
		}
		if created.Version != 3 || created.State != models.StateDispatched || created.TeamCode != "team-anhai" {
			t.Fatalf("created case %+v", created)
		}
		history, err := s.Events(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(history) != 3 || models.VerifyChain(history) != 0 || history[0].FromState != "" ||
			history[2].ToState != models.StateDispatched || history[1].Note != evs[1].Note || history[0].CaseID != created.ID {
			t.Fatalf("history %+v", history)
		}
		got, err := s.Intents(ctx, store.IntentFilter{CaseID: created.ID})
		if err != nil || len(got) != 3 {
			t.Fatalf("intents %+v, %v: want three (the repeated dedup key is skipped)", got, err)
		}
		if string(got[0].Payload) != "{}" || string(got[1].Payload) != string(notice) || string(got[2].Payload) != string(notice) ||
			got[2].RecipientID != 12 || got[2].CaseID != created.ID {
			t.Fatalf("intents %+v: want the empty payload, then the notice twice", got)
		}
		photos, err := s.Attachments(ctx, created.ID)
		if err != nil || len(photos) != 1 || photos[0].ID != photo.ID || photos[0].EventID != history[0].ID {
			t.Fatalf("attachments %+v, %v: want the photo linked to the creating event %d", photos, err, history[0].ID)
		}
		// The same tracking number again: refused, and nothing of it stays.
		again := newCase(t, s, citizen.ID)
		again.TrackingNo = created.TrackingNo
		if _, err := s.CreateCaseSteps(ctx, again, []models.Event{{ActorRole: models.RoleSystem, Action: models.ActionCreate}},
			[]models.Intent{{RecipientID: citizen.ID, Channel: models.ChannelWeChat, Kind: "status", DedupKey: "status:again"}}); models.ErrorCodeOf(err) != models.EConflict {
			t.Fatalf("a second case with the same number = %v, want a conflict", err)
		}
		if left, _ := s.Intents(ctx, store.IntentFilter{}); len(left) != 3 {
			t.Fatalf("the refused case left intents: %+v", left)
		}
		// A later step appends to the same chain.
		next := created
		next.State = models.StateSigned
		if _, err := s.UpdateCase(ctx, next, models.Event{ActorRole: models.RoleSystem, Action: models.ActionSign,
			FromState: models.StateDispatched, ToState: models.StateSigned}, nil); err != nil {
			t.Fatal(err)
		}
		if history, err = s.Events(ctx, created.ID); err != nil || len(history) != 4 || models.VerifyChain(history) != 0 {
			t.Fatalf("history after a step %+v, %v", history, err)
		}
	})
}

func TestOpenCasesOfMatterNewestFirstWithoutClosed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var ids []int64
		for i, state := range []models.State{models.StateDispatched, models.StateClosed, models.StateReceived} {
			c := newCase(t, s, int64(100+i))
			c.State = state
			created, err := s.CreateCase(ctx, c, models.Event{ActorRole: models.RoleSystem, Action: models.ActionCreate}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, created.ID)
		}
		got, err := s.OpenCasesOfMatter(ctx, "CG-001", "anhai", 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != ids[2] || got[1].ID != ids[0] {
			t.Fatalf("open cases %+v, want ids %d then %d", got, ids[2], ids[0])
		}
		c := got[1]
		if c.ReporterID != 100 || c.Location.Point == nil || c.Location.Point.Lat != 24.7231 || c.Location.VillageCode != "anhai-anping" ||
			c.TrackingNo == "" || c.State != models.StateDispatched || c.MatterCode != "CG-001" {
			t.Fatalf("open case %+v", c)
		}
		if none, err := s.OpenCasesOfMatter(ctx, "CG-999", "anhai", 0, 50); err != nil || none == nil || len(none) != 0 {
			t.Fatalf("no open cases = %#v, %v; want an empty list", none, err)
		}
	})
}
