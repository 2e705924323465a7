package workflow

import (
	"context"

	"gridbot/models"
)

// CountySource is where the county snapshot comes from.
type CountySource interface {
	Townships(ctx context.Context) ([]models.Township, error)
	Departments(ctx context.Context) ([]models.Department, error)
	Matters(ctx context.Context) ([]models.Matter, error)
	Delegations(ctx context.Context) ([]models.Delegation, error)
	Teams(ctx context.Context) ([]models.Team, error)
	People(ctx context.Context) ([]models.Person, error)
	Grids(ctx context.Context) ([]models.Grid, error)
}

// LoadCounty reads a county snapshot.
func LoadCounty(ctx context.Context, src CountySource) (County, error) {
	ts, err := src.Townships(ctx)
	if err != nil {
		return County{}, err
	}
	ds, err := src.Departments(ctx)
	if err != nil {
		return County{}, err
	}
	ms, err := src.Matters(ctx)
	if err != nil {
		return County{}, err
	}
	dl, err := src.Delegations(ctx)
	if err != nil {
		return County{}, err
	}
	teams, err := src.Teams(ctx)
	if err != nil {
		return County{}, err
	}
	people, err := src.People(ctx)
	if err != nil {
		return County{}, err
	}
	grids, err := src.Grids(ctx)
	if err != nil {
		return County{}, err
	}
	return NewCounty(ts, ds, ms, dl, teams, staffOnly(people)).WithGrids(grids), nil
}

// staffOnly drops citizens: the snapshot holds the county's staff.
func staffOnly(people []models.Person) []models.Person {
	out := people[:0:0]
	for _, p := range people {
		if p.Staff() {
			out = append(out, p)
		}
	}
	return out
}
