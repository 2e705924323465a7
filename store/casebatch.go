package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"gridbot/models"
)

// On MySQL a new case is written in one round trip instead of five (begin, case, history,
// intents, commit): one batch of statements, shared by the cases of concurrent callers (one
// commit for all of them; caseWriter). The history's hashes cover the case's id, which the
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

// newCase is one caller's new case on its way into a shared transaction.
type newCase struct {
	r       *caseRow
	evs     []models.Event
	intents []intentRow
	err     error
	done    chan struct{}
	lead    chan struct{} // this caller writes the next transaction
}

// caseWriter groups the new cases of concurrent callers (MySQL): the cases queued while one
// transaction is in flight go together in the next, one round trip and one commit for all of
// them, and a lone case waits for no timer. There is no goroutine of its own: the first caller
// to find no transaction in flight writes one, then hands the turn to a caller still waiting.
type caseWriter struct {
	mu      sync.Mutex
	pending []*newCase
	running bool
}

// maxCasesPerTransaction bounds a shared transaction.
const maxCasesPerTransaction = 16

// create stores a new case with the others queued with it and sets its row's id. The caller
// waits for its transaction even when ctx ends first, so that what it is told is what was stored.
func (w *caseWriter) create(ctx context.Context, s *Store, c *newCase) error {
	c.done, c.lead = make(chan struct{}), make(chan struct{}, 1)
	w.mu.Lock()
	w.pending = append(w.pending, c)
	if w.running {
		w.mu.Unlock()
		select {
		case <-c.done:
			return c.err
		case <-c.lead:
		}
	} else {
		w.running = true
		w.mu.Unlock()
	}
	w.write(ctx, s)
	<-c.done
	return c.err
}

// write stores the queued cases (up to maxCasesPerTransaction), then passes the turn on.
func (w *caseWriter) write(ctx context.Context, s *Store) {
	w.mu.Lock()
	n := min(len(w.pending), maxCasesPerTransaction)
	batch := w.pending[:n:n]
	w.pending = w.pending[n:]
	w.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	if err := s.createCases(ctx, batch); err != nil && len(batch) > 1 {
		// One case's failure fails the transaction: each goes again on its own, for its own answer.
		for _, c := range batch {
			_ = s.createCases(ctx, []*newCase{c}) // sets c.err
		}
	}
	cancel()
	for _, c := range batch {
		close(c.done)
	}
	w.mu.Lock()
	if len(w.pending) > 0 {
		w.pending[0].lead <- struct{}{}
	} else {
		w.running = false
	}
	w.mu.Unlock()
}

// createCases stores new cases with their first events, attachments and intents in one
// transaction sent as one batch of statements, and sets their rows' ids; on failure nothing of
// them is stored and each case has the error.
func (s *Store) createCases(ctx context.Context, cases []*newCase) error {
	err := s.createCasesInOneTrip(ctx, cases)
	if err != nil {
		for _, c := range cases {
			c.err = translate(err, "case "+c.r.TrackingNo)
		}
		return err
	}
	for _, c := range cases {
		c.err = nil
	}
	return nil
}

// createCasesInOneTrip runs the batch of createCases.
func (s *Store) createCasesInOneTrip(ctx context.Context, cases []*newCase) error {
	conn, err := s.multi.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	stmts, args := []string{"START TRANSACTION"}, []any{}
	at := make([]int, len(cases)) // each case's INSERT INTO cases, by statement
	for i, c := range cases {
		at[i] = len(stmts)
		cs, ca := createCaseSQL(i, c.r, c.evs, c.intents)
		stmts, args = append(stmts, cs...), append(args, ca...)
	}
	stmts = append(stmts, "COMMIT")
	err = conn.Raw(func(dc any) error {
		ids, err := execAll(ctx, dc, strings.Join(stmts, "; "), args)
		if err == nil && len(ids) != len(stmts) {
			err = models.Errorf(models.EInternal, "the batch of %d cases reported %d of %d statements", len(cases),
				len(ids), len(stmts))
		}
		if err == nil {
			for i, c := range cases {
				c.r.ID = ids[at[i]]
			}
		}
		return err
	})
	if err != nil {
		// The batch stops at its first failing statement: nothing after it ran, COMMIT included.
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // do not reuse a connection in doubt
		}
		return err
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

// createCaseSQL builds the statements that create the i-th case of a batch: the case row (its id
// kept in @case_id<i>), the events chained from the start with their hashes computed in the
// database, the attachments linked to the event that names them (only the first may: see
// insertHistory), and the intents, each distinct payload sent once (a team's members get the
// same notice). The first statement is the INSERT INTO cases.
func createCaseSQL(i int, r *caseRow, evs []models.Event, intents []intentRow) ([]string, []any) {
	var b strings.Builder
	n := strconv.Itoa(i)
	caseID := "@case_id" + n
	args := caseArgs(r)
	stmts := []string{insertCaseSQL}
	b.WriteString("SET " + caseID + " = LAST_INSERT_ID()")
	intents = distinctIntents(intents)
	payloads := map[string]string{} // payload → its variable
	for _, in := range intents {
		if _, ok := payloads[in.Payload]; !ok {
			v := "@payload" + n + "_" + strconv.Itoa(len(payloads))
			payloads[in.Payload] = v
			b.WriteString(", " + v + " = ?")
			args = append(args, in.Payload)
		}
	}
	stmts = append(stmts, b.String())
	prev := "''"
	rows := make([]string, len(evs))
	rowArgs := make([]any, 0, 9*len(evs))
	for j, e := range evs {
		e.Seq, e.At = j+1, models.EventTime(e.At)
		hash := "@hash" + n + "_" + strconv.Itoa(j)
		// One SET per hash: each needs the one before it.
		stmts = append(stmts, "SET "+hash+" = SHA2(CONCAT('"+models.HashPrefix+"', "+caseID+", ?, "+prev+
			", '"+models.HashSuffix+"'), 256)")
		args = append(args, e.HashMiddle())
		rows[j] = "(" + caseID + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, " + prev + ", " + hash + ")"
		rowArgs = append(rowArgs, e.Seq, e.ActorID, string(e.ActorRole), string(e.Action), string(e.FromState),
			string(e.ToState), e.Note, jsonList(e.AttachmentIDs), e.At)
		prev = hash
	}
	args = append(args, rowArgs...)
	stmts = append(stmts, "INSERT INTO case_events "+eventColumns+" VALUES "+strings.Join(rows, ", "))
	if ids := evs[0].AttachmentIDs; len(ids) > 0 {
		// LAST_INSERT_ID() is the id of the first row of the multi-row insert just before.
		stmts = append(stmts, "UPDATE attachments SET case_id = "+caseID+", event_id = LAST_INSERT_ID() WHERE id IN (?"+
			strings.Repeat(", ?", len(ids)-1)+")")
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
			id := caseID
			if in.CaseID != 0 {
				id = "?"
				args = append(args, in.RecipientID, in.Channel, in.Kind, in.CaseID)
			} else {
				args = append(args, in.RecipientID, in.Channel, in.Kind)
			}
			rows = append(rows, "(?, ?, ?, "+id+", ?, "+payloads[in.Payload]+", ?, 0, ?, ?, '', ?)")
			args = append(args, in.DedupKey, in.State, in.NextAttemptAt, in.Paced, in.CreatedAt)
		}
		stmts = append(stmts, "INSERT INTO intents "+intentColumns+" VALUES "+strings.Join(rows, ", "))
	}
	return stmts, args
}
