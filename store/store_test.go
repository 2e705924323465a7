package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
)

var ctx = context.Background()

func TestSchemaIsCurrentAfterMigrate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		st, err := s.Schema(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Current != st.Latest || st.Latest < 1 {
			t.Fatalf("schema %+v after migrate", st)
		}
		if err := st.CheckSchema(); err != nil {
			t.Fatal(err)
		}
		again, err := s.Migrate(ctx, nil)
		if err != nil || again != st {
			t.Fatalf("second migrate = %+v, %v; want %+v", again, err, st)
		}
	})
}

func TestCheckSchemaRefusesUnknownVersions(t *testing.T) {
	tests := []struct {
		st   store.SchemaStatus
		want string
	}{
		{store.SchemaStatus{Current: 0, Latest: 1}, "invalid: database schema version 0 is behind this binary (1): run `gridbot migrate` first"},
		{store.SchemaStatus{Current: 7, Latest: 1}, "invalid: database schema version 7 is newer than this binary knows (1): run a newer gridbot"},
	}
	for _, tt := range tests {
		if err := tt.st.CheckSchema(); err == nil || err.Error() != tt.want {
			t.Errorf("CheckSchema(%+v) = %v, want %q", tt.st, err, tt.want)
		}
	}
}

// newCase returns a complaint ready to store, with a fresh tracking number.
func newCase(t *testing.T, s *store.Store, reporter int64) models.Case {
	t.Helper()
	no, err := s.NextTrackingNumber(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return models.Case{
		TrackingNo: no, Kind: models.KindComplaint, Source: models.SourceCitizen,
		Description: "楼下天天有人摆摊卖菜，路都堵死了",
		Location: models.Location{Point: &models.Point{Lat: 24.7231, Lng: 118.4612}, Address: "安平路12号",
			GridCode: "anhai-anping-01", VillageCode: "anhai-anping", TownshipCode: "anhai"},
		MatterCode: "CG-001", Urgency: models.UrgencyNormal, ReporterID: reporter, State: models.StateReceived,
		CreatedAt: models.EventTime(time.Now()),
	}
}

func TestCaseLifecycleOnBothDatabases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		citizen, err := s.CreatePerson(ctx, models.Person{Name: "", Role: models.RoleCitizen, OpenID: "oSim_citizen_1"})
		if err != nil {
			t.Fatal(err)
		}
		c := newCase(t, s, citizen.ID)
		intents := []models.Intent{{RecipientID: citizen.ID, Channel: models.ChannelWeChat, Kind: "case_received",
			DedupKey: "received:" + c.TrackingNo, Payload: []byte(`{"no":"` + c.TrackingNo + `"}`)}}
		created, err := s.CreateCase(ctx, c, models.Event{ActorID: citizen.ID, ActorRole: models.RoleCitizen, Action: models.ActionCreate}, intents)
		if err != nil {
			t.Fatal(err)
		}
		want := c
		want.ID, want.Version, want.UpdatedAt = created.ID, 1, c.CreatedAt
		if diff := cmp.Diff(want, created); diff != "" {
			t.Fatalf("created case differs (-want +got):\n%s", diff)
		}
		byNo, err := s.CaseByTrackingNo(ctx, c.TrackingNo)
		if err != nil || byNo.ID != created.ID {
			t.Fatalf("CaseByTrackingNo = %v, %v", byNo.ID, err)
		}

		// Two writers holding the same version: the first wins, the second is told.
		moved := created
		moved.State, moved.TeamCode = models.StateDispatched, "team-anhai"
		ev := models.Event{ActorRole: models.RoleSystem, Action: models.ActionDispatch, FromState: models.StateReceived,
			ToState: models.StateDispatched, Note: "违法占道经营 delegated to 安海镇"}
		dup := models.Intent{RecipientID: citizen.ID, Channel: models.ChannelWeChat, Kind: "case_received", DedupKey: "received:" + c.TrackingNo}
		updated, err := s.UpdateCase(ctx, moved, ev, []models.Intent{dup})
		if err != nil {
			t.Fatal(err)
		}
		if updated.Version != 2 || updated.State != models.StateDispatched || updated.TeamCode != "team-anhai" {
			t.Fatalf("updated case %+v", updated)
		}
		_, err = s.UpdateCase(ctx, moved, ev, nil)
		if models.ErrorCodeOf(err) != models.EConflict {
			t.Fatalf("stale update error = %v, want conflict", err)
		}

		events, err := s.Events(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[0].Seq != 1 || events[1].PrevHash != events[0].Hash {
			t.Fatalf("events %+v", events)
		}
		if bad := models.VerifyChain(events); bad != 0 {
			t.Fatalf("chain broken at %d", bad)
		}
		got, err := s.Intents(ctx, store.IntentFilter{CaseID: created.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].State != models.IntentPending || string(got[0].Payload) != `{"no":"`+c.TrackingNo+`"}` {
			t.Fatalf("intents %+v: want exactly one pending (the duplicate key is skipped)", got)
		}
	})
}

