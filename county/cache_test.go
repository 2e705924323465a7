package county

import (
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gridbot/deployment"
	"gridbot/models"
	"gridbot/workflow"
)

// fakeSource serves a deployment as the store would, counting loads; fail makes it fail.
type fakeSource struct {
	mu    sync.Mutex
	d     models.Deployment
	loads int
	fail  error
}

// sample returns the bundled sample county with every staff member bound to WeChat.
func sample(t testing.TB) models.Deployment {
	t.Helper()
	f, err := os.Open("../examples/jinjiang.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	d, err := deployment.Parse(f, "jinjiang.yaml", loc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range d.Staff {
		d.Staff[i].Person.OpenID = "o" + d.Staff[i].Person.Code
	}
	return d
}

// change edits the deployment as an import would: a matter's keywords, a village's name and a
// delegation (违法占道经营 kept by the county in 安海镇).
func change(d models.Deployment) models.Deployment {
	d.Matters = slices.Clone(d.Matters)
	for i, m := range d.Matters {
		if m.Code == "CG-001" {
			d.Matters[i].Keywords = append(slices.Clone(m.Keywords), "呜呜祖拉")
		}
	}
	d.Villages = slices.Clone(d.Villages)
	for i, v := range d.Villages {
		if v.Code == "anhai-haidong" {
			d.Villages[i].Name = "海东新社区"
		}
	}
	d.Delegations = slices.Clone(d.Delegations)
	for i, dl := range d.Delegations {
		if dl.MatterCode == "CG-001" && dl.TownshipCode == "anhai" {
			d.Delegations[i].Situation, d.Delegations[i].Delegated, d.Delegations[i].RetainedBy =
				models.SituationDeferred, false, "晋江市城市管理局"
		}
	}
	return d
}

// set replaces the deployment served.
func (f *fakeSource) set(d models.Deployment) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.d = d
}

// loaded is how many snapshots were read.
func (f *fakeSource) loaded() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.loads
}

// setFail makes every read fail with err (nil to heal).
func (f *fakeSource) setFail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

// read returns the deployment served, or the failure.
func (f *fakeSource) read() (models.Deployment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.d, f.fail
}

func (f *fakeSource) Townships(context.Context) ([]models.Township, error) {
	f.mu.Lock()
	f.loads++
	f.mu.Unlock()
	d, err := f.read()
	return d.Townships, err
}

func (f *fakeSource) Departments(context.Context) ([]models.Department, error) {
	d, err := f.read()
	return d.Departments, err
}

func (f *fakeSource) Matters(context.Context) ([]models.Matter, error) {
	d, err := f.read()
	return d.Matters, err
}

func (f *fakeSource) Delegations(context.Context) ([]models.Delegation, error) {
	d, err := f.read()
	return d.Delegations, err
}

func (f *fakeSource) Teams(context.Context) ([]models.Team, error) {
	d, err := f.read()
	return d.Teams, err
}

func (f *fakeSource) People(context.Context) ([]models.Person, error) {
	d, err := f.read()
	out := make([]models.Person, len(d.Staff))
	for i, m := range d.Staff {
		out[i] = m.Person
	}
	return out, err
}

func (f *fakeSource) Grids(context.Context) ([]models.Grid, error) {
	d, err := f.read()
	return d.Grids, err
}

func (f *fakeSource) Villages(context.Context) ([]models.Village, error) {
	d, err := f.read()
	return d.Villages, err
}

func (f *fakeSource) Colloquial(context.Context) ([]models.Colloquial, error) {
	d, err := f.read()
	return d.Colloquial, err
}

func (f *fakeSource) County(context.Context) (models.County, error) {
	d, err := f.read()
	return d.County, err
}

// generation is a people generation counter, as in Redis.
type generation struct {
	n     atomic.Int64
	reads atomic.Int64
}

// read returns the counter as Redis would ("" before the first change).
func (g *generation) read(context.Context) (string, error) {
	g.reads.Add(1)
	if n := g.n.Load(); n > 0 {
		return strconv.FormatInt(n, 10), nil
	}
	return "", nil
}

// seen is what a snapshot shows of the three things an import changed.
type seen struct {
	suggested string // the first matter suggested for a description using the new word
	village   string // the name of 安海镇's 海东 village
	team      string // where 违法占道经营 in 安海镇 is routed
}

// look reads the snapshot's suggestion, place name and routing.
func look(s *Snapshot) seen {
	var v seen
	if sug := s.Catalogue.Suggester.Suggest("呜呜祖拉", 1); len(sug) > 0 {
		v.suggested = sug[0].Matter.Code
	}
	v.village = s.Catalogue.Places.Name("anhai-haidong")
	c := models.Case{MatterCode: "CG-001", Location: models.Location{TownshipCode: "anhai", VillageCode: "anhai-haidong"}}
	v.team = workflow.Route(s.County, c, time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)).TeamCode
	return v
}

