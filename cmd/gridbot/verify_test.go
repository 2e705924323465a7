package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/glebarez/go-sqlite"
)

func TestVerifyFindsAnEditMadeBehindTheStoresBack(t *testing.T) {
	getenv := testEnv(t, nil)
	app, base := startApp(t, getenv)
	no := fileComplaint(t, sandboxPhone(app, base, "oCitizen_verify", true))
	fileComplaint(t, sandboxPhone(app, base, "oCitizen_verify2", true))
	if out, err := gridbot(t, getenv, "verify"); err != nil || !strings.Contains(out, "2 cases checked, 0 with a broken history") {
		t.Fatalf("verify of an intact history: %v\n%s", err, out)
	}
	db, err := sql.Open("sqlite", filepath.Join(getenv("GRIDBOT_DATA_DIR"), "gridbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE case_events SET note = '篡改' WHERE seq = 2 AND case_id = (SELECT id FROM cases WHERE tracking_no = ?)`, no)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("edit behind the store's back: %v, %d rows", err, n)
	}
	out, err := gridbot(t, getenv, "verify")
	if err == nil || !strings.Contains(out, "case "+no+": history broken at event 2") || !strings.Contains(out, "1 with a broken history") {
		t.Fatalf("verify after an edit: %v\n%s", err, out)
	}
}
