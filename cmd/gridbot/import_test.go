package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gridbot/store"
	"gridbot/store/storetest"
)

// samplePath is the bundled sample county, from this package's folder.
const samplePath = "../../examples/jinjiang.yaml"

// changedSample writes the sample county with edits an operator might make and returns its path:
// 安海镇 renamed, a phone number changed, a grid worker added and one left out, and the
// delegations of HB-004 (畜禽养殖污染) deleted, which leaves that matter with none at all.
func changedSample(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(raw), "name: 安海镇\n", "name: 安海镇（改）\n", 1)
	s = strings.Replace(s, `phone: "13905952001"`, `phone: "13905952999"`, 1)
	s = regexp.MustCompile(`(?s)\n  - code: gw-cizao-02\n.*?\n  - code:`).ReplaceAllString(s, "\n  - code:")
	hb004 := regexp.MustCompile(`(?s)(\n  - code: HB-004\n.*?)\n    delegations:\n.*?\n(  # Batch 3)`)
	if !hb004.MatchString(s) {
		t.Fatal("the sample county changed: HB-004's delegations not found")
	}
	s = hb004.ReplaceAllString(s, "$1\n$2")
	s += "  - code: gw-new-01\n    name: 新网格员\n    role: grid_worker\n    grids: [anhai-anping-01]\n    binding_code: issue\n"
	path := filepath.Join(t.TempDir(), "changed.yaml")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// dumpTables reads every row of every table of the App's database, as text, for comparing.
func dumpTables(t *testing.T, getenv func(string) string) map[string][]string {
	t.Helper()
	db := rawDB(t, getenv)
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	if getenv("GRIDBOT_DB_DRIVER") == "mysql" {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
	}
	var tables []string
	queryRows(t, db, q, func(cells []string) { tables = append(tables, cells[0]) })
	out := map[string][]string{}
	for _, table := range tables {
		out[table] = []string{}
		queryRows(t, db, "SELECT * FROM "+table, func(cells []string) {
			out[table] = append(out[table], strings.Join(cells, "|"))
		})
	}
	return out
}

// queryRows runs a query and hands each row's cells to fn as text.
func queryRows(t *testing.T, db *sql.DB, q string, fn func([]string)) {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		raw := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(raw))
		for i, c := range raw {
			cells[i] = string(c)
		}
		fn(cells)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// wantAll fails the test for each phrase the output lacks.
func wantAll(t *testing.T, what, out string, phrases ...string) {
	t.Helper()
	for _, p := range phrases {
		if !strings.Contains(out, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, out)
		}
	}
}

func TestImportDryRunWritesNothing(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		getenv := testEnv(t, map[string]string{"GRIDBOT_SAMPLE_COUNTY": "false", "GRIDBOT_LOG_LEVEL": "info"})
		importDryRun(t, getenv, func(t *testing.T) {
			if entries, err := os.ReadDir(getenv("GRIDBOT_DATA_DIR")); err != nil || len(entries) > 0 {
				t.Fatalf("a dry run on no database created %v (%v)", entries, err)
			}
		})
	})
	t.Run("mysql", func(t *testing.T) {
		dsn := storetest.NewMySQLDatabase(t)
		getenv := testEnv(t, map[string]string{"GRIDBOT_DB_DRIVER": "mysql", "GRIDBOT_DB_DSN": dsn,
			"GRIDBOT_DB_MIGRATE": "apply", "GRIDBOT_LOG_LEVEL": "info"})
		importDryRun(t, getenv, func(t *testing.T) {
			if tables := dumpTables(t, getenv); len(tables) > 0 {
				t.Fatalf("a dry run on an empty database created tables: %v", tables)
			}
		})
	})
}