// newCache builds a cache over the sample county.
func newCache(t *testing.T, cfg Config) (*Cache, *fakeSource, *generation) {
	t.Helper()
	src, gen := &fakeSource{d: sample(t)}, &generation{}
	cfg.Generation = gen.read
	c, err := New(context.Background(), src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, src, gen
}

func TestANewGenerationSwapsTheSnapshotOnce(t *testing.T) {
	c, src, gen := newCache(t, Config{Radius: 500, MaxAge: time.Hour})
	ctx := context.Background()
	before := seen{village: "海东社区", team: "team-anhai"}
	after := seen{suggested: "CG-001", village: "海东新社区", team: "team-dept-cgj"}
	if got := look(c.At(ctx, "")); got != before {
		t.Fatalf("before the import: %+v, want %+v", got, before)
	}
	src.set(change(src.d))
	first := c.At(ctx, "")
	if got := look(first); got != before || src.loaded() != 1 {
		t.Fatalf("same generation: %+v after %d loads, want %+v after 1", got, src.loaded(), before)
	}
	gen.n.Add(1)
	s := c.At(ctx, "1")
	if got := look(s); got != after || s.Gen != "1" {
		t.Fatalf("new generation: %+v (gen %q), want %+v", got, s.Gen, after)
	}
	if c.At(ctx, "1") != s || c.Snapshot() != s || c.Catalogue() != s.Catalogue || src.loaded() != 2 {
		t.Fatalf("the generation's snapshot was not kept: %d loads", src.loaded())
	}
	if got := c.At(ctx, ""); got != s {
		t.Fatal("a turn that read the generation before it changed brought back the old snapshot")
	}
}

func TestConcurrentTurnsOfANewGenerationLoadOnce(t *testing.T) {
	c, src, gen := newCache(t, Config{Radius: 500, MaxAge: time.Hour})
	src.set(change(src.d))
	gen.n.Add(1)
	var wg sync.WaitGroup
	got := make([]*Snapshot, 16)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = c.At(context.Background(), "1")
		}()
	}
	wg.Wait()
	for i, s := range got {
		if s.Gen != "1" || s != got[0] {
			t.Fatalf("turn %d got the snapshot of generation %q", i, s.Gen)
		}
	}
	if src.loaded() != 2 {
		t.Fatalf("%d loads, want 2 (start and the new generation)", src.loaded())
	}
}

func TestCurrentReadsTheGenerationAtMostOncePerInterval(t *testing.T) {
	c, src, gen := newCache(t, Config{Radius: 500, MaxAge: time.Hour, CheckEvery: 50 * time.Millisecond})
	src.set(change(src.d))
	gen.n.Add(1)
	reads := gen.reads.Load()
	for range 100 {
		c.County()
	}
	if gen.reads.Load() != reads || c.Snapshot().Gen != "" {
		t.Fatalf("%d generation reads within the interval", gen.reads.Load()-reads)
	}
	time.Sleep(60 * time.Millisecond)
	county := c.County()
	if gen.reads.Load() != reads+1 || c.Snapshot().Gen != "1" || county.Matters["CG-001"].Keywords[12] != "呜呜祖拉" {
		t.Fatalf("after the interval: %d reads, generation %q", gen.reads.Load()-reads, c.Snapshot().Gen)
	}
}

func TestAFailedReloadServesTheLastSnapshot(t *testing.T) {
	var errs []error
	c, src, gen := newCache(t, Config{Radius: 500, MaxAge: time.Hour, OnError: func(err error) { errs = append(errs, err) }})
	old := c.Snapshot()
	src.setFail(errors.New("database gone"))
	gen.n.Add(1)
	if c.At(context.Background(), "1") != old || len(errs) != 1 || !strings.Contains(errs[0].Error(), "database gone") {
		t.Fatalf("errors %v", errs)
	}
	if c.At(context.Background(), "1") != old || src.loaded() != 2 {
		t.Fatalf("retried at once: %d loads", src.loaded())
	}
	src.setFail(nil)
	src.set(change(src.d))
	c.retryAt = time.Time{} // as if retryAfter had passed
	if got := look(c.At(context.Background(), "1")); got.village != "海东新社区" {
		t.Fatalf("after healing: %+v", got)
	}
}

func TestInvalidateAndMaxAgeReloadUnderTheSameGeneration(t *testing.T) {
	c, src, _ := newCache(t, Config{Radius: 500, MaxAge: 40 * time.Millisecond})
	src.set(change(src.d))
	c.Invalidate()
	if got := look(c.At(context.Background(), "")); got.village != "海东新社区" || src.loaded() != 2 {
		t.Fatalf("after Invalidate: %+v, %d loads", got, src.loaded())
	}
	src.set(sample(t))
	time.Sleep(50 * time.Millisecond)
	if got := look(c.At(context.Background(), "")); got.village != "海东社区" || src.loaded() != 3 {
		t.Fatalf("after MaxAge: %+v, %d loads", got, src.loaded())
	}
}

func TestNewer(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", false},
		{"1", "", true},
		{"", "1", false},
		{"10", "9", true},
		{"9", "10", false},
		{"7", "7", false},
		{"x", "7", true},
	}
	for _, tt := range tests {
		if got := newer(tt.a, tt.b); got != tt.want {
			t.Errorf("newer(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// BenchmarkAtSameGeneration is what a turn pays for the snapshot when the county did not change.
func BenchmarkAtSameGeneration(b *testing.B) {
	src, gen := &fakeSource{d: sample(b)}, &generation{}
	c, err := New(context.Background(), src, Config{Radius: 500, Generation: gen.read})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c.At(ctx, "")
	}
}
