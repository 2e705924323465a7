package bot

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"

	"gridbot/models"
)

// Places resolves where a case happened from a location message or a typed address.
type Places struct {
	townships []models.Township
	township  map[string]string // village code → township code
	village   map[string]string // grid code → village code
	shapes    []shape           // grids with a boundary, by code
	centres   []centre          // villages with a centre, by code
	names     []placeName       // names a typed address may contain, longest first
	radius    float64
	display   map[string]string // code of a township, village or grid → its name
	outline   orb.Ring          // the convex outline of the places: where the county is
}

// shape is a grid's parsed boundary.
type shape struct {
	grid  string
	area  orb.MultiPolygon
	bound orb.Bound
}

// centre is a village's centre point.
type centre struct {
	village string
	at      orb.Point
}

// placeName is a name of a village or township as people type it.
type placeName struct {
	text     string
	village  string // "" for a township
	township string
}

// placeSuffixes are the endings people leave out of village and township names, longest first.
const placeSuffixes = "社区 街道 村 镇 乡"

// NewPlaces indexes the places and parses the grids' boundaries once; radiusMeters is how far
// from a village's centre a point still counts as that village (0 turns the fallback off).
func NewPlaces(townships []models.Township, villages []models.Village, grids []models.Grid, radiusMeters float64) (*Places, error) {
	if radiusMeters < 0 || math.IsNaN(radiusMeters) {
		return nil, models.Errorf(models.EInvalid, "places: radius %v m must not be negative", radiusMeters)
	}
	p := &Places{
		townships: slices.Clone(townships),
		township:  map[string]string{},
		village:   map[string]string{},
		radius:    radiusMeters,
		display:   map[string]string{},
	}
	for _, t := range townships {
		p.display[t.Code] = t.Name
	}
	for _, v := range villages {
		p.display[v.Code] = v.Name
	}
	for _, g := range grids {
		p.display[g.Code] = g.Name
	}
	if err := p.addVillages(villages); err != nil {
		return nil, err
	}
	if err := p.addGrids(grids); err != nil {
		return nil, err
	}
	p.addNames(villages)
	p.outline = convexHull(p.outlinePoints())
	return p, nil
}

// addVillages indexes villages by code and keeps their centres.
func (p *Places) addVillages(villages []models.Village) error {
	for _, v := range villages {
		if !slices.ContainsFunc(p.townships, func(t models.Township) bool { return t.Code == v.TownshipCode }) {
			return models.Errorf(models.EInvalid, "places: village %q names unknown township %q", v.Code, v.TownshipCode)
		}
		p.township[v.Code] = v.TownshipCode
		if v.Center != nil {
			p.centres = append(p.centres, centre{village: v.Code, at: orb.Point{v.Center.Lng, v.Center.Lat}})
		}
	}
	slices.SortFunc(p.centres, func(a, b centre) int { return strings.Compare(a.village, b.village) })
	return nil
}

// addGrids indexes grids by code and parses their boundaries.
func (p *Places) addGrids(grids []models.Grid) error {
	for _, g := range grids {
		if _, ok := p.township[g.VillageCode]; !ok {
			return models.Errorf(models.EInvalid, "places: grid %q names unknown village %q", g.Code, g.VillageCode)
		}
		p.village[g.Code] = g.VillageCode
		if len(g.Boundary) == 0 {
			continue
		}
		area, err := models.ParseBoundary(g.Boundary)
		if err != nil {
			return models.WrapError(models.EInvalid, err, "places: grid %q: the boundary", g.Code)
		}
		p.shapes = append(p.shapes, shape{grid: g.Code, area: area, bound: area.Bound()})
	}
	slices.SortFunc(p.shapes, func(a, b shape) int { return strings.Compare(a.grid, b.grid) })
	return nil
}

