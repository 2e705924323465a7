package store_test

import (
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"gridbot/deployment"
	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
)

// snapshot is everything an import writes, for comparing before and after.
type snapshot struct {
	Townships   []models.Township
	Villages    []models.Village
	Grids       []models.Grid
	Departments []models.Department
	Matters     []models.Matter
	Delegations []models.Delegation
	Colloquial  []models.Colloquial
	Teams       []models.Team
	People      []models.Person
}

// take reads a snapshot of the store.
func take(t *testing.T, s *store.Store) snapshot {
	t.Helper()
	return snapshot{
		Townships: must(s.Townships(ctx))(t), Villages: must(s.Villages(ctx))(t), Grids: must(s.Grids(ctx))(t),
		Departments: must(s.Departments(ctx))(t), Matters: must(s.Matters(ctx))(t),
		Delegations: must(s.Delegations(ctx))(t), Colloquial: must(s.Colloquial(ctx))(t), Teams: must(s.Teams(ctx))(t), People: must(s.People(ctx))(t),
	}
}

// must returns a getter that fails the test on an error and returns the value otherwise.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// sample parses the bundled sample county.
func sample(t *testing.T) models.Deployment {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../examples/jinjiang.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := deployment.Parse(f, "jinjiang.yaml", loc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestImportTwiceLeavesTheSameRows(t *testing.T) {
	d := sample(t)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
		first, err := s.ImportDeployment(ctx, d, now, 336*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if len(first.IssuedCodes) == 0 || first.Counts["people"] != len(d.Staff) {
			t.Fatalf("first import %+v", first)
		}
		before := take(t, s)
		if len(before.People) != len(d.Staff) || len(before.Delegations) != len(d.Delegations) {
			t.Fatalf("%d people, %d delegations stored", len(before.People), len(before.Delegations))
		}
		second, err := s.ImportDeployment(ctx, d, now.Add(time.Hour), 336*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if len(second.IssuedCodes) != 0 || second.Counts["binding_codes"] != 0 {
			t.Errorf("second import issued codes again: %+v", second)
		}
		after := take(t, s)
		if diff := cmp.Diff(before, after, cmpopts.IgnoreFields(models.Person{}, "UpdatedAt"), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("re-import changed rows (-first +second):\n%s", diff)
		}
	})
}

func TestImportReplacesColloquial(t *testing.T) {
	d := sample(t)
	if len(d.Colloquial) < 20 {
		t.Fatalf("sample county has %d colloquial entries, want 20 or more", len(d.Colloquial))
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
		res, err := s.ImportDeployment(ctx, d, now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if res.Counts["colloquial"] != len(d.Colloquial) {
			t.Errorf("import counted %d colloquial entries, want %d", res.Counts["colloquial"], len(d.Colloquial))
		}
		if diff := cmp.Diff(d.Colloquial, must(s.Colloquial(ctx))(t)); diff != "" {
			t.Errorf("stored colloquial list (-file +stored):\n%s", diff)
		}
		edited := d
		edited.Colloquial = []models.Colloquial{{Say: "足吵", Means: "很吵"}, d.Colloquial[0]}
		if _, err := s.ImportDeployment(ctx, edited, now, time.Hour); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(edited.Colloquial, must(s.Colloquial(ctx))(t)); diff != "" {
			t.Errorf("re-import did not replace the list (-file +stored):\n%s", diff)
		}
		edited.Colloquial = nil
		if _, err := s.ImportDeployment(ctx, edited, now, time.Hour); err != nil {
			t.Fatal(err)
		}
		if got := must(s.Colloquial(ctx))(t); len(got) != 0 {
			t.Errorf("a file without a list left %+v", got)
		}
	})
}

func TestFailedImportChangesNothing(t *testing.T) {
	d := sample(t)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Now()
		if _, err := s.ImportDeployment(ctx, d, now, time.Hour); err != nil {
			t.Fatal(err)
		}
		before := take(t, s)
		broken := d
		broken.Townships = append([]models.Township{{Code: "new-town", Name: "新镇"}}, d.Townships...)
		broken.Staff = append([]models.StaffMember(nil), d.Staff...)
		// The last person takes the first explicit code of someone else: the database refuses it
		// after everything else was written, and the whole import must roll back.
		var code string
		for _, m := range d.Staff {
			if m.BindingCode != "" {
				code = m.BindingCode
				break
			}
		}
		broken.Staff = append(broken.Staff, models.StaffMember{
			Person:      models.Person{Code: "p-thief", Name: "王五", Role: models.RoleOfficer, TeamCode: d.Teams[0].Code},
			BindingCode: code,
		})
		_, err := s.ImportDeployment(ctx, broken, now, time.Hour)
		if models.ErrorCodeOf(err) != models.EConflict {
			t.Fatalf("import with a stolen code = %v, want conflict", err)
		}
		if diff := cmp.Diff(before, take(t, s), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("failed import left changes:\n%s", diff)
		}
	})
}
