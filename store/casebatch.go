package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"

	mysqldriver "github.com/go-sql-driver/mysql"

	"gridbot/models"
)

// On MySQL a new case is written in one round trip instead of five (begin, case, history,
// intents, commit): one batch of statements. The history's hashes cover the case's id, which the
// database assigns in the same batch, so the database computes them (SHA2 over the canonical
// content that models.Event.HashMiddle gives, around the id and the previous hash). Each round
// trip wakes a server thread, which costs the database more than the statements themselves.
// The connections that accept several statements at once are a small pool of their own, used
// only with the statements built here.

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

// createCaseInOneTrip stores a new case row with its first events, their attachments and the
// intents, in one transaction sent as one batch of statements; it sets the row's id.
func (s *Store) createCaseInOneTrip(ctx context.Context, r *caseRow, evs []models.Event, intents []intentRow) error {
	conn, err := s.multi.Conn(ctx)
	if err != nil {
		return translate(err, "case "+r.TrackingNo)
	}
	defer conn.Close()
	q, args := createCaseSQL(r, evs, intents)
	err = conn.Raw(func(dc any) error {
		ids, err := execAll(ctx, dc, q, args)
		if err == nil && len(ids) < 2 {
			err = models.Errorf(models.EInternal, "case %s: the batch reported %d statements", r.TrackingNo, len(ids))
		}
		if err == nil {
			r.ID = ids[1] // the INSERT INTO cases, after START TRANSACTION
		}
		return err
	})
	if err != nil {
		// The batch stops at its first failing statement: nothing after it ran, COMMIT included.
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // do not reuse a connection in doubt
		}
		return translate(err, "case "+r.TrackingNo)
	}
	return nil
}

// execAll runs a batch of statements on a driver connection and returns each one's last insert
// id (database/sql tells only the last statement's).
func execAll(ctx context.Context, dc any, q string, args []any) ([]int64, error) {
	execer, ok := dc.(driver.ExecerContext)
	if !ok {
		return nil, models.Errorf(models.EInternal, "mysql connection %T cannot execute", dc)
	}
	named := make([]driver.NamedValue, len(args))
	checker, _ := dc.(driver.NamedValueChecker)
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		if checker == nil {
			continue
		}
		if err := checker.CheckNamedValue(&named[i]); err != nil {
			return nil, err
		}
	}
	res, err := execer.ExecContext(ctx, q, named)
	if err != nil {
		return nil, err
	}
	all, ok := res.(mysqldriver.Result)
	if !ok {
		return nil, models.Errorf(models.EInternal, "mysql result %T tells no insert ids", res)
	}
	return all.AllLastInsertIds(), nil
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

// createCaseSQL builds the batch that creates a case: the case row (its id kept in @case_id),
// the events chained from the start with their hashes computed in the database, the attachments
// linked to the event that names them (only the first may: see insertHistory), and the intents,
// each distinct payload sent once (a team's members get the same notice), then COMMIT.
func createCaseSQL(r *caseRow, evs []models.Event, intents []intentRow) (string, []any) {
	var b strings.Builder
	args := caseArgs(r)
	b.WriteString("START TRANSACTION; " + insertCaseSQL + "; SET @case_id = LAST_INSERT_ID()")
	intents = distinctIntents(intents)
	payloads := map[string]string{} // payload → its variable
	for _, in := range intents {
		if _, ok := payloads[in.Payload]; !ok {
			v := "@payload" + strconv.Itoa(len(payloads))
			payloads[in.Payload] = v
			b.WriteString(", " + v + " = ?")
			args = append(args, in.Payload)
		}
	}
	prev := "''"
	rows := make([]string, len(evs))
	rowArgs := make([]any, 0, 9*len(evs))
	for i, e := range evs {
		e.Seq, e.At = i+1, models.EventTime(e.At)
		hash := "@hash" + strconv.Itoa(i)
		// One SET per hash: each needs the one before it.
		b.WriteString("; SET " + hash + " = SHA2(CONCAT('" + models.HashPrefix + "', @case_id, ?, " + prev +
			", '" + models.HashSuffix + "'), 256)")
		args = append(args, e.HashMiddle())
		rows[i] = "(@case_id, " + eventFieldPlaceholders + ", " + prev + ", " + hash + ")"
		rowArgs = eventFields(rowArgs, toEventRow(e))
		prev = hash
	}
	args = append(args, rowArgs...)
	b.WriteString("; INSERT INTO case_events " + eventColumns + " VALUES " + strings.Join(rows, ", "))
	if ids := evs[0].AttachmentIDs; len(ids) > 0 {
		// LAST_INSERT_ID() is the id of the first row of the multi-row insert just before.
		b.WriteString("; UPDATE attachments SET case_id = @case_id, event_id = LAST_INSERT_ID() WHERE id IN (?" +
			strings.Repeat(", ?", len(ids)-1) + ")")
		for _, id := range ids {
			args = append(args, id)
		}
	}
	if len(intents) > 0 {
		// A new case's dedup keys are new (they name its tracking number), so a plain INSERT does:
		// without ON DUPLICATE KEY UPDATE it takes no next-key locks that concurrent case
		// creations would wait for.
		rows = rows[:0]
		for _, in := range intents {
			caseID := "@case_id"
			if in.CaseID != 0 {
				caseID = "?"
			}
			rows = append(rows, intentValues(caseID, payloads[in.Payload]))
			args = intentFields(args, in, in.CaseID != 0, false)
		}
		b.WriteString("; INSERT INTO intents " + intentColumns + " VALUES " + strings.Join(rows, ", "))
	}
	b.WriteString("; COMMIT")
	return b.String(), args
}
