// Package county holds the county snapshot: places, matters and their suggester, colloquial
// words, teams, staff and grids, loaded once per people generation and shared by the bot and the
// case workflow, so that an import changes suggestions, places and routing together.
package county

import (
	"context"
	"fmt"

	"gridbot/bot"
	"gridbot/models"
	"gridbot/workflow"
)

// Source is where the snapshot is read from (the store).
type Source interface {
	workflow.CountySource
	// Villages returns every village.
	Villages(ctx context.Context) ([]models.Village, error)
	// Colloquial returns the colloquial words people use for matters.
	Colloquial(ctx context.Context) ([]models.Colloquial, error)
	// County returns the county the database serves; models.ENotFound before any import.
	County(ctx context.Context) (models.County, error)
}

// Snapshot is the county as read under one people generation.
type Snapshot struct {
	Gen       string         // the people generation read before the snapshot was
	Catalogue *bot.Catalogue // what the bot needs: places, matters, suggester, teams
	County    workflow.County
}

// Load reads a snapshot under the generation gen (read before, so that a later change is seen).
func Load(ctx context.Context, src Source, gen string, radius float64) (*Snapshot, error) {
	r := &remembering{Source: src}
	county, err := workflow.LoadCounty(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("load county: %w", err)
	}
	cat, err := loadCatalogue(ctx, r, radius)
	if err != nil {
		return nil, fmt.Errorf("load county: %w", err)
	}
	return &Snapshot{Gen: gen, Catalogue: cat, County: county}, nil
}

// loadCatalogue builds the bot's catalogue from what LoadCounty read, and the rest.
func loadCatalogue(ctx context.Context, r *remembering, radius float64) (*bot.Catalogue, error) {
	vs, err := r.Villages(ctx)
	if err != nil {
		return nil, err
	}
	colloquial, err := r.Colloquial(ctx)
	if err != nil {
		return nil, err
	}
	places, err := bot.NewPlaces(r.townships, vs, r.grids, radius)
	if err != nil {
		return nil, fmt.Errorf("load places: %w", err)
	}
	county, err := r.County(ctx)
	if err != nil && models.ErrorCodeOf(err) != models.ENotFound {
		return nil, err
	}
	return bot.Catalogue{CountyName: county.Name, Places: places, Suggester: bot.NewSuggester(r.matters, colloquial),
		Matters: r.matters, Teams: r.teams}.Index(), nil
}

// remembering reads through to the source and keeps what the catalogue needs as well, so that
// each table is read once per snapshot.
type remembering struct {
	Source
	townships []models.Township
	matters   []models.Matter
	teams     []models.Team
	grids     []models.Grid
}

// Townships reads and keeps the townships.
func (r *remembering) Townships(ctx context.Context) ([]models.Township, error) {
	ts, err := r.Source.Townships(ctx)
	r.townships = ts
	return ts, err
}

// Matters reads and keeps the matters.
func (r *remembering) Matters(ctx context.Context) ([]models.Matter, error) {
	ms, err := r.Source.Matters(ctx)
	r.matters = ms
	return ms, err
}

// Teams reads and keeps the teams.
func (r *remembering) Teams(ctx context.Context) ([]models.Team, error) {
	ts, err := r.Source.Teams(ctx)
	r.teams = ts
	return ts, err
}

// Grids reads and keeps the grids.
func (r *remembering) Grids(ctx context.Context) ([]models.Grid, error) {
	gs, err := r.Source.Grids(ctx)
	r.grids = gs
	return gs, err
}
