package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"gridbot/models"
)

type counterRow struct {
	Name  string `gorm:"primaryKey"`
	Value int64
}

func (counterRow) TableName() string { return "counters" }

// NextTrackingNumber allocates the next tracking number of a day (a date in the county's time
// zone). Safe under any concurrency: the day's counter row is incremented under its row lock.
func (s *Store) NextTrackingNumber(ctx context.Context, day time.Time) (string, error) {
	seq, err := s.nextValue(ctx, "case:"+day.Format("20060102"))
	if err != nil {
		return "", err
	}
	return models.TrackingNumber(day, seq), nil
}

// nextValue increments a named counter and returns its new value, creating it at 1. The
// increment is one autocommitted statement that also returns the value, so the row lock is held
// for that statement only.
func (s *Store) nextValue(ctx context.Context, name string) (int64, error) {
	v, ok, err := s.increment(ctx, name)
	if err != nil || ok {
		return v, err
	}
	// Create the row in its own statement, then increment: an insert and an update of the same
	// row in one MySQL transaction deadlock against each other under concurrency.
	err = s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&counterRow{Name: name}).Error
	if err != nil {
		return 0, translate(err, "counter "+name)
	}
	v, ok, err = s.increment(ctx, name)
	if err == nil && !ok {
		err = models.Errorf(models.EInternal, "counter %s vanished", name)
	}
	return v, err
}

// increment adds one to a counter and returns its new value; ok is false when the row is not there.
func (s *Store) increment(ctx context.Context, name string) (int64, bool, error) {
	if s.driver != DriverMySQL {
		var vals []int64
		err := s.conn(ctx).Raw("UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value", name).Scan(&vals).Error
		if err != nil || len(vals) == 0 {
			return 0, false, translate(err, "counter "+name)
		}
		return vals[0], true, nil
	}
	// LAST_INSERT_ID(expr) hands the new value back in the statement's OK packet.
	db := s.conn(ctx)
	res, err := db.Statement.ConnPool.ExecContext(ctx,
		"UPDATE counters SET value = LAST_INSERT_ID(value + 1) WHERE name = ?", name)
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
