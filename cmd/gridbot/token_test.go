package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gridbot/models"
)

// tokenCmd runs `gridbot token ...` and returns its stdout and stderr apart.
func tokenCmd(t *testing.T, getenv func(string) string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"token"}, args...), &out, &errOut, getenv)
	return out.String(), errOut.String(), err
}

// issue issues a token for a person code and returns it.
func issue(t *testing.T, getenv func(string) string, code string) string {
	t.Helper()
	out, errOut, err := tokenCmd(t, getenv, "issue", code, "--name", "e2e")
	if err != nil {
		t.Fatalf("token issue %s: %v\n%s", code, err, errOut)
	}
	token := strings.TrimSpace(out)
	if !regexp.MustCompile(`^gbt_[a-z2-7]{32}$`).MatchString(token) || strings.Count(out, "\n") != 1 {
		t.Fatalf("token issue printed %q", out)
	}
	if !strings.Contains(errOut, "shown once") {
		t.Errorf("no warning that the token is shown once: %q", errOut)
	}
	return token
}

// rawDB opens the App's database behind the store's back, as someone tampering with it would.
func rawDB(t *testing.T, getenv func(string) string) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite", filepath.Join(getenv("GRIDBOT_DATA_DIR"), "gridbot.db")
	if getenv("GRIDBOT_DB_DRIVER") == "mysql" {
		driver, dsn = "mysql", getenv("GRIDBOT_DB_DSN")
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// apiCall calls the App's API with a token and decodes the JSON answer.
func apiCall(t *testing.T, method, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp.StatusCode, out
}

func TestTokenCommandAndAPIEndToEnd(t *testing.T) {
	backends(t, func(t *testing.T, getenv func(string) string) {
		app, base := startApp(t, getenv)
		ctx := context.Background()
		token := issue(t, getenv, "p-platform-01")
		if code, body := apiCall(t, "GET", base+"/api/v1/cases", token, ""); code != 200 || body["total"] != float64(0) {
			t.Fatalf("list = %d %v", code, body)
		}

		citizen, err := app.store.CreatePerson(ctx, models.Person{Role: models.RoleCitizen, OpenID: "oCitizen_api_e2e"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := app.gateway.workflow.Submit(ctx, models.NewCase{Kind: models.KindComplaint, Source: models.SourceCitizen,
			Description: "路口有人占道摆摊卖水果", Location: models.Location{TownshipCode: "anhai"}, MatterCode: "CG-001",
			ReporterID: citizen.ID})
		if err != nil || c.State != models.StateDispatched {
			t.Fatalf("submit: %+v, %v", c, err)
		}
		cases := base + "/api/v1/cases/" + c.TrackingNo
		if code, body := apiCall(t, "POST", cases+"/park", token, `{"reason":"等待规划部门认定"}`); code != 200 || body["state"] != "parked" {
			t.Fatalf("park = %d %v", code, body)
		}
		if code, body := apiCall(t, "GET", cases+"/verify", token, ""); code != 200 || body["intact"] != true || body["events"] != float64(3) {
			t.Fatalf("verify = %d %v", code, body)
		}

		db := rawDB(t, getenv)
		if _, err := db.Exec("UPDATE case_events SET note = 'x' WHERE case_id = ? AND seq = 2", c.ID); err != nil {
			t.Fatal(err)
		}
		code, body := apiCall(t, "GET", cases+"/verify", token, "")
		if code != 200 || body["intact"] != false || body["first_broken_seq"] != float64(2) {
			t.Fatalf("verify after an edit behind the store's back = %d %v", code, body)
		}

		officer := issue(t, getenv, "p-anhai-03")
		if code, _ := apiCall(t, "GET", cases, officer, ""); code != 200 {
			t.Fatalf("the team's officer reads the case: %d", code)
		}
		if _, err := db.Exec("UPDATE people SET role = 'grid_worker' WHERE code = 'p-anhai-03'"); err != nil {
			t.Fatal(err)
		}
		if code, body := apiCall(t, "GET", base+"/api/v1/cases", officer, ""); code != 403 {
			t.Fatalf("a token whose holder is no longer staff = %d %v", code, body)
		}

		list, _, err := tokenCmd(t, getenv, "list", "p-platform-01")
		if err != nil || !strings.Contains(list, "1 token(s) of 郑雅琳") || strings.Contains(list, "last used never") || !strings.Contains(list, " live") {
			t.Fatalf("token list: %v\n%s", err, list)
		}
		out, _, err := tokenCmd(t, getenv, "revoke", "p-platform-01")
		if err != nil || !strings.Contains(out, "revoked 1 token(s) of 郑雅琳 p-platform-01") {
			t.Fatalf("token revoke: %v %q", err, out)
		}
		if code, _ := apiCall(t, "GET", base+"/api/v1/cases", token, ""); code != 401 {
			t.Fatalf("a revoked token answered %d", code)
		}
		if list, _, _ := tokenCmd(t, getenv, "list", "p-platform-01"); !strings.Contains(list, "revoked 20") {
			t.Fatalf("token list after revoke:\n%s", list)
		}
	})
}

func TestTokenCommandRefusals(t *testing.T) {
	getenv := testEnv(t, nil)
	startApp(t, getenv) // imports the sample county into the embedded database
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "say issue, revoke or list"},
		{"unknown subcommand", []string{"show", "p-platform-01"}, "say issue, revoke or list"},
		{"no person", []string{"issue"}, "PERSON_CODE is missing"},
		{"two people", []string{"issue", "p-platform-01", "p-platform-02"}, "unexpected arguments"},
		{"unknown person", []string{"issue", "p-nobody"}, "not found"},
		{"grid worker", []string{"issue", "gw-anhai-01"}, "a grid_worker may not hold an API token"},
		{"empty name", []string{"issue", "p-platform-01", "--name", " "}, "1 to 100 characters"},
		{"unknown flag", []string{"issue", "p-platform-01", "--colour", "red"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := tokenCmd(t, getenv, tt.args...)
			if err == nil || !strings.Contains(err.Error()+errOut, tt.want) {
				t.Fatalf("err %v, stderr %q; want %q", err, errOut, tt.want)
			}
			if strings.Contains(out, "gbt_") {
				t.Fatalf("a refused command printed a token: %q", out)
			}
		})
	}
}
