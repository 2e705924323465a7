package store_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
)

// staff returns the person with a deployment-file code of the sample county.
func staff(t *testing.T, s *store.Store, code string) models.Person {
	t.Helper()
	p, err := s.PersonByCode(ctx, code)
	if err != nil {
		t.Fatalf("person %s: %v", code, err)
	}
	return p
}

var tokenRe = regexp.MustCompile(`^gbt_[a-z2-7]{32}$`)

func TestAPITokenLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		t0 := time.Date(2026, 11, 27, 9, 0, 0, 123456000, time.UTC)
		if _, err := s.ImportDeployment(ctx, sample(t), t0, time.Hour); err != nil {
			t.Fatal(err)
		}
		op := staff(t, s, "p-platform-01")
		token, err := s.IssueToken(ctx, op.ID, "  ci  ", t0)
		if err != nil || !tokenRe.MatchString(token) {
			t.Fatalf("IssueToken = %q, %v", token, err)
		}
		other, err := s.IssueToken(ctx, op.ID, "laptop", t0.Add(time.Second))
		if err != nil || other == token {
			t.Fatalf("second token %q, %v", other, err)
		}
		ts, err := s.TokensOf(ctx, op.ID)
		if err != nil || len(ts) != 2 || ts[1].Name != "ci" || ts[1].HashPrefix != store.HashToken(token)[:12] || !ts[1].LastUsedAt.IsZero() {
			t.Fatalf("TokensOf = %+v, %v", ts, err)
		}

		uses := []struct {
			at       time.Time
			wantLast time.Time
		}{
			{t0.Add(time.Minute), t0.Add(time.Minute)},
			{t0.Add(time.Minute + 30*time.Second), t0.Add(time.Minute)}, // within the minute: not written
			{t0.Add(2*time.Minute + time.Second), t0.Add(2*time.Minute + time.Second)},
		}
		for _, u := range uses {
			p, err := s.PersonByToken(ctx, token, u.at)
			if err != nil || p.ID != op.ID || p.Role != models.RolePlatformOperator {
				t.Fatalf("PersonByToken at %v = %+v, %v", u.at, p, err)
			}
			ts, err := s.TokensOf(ctx, op.ID)
			if err != nil || !ts[1].LastUsedAt.Equal(models.EventTime(u.wantLast)) {
				t.Fatalf("after a use at %v: last used %v, want %v (%v)", u.at, ts[1].LastUsedAt, u.wantLast, err)
			}
		}

		for _, wrong := range []string{"", "gbt_", token + "x", strings.ToUpper(token), "Bearer " + token, "gbt_" + strings.Repeat("a", 32)} {
			if _, err := s.PersonByToken(ctx, wrong, t0); models.ErrorCodeOf(err) != models.ENotFound {
				t.Errorf("PersonByToken(%q) = %v, want not found", wrong, err)
			}
		}

		n, err := s.RevokeTokens(ctx, op.ID, t0.Add(time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("RevokeTokens = %d, %v", n, err)
		}
		if _, err := s.PersonByToken(ctx, token, t0.Add(2*time.Hour)); models.ErrorCodeOf(err) != models.ENotFound {
			t.Fatalf("a revoked token still works: %v", err)
		}
		if n, err := s.RevokeTokens(ctx, op.ID, t0.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("second RevokeTokens = %d, %v", n, err)
		}
		if ts, _ := s.TokensOf(ctx, op.ID); ts[0].RevokedAt.IsZero() || ts[1].RevokedAt.IsZero() {
			t.Fatalf("revoked tokens listed as live: %+v", ts)
		}
	})
}

func TestOnlyStaffHoldAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Now()
		if _, err := s.ImportDeployment(ctx, sample(t), now, time.Hour); err != nil {
			t.Fatal(err)
		}
		citizen, err := s.CreatePerson(ctx, models.Person{Role: models.RoleCitizen, OpenID: "oCitizen_token"})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name     string
			personID int64
			label    string
			want     models.ErrorCode
		}{
			{"platform operator", staff(t, s, "p-platform-01").ID, "ci", ""},
			{"supervisor", staff(t, s, "p-platform-03").ID, "ci", ""},
			{"admin", staff(t, s, "p-platform-04").ID, "ci", ""},
			{"team leader", staff(t, s, "p-anhai-01").ID, "ci", ""},
			{"legal reviewer", staff(t, s, "p-anhai-02").ID, "ci", ""},
			{"officer", staff(t, s, "p-anhai-03").ID, "ci", ""},
			{"grid worker", staff(t, s, "gw-anhai-01").ID, "ci", models.EInvalid},
			{"citizen", citizen.ID, "ci", models.EInvalid},
			{"nobody", 987654, "ci", models.ENotFound},
			{"empty name", staff(t, s, "p-anhai-03").ID, " ", models.EInvalid},
			{"name of 101 characters", staff(t, s, "p-anhai-03").ID, strings.Repeat("名", 101), models.EInvalid},
			{"name of 100 characters", staff(t, s, "p-anhai-03").ID, strings.Repeat("名", 100), ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				token, err := s.IssueToken(ctx, tt.personID, tt.label, now)
				if got := models.ErrorCodeOf(err); got != tt.want {
					t.Fatalf("IssueToken = %q, %v; want code %q", token, err, tt.want)
				}
				if tt.want == "" && !tokenRe.MatchString(token) {
					t.Fatalf("token %q", token)
				}
			})
		}
	})
}