// addNames lists the full and the suffix-less names of villages and townships, longest first.
func (p *Places) addNames(villages []models.Village) {
	for _, t := range p.townships {
		for _, n := range nameForms(t.Name) {
			p.names = append(p.names, placeName{text: n, township: t.Code})
		}
	}
	for _, v := range villages {
		for _, n := range nameForms(v.Name) {
			p.names = append(p.names, placeName{text: n, village: v.Code, township: v.TownshipCode})
		}
	}
	slices.SortStableFunc(p.names, func(a, b placeName) int {
		return cmp.Compare(utf8.RuneCountInString(b.text), utf8.RuneCountInString(a.text))
	})
}

// nameForms returns a name and, when it ends in a suffix and keeps two characters without
// it, the name without the suffix ("安平社区" → "安平社区", "安平").
func nameForms(name string) []string {
	name = strings.Join(strings.Fields(normalize(name)), "")
	if name == "" {
		return nil
	}
	for _, suffix := range strings.Fields(placeSuffixes) {
		if short, ok := strings.CutSuffix(name, suffix); ok && utf8.RuneCountInString(short) >= 2 {
			return []string{name, short}
		}
	}
	return []string{name}
}

// Locate finds the grid whose boundary contains pt, or else the village whose centre is
// nearest to pt within the radius; the location always carries pt, and false means neither.
func (p *Places) Locate(pt models.Point) (models.Location, bool) {
	at := pt
	loc := models.Location{Point: &at}
	if !pt.Valid() {
		return loc, false
	}
	o := orb.Point{pt.Lng, pt.Lat}
	if grid, ok := p.gridAt(o); ok {
		return p.fill(loc, grid, p.village[grid]), true
	}
	if village, ok := p.nearestVillage(o); ok {
		return p.fill(loc, "", village), true
	}
	return loc, false
}

// gridAt returns the first grid, by code, whose boundary contains o.
func (p *Places) gridAt(o orb.Point) (string, bool) {
	for _, s := range p.shapes {
		if s.bound.Contains(o) && planar.MultiPolygonContains(s.area, o) {
			return s.grid, true
		}
	}
	return "", false
}

// nearestVillage returns the village whose centre is nearest to o and within the radius;
// of two at the same distance, the one with the lower code.
func (p *Places) nearestVillage(o orb.Point) (string, bool) {
	best, bestDist := "", math.Inf(1)
	for _, c := range p.centres {
		if d := geo.Distance(o, c.at); d < bestDist {
			best, bestDist = c.village, d
		}
	}
	return best, p.radius > 0 && best != "" && bestDist <= p.radius
}

// fill sets the grid, the village and the village's township of loc.
func (p *Places) fill(loc models.Location, grid, village string) models.Location {
	loc.GridCode = grid
	loc.VillageCode = village
	loc.TownshipCode = p.township[village]
	return loc
}

// MatchAddress finds the village or township a typed address names, with or without its
// suffix (村, 社区, 镇, 街道). The longest name found wins. When names of that length point
// to different places, a village whose township the text names elsewhere wins, else their
// common township; false when no name is found or the tie stays. A township won narrows to
// its village when the text names exactly one of them too ("安海镇安平"). Address is the text.
func (p *Places) MatchAddress(text string) (models.Location, bool) {
	loc := models.Location{Address: strings.TrimSpace(text)}
	found := p.namesIn(strings.Join(strings.Fields(normalize(text)), ""))
	best, ok := pickPlace(found)
	if ok && best.village == "" {
		best = narrow(best, found)
	}
	if !ok {
		best, ok = p.fuzzyName(strings.Join(strings.Fields(normalize(text)), ""))
	}
	switch {
	case !ok:
		return loc, false
	case best.village == "":
		loc.TownshipCode = best.township
		return loc, true
	default:
		return p.fill(loc, "", best.village), true
	}
}

// nameMatch is a place name found at bytes [start, end) of a text.
type nameMatch struct {
	placeName
	start, end int
}

// overlaps reports whether two matches share characters without covering the same span.
func (m nameMatch) overlaps(o nameMatch) bool {
	return m.start < o.end && o.start < m.end && (m.start != o.start || m.end != o.end)
}

