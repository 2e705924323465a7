package store

import (
	"context"
	"time"

	"gorm.io/gorm"
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

// nextValue increments a named counter and returns its new value, creating it at 1.
func (s *Store) nextValue(ctx context.Context, name string) (int64, error) {
	// Create the row first in its own statement: an insert and an update of the same row in one
	// MySQL transaction deadlock against each other under concurrency.
	err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&counterRow{Name: name}).Error
	if err != nil {
		return 0, translate(err, "counter "+name)
	}
	var v int64
	err = s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&counterRow{}).Where("name = ?", name).UpdateColumn("value", gorm.Expr("value + 1"))
		if res.Error != nil {
			return res.Error
		}
		return tx.Model(&counterRow{}).Where("name = ?", name).Pluck("value", &v).Error
	})
	if err != nil {
		return 0, translate(err, "counter "+name)
	}
	return v, nil
}
