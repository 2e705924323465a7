package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"gridbot/models"
)

type followerRow struct {
	CaseID    int64 `gorm:"primaryKey"`
	PersonID  int64 `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (followerRow) TableName() string { return "case_followers" }

// Follow makes a person a follower of a case: they get its status updates. Following twice is
// harmless.
func (s *Store) Follow(ctx context.Context, caseID, personID int64) error {
	r := followerRow{CaseID: caseID, PersonID: personID, CreatedAt: models.EventTime(time.Now())}
	return translate(s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error, "follower")
}

// Followers returns the people following a case.
func (s *Store) Followers(ctx context.Context, caseID int64) ([]models.Person, error) {
	return s.findPeople(ctx, "id IN (SELECT person_id FROM case_followers WHERE case_id = ?)", caseID)
}