func TestAttachments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c, err := s.CreateCase(ctx, newCase(t, s, 0), models.Event{ActorRole: models.RoleSystem, Action: models.ActionCreate}, nil)
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.AddAttachment(ctx, models.Attachment{CaseID: c.ID, MediaID: "MEDIA_1", MIMEType: "image/jpeg"})
		if err != nil {
			t.Fatal(err)
		}
		a.Path, a.SHA256, a.Size = "media/2026/11/1.jpg", "ab12", 2048
		if err := s.RecordFetch(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordFetch(ctx, a); err != nil {
			t.Fatalf("unchanged update: %v", err)
		}
		list, err := s.Attachments(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]models.Attachment{a}, list); diff != "" {
			t.Fatalf("attachments (-want +got):\n%s", diff)
		}
		a.ID = 999999
		if err := s.RecordFetch(ctx, a); models.ErrorCodeOf(err) != models.ENotFound {
			t.Fatalf("update of a missing attachment = %v", err)
		}
	})
}

func TestErrorsBecomeDomainCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if _, err := s.CaseByTrackingNo(ctx, "26112700136"); models.ErrorCodeOf(err) != models.ENotFound {
			t.Errorf("missing case: %v", err)
		}
		if _, err := s.PersonByOpenID(ctx, "nobody"); models.ErrorCodeOf(err) != models.ENotFound {
			t.Errorf("missing person: %v", err)
		}
		p := models.Person{Code: "p-1", Name: "林志强", Role: models.RoleOfficer, OpenID: "oSim_dup"}
		if _, err := s.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		p.Code = "p-2"
		_, err := s.CreatePerson(ctx, p)
		if models.ErrorCodeOf(err) != models.EConflict {
			t.Fatalf("duplicate openid: %v", err)
		}
		if msg := models.ErrorMessage(err); msg != "person already exists" {
			t.Errorf("message %q leaks or misleads", msg)
		}
		c := newCase(t, s, 0)
		c.TrackingNo = ""
		if _, err := s.CreateCase(ctx, c, models.Event{}, nil); models.ErrorCodeOf(err) != models.EInvalid {
			t.Errorf("case without number: %v", err)
		}
	})
}

func TestClosedDatabaseIsUnavailable(t *testing.T) {
	s := storetest.SQLite(t)
	s.Close()
	if _, err := s.Townships(ctx); models.ErrorCodeOf(err) != models.EUnavailable {
		t.Fatalf("query on a closed database: %v", err)
	}
}

// allocate runs workers goroutines that each allocate n tracking numbers and fails on any
// error or duplicate.
func allocate(t *testing.T, s *store.Store, workers, n int) {
	t.Helper()
	day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
		wg   sync.WaitGroup
		errs = make(chan error, workers)
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				no, err := s.NextTrackingNumber(ctx, day)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				dup := seen[no]
				seen[no] = true
				mu.Unlock()
				if dup || !models.ValidTrackingNumber(no) {
					errs <- fmt.Errorf("duplicate or malformed tracking number %s", no)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != workers*n || !seen[models.TrackingNumber(day, int64(workers*n))] {
		t.Fatalf("%d numbers, want %d ending at sequence %d", len(seen), workers*n, workers*n)
	}
}

func TestTrackingNumbersUnderConcurrencyMySQL(t *testing.T) {
	allocate(t, storetest.MySQL(t), 8, 500)
}

func TestTrackingNumbersAcrossInstancesMySQL(t *testing.T) {
	dsn := storetest.NewMySQLDatabase(t)
	instances := make([]*store.Store, 3)
	for i := range instances {
		s, err := store.Open(ctx, store.Options{Driver: store.DriverMySQL, DSN: dsn, MaxOpenConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if i == 0 {
			if _, err := s.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
		}
		instances[i] = s
	}
	day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	for i, s := range instances {
		for range 4 {
			wg.Go(func() {
				for range 55 {
					no, err := s.NextTrackingNumber(ctx, day)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if prev, dup := seen[no]; dup {
						t.Errorf("instances %d and %d both handed out %s", prev, i, no)
					}
					seen[no] = i
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if len(seen) != 3*4*55 {
		t.Fatalf("%d distinct numbers, want %d", len(seen), 3*4*55)
	}
}

func TestTrackingNumbersUnderConcurrencySQLite(t *testing.T) {
	allocate(t, storetest.SQLite(t), 4, 100)
}
