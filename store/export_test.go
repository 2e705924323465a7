package store

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
