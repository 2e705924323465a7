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

// stmt returns the prepared statement of q, preparing it the first time; nil when the cache is
// full or the server refuses to prepare it (its max_prepared_stmt_count reached, say).
func (p *prepared) stmt(ctx context.Context, q string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.m[q]; ok {
		return st
	}
	if len(p.m) >= p.cap {
		return nil
	}
	st, err := p.db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	p.m[q] = st
	return st
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

// hotStmt returns q prepared, on MySQL outside transactions; nil where q runs with its values
// interpolated, as every other statement does.
func (s *Store) hotStmt(ctx context.Context, q string) *sql.Stmt {
	if s.hot == nil || s.inTx {
		return nil
	}
	return s.hot.stmt(ctx, q)
}

// hotExec executes a statement run on every message, prepared where hotStmt gives it.
func (s *Store) hotExec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := s.hotStmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return s.pool(ctx).ExecContext(ctx, q, args...)
}

// hotQuery runs a query run on every message or conversation, prepared where hotStmt gives it.
func (s *Store) hotQuery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := s.hotStmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.pool(ctx).QueryContext(ctx, q, args...)
}
