package notify

import (
	"context"
	"time"
)

// Limiter bounds the pace of sends across every instance: each notice takes a turn under its
// recipient's limit once, and each send is admitted under the global limit.
type Limiter interface {
	// Reserve admits one send now (zero) or says how long to wait before asking again.
	Reserve(ctx context.Context) (time.Duration, error)
	// Turns books one turn per entry of recipients (a recipient may come more than once), after
	// the turns booked for them before, and returns for each how long from now until it is due
	// (zero: now): at most the recipient's limit of turns fall in one window.
	Turns(ctx context.Context, recipients []int64) ([]time.Duration, error)
}
