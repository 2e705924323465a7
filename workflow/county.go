package workflow

import (
	"context"
	"sync"
	"time"

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

// CountyCache keeps a county snapshot fresh: it reloads it when older than its TTL (people bind
// their WeChat, imports change the catalogue) and keeps serving the last good one on errors.
type CountyCache struct {
	src    CountySource
	ttl    time.Duration
	mu     sync.Mutex
	county County
	loaded time.Time
	onErr  func(error)
}

// NewCountyCache loads the first snapshot; a failure here is an error.
func NewCountyCache(ctx context.Context, src CountySource, ttl time.Duration, onErr func(error)) (*CountyCache, error) {
	c := &CountyCache{src: src, ttl: ttl, onErr: onErr}
	county, err := LoadCounty(ctx, src)
	if err != nil {
		return nil, err
	}
	c.county, c.loaded = county, time.Now()
	return c, nil
}

// Get returns the snapshot, reloading it first when it is stale.
func (c *CountyCache) Get() County {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.loaded) < c.ttl {
		return c.county
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	county, err := LoadCounty(ctx, c.src)
	if err != nil {
		if c.onErr != nil {
			c.onErr(err)
		}
		c.loaded = time.Now() // retry after another TTL, serving the last good snapshot
		return c.county
	}
	c.county, c.loaded = county, time.Now()
	return c.county
}

// Invalidate makes the next Get reload (after a binding or an import).
func (c *CountyCache) Invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loaded = time.Time{}
}
