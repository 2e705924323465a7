package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	mysqldriver "github.com/go-sql-driver/mysql"

	"gridbot/models"
)

// On MySQL a new case is written in two round trips instead of five (begin, case, history,
// intents, commit): "START TRANSACTION; INSERT case" returns the case's id, which the history's
// hashes need, then "INSERT history; link attachments; INSERT intents; COMMIT". Each round trip
// wakes a server thread, which costs the database more than the statements themselves. The
// connections that accept several statements at once are a small pool of their own, used only
// with the statements built here.

// multiStatementConns is the size of that pool.
const multiStatementConns = 8

// openMultiStatement opens the pool of connections that accept several statements at once.
func openMultiStatement(dsn string) (*sql.DB, error) {
	c, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("mysql dsn: %w", err)
	}
	c.MultiStatements = true
	db, err := sql.Open("mysql", c.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("open mysql: %w", err)
	}
	db.SetMaxOpenConns(multiStatementConns)
	db.SetMaxIdleConns(multiStatementConns)
	return db, nil
}

// createCaseInTwoTrips stores a new case row with its first events, their attachments and the
// intents, in one transaction of two round trips; it sets the row's id.
func (s *Store) createCaseInTwoTrips(ctx context.Context, r *caseRow, evs []models.Event, intents []intentRow) error {
	conn, err := s.multi.Conn(ctx)
	if err != nil {
		return translate(err, "case "+r.TrackingNo)
	}
	defer conn.Close()
	res, err := conn.ExecContext(ctx, "START TRANSACTION; "+insertCaseSQL, caseArgs(r)...)
	if err == nil {
		r.ID, err = res.LastInsertId()
	}
	if err == nil {
		q, args := historyAndIntentsSQL(r.ID, evs, intents)
		_, err = conn.ExecContext(ctx, q+"; COMMIT", args...)
	}
	if err != nil {
		// The batch stops at its first failing statement: nothing after it ran, COMMIT included.
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // do not reuse a connection in doubt
		}
		return translate(err, "case "+r.TrackingNo)
	}
	return nil
}

// distinctIntents keeps the first intent of each dedup key, as the skipping insert would.
func distinctIntents(intents []intentRow) []intentRow {
	seen := make(map[string]bool, len(intents))
	out := intents[:0:0]
	for _, in := range intents {
		if !seen[in.DedupKey] {
			seen[in.DedupKey] = true
			out = append(out, in)
		}
	}
	return out
}

// historyAndIntentsSQL builds the statements of the second round trip: the events chained from
// the start, the attachments linked to the event that names them (only the first may: see
// insertHistory), and the intents.
func historyAndIntentsSQL(caseID int64, evs []models.Event, intents []intentRow) (string, []any) {
	for i := range evs {
		evs[i].CaseID = caseID
	}
	history, args := insertHistorySQL(evs)
	stmts := []string{history}
	if ids := evs[0].AttachmentIDs; len(ids) > 0 {
		// LAST_INSERT_ID() is the id of the first row of the multi-row insert just before.
		stmts = append(stmts, "UPDATE attachments SET case_id = ?, event_id = LAST_INSERT_ID() WHERE id IN (?"+
			strings.Repeat(", ?", len(ids)-1)+")")
		args = append(args, caseID)
		for _, id := range ids {
			args = append(args, id)
		}
	}
	if intents = distinctIntents(intents); len(intents) > 0 {
		for i := range intents {
			if intents[i].CaseID == 0 {
				intents[i].CaseID = caseID
			}
		}
		// A new case's dedup keys are new (they name its tracking number), so a plain INSERT does:
		// without ON DUPLICATE KEY UPDATE it takes no next-key locks that concurrent case
		// creations would wait for.
		stmts = append(stmts, strings.TrimSuffix(insertIntentsSQL(DriverMySQL, len(intents)), onDuplicateSkip))
		args = append(args, intentArgs(intents)...)
	}
	return strings.Join(stmts, "; "), args
}
