package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gridbot/config"
	"gridbot/store/storetest"
)

// testEnv returns a getenv for a fresh embedded deployment in a temporary folder on port 0.
func testEnv(t *testing.T, extra map[string]string) func(string) string {
	t.Helper()
	vars := map[string]string{
		"GRIDBOT_DATA_DIR":  t.TempDir(),
		"GRIDBOT_HTTP_ADDR": "127.0.0.1:0",
		"GRIDBOT_LOG_LEVEL": "warn",
	}
	for k, v := range extra {
		vars[k] = v
	}
	return func(k string) string { return vars[k] }
}

// startApp starts the service like `gridbot serve` and stops it at cleanup.
func startApp(t *testing.T, getenv func(string) string) (*App, string) {
	t.Helper()
	app, base, stop := runApp(t, getenv)
	t.Cleanup(stop)
	return app, base
}

// runApp starts the service like `gridbot serve`; stop stops it gracefully, as Ctrl-C does.
func runApp(t *testing.T, getenv func(string) string) (*App, string, func()) {
	t.Helper()
	cfg, err := config.Load("", getenv)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	app, err := NewApp(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("graceful stop: %v", err)
			}
		})
	}
	return app, "http://" + app.Addr(), stop
}

// getJSON fetches a URL and decodes its JSON answer.
func getJSON(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return resp.StatusCode, body
}

func TestServeEmbeddedDefaultWithSampleCounty(t *testing.T) {
	getenv := testEnv(t, nil)
	app, base := startApp(t, getenv)
	if code, body := getJSON(t, base+"/healthz"); code != 200 || body["storage"] != "embedded" || body["wechat"] != "SANDBOX" {
		t.Fatalf("/healthz = %d %v", code, body)
	}
	if code, body := getJSON(t, base+"/readyz"); code != 200 {
		t.Fatalf("/readyz = %d %v", code, body)
	}
	ts, err := app.store.Townships(context.Background())
	if err != nil || len(ts) < 5 {
		t.Fatalf("sample county not imported: %d townships, %v", len(ts), err)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), `gridbot_http_requests_total{method="GET",route="/readyz",status="200"} 1`) {
		t.Errorf("/metrics lacks the request counter:\n%.2000s", metrics)
	}
	if code, body := getJSON(t, base+"/nowhere"); code != 404 || body["error"] == nil {
		t.Errorf("/nowhere = %d %v", code, body)
	}
}

func TestReadyzFailsWhenTheDatabaseIsGone(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	app.store.Close()
	code, body := getJSON(t, base+"/readyz")
	checks, _ := body["checks"].(map[string]any)
	if code != http.StatusServiceUnavailable || checks["database"] != "unreachable" || checks["redis"] != "ok" {
		t.Fatalf("/readyz = %d %v", code, body)
	}
}

func TestBodyLimit(t *testing.T) {
	_, base := startApp(t, testEnv(t, map[string]string{"GRIDBOT_HTTP_MAX_BODY_BYTES": "16"}))
	resp, err := http.Post(base+"/healthz", "text/plain", strings.NewReader(strings.Repeat("x", 17)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversize body: %d", resp.StatusCode)
	}
}

// gridbot runs the command line with args and returns its output.
func gridbot(t *testing.T, getenv func(string) string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut, getenv)
	return out.String() + errOut.String(), err
}

func TestImportCommand(t *testing.T) {
	getenv := testEnv(t, map[string]string{"GRIDBOT_SAMPLE_COUNTY": "false"})
	out, err := gridbot(t, getenv, "import", "../../examples/jinjiang.yaml")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, want := range []string{"townships      7", "warning: team team-dongshi", "binding codes issued now"} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	again, err := gridbot(t, getenv, "import", "../../examples/jinjiang.yaml")
	if err != nil || strings.Contains(again, "binding codes issued now") {
		t.Errorf("second import: %v\n%s", err, again)
	}

	src, err := os.ReadFile("../../examples/jinjiang.yaml")
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(src), "department: cgj", "department: nosuch", 1)
	path := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = gridbot(t, getenv, "import", path)
	if err == nil || !strings.Contains(err.Error(), "broken.yaml:") || !strings.Contains(err.Error(), `unknown department "nosuch"`) {
		t.Fatalf("broken import error = %v", err)
	}
}

