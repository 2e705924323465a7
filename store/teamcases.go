package store

import (
	"context"
	"math"

	"gridbot/models"
)

// OpenCasesOfTeam returns a team's cases that still wait for it, the most urgent (earliest
// handling deadline) first.
func (s *Store) OpenCasesOfTeam(ctx context.Context, team string, limit int) ([]models.Case, error) {
	states := []string{string(models.StateDispatched), string(models.StateSigned), string(models.StateHandling),
		string(models.StateExtensionRequested), string(models.StateReopened)}
	var rows []caseRow
	err := s.conn(ctx).Where("team_code = ? AND state IN ?", team, states).
		Order("CASE WHEN handle_deadline IS NULL THEN 1 ELSE 0 END, handle_deadline, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "cases")
	}
	return toCases(rows), nil
}

// OpenCasesOfMatter returns the open cases of a matter in a township, newest first: the
// candidates a new report may duplicate (with their place, state and reporter only), a page at a
// time: those with ids below beforeID (0 for the newest).
func (s *Store) OpenCasesOfMatter(ctx context.Context, matter, township string, beforeID int64, limit int) ([]models.Case, error) {
	if beforeID <= 0 {
		beforeID = math.MaxInt64
	}
	q := "SELECT id, tracking_no, matter_code, state, lat, lng, address, grid_code, village_code, township_code, " +
		"reporter_id FROM cases" + s.duplicateIndexHint() +
		" WHERE township_code = ? AND matter_code = ? AND state NOT IN (?, ?, ?) AND id < ? ORDER BY id DESC LIMIT ?"
	rows, err := s.hotQuery(ctx, q, township, matter, string(models.StateClosed),
		string(models.StateRejected), string(models.StateMerged), beforeID, limit)
	if err != nil {
		return nil, translate(err, "cases")
	}
	defer rows.Close()
	out := make([]models.Case, 0, min(limit, 16))
	for rows.Next() {
		var r caseRow
		if err := rows.Scan(&r.ID, &r.TrackingNo, &r.MatterCode, &r.State, &r.Lat, &r.Lng, &r.Address, &r.GridCode,
			&r.VillageCode, &r.TownshipCode, &r.ReporterID); err != nil {
			return nil, translate(err, "cases")
		}
		out = append(out, r.toCase())
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "cases")
	}
	return out, nil
}

// duplicateIndexHint names the index of the duplicates query on MySQL/MariaDB: left to choose,
// the optimizer estimates the state condition on every index that starts with the state, which
// costs it more than running the query.
func (s *Store) duplicateIndexHint() string {
	if s.driver == DriverMySQL {
		return " USE INDEX (idx_cases_township_matter_id)"
	}
	return ""
}
