package store

import (
	"context"
	"database/sql"
	"sync"
)

// preparedCap bounds how many statement texts are kept prepared: beyond it a statement runs
// with its values interpolated, as every other statement does. The server keeps each one once
// per connection that ran it (at most DB_MAX_OPEN_CONNS), and its max_prepared_stmt_count
// (16,382 by default) counts every client's.
const preparedCap = 64

// prepared keeps server-side prepared statements by their text (MySQL), for the statements
// run on every inbound message or conversation (the inbox's insert, the duplicate search): the
// server parses one once per connection instead of at every call, and its values travel in
// binary instead of as literals it lexes (the inbox's messages are most of the bytes it is sent).
type prepared struct {
	db  *sql.DB
	cap int // most statements kept
	mu  sync.Mutex
	m   map[string]*sql.Stmt
}

// newPrepared returns an empty cache of statements on db.
func newPrepared(db *sql.DB) *prepared {
	return &prepared{db: db, cap: preparedCap, m: map[string]*sql.Stmt{}}
}

// stmt returns the prepared statement of q, preparing it the first time; nil when the cache
// is full.
func (p *prepared) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.m[q]; ok {
		return st, nil
	}
	if len(p.m) >= p.cap {
		return nil, nil
	}
	st, err := p.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	p.m[q] = st
	return st, nil
}

// close releases every prepared statement.
func (p *prepared) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for q, st := range p.m {
		st.Close()
		delete(p.m, q)
	}
}

// runner runs q: as a prepared statement on MySQL outside transactions, else (or when it
// cannot be prepared: the server's max_prepared_stmt_count reached, say) on the store's
// connections with its values interpolated.
func (s *Store) runner(ctx context.Context, q string) runner {
	if s.hot != nil && !s.inTx {
		if st, err := s.hot.stmt(ctx, q); err == nil && st != nil {
			return stmtRunner{st}
		}
	}
	return s.pool(ctx)
}

// runner is what a statement runs on: a connection pool, or one prepared statement.
type runner interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// stmtRunner runs its prepared statement, whatever text it is given (the text it was prepared from).
type stmtRunner struct{ st *sql.Stmt }

// ExecContext executes the statement.
func (r stmtRunner) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return r.st.ExecContext(ctx, args...)
}

// QueryContext runs the statement for its rows.
func (r stmtRunner) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return r.st.QueryContext(ctx, args...)
}