// namesIn finds place names in t, longest first; a name that overlaps a longer one found
// before it does not count ("池店" inside "池店村").
func (p *Places) namesIn(t string) []nameMatch {
	var found []nameMatch
	for _, n := range p.names {
		for from := 0; from < len(t); {
			i := strings.Index(t[from:], n.text)
			if i < 0 {
				break
			}
			m := nameMatch{placeName: n, start: from + i, end: from + i + len(n.text)}
			if !slices.ContainsFunc(found, m.overlaps) {
				found = append(found, m)
			}
			_, size := utf8.DecodeRuneInString(t[m.start:])
			from = m.start + size
		}
	}
	return found
}

// pickPlace chooses among the longest names found, as MatchAddress describes.
func pickPlace(found []nameMatch) (placeName, bool) {
	if len(found) == 0 {
		return placeName{}, false
	}
	longest := utf8.RuneCountInString(found[0].text)
	var top []nameMatch
	for _, m := range found {
		if utf8.RuneCountInString(m.text) == longest && !slices.ContainsFunc(top, m.samePlace) {
			top = append(top, m)
		}
	}
	if len(top) == 1 {
		return top[0].placeName, true
	}
	if v, ok := onlyVillageInNamedTownship(top, found); ok {
		return v, true
	}
	if slices.ContainsFunc(top, func(m nameMatch) bool { return m.township != top[0].township }) {
		return placeName{}, false
	}
	return placeName{township: top[0].township}, true
}

// onlyVillageInNamedTownship returns the one village of top whose township another match names.
func onlyVillageInNamedTownship(top, found []nameMatch) (placeName, bool) {
	var hits []placeName
	for _, v := range top {
		named := func(t nameMatch) bool {
			return t.village == "" && t.township == v.township && (t.start != v.start || t.end != v.end)
		}
		if v.village != "" && slices.ContainsFunc(found, named) {
			hits = append(hits, v.placeName)
		}
	}
	if len(hits) != 1 {
		return placeName{}, false
	}
	return hits[0], true
}

// narrow returns the one village of the township that the matches name at a span of their
// own (not "池店" read as both 池店镇 and 池店村), else the township.
func narrow(township placeName, found []nameMatch) placeName {
	var villages []placeName
	for _, m := range found {
		sameSpan := func(t nameMatch) bool { return t.village == "" && t.start == m.start && t.end == m.end }
		if m.village == "" || m.township != township.township || slices.ContainsFunc(found, sameSpan) {
			continue
		}
		if !slices.ContainsFunc(villages, func(v placeName) bool { return v.village == m.village }) {
			villages = append(villages, m.placeName)
		}
	}
	if len(villages) != 1 {
		return township
	}
	return villages[0]
}

// samePlace reports whether two matches name the same village or township.
func (m nameMatch) samePlace(o nameMatch) bool {
	return m.village == o.village && m.township == o.township
}

// Townships returns the townships in the order they were given, for a person to pick from.
func (p *Places) Townships() []models.Township { return slices.Clone(p.townships) }

// Grid returns a grid worker's default location: the grid, its village and township.
func (p *Places) Grid(code string) (models.Location, bool) {
	village, ok := p.village[code]
	if !ok {
		return models.Location{}, false
	}
	return p.fill(models.Location{}, code, village), true
}

// Name returns the name of a township, village or grid by its code, or "".
func (p *Places) Name(code string) string { return p.display[code] }

// countyMargin is how far outside the outline of the county's known places a point still
// counts as inside the county: the outline runs through village centres and grid corners,
// while the county reaches beyond them.
const countyMargin = 3000.0

// Nearest returns the village whose centre is nearest to pt, whatever the distance, and whether
// pt lies inside the county: within the convex outline of every village centre and grid
// boundary, or within countyMargin of it.
func (p *Places) Nearest(pt models.Point) (models.Location, bool) {
	at := pt
	loc := models.Location{Point: &at}
	if !pt.Valid() || len(p.centres) == 0 {
		return loc, false
	}
	o := orb.Point{pt.Lng, pt.Lat}
	best, bestDist := "", math.Inf(1)
	for _, c := range p.centres {
		if d := geo.Distance(o, c.at); d < bestDist {
			best, bestDist = c.village, d
		}
	}
	return p.fill(loc, "", best), p.inOutline(o)
}

