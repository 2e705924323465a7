package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gridbot/models"
)

type matterRow struct {
	Code           string `gorm:"primaryKey"`
	Name           string
	DepartmentCode string
	Keywords       string // JSON array
	Synonyms       string // JSON array
	LegalBasis     string
	Urgency        string
	SignLimit      string
	HandleLimit    string
}

func (matterRow) TableName() string { return "matters" }

type delegationRow struct {
	TownshipCode string `gorm:"primaryKey"`
	MatterCode   string `gorm:"primaryKey"`
	Situation    string
	Delegated    bool
	Batch        int
	Effective    *time.Time
	RetainedBy   string
}

func (delegationRow) TableName() string { return "delegations" }

type colloquialRow struct {
	Position int `gorm:"primaryKey;autoIncrement:false"`
	Say      string
	Means    string
}

func (colloquialRow) TableName() string { return "colloquial" }

// toMatterRow converts a matter for storage.
func toMatterRow(m models.Matter) matterRow {
	return matterRow{
		Code: m.Code, Name: m.Name, DepartmentCode: m.DepartmentCode,
		Keywords: jsonList(m.Keywords), Synonyms: jsonList(m.Synonyms), LegalBasis: m.LegalBasis,
		Urgency: string(m.Urgency), SignLimit: m.SignLimit.String(), HandleLimit: m.HandleLimit.String(),
	}
}

// toMatter converts a stored matter.
func (r matterRow) toMatter() (models.Matter, error) {
	m := models.Matter{
		Code: r.Code, Name: r.Name, DepartmentCode: r.DepartmentCode, LegalBasis: r.LegalBasis,
		Urgency: models.Urgency(r.Urgency),
	}
	var err error
	if err = json.Unmarshal([]byte(r.Keywords), &m.Keywords); err == nil {
		err = json.Unmarshal([]byte(r.Synonyms), &m.Synonyms)
	}
	if err == nil {
		m.SignLimit, err = models.ParseTimeLimit(r.SignLimit)
	}
	if err == nil {
		m.HandleLimit, err = models.ParseTimeLimit(r.HandleLimit)
	}
	if err != nil {
		return models.Matter{}, fmt.Errorf("stored matter %s: %w", r.Code, err)
	}
	return m, nil
}

// toDelegationRow converts a delegation for storage.
func toDelegationRow(d models.Delegation) delegationRow {
	r := delegationRow{
		TownshipCode: d.TownshipCode, MatterCode: d.MatterCode, Situation: string(d.Situation),
		Delegated: d.Delegated, Batch: d.Batch, RetainedBy: d.RetainedBy,
	}
	if !d.Effective.IsZero() {
		t := d.Effective.UTC()
		r.Effective = &t
	}
	return r
}

// Matters returns the whole catalogue of matters, ordered by code.
func (s *Store) Matters(ctx context.Context) ([]models.Matter, error) {
	var rows []matterRow
	if err := s.conn(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, translate(err, "matters")
	}
	out := make([]models.Matter, len(rows))
	for i, r := range rows {
		m, err := r.toMatter()
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

// Delegations returns every delegation record, ordered by township and matter.
func (s *Store) Delegations(ctx context.Context) ([]models.Delegation, error) {
	var rows []delegationRow
	if err := s.conn(ctx).Order("township_code, matter_code").Find(&rows).Error; err != nil {
		return nil, translate(err, "delegations")
	}
	out := make([]models.Delegation, len(rows))
	for i, r := range rows {
		out[i] = models.Delegation{
			TownshipCode: r.TownshipCode, MatterCode: r.MatterCode, Situation: models.Situation(r.Situation),
			Delegated: r.Delegated, Batch: r.Batch, RetainedBy: r.RetainedBy,
		}
		if r.Effective != nil {
			out[i].Effective = r.Effective.UTC()
		}
	}
	return out, nil
}

// Colloquial returns the county's colloquial and dialect words in the deployment file's order.
func (s *Store) Colloquial(ctx context.Context) ([]models.Colloquial, error) {
	var rows []colloquialRow
	if err := s.conn(ctx).Order("position").Find(&rows).Error; err != nil {
		return nil, translate(err, "colloquial")
	}
	out := make([]models.Colloquial, len(rows))
	for i, r := range rows {
		out[i] = models.Colloquial{Say: r.Say, Means: r.Means}
	}
	return out, nil
}

// jsonList encodes a list of strings as a JSON array ("[]" for none).
func jsonList[T any](xs []T) string {
	if len(xs) == 0 {
		return "[]"
	}
	b, err := json.Marshal(xs)
	if err != nil { // cannot happen for strings and integers
		panic("store: marshal list: " + err.Error())
	}
	return string(b)
}
