package store

import (
	"context"
	"sync"
	"time"

	"gorm.io/gorm/clause"

	"gridbot/models"
)

type counterRow struct {
	Name  string `gorm:"primaryKey"`
	Value int64
}

func (counterRow) TableName() string { return "counters" }

// trackingBlock is how many of a day's tracking numbers a process takes from the counter at
// once: one statement (and one commit on the counter's row, every case's hot spot) per block
// instead of per case. Numbers stay unique across instances; those a process took and did not
// use before it stopped are skipped, and two instances' cases interleave by blocks.
const trackingBlock = 10

// numberBlock is the run of a day's tracking numbers this process holds: next to last.
type numberBlock struct {
	mu         sync.Mutex
	day        string
	next, last int64
}

// NextTrackingNumber allocates the next tracking number of a day (a date in the county's time
// zone). Safe under any concurrency, also across instances: a block of the day's sequence is
// taken by incrementing its counter row under the row lock, then handed out in order. Call it
// outside transactions: a block taken in one that rolls back would be handed out again.
func (s *Store) NextTrackingNumber(ctx context.Context, day time.Time) (string, error) {
	key := day.Format("20060102")
	b := s.numbers
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.day != key || b.next > b.last {
		last, err := s.nextValue(ctx, "case:"+key, trackingBlock)
		if err != nil {
			return "", err
		}
		b.day, b.next, b.last = key, last-trackingBlock+1, last
	}
	seq := b.next
	b.next++
	return models.TrackingNumber(day, seq), nil
}

// nextValue adds n to a named counter and returns its new value, creating it at 0 first. The
// increment is one autocommitted statement that also returns the value, so the row lock is held
// for that statement only.
func (s *Store) nextValue(ctx context.Context, name string, n int64) (int64, error) {
	v, ok, err := s.increment(ctx, name, n)
	if err != nil || ok {
		return v, err
	}
	// Create the row in its own statement, then increment: an insert and an update of the same
	// row in one MySQL transaction deadlock against each other under concurrency.
	err = s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&counterRow{Name: name}).Error
	if err != nil {
		return 0, translate(err, "counter "+name)
	}
	v, ok, err = s.increment(ctx, name, n)
	if err == nil && !ok {
		err = models.Errorf(models.EInternal, "counter %s vanished", name)
	}
	return v, err
}

// increment adds n to a counter and returns its new value; ok is false when the row is not there.
func (s *Store) increment(ctx context.Context, name string, n int64) (int64, bool, error) {
	if s.driver != DriverMySQL {
		var vals []int64
		err := s.conn(ctx).Raw("UPDATE counters SET value = value + ? WHERE name = ? RETURNING value", n, name).Scan(&vals).Error
		if err != nil || len(vals) == 0 {
			return 0, false, translate(err, "counter "+name)
		}
		return vals[0], true, nil
	}
	// LAST_INSERT_ID(expr) hands the new value back in the statement's OK packet.
	db := s.conn(ctx)
	res, err := db.Statement.ConnPool.ExecContext(ctx,
		"UPDATE counters SET value = LAST_INSERT_ID(value + ?) WHERE name = ?", n, name)
	if err != nil {
		return 0, false, translate(err, "counter "+name)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, false, translate(err, "counter "+name)
	}
	v, err := res.LastInsertId()
	if err != nil {
		return 0, false, translate(err, "counter "+name)
	}
	return v, true, nil
}
