package store

import (
	"context"
	"encoding/json"

	"gridbot/models"
)

type countyRow struct {
	Code string `gorm:"primaryKey"`
	Name string
}

func (countyRow) TableName() string { return "counties" }

type townshipRow struct {
	Code string `gorm:"primaryKey"`
	Name string
}

func (townshipRow) TableName() string { return "townships" }

type villageRow struct {
	Code         string `gorm:"primaryKey"`
	Name         string
	TownshipCode string
	CenterLat    *float64
	CenterLng    *float64
}

func (villageRow) TableName() string { return "villages" }

type gridRow struct {
	Code        string `gorm:"primaryKey"`
	Name        string
	VillageCode string
	Boundary    *string
}

func (gridRow) TableName() string { return "grids" }

type departmentRow struct {
	Code string `gorm:"primaryKey"`
	Name string
}

func (departmentRow) TableName() string { return "departments" }

// toVillageRow converts a village for storage.
func toVillageRow(v models.Village) villageRow {
	r := villageRow{Code: v.Code, Name: v.Name, TownshipCode: v.TownshipCode}
	if v.Center != nil {
		r.CenterLat, r.CenterLng = &v.Center.Lat, &v.Center.Lng
	}
	return r
}

// toGridRow converts a grid for storage.
func toGridRow(g models.Grid) gridRow {
	r := gridRow{Code: g.Code, Name: g.Name, VillageCode: g.VillageCode}
	if len(g.Boundary) > 0 {
		s := string(g.Boundary)
		r.Boundary = &s
	}
	return r
}

// County returns the county this database serves.
func (s *Store) County(ctx context.Context) (models.County, error) {
	var r countyRow
	if err := s.conn(ctx).Take(&r).Error; err != nil {
		return models.County{}, translate(err, "county")
	}
	return models.County{Code: r.Code, Name: r.Name}, nil
}

// Townships returns every township, ordered by code.
func (s *Store) Townships(ctx context.Context) ([]models.Township, error) {
	var rows []townshipRow
	if err := s.conn(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, translate(err, "townships")
	}
	out := make([]models.Township, len(rows))
	for i, r := range rows {
		out[i] = models.Township{Code: r.Code, Name: r.Name}
	}
	return out, nil
}

// Villages returns every village, ordered by code.
func (s *Store) Villages(ctx context.Context) ([]models.Village, error) {
	var rows []villageRow
	if err := s.conn(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, translate(err, "villages")
	}
	out := make([]models.Village, len(rows))
	for i, r := range rows {
		out[i] = models.Village{Code: r.Code, Name: r.Name, TownshipCode: r.TownshipCode}
		if r.CenterLat != nil && r.CenterLng != nil {
			out[i].Center = &models.Point{Lat: *r.CenterLat, Lng: *r.CenterLng}
		}
	}
	return out, nil
}

// Grids returns every grid with its boundary, ordered by code.
func (s *Store) Grids(ctx context.Context) ([]models.Grid, error) {
	var rows []gridRow
	if err := s.conn(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, translate(err, "grids")
	}
	out := make([]models.Grid, len(rows))
	for i, r := range rows {
		out[i] = models.Grid{Code: r.Code, Name: r.Name, VillageCode: r.VillageCode}
		if r.Boundary != nil {
			out[i].Boundary = json.RawMessage(*r.Boundary)
		}
	}
	return out, nil
}

// Departments returns every county department, ordered by code.
func (s *Store) Departments(ctx context.Context) ([]models.Department, error) {
	var rows []departmentRow
	if err := s.conn(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, translate(err, "departments")
	}
	out := make([]models.Department, len(rows))
	for i, r := range rows {
		out[i] = models.Department{Code: r.Code, Name: r.Name}
	}
	return out, nil
}

// Empty reports whether no county has been imported yet.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var n int64
	if err := s.conn(ctx).Model(&countyRow{}).Count(&n).Error; err != nil {
		return false, translate(err, "county")
	}
	return n == 0, nil
}