// inOutline reports whether o is inside the outline of the county's places or near it.
func (p *Places) inOutline(o orb.Point) bool {
	if len(p.outline) >= 3 && planar.RingContains(p.outline, o) {
		return true
	}
	for i := 0; i+1 < len(p.outline); i++ {
		if distanceToSegment(o, p.outline[i], p.outline[i+1]) <= countyMargin {
			return true
		}
	}
	return len(p.outline) == 1 && geo.Distance(o, p.outline[0]) <= countyMargin
}

// distanceToSegment is the distance in metres from o to the segment a–b, on a local flat
// projection (good to a few metres over a county).
func distanceToSegment(o, a, b orb.Point) float64 {
	kx := 111320 * math.Cos(o[1]*math.Pi/180)
	const ky = 110540.0
	ax, ay := (a[0]-o[0])*kx, (a[1]-o[1])*ky
	bx, by := (b[0]-o[0])*kx, (b[1]-o[1])*ky
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
	}
	return math.Hypot(ax+t*dx, ay+t*dy)
}

// convexHull returns the closed convex outline of points (Andrew's monotone chain).
func convexHull(points []orb.Point) orb.Ring {
	pts := slices.Clone(points)
	slices.SortFunc(pts, func(a, b orb.Point) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	pts = slices.Compact(pts)
	if len(pts) < 3 {
		return orb.Ring(pts)
	}
	cross := func(o, a, b orb.Point) float64 { return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0]) }
	hull := make([]orb.Point, 0, 2*len(pts))
	for _, pass := range [2]bool{false, true} {
		start := len(hull)
		for i := range pts {
			q := pts[i]
			if pass {
				q = pts[len(pts)-1-i]
			}
			for len(hull) >= start+2 && cross(hull[len(hull)-2], hull[len(hull)-1], q) <= 0 {
				hull = hull[:len(hull)-1]
			}
			hull = append(hull, q)
		}
		hull = hull[:len(hull)-1]
	}
	return orb.Ring(append(hull, hull[0]))
}

// outlinePoints lists the village centres and grid corners the county's outline runs around.
func (p *Places) outlinePoints() []orb.Point {
	var pts []orb.Point
	for _, c := range p.centres {
		pts = append(pts, c.at)
	}
	for _, s := range p.shapes {
		for _, poly := range s.area {
			for _, ring := range poly {
				pts = append(pts, ring...)
			}
		}
	}
	return pts
}

// fuzzyName finds the one place whose full name the text has with one character heard or typed
// wrong ("大浦村" for 大埔村, "型错村" for 型厝村): names of three characters or more, the last
// (村, 社区, 镇 …) right. False when none or several places match.
func (p *Places) fuzzyName(t string) (placeName, bool) {
	text := []rune(t)
	var hits []placeName
	for _, n := range p.names {
		name := []rune(n.text)
		if len(name) < 3 || !hasPlaceSuffix(n.text) {
			continue
		}
		for i := 0; i+len(name) <= len(text); i++ {
			if oneRuneOff(text[i:i+len(name)], name) && !slices.ContainsFunc(hits, func(h placeName) bool {
				return h.village == n.village && h.township == n.township
			}) {
				hits = append(hits, n.placeName())
			}
		}
	}
	if len(hits) != 1 {
		return placeName{}, false
	}
	return hits[0], true
}

// placeName returns the name itself (a method so that fuzzyName reads as the exact search does).
func (n placeName) placeName() placeName { return n }

// hasPlaceSuffix reports whether a name ends in 村, 社区, 镇, 乡 or 街道.
func hasPlaceSuffix(name string) bool {
	for _, suffix := range strings.Fields(placeSuffixes) {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}

// oneRuneOff reports whether a and b, of one length, differ in exactly one character that is
// not the last.
func oneRuneOff(a, b []rune) bool {
	diff := 0
	for i := range a {
		if a[i] != b[i] {
			if i == len(a)-1 {
				return false
			}
			diff++
		}
	}
	return diff == 1
}