func TestMigrateVersionAndUnknownCommand(t *testing.T) {
	getenv := testEnv(t, nil)
	if out, err := gridbot(t, getenv, "migrate"); err != nil || !strings.Contains(out, "schema version 0 -> ") {
		t.Fatalf("migrate: %v %s", err, out)
	}
	if out, err := gridbot(t, getenv, "migrate"); err != nil || !regexp.MustCompile(`schema version (\d+) -> (\d+)`).MatchString(out) || !sameVersions(out) {
		t.Fatalf("second migrate: %v %s", err, out)
	}
	if out, err := gridbot(t, getenv, "version"); err != nil || !strings.HasPrefix(out, "gridbot ") {
		t.Fatalf("version: %v %s", err, out)
	}
	if _, err := gridbot(t, getenv, "frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
	bad := testEnv(t, map[string]string{"GRIDBOT_DB_DRIVER": "postgres"})
	if _, err := gridbot(t, bad, "serve"); err == nil || !strings.Contains(err.Error(), "GRIDBOT_DB_DRIVER") {
		t.Fatalf("bad config: %v", err)
	}
}

func TestServeRefusesUnmigratedMySQL(t *testing.T) {
	dsn := storetest.NewMySQLDatabase(t)
	getenv := testEnv(t, map[string]string{"GRIDBOT_DB_DRIVER": "mysql", "GRIDBOT_DB_DSN": dsn})
	_, err := gridbot(t, getenv, "serve")
	if err == nil || !strings.Contains(err.Error(), "run `gridbot migrate` first") {
		t.Fatalf("serve on an unmigrated MySQL database: %v", err)
	}
	if out, err := gridbot(t, getenv, "migrate"); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	// A newer binary migrated this database further: this one must refuse it.
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (999, 1)"); err != nil {
		t.Fatal(err)
	}
	_, err = gridbot(t, getenv, "serve")
	if err == nil || !strings.Contains(err.Error(), "newer than this binary knows") {
		t.Fatalf("serve on a newer schema: %v", err)
	}
}

func TestHealthcheckCommand(t *testing.T) {
	app, _ := startApp(t, testEnv(t, nil))
	getenv := testEnv(t, map[string]string{"GRIDBOT_HTTP_ADDR": app.Addr()})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, []string{"healthcheck"}, &out, io.Discard, getenv); err != nil {
		t.Fatalf("healthcheck: %v", err)
	}
}

// sameVersions reports whether "schema version A -> B" has A == B (nothing left to apply).
func sameVersions(out string) bool {
	m := regexp.MustCompile(`schema version (\d+) -> (\d+)`).FindStringSubmatch(out)
	return m != nil && m[1] == m[2]
}

func TestSkipLockedSettingReachesTheStore(t *testing.T) {
	dsn := storetest.NewMySQLDatabase(t)
	tests := []struct {
		setting string
		want    bool // on the MariaDB 10.6+ / MySQL 8 of the tests
	}{
		{"", true},
		{"auto", true},
		{"off", false},
	}
	for _, tt := range tests {
		t.Run("setting "+tt.setting, func(t *testing.T) {
			cfg, err := config.Load("", testEnv(t, map[string]string{"GRIDBOT_DB_DRIVER": "mysql", "GRIDBOT_DB_DSN": dsn,
				"GRIDBOT_DB_SKIP_LOCKED": tt.setting}))
			if err != nil {
				t.Fatal(err)
			}
			s, err := openStore(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := s.SkipsLocked(); got != tt.want {
				t.Fatalf("GRIDBOT_DB_SKIP_LOCKED=%q: claims with SKIP LOCKED %v, want %v", tt.setting, got, tt.want)
			}
		})
	}
}
