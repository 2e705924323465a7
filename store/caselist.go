package store

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"gridbot/models"
)

// ListCases returns the cases a filter selects, newest first, one page of f.Limit from f.Offset,
// and how many it selects in all.
func (s *Store) ListCases(ctx context.Context, f models.CaseFilter) ([]models.Case, int64, error) {
	var total int64
	if err := s.filterCases(ctx, f).Count(&total).Error; err != nil {
		return nil, 0, translate(err, "cases")
	}
	var rows []caseRow
	q := s.filterCases(ctx, f).Order("id DESC").Offset(f.Offset)
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "cases")
	}
	out := make([]models.Case, len(rows))
	for i, r := range rows {
		out[i] = r.toCase()
	}
	return out, total, nil
}

// filterCases builds the query of a filter's conditions.
func (s *Store) filterCases(ctx context.Context, f models.CaseFilter) *gorm.DB {
	q := s.conn(ctx).Model(&caseRow{})
	if len(f.States) > 0 {
		q = q.Where("state IN ?", stateStrings(f.States))
	}
	for _, eq := range [][2]string{{"township_code", f.TownshipCode}, {"matter_code", f.MatterCode}, {"team_code", f.TeamCode}} {
		if eq[1] != "" {
			q = q.Where(eq[0]+" = ?", eq[1])
		}
	}
	if d := f.DepartmentCode; d != "" {
		q = q.Where("(matter_code IN (SELECT code FROM matters WHERE department_code = ?)"+
			" OR team_code IN (SELECT code FROM teams WHERE department_code = ?))", d, d)
	}
	if !f.OverdueAt.IsZero() {
		q = q.Where("state IN ? AND handle_deadline IS NOT NULL AND handle_deadline < ?",
			stateStrings(clockStates()), f.OverdueAt.UTC())
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		q = q.Where("description LIKE ? ESCAPE '!'", "%"+escapeLike(t)+"%")
	}
	if f.Scope != nil {
		q = scoped(q, *f.Scope)
	}
	return q
}

// scoped limits a query to what a team's member may see, as workflow.MaySee decides it.
func scoped(q *gorm.DB, sc models.CaseScope) *gorm.DB {
	if sc.TeamCode == "" {
		return q.Where("reporter_id = ?", sc.ReporterID)
	}
	listed := "%," + escapeLike(sc.TeamCode) + ",%" // asked to decide on a request, or joined
	return q.Where("(reporter_id = ? OR team_code = ? OR township_code IN "+
		"(SELECT township_code FROM teams WHERE code = ? AND kind = ? AND township_code <> '') OR "+
		"request_teams LIKE ? ESCAPE '!' OR joint_teams LIKE ? ESCAPE '!')",
		sc.ReporterID, sc.TeamCode, sc.TeamCode, string(models.TeamTownship), listed, listed)
}

// clockStates lists the states in which a team's handling clock runs.
func clockStates() []models.State {
	var out []models.State
	for _, s := range models.States() {
		if s.ClockRunning() {
			out = append(out, s)
		}
	}
	return out
}

// stateStrings converts states for a query.
func stateStrings(states []models.State) []string {
	out := make([]string, len(states))
	for i, s := range states {
		out[i] = string(s)
	}
	return out
}

// escapeLike makes a text match itself in a LIKE pattern with '!' as the escape character
// (the one both SQLite and MySQL read the same way).
func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}
