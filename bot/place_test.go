package bot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gridbot/models"
)

// samplePlaces builds Places from the sample county with the given radius.
func samplePlaces(tb testing.TB, radiusMeters float64) *Places {
	tb.Helper()
	d := sampleCounty(tb)
	p, err := NewPlaces(d.Townships, d.Villages, d.Grids, radiusMeters)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// at returns a pointer to the point lat, lng.
func at(lat, lng float64) *models.Point { return &models.Point{Lat: lat, Lng: lng} }

func TestLocateSampleCounty(t *testing.T) {
	tests := []struct {
		name   string
		radius float64
		pt     models.Point
		want   models.Location
		ok     bool
	}{
		{
			name: "inside a bounded grid", radius: 500, pt: models.Point{Lat: 24.7140, Lng: 118.4720},
			want: models.Location{Point: at(24.7140, 118.4720), GridCode: "anhai-haidong-01", VillageCode: "anhai-haidong", TownshipCode: "anhai"},
			ok:   true,
		},
		{
			name: "inside the neighbouring grid", radius: 500, pt: models.Point{Lat: 24.7140, Lng: 118.4760},
			want: models.Location{Point: at(24.7140, 118.4760), GridCode: "anhai-haidong-02", VillageCode: "anhai-haidong", TownshipCode: "anhai"},
			ok:   true,
		},
		{
			name: "a village without boundaries, near its centre", radius: 500, pt: models.Point{Lat: 24.6998, Lng: 118.4552},
			want: models.Location{Point: at(24.6998, 118.4552), VillageCode: "anhai-anping", TownshipCode: "anhai"},
			ok:   true,
		},
		{
			name: "1 km south of 白沙村 with a 500 m radius", radius: 500, pt: models.Point{Lat: 24.6442, Lng: 118.4879},
			want: models.Location{Point: at(24.6442, 118.4879)},
		},
		{
			name: "1 km south of 白沙村 with a 1500 m radius", radius: 1500, pt: models.Point{Lat: 24.6442, Lng: 118.4879},
			want: models.Location{Point: at(24.6442, 118.4879), VillageCode: "dongshi-baisha", TownshipCode: "dongshi"},
			ok:   true,
		},
		{
			name: "between 鸿塔 and 安平, nearer 鸿塔", radius: 2000, pt: models.Point{Lat: 24.7033, Lng: 118.4598},
			want: models.Location{Point: at(24.7033, 118.4598), VillageCode: "anhai-hongta", TownshipCode: "anhai"},
			ok:   true,
		},
		{
			name: "between 鸿塔 and 安平, nearer 安平", radius: 2000, pt: models.Point{Lat: 24.7013, Lng: 118.4573},
			want: models.Location{Point: at(24.7013, 118.4573), VillageCode: "anhai-anping", TownshipCode: "anhai"},
			ok:   true,
		},
		{
			name: "radius 0 turns the fallback off", radius: 0, pt: models.Point{Lat: 24.6993, Lng: 118.4548},
			want: models.Location{Point: at(24.6993, 118.4548)},
		},
		{
			name: "an invalid point", radius: 500, pt: models.Point{Lat: 118.4548, Lng: 24.6993},
			want: models.Location{Point: at(118.4548, 24.6993)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := samplePlaces(t, tt.radius).Locate(tt.pt)
			if ok != tt.ok {
				t.Errorf("Locate(%v) ok = %v, want %v", tt.pt, ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Locate(%v) mismatch (-want +got):\n%s", tt.pt, diff)
			}
		})
	}
}

// square is a closed ring around (lng, lat) with half-side d, in [lng, lat] order.
func square(lng, lat, d float64) [][2]float64 {
	return [][2]float64{{lng - d, lat - d}, {lng + d, lat - d}, {lng + d, lat + d}, {lng - d, lat + d}, {lng - d, lat - d}}
}

// geometry writes a GeoJSON geometry.
func geometry(t *testing.T, typ string, coordinates any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(map[string]any{"type": typ, "coordinates": coordinates})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLocateMultiPolygonAndHoles(t *testing.T) {
	townships := []models.Township{{Code: "t1", Name: "甲镇"}}
	villages := []models.Village{{Code: "v1", Name: "乙村", TownshipCode: "t1", Center: at(24.0, 118.0)}}
	grids := []models.Grid{
		// Two islands: one around (118.00, 24.00), one around (118.10, 24.00).
		{Code: "g-islands", VillageCode: "v1", Boundary: geometry(t, "MultiPolygon", [][][][2]float64{
			{square(118.00, 24.00, 0.01)},
			{square(118.10, 24.00, 0.01)},
		})},
		// A square around (118.20, 24.00) with a hole in its middle.
		{Code: "g-ring", VillageCode: "v1", Boundary: geometry(t, "Polygon", [][][2]float64{
			square(118.20, 24.00, 0.01),
			square(118.20, 24.00, 0.003),
		})},
	}
	p, err := NewPlaces(townships, villages, grids, 500)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		pt       models.Point
		wantGrid string
		ok       bool
	}{
		{name: "first island", pt: models.Point{Lat: 24.005, Lng: 118.005}, wantGrid: "g-islands", ok: true},
		{name: "second island", pt: models.Point{Lat: 23.995, Lng: 118.095}, wantGrid: "g-islands", ok: true},
		{name: "between the islands, far from the centre", pt: models.Point{Lat: 24.0, Lng: 118.05}},
		{name: "in the ring", pt: models.Point{Lat: 24.008, Lng: 118.20}, wantGrid: "g-ring", ok: true},
		{name: "in the hole", pt: models.Point{Lat: 24.0, Lng: 118.20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := p.Locate(tt.pt)
			if ok != tt.ok || got.GridCode != tt.wantGrid {
				t.Errorf("Locate(%v) = %+v, %v; want grid %q, %v", tt.pt, got, ok, tt.wantGrid, tt.ok)
			}
		})
	}
}

func TestMatchAddress(t *testing.T) {
	p := samplePlaces(t, 500)
	tests := []struct {
		text string
		want models.Location
		ok   bool
	}{
		{text: "安海镇安平社区菜市场旁边", want: models.Location{VillageCode: "anhai-anping", TownshipCode: "anhai"}, ok: true},
		{text: "安平那边的老街", want: models.Location{VillageCode: "anhai-anping", TownshipCode: "anhai"}, ok: true},
		{text: "安平 社区", want: models.Location{VillageCode: "anhai-anping", TownshipCode: "anhai"}, ok: true},
		{text: "安海老街", want: models.Location{TownshipCode: "anhai"}, ok: true},
		{text: "青阳街道", want: models.Location{TownshipCode: "qingyang"}, ok: true},
		{text: "青阳体育馆门口", want: models.Location{TownshipCode: "qingyang"}, ok: true},
		{text: "竹树下社区2号楼", want: models.Location{VillageCode: "meiling-zhushuxia", TownshipCode: "meiling"}, ok: true},
		// The longest name wins: 陈村社区 (4) over 陈埭镇 (3).
		{text: "陈埭镇陈村社区", want: models.Location{VillageCode: "qingyang-chencun", TownshipCode: "qingyang"}, ok: true},
		// Same length: the village in the township the text also names wins.
		{text: "陈埭镇江头村", want: models.Location{VillageCode: "chendai-jiangtou", TownshipCode: "chendai"}, ok: true},
		// 池店 is both 池店镇 and 池店村 without suffix: the township they share.
		{text: "池店", want: models.Location{TownshipCode: "chidian"}, ok: true},
		{text: "池店村", want: models.Location{VillageCode: "chidian-chidian", TownshipCode: "chidian"}, ok: true},
		{text: "池店镇池店村", want: models.Location{VillageCode: "chidian-chidian", TownshipCode: "chidian"}, ok: true},
		// A township narrows to the one village of it the text also names.
		{text: "安海镇安平", want: models.Location{VillageCode: "anhai-anping", TownshipCode: "anhai"}, ok: true},
		// Two villages of one township: the township.
		{text: "安海镇海东社区和鸿塔社区交界", want: models.Location{TownshipCode: "anhai"}, ok: true},
		// Same length, different townships, neither named: ambiguous.
		{text: "安平和大埔之间", want: models.Location{}},
		{text: "火车站对面", want: models.Location{}},
		// One character heard or typed wrong in a full name, the suffix right.
		{text: "大浦村那条溪", want: models.Location{VillageCode: "cizao-dapu", TownshipCode: "cizao"}, ok: true},
		{text: "型错村村口", want: models.Location{VillageCode: "anhai-xingcuo", TownshipCode: "anhai"}, ok: true},
		{text: "东风村", want: models.Location{}}, // no village two characters of which are right
		{text: "大浦", want: models.Location{}},  // too short to guess
		// Found exactly, a name is never replaced by a guess.
		{text: "大埔村", want: models.Location{VillageCode: "cizao-dapu", TownshipCode: "cizao"}, ok: true},
		{text: "", want: models.Location{}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, ok := p.MatchAddress(tt.text)
			tt.want.Address = tt.text
			if ok != tt.ok {
				t.Errorf("MatchAddress(%q) ok = %v, want %v", tt.text, ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("MatchAddress(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestMatchAddressSameNameInTwoTownships(t *testing.T) {
	townships := []models.Township{{Code: "ta", Name: "东山镇"}, {Code: "tb", Name: "西岭街道"}}
	villages := []models.Village{
		{Code: "ta-dongfeng", Name: "东风村", TownshipCode: "ta"},
		{Code: "tb-dongfeng", Name: "东风社区", TownshipCode: "tb"},
		{Code: "tb-dongfengxin", Name: "东风新村", TownshipCode: "tb"},
	}
	p, err := NewPlaces(townships, villages, nil, 500)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want models.Location
		ok   bool
	}{
		{text: "东风", want: models.Location{}},
		{text: "东山镇东风", want: models.Location{VillageCode: "ta-dongfeng", TownshipCode: "ta"}, ok: true},
		{text: "西岭东风", want: models.Location{VillageCode: "tb-dongfeng", TownshipCode: "tb"}, ok: true},
		{text: "东风社区", want: models.Location{VillageCode: "tb-dongfeng", TownshipCode: "tb"}, ok: true},
		{text: "东风新村", want: models.Location{VillageCode: "tb-dongfengxin", TownshipCode: "tb"}, ok: true},
	}
	for _, tt := range tests {
		got, ok := p.MatchAddress(tt.text)
		tt.want.Address = tt.text
		if ok != tt.ok {
			t.Errorf("MatchAddress(%q) ok = %v, want %v", tt.text, ok, tt.ok)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("MatchAddress(%q) mismatch (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestGridAndTownships(t *testing.T) {
	d := sampleCounty(t)
	p := samplePlaces(t, 500)
	got, ok := p.Grid("anhai-xingcuo-01")
	want := models.Location{GridCode: "anhai-xingcuo-01", VillageCode: "anhai-xingcuo", TownshipCode: "anhai"}
	if diff := cmp.Diff(want, got); !ok || diff != "" {
		t.Errorf("Grid(anhai-xingcuo-01) = %v (-want +got):\n%s", ok, diff)
	}
	if got, ok := p.Grid("nowhere-01"); ok {
		t.Errorf("Grid(nowhere-01) = %+v, want false", got)
	}
	list := p.Townships()
	if diff := cmp.Diff(d.Townships, list); diff != "" {
		t.Errorf("Townships() mismatch (-want +got):\n%s", diff)
	}
	list[0].Name = "changed"
	if p.Townships()[0].Name == "changed" {
		t.Error("Townships() returns the Places' own slice")
	}
}

func TestNewPlacesRefusesBadInput(t *testing.T) {
	townships := []models.Township{{Code: "t1", Name: "甲镇"}}
	villages := []models.Village{{Code: "v1", Name: "乙村", TownshipCode: "t1"}}
	grid := func(boundary string) []models.Grid {
		return []models.Grid{{Code: "g-bad", VillageCode: "v1", Boundary: json.RawMessage(boundary)}}
	}
	tests := []struct {
		name      string
		villages  []models.Village
		grids     []models.Grid
		radius    float64
		wantInErr string
	}{
		{name: "not JSON", villages: villages, grids: grid(`{type: Polygon`), wantInErr: `grid "g-bad"`},
		{name: "a point", villages: villages, grids: grid(`{"type":"Point","coordinates":[118.1,24.1]}`), wantInErr: `grid "g-bad"`},
		{name: "an open ring", villages: villages, grids: grid(`{"type":"Polygon","coordinates":[[[118.1,24.1],[118.2,24.1],[118.2,24.2],[118.1,24.2]]]}`), wantInErr: `grid "g-bad"`},
		{name: "lat and lng swapped", villages: villages, grids: grid(`{"type":"Polygon","coordinates":[[[24.1,118.1],[24.1,118.2],[24.2,118.2],[24.1,118.1]]]}`), wantInErr: `grid "g-bad"`},
		{name: "an empty MultiPolygon", villages: villages, grids: grid(`{"type":"MultiPolygon","coordinates":[]}`), wantInErr: `grid "g-bad"`},
		{name: "a polygon without rings", villages: villages, grids: grid(`{"type":"Polygon","coordinates":[]}`), wantInErr: `grid "g-bad"`},
		{name: "an unknown village", villages: villages, grids: []models.Grid{{Code: "g-lost", VillageCode: "v9"}}, wantInErr: `grid "g-lost"`},
		{name: "an unknown township", villages: []models.Village{{Code: "v2", Name: "丙村", TownshipCode: "t9"}}, wantInErr: `village "v2"`},
		{name: "a negative radius", villages: villages, radius: -1, wantInErr: "radius"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPlaces(townships, tt.villages, tt.grids, tt.radius)
			if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
				t.Fatalf("NewPlaces: err = %v, want one naming %s", err, tt.wantInErr)
			}
			if code := models.ErrorCodeOf(err); code != models.EInvalid {
				t.Errorf("error code %q, want %q", code, models.EInvalid)
			}
		})
	}
}

func BenchmarkLocate(b *testing.B) {
	p := samplePlaces(b, 500)
	pts := []models.Point{{Lat: 24.7140, Lng: 118.4720}, {Lat: 24.6998, Lng: 118.4552}, {Lat: 24.6442, Lng: 118.4879}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p.Locate(pts[i%len(pts)])
		i++
	}
}

func BenchmarkMatchAddress(b *testing.B) {
	p := samplePlaces(b, 500)
	b.ReportAllocs()
	for b.Loop() {
		p.MatchAddress("晋江市安海镇安平社区菜市场旁边那条巷子")
	}
}
