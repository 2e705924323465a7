package store

import "context"

// LimitPrepared sets how many statements the store keeps prepared (MySQL).
func (s *Store) LimitPrepared(n int) {
	s.hot.mu.Lock()
	defer s.hot.mu.Unlock()
	s.hot.cap = n
}

// PreparedCount returns how many statements the store keeps prepared (MySQL; 0 on SQLite).
func (s *Store) PreparedCount() int {
	if s.hot == nil {
		return 0
	}
	s.hot.mu.Lock()
	defer s.hot.mu.Unlock()
	return len(s.hot.m)
}

// HoldCaseWriter makes new cases queue as if a transaction were in flight (MySQL) until release
// writes them all, in one transaction.
func (s *Store) HoldCaseWriter() (release func()) {
	s.cases.mu.Lock()
	s.cases.running = true
	s.cases.mu.Unlock()
	return func() { s.cases.write(context.Background(), s) }
}

// QueuedCases returns how many new cases wait for the case writer (MySQL).
func (s *Store) QueuedCases() int {
	s.cases.mu.Lock()
	defer s.cases.mu.Unlock()
	return len(s.cases.pending)
}
