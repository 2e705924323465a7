package store

import (
	"context"

	"gridbot/models"
)

// Deployment reads back what imports wrote, as a deployment: the county (zero before the first
// import), its places, departments, matters, delegations, teams and staff (people with a code,
// with the WeChat bindings they made since). Binding codes are not part of it.
func (s *Store) Deployment(ctx context.Context) (models.Deployment, error) {
	var (
		d   models.Deployment
		err error
	)
	if d.County, err = s.County(ctx); err != nil && models.ErrorCodeOf(err) != models.ENotFound {
		return models.Deployment{}, err
	}
	reads := []func() error{
		func() (err error) { d.Townships, err = s.Townships(ctx); return err },
		func() (err error) { d.Villages, err = s.Villages(ctx); return err },
		func() (err error) { d.Grids, err = s.Grids(ctx); return err },
		func() (err error) { d.Departments, err = s.Departments(ctx); return err },
		func() (err error) { d.Matters, err = s.Matters(ctx); return err },
		func() (err error) { d.Delegations, err = s.Delegations(ctx); return err },
		func() (err error) { d.Teams, err = s.Teams(ctx); return err },
		func() (err error) { d.Staff, err = s.staff(ctx); return err },
	}
	for _, read := range reads {
		if err := read(); err != nil {
			return models.Deployment{}, err
		}
	}
	return d, nil
}

// staff returns the people of the deployment file (those with a code), ordered by id.
func (s *Store) staff(ctx context.Context) ([]models.StaffMember, error) {
	people, err := s.findPeople(ctx, "code IS NOT NULL")
	if err != nil {
		return nil, err
	}
	out := make([]models.StaffMember, len(people))
	for i, p := range people {
		out[i] = models.StaffMember{Person: p}
	}
	return out, nil
}
