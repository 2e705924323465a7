package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gridbot/deployment"
	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
)

func TestDeploymentReadBackMatchesTheImportedFile(t *testing.T) {
	d := sample(t)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		empty, err := s.Deployment(ctx)
		if err != nil || empty.County.Code != "" || len(empty.Townships)+len(empty.Staff) != 0 {
			t.Fatalf("empty store read back %+v, %v", empty.County, err)
		}
		if _, err := s.ImportDeployment(ctx, d, time.Now(), time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := s.EnsureCitizen(ctx, "oCitizen_not_staff", time.Now()); err != nil {
			t.Fatal(err)
		}
		got, err := s.Deployment(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.County != d.County || len(got.Staff) != len(d.Staff) || len(got.Delegations) != len(d.Delegations) {
			t.Fatalf("read back county %+v, %d staff, %d delegations; want %+v, %d, %d",
				got.County, len(got.Staff), len(got.Delegations), d.County, len(d.Staff), len(d.Delegations))
		}
		diff := deployment.Compare(got, d)
		if !diff.Empty() || len(diff.Undelegated) != 0 {
			t.Errorf("the file against what it imported is not empty: %+v", diff)
		}
		same := map[string]int{}
		for _, k := range diff.Kinds {
			same[k.Kind] = k.Same
		}
		want := map[string]int{"townships": len(d.Townships), "villages": len(d.Villages), "grids": len(d.Grids),
			"departments": len(d.Departments), "matters": len(d.Matters), "delegations": len(d.Delegations),
			"teams": len(d.Teams), "people": len(d.Staff)}
		if delta := cmp.Diff(want, same); delta != "" {
			t.Errorf("unchanged rows per kind (-want +got):\n%s", delta)
		}
		// A binding made since the import is read back and is no change: the import keeps it.
		for _, m := range d.Staff {
			if m.BindingCode == "" {
				continue
			}
			if _, err := s.RedeemBindingCode(ctx, "oBound_since", m.BindingCode, time.Now()); err != nil {
				t.Fatal(err)
			}
			break
		}
		after, err := s.Deployment(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := deployment.Compare(after, d); !diff.Empty() {
			t.Errorf("a binding made since counts as a change: %+v", diff)
		}
		if bound := boundStaff(after); bound != 1+boundStaff(got) {
			t.Errorf("%d bound staff after a binding, %d before", bound, boundStaff(got))
		}
	})
}

// boundStaff counts the staff with an openid.
func boundStaff(d models.Deployment) int {
	n := 0
	for _, m := range d.Staff {
		if m.Person.OpenID != "" {
			n++
		}
	}
	return n
}

func TestDeploymentPreviewPeeksAtTheSchemaWithoutWriting(t *testing.T) {
	options := map[string]func(t *testing.T) store.Options{
		"sqlite": func(t *testing.T) store.Options {
			return store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "gridbot.db")}
		},
		"mysql": func(t *testing.T) store.Options {
			return store.Options{Driver: store.DriverMySQL, DSN: storetest.NewMySQLDatabase(t)}
		},
	}
	for name, o := range options {
		t.Run(name, func(t *testing.T) {
			s, err := store.Open(ctx, o(t))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			st, migrated, err := s.PeekSchema(ctx)
			if err != nil || migrated || st.Current != 0 || st.Latest == 0 {
				t.Fatalf("empty database: %+v migrated %v, %v", st, migrated, err)
			}
			if _, migrated, err := s.PeekSchema(ctx); migrated || err != nil {
				t.Fatalf("the first peek created the schema: %v, %v", migrated, err)
			}
			want, err := s.Migrate(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			st, migrated, err = s.PeekSchema(ctx)
			if err != nil || !migrated || st != want {
				t.Fatalf("after migrating: %+v migrated %v, %v; want %+v", st, migrated, err, want)
			}
		})
	}
}