// importDryRun previews the sample on an empty database (checked by stillEmpty), imports it,
// previews an edited file, is refused the edit without --force and accepts it with it.
func importDryRun(t *testing.T, getenv func(string) string, stillEmpty func(*testing.T)) {
	out, err := gridbot(t, getenv, "import", "--dry-run", samplePath)
	if err != nil {
		t.Fatalf("dry run on an empty database: %v\n%s", err, out)
	}
	wantAll(t, "dry run on an empty database", out, "nothing is written", "townships: 7 added, 0 changed, 0 removed, 0 unchanged",
		"  + anhai chendai chidian cizao dongshi meiling\n", "people: 80 added", "in all: ", "binding codes: 6 people have binding_code: issue")
	if strings.Contains(out, "would be left with no delegation") {
		t.Errorf("a first import warns of matters without delegation:\n%s", out)
	}
	stillEmpty(t)

	if out, err := gridbot(t, getenv, "import", samplePath); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	before := dumpTables(t, getenv)
	changed := changedSample(t)
	out, err = gridbot(t, getenv, "import", changed, "--dry-run")
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	wantAll(t, "dry run", out, "townships: 0 added, 1 changed, 0 removed, 6 unchanged\n  ~ anhai (name)\n",
		"delegations: 0 added, 0 changed, 5 removed, 248 unchanged\n  - HB-004/anhai HB-004/chendai HB-004/chidian HB-004/cizao HB-004/dongshi\n",
		"people: 1 added, 1 changed, 0 removed, 78 unchanged, 1 not in the file (kept)\n  + gw-new-01\n  ~ gw-anhai-01 (phone)\n  kept, not in the file: gw-cizao-02\n",
		"matters: 0 added, 0 changed, 0 removed, 55 unchanged\n", "in all: 1 added, 2 changed, 5 removed\n",
		"warning: matter HB-004 (畜禽养殖污染) would be left with no delegation at all", "refused without --force")
	if diff := cmp.Diff(before, dumpTables(t, getenv)); diff != "" {
		t.Fatalf("the dry run wrote (-before +after):\n%s", diff)
	}

	out, err = gridbot(t, getenv, "import", changed)
	if err == nil || !strings.Contains(err.Error(), "--force") || !strings.Contains(out, "warning: matter HB-004") {
		t.Fatalf("import leaving HB-004 without delegation: %v\n%s", err, out)
	}
	// The refused import took the migration lock (MySQL writes the lock row's time), nothing else.
	delete(before, "goose_lock")
	after := dumpTables(t, getenv)
	delete(after, "goose_lock")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Fatalf("the refused import wrote (-before +after):\n%s", diff)
	}
	out, err = gridbot(t, getenv, "import", "--force", changed)
	if err != nil {
		t.Fatalf("import --force: %v\n%s", err, out)
	}
	wantAll(t, "import --force", out, "binding codes issued now: 1", "gw-new-01", "新网格员")
	var name string
	if err := rawDB(t, getenv).QueryRow("SELECT name FROM townships WHERE code = 'anhai'").Scan(&name); err != nil || name != "安海镇（改）" {
		t.Fatalf("after import --force 安海镇 is %q, %v", name, err)
	}
	out, err = gridbot(t, getenv, "import", "--dry-run", changed)
	if err != nil || !strings.Contains(out, "in all: 0 added, 0 changed, 0 removed") || strings.Contains(out, "no delegation at all") {
		t.Fatalf("dry run after the import: %v\n%s", err, out)
	}
}

// codeLineRe reads a row of the binding code table: person code, name, team / role, code.
var codeLineRe = regexp.MustCompile(`(?m)^  ([a-z0-9-]+) +(\S+) +(\S.*?) +([2-9A-HJ-NP-Z]{8})$`)

// issuedCodes reads the binding code table, checking that it is printed once with its header.
func issuedCodes(t *testing.T, out string) map[string]string {
	t.Helper()
	if n := strings.Count(out, "binding codes issued now"); n != 1 || !regexp.MustCompile(`(?m)^  person code +name +team / role +binding code$`).MatchString(out) {
		t.Fatalf("the binding code table is printed %d times, or without its header:\n%s", n, out)
	}
	codes := map[string]string{}
	for _, m := range codeLineRe.FindAllStringSubmatch(out, -1) {
		codes[m[1]] = m[4]
	}
	return codes
}

func TestImportPrintsTheGeneratedCodesAsATable(t *testing.T) {
	getenv := testEnv(t, map[string]string{"GRIDBOT_SAMPLE_COUNTY": "false"})
	out, err := gridbot(t, getenv, "import", samplePath)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	codes := issuedCodes(t, out)
	wantAll(t, "import", out, "  p-anhai-09     王振南  team-anhai / officer       ", "  gw-anhai-03    许宝珠  grid_worker                ")
	checkCodesRedeem(t, getenv, codes, 6)
	if again, err := gridbot(t, getenv, "import", samplePath); err != nil || strings.Contains(again, "binding codes issued now") {
		t.Errorf("second import: %v\n%s", err, again)
	}
}

// checkCodesRedeem checks that the printed codes are the stored ones (each binds its person) and
// that the database holds none of them in clear.
func checkCodesRedeem(t *testing.T, getenv func(string) string, codes map[string]string, want int) {
	t.Helper()
	if len(codes) != want {
		t.Fatalf("%d codes in the table, want %d: %v", len(codes), want, codes)
	}
	dump := dumpTables(t, getenv)
	for _, rows := range dump {
		for _, r := range rows {
			for person, code := range codes {
				if strings.Contains(r, code) {
					t.Errorf("the code of %s is stored in clear: %s", person, r)
				}
			}
		}
	}
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(getenv("GRIDBOT_DATA_DIR"), "gridbot.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for person, code := range codes {
		p, err := s.RedeemBindingCode(ctx, "oRedeem_"+person, code, time.Now())
		if err != nil || p.Code != person {
			t.Errorf("code %s of %s binds %q, %v", code, person, p.Code, err)
		}
	}
}

// syncBuffer is a buffer that a running command writes and a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestImportOfTheSampleAtServeStartPrintsItsCodes(t *testing.T) {
	getenv := testEnv(t, map[string]string{"GRIDBOT_LOG_LEVEL": "info"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, &out, &logs, getenv) }()
	waitFor(t, "serve to listen", func() bool { return strings.Contains(logs.String(), `"msg":"serving"`) })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v\n%s", err, logs.String())
	}
	codes := issuedCodes(t, out.String())
	wantAll(t, "serve's log", logs.String(), `"msg":"database schema ready"`, `"binding_codes_issued":6`)
	for _, code := range codes {
		if strings.Contains(logs.String(), code) {
			t.Errorf("binding code %s is in the log", code)
		}
	}
	checkCodesRedeem(t, getenv, codes, 6)
}
