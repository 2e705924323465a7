package bot

import (
	"context"
	"slices"
	"testing"

	"gridbot/models"
)

// pagedCases serves open cases, newest (highest id) first, and records the page sizes asked for.
type pagedCases struct {
	Cases
	open  []models.Case // newest first
	pages []int
}

// OpenCasesOfMatter returns the page of open cases below beforeID.
func (p *pagedCases) OpenCasesOfMatter(_ context.Context, _, _ string, beforeID int64, limit int) ([]models.Case, error) {
	p.pages = append(p.pages, limit)
	var out []models.Case
	for _, c := range p.open {
		if (beforeID == 0 || c.ID < beforeID) && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func TestDuplicateLooksAtTheNewestCasesAPageAtATime(t *testing.T) {
	here := models.Point{Lat: 24.7138, Lng: 118.4720}
	far := models.Point{Lat: 24.7338, Lng: 118.4720} // about 2.2 km north
	const me = 7
	// cases builds n open cases, newest first; the one at index near (if any) is close by.
	cases := func(n, near int, mine ...int) []models.Case {
		out := make([]models.Case, n)
		for i := range out {
			pt, reporter := far, int64(100+i)
			if i == near {
				pt = here
			}
			if slices.Contains(mine, i) {
				pt, reporter = here, me
			}
			out[i] = models.Case{ID: int64(1000 - i), TrackingNo: "T", ReporterID: reporter,
				Location: models.Location{Point: &pt, TownshipCode: "anhai"}}
		}
		return out
	}
	tests := []struct {
		name      string
		open      []models.Case
		wantID    int64 // 0: none offered
		wantPages []int
	}{
		{"the newest is near", cases(30, 0), 1000, []int{4}},
		{"own and far cases are passed over", cases(30, 6, 0, 1), 994, []int{4, 12}},
		{"fewer cases than a page", cases(3, -1), 0, []int{4}},
		{"none near: 52 looked at", cases(80, 60), 0, []int{4, 12, 12, 12, 12}},
		{"the last case looked at", cases(80, 51), 949, []int{4, 12, 12, 12, 12}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pc := &pagedCases{open: tt.open}
			b := &Bot{cfg: Config{DuplicateRadius: 200}, cases: pc}
			tr := &turn{ctx: context.Background(), person: models.Person{ID: me}, sess: &session{MatterCode: "CG-001",
				Location: &models.Location{Point: &here, TownshipCode: "anhai"}}}
			c, ok, err := b.duplicate(tr)
			if err != nil || ok != (tt.wantID != 0) || c.ID != tt.wantID || !slices.Equal(pc.pages, tt.wantPages) {
				t.Fatalf("duplicate = case %d, %v, %v after pages %v; want case %d after pages %v", c.ID, ok, err,
					pc.pages, tt.wantID, tt.wantPages)
			}
		})
	}
}
