package store

import "gridbot/models"

// OnCaseCommitted sets a function called right after a new case's transaction committed, before
// CreateCase or CreateCaseSteps returns it (nil removes it): fault injection for tests. A panic
// there is a process dying between the commit and the reply.
func (s *Store) OnCaseCommitted(f func(models.Case)) {
	if f == nil {
		s.afterCommit.Store(nil)
		return
	}
	s.afterCommit.Store(&f)
}

// committedCase calls the function OnCaseCommitted set, if any.
func (s *Store) committedCase(c models.Case) {
	if f := s.afterCommit.Load(); f != nil {
		(*f)(c)
	}
}
