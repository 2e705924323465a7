package deployment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"gridbot/models"
)

// Problem is one thing wrong with a deployment file, at a line.
type Problem struct {
	Line    int
	Message string
}

// Problems is every problem found in a file; it is the error Parse returns.
type Problems struct {
	File  string
	Items []Problem
}

// Error lists the problems as "file:line: message", one per line, in line order.
func (p *Problems) Error() string {
	lines := make([]string, len(p.Items))
	for i, it := range p.Items {
		lines[i] = fmt.Sprintf("%s:%d: %s", p.File, it.Line, it.Message)
	}
	return strings.Join(lines, "\n")
}

// lineRe finds the line yaml.v3 names in its error messages.
var lineRe = regexp.MustCompile(`line (\d+): `)

// Parse reads and checks a deployment file; dates are taken in loc. It returns every problem
// with its line in a *Problems error, and nothing is half-read: either the whole county or an error.
func Parse(r io.Reader, name string, loc *time.Location) (models.Deployment, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return models.Deployment{}, fmt.Errorf("read %s: %w", name, err)
	}
	var doc fileDoc
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return models.Deployment{}, &Problems{File: name, Items: []Problem{yamlProblem(err)}}
	}
	c := &checker{loc: loc}
	d := c.convert(doc)
	if len(c.problems) > 0 {
		sort.SliceStable(c.problems, func(i, j int) bool { return c.problems[i].Line < c.problems[j].Line })
		return models.Deployment{}, &Problems{File: name, Items: c.problems}
	}
	return d, nil
}

// yamlProblem turns a YAML syntax or type error into a Problem with its line.
func yamlProblem(err error) Problem {
	msg := err.Error()
	if errors.Is(err, io.EOF) {
		return Problem{Line: 1, Message: "the file is empty"}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	if m := lineRe.FindStringSubmatchIndex(msg); m != nil {
		var line int
		fmt.Sscanf(msg[m[2]:m[3]], "%d", &line)
		return Problem{Line: line, Message: strings.TrimSpace(msg[:m[0]] + msg[m[1]:])}
	}
	return Problem{Line: 1, Message: msg}
}

// checker collects problems while it converts the file into the domain model.
type checker struct {
	loc      *time.Location
	problems []Problem
	seen     map[string]int // "kind/code" -> line of first definition
}

// addf records a problem at a line.
func (c *checker) addf(line int, format string, args ...any) {
	c.problems = append(c.problems, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
}

// define registers a code of a kind, reporting a missing or duplicate code.
func (c *checker) define(kind, code string, line int) {
	if c.seen == nil {
		c.seen = map[string]int{}
	}
	if code == "" {
		c.addf(line, "%s without a code", kind)
		return
	}
	key := kind + "/" + code
	if first, dup := c.seen[key]; dup {
		c.addf(line, "duplicate %s code %q (first defined on line %d)", kind, code, first)
		return
	}
	c.seen[key] = line
}

// known reports whether a code of a kind has been defined.
func (c *checker) known(kind, code string) bool {
	_, ok := c.seen[kind+"/"+code]
	return ok
}

// convert checks the whole file and builds the deployment.
func (c *checker) convert(doc fileDoc) models.Deployment {
	var d models.Deployment
	if doc.County.Code == "" || doc.County.Name == "" {
		c.addf(max(doc.County.Line, 1), "county needs a code and a name")
	}
	d.County = models.County{Code: doc.County.Code, Name: doc.County.Name}
	c.places(doc, &d)
	for _, dep := range doc.Departments {
		c.define("department", dep.Code, dep.Line)
		c.requireName("department", dep.Code, dep.Name, dep.Line)
		d.Departments = append(d.Departments, models.Department{Code: dep.Code, Name: dep.Name})
	}
	for _, m := range doc.Matters {
		d.Matters = append(d.Matters, c.matter(m))
	}
	for _, m := range doc.Matters {
		d.Delegations = append(d.Delegations, c.delegations(m, d.Townships)...)
	}
	d.Colloquial = c.colloquial(doc.Colloquial)
	for _, t := range doc.Teams {
		d.Teams = append(d.Teams, c.team(t))
		for _, p := range t.Members {
			d.Staff = append(d.Staff, c.person(p, t.Code, models.TeamKind(t.Kind)))
		}
	}
	for _, p := range doc.People {
		d.Staff = append(d.Staff, c.person(p, "", ""))
	}
	c.identities(doc)
	return d
}

// requireName reports a missing name.
func (c *checker) requireName(kind, code, name string, line int) {
	if strings.TrimSpace(name) == "" {
		c.addf(line, "%s %q has no name", kind, code)
	}
}

// places checks and converts townships, villages and grids.
func (c *checker) places(doc fileDoc, d *models.Deployment) {
	if len(doc.Townships) == 0 {
		c.addf(1, "the file lists no townships")
	}
	for _, t := range doc.Townships {
		c.define("township", t.Code, t.Line)
		c.requireName("township", t.Code, t.Name, t.Line)
		d.Townships = append(d.Townships, models.Township{Code: t.Code, Name: t.Name})
		for _, v := range t.Villages {
			c.define("village", v.Code, v.Line)
			c.requireName("village", v.Code, v.Name, v.Line)
			mv := models.Village{Code: v.Code, Name: v.Name, TownshipCode: t.Code}
			if v.Center != nil {
				p := models.Point{Lat: v.Center.Lat, Lng: v.Center.Lng}
				if !p.Valid() || (p.Lat == 0 && p.Lng == 0) {
					c.addf(v.Center.Line, "village %q: centre %v,%v is not a valid GCJ-02 point", v.Code, p.Lat, p.Lng)
				}
				mv.Center = &p
			}
			d.Villages = append(d.Villages, mv)
			for _, g := range v.Grids {
				c.define("grid", g.Code, g.Line)
				c.requireName("grid", g.Code, g.Name, g.Line)
				d.Grids = append(d.Grids, models.Grid{Code: g.Code, Name: g.Name, VillageCode: v.Code,
					Boundary: c.boundary(g)})
			}
		}
	}
}

// boundary checks a grid's GeoJSON polygon (models.ParseBoundary) and returns it as JSON.
func (c *checker) boundary(g fileGrid) json.RawMessage {
	if g.Boundary == nil {
		return nil
	}
	b, err := json.Marshal(g.Boundary)
	if err == nil {
		_, err = models.ParseBoundary(b)
	}
	if err != nil {
		c.addf(g.Line, "grid %q: boundary %v", g.Code, err)
		return nil
	}
	return b
}

// matter checks and converts one matter of the catalogue.
func (c *checker) matter(m fileMatter) models.Matter {
	c.define("matter", m.Code, m.Line)
	c.requireName("matter", m.Code, m.Name, m.Line)
	switch {
	case m.Department == "":
		c.addf(m.Line, "matter %q has no department", m.Code)
	case !c.known("department", m.Department):
		c.addf(m.Line, "matter %q names unknown department %q", m.Code, m.Department)
	}
	urgency := parseUrgency(m.Urgency)
	if !urgency.Valid() {
		c.addf(m.Line, "matter %q: urgency %q: want normal 一般, urgent 紧急 or critical 特急", m.Code, m.Urgency)
	}
	sign, err := models.ParseTimeLimit(m.SignLimit)
	if err != nil {
		c.addf(m.Line, "matter %q: sign_limit: %s", m.Code, models.ErrorMessage(err))
	}
	handle, err := models.ParseTimeLimit(m.HandleLimit)
	if err != nil {
		c.addf(m.Line, "matter %q: handle_limit: %s", m.Code, models.ErrorMessage(err))
	}
	return models.Matter{Code: m.Code, Name: m.Name, DepartmentCode: m.Department, Keywords: m.Keywords,
		Synonyms: m.Synonyms, LegalBasis: m.LegalBasis, Urgency: urgency, SignLimit: sign, HandleLimit: handle}
}

// The longest colloquial word and meaning a file may give, in characters.
const (
	maxColloquialSay   = 16
	maxColloquialMeans = 32
)

// colloquial checks and converts the list of colloquial and dialect words.
func (c *checker) colloquial(entries []fileColloquial) []models.Colloquial {
	out := make([]models.Colloquial, 0, len(entries))
	first := map[string]int{}
	for _, e := range entries {
		say, means := strings.TrimSpace(e.Say), strings.TrimSpace(e.Means)
		switch {
		case !hasWordRune(say) || !hasWordRune(means):
			c.addf(e.Line, "colloquial entry needs a word in both say and means")
			continue
		case utf8.RuneCountInString(say) > maxColloquialSay || utf8.RuneCountInString(means) > maxColloquialMeans:
			c.addf(e.Line, "colloquial %q: say is at most %d characters and means at most %d", say, maxColloquialSay, maxColloquialMeans)
		case say == means:
			c.addf(e.Line, "colloquial %q means itself", say)
		}
		if line, dup := first[say]; dup {
			c.addf(e.Line, "colloquial %q is listed twice (first on line %d)", say, line)
			continue
		}
		first[say] = e.Line
		out = append(out, models.Colloquial{Say: say, Means: means})
	}
	return out
}

// hasWordRune reports whether s has a letter or a digit, which is what suggestion reads.
func hasWordRune(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// parseUrgency accepts the English key or the Chinese name; empty means normal.
func parseUrgency(s string) models.Urgency {
	switch s {
	case "", "一般":
		return models.UrgencyNormal
	case "紧急":
		return models.UrgencyUrgent
	case "特急":
		return models.UrgencyCritical
	}
	return models.Urgency(s)
}

// delegations expands a matter's delegation entries per township; later entries override earlier.
func (c *checker) delegations(m fileMatter, townships []models.Township) []models.Delegation {
	byTownship := map[string]models.Delegation{}
	var order []string
	for _, e := range m.Delegations {
		d, ok := c.delegation(m.Code, e)
		if !ok {
			continue
		}
		codes := e.Townships.Codes
		if e.Townships.All {
			codes = nil
			for _, t := range townships {
				codes = append(codes, t.Code)
			}
		}
		if len(codes) == 0 {
			c.addf(e.Line, "delegation of matter %q names no townships (a list of codes, or all)", m.Code)
		}
		for _, code := range codes {
			if !c.known("township", code) {
				c.addf(e.Line, "delegation of matter %q names unknown township %q", m.Code, code)
				continue
			}
			if _, dup := byTownship[code]; !dup {
				order = append(order, code)
			}
			d.TownshipCode = code
			byTownship[code] = d
		}
	}
	out := make([]models.Delegation, 0, len(order))
	for _, code := range order {
		out = append(out, byTownship[code])
	}
	return out
}

// delegation checks one delegation entry; ok is false when it cannot be used.
func (c *checker) delegation(matter string, e fileDelegation) (models.Delegation, bool) {
	sit, err := models.ParseSituation(e.Situation)
	if err != nil {
		c.addf(e.Line, "delegation of matter %q: %s", matter, models.ErrorMessage(err))
		return models.Delegation{}, false
	}
	d := models.Delegation{MatterCode: matter, Situation: sit, Delegated: e.Delegated, Batch: e.Batch,
		RetainedBy: e.RetainedBy}
	if e.Effective != "" {
		t, err := time.ParseInLocation("2006-01-02", e.Effective, c.loc)
		if err != nil {
			c.addf(e.Line, "delegation of matter %q: effective date %q: want YYYY-MM-DD", matter, e.Effective)
		}
		d.Effective = t
	}
	switch {
	case sit == models.SituationDeferred && e.Delegated:
		c.addf(e.Line, "delegation of matter %q: 暂缓下放 (deferred) cannot be delegated: true", matter)
	case sit == models.SituationDeferred && e.RetainedBy == "":
		c.addf(e.Line, "delegation of matter %q: 暂缓下放 (deferred) needs retained_by, the agency that keeps it", matter)
	case e.Delegated && (e.Batch < 1 || d.Effective.IsZero()):
		c.addf(e.Line, "delegation of matter %q: delegated: true needs a batch (1 or more) and an effective date", matter)
	}
	return d, true
}

// team checks and converts one team.
func (c *checker) team(t fileTeam) models.Team {
	c.define("team", t.Code, t.Line)
	c.requireName("team", t.Code, t.Name, t.Line)
	kind := models.TeamKind(t.Kind)
	switch {
	case !kind.Valid():
		c.addf(t.Line, "team %q: kind %q: want township, department or platform", t.Code, t.Kind)
	case kind == models.TeamTownship && !c.known("township", t.Township):
		c.addf(t.Line, "team %q names unknown township %q", t.Code, t.Township)
	case kind == models.TeamDepartment && !c.known("department", t.Department):
		c.addf(t.Line, "team %q names unknown department %q", t.Code, t.Department)
	}
	return models.Team{Code: t.Code, Name: t.Name, Kind: kind, TownshipCode: t.Township, DepartmentCode: t.Department}
}

// person checks and converts a team member (teamCode set) or a person outside teams.
func (c *checker) person(p filePerson, teamCode string, kind models.TeamKind) models.StaffMember {
	c.define("person", p.Code, p.Line)
	c.requireName("person", p.Code, p.Name, p.Line)
	role := models.Role(p.Role)
	switch {
	case !role.Valid() || role == models.RoleCitizen:
		c.addf(p.Line, "person %q: role %q: want grid_worker, officer, team_leader, legal_reviewer, platform_operator, supervisor or admin", p.Code, p.Role)
	case teamCode == "" && role.EnforcementPost():
		c.addf(p.Line, "person %q: a %s belongs in a team's members", p.Code, role)
	case teamCode != "" && role == models.RoleGridWorker:
		c.addf(p.Line, "person %q: grid workers are listed under people, not in a team", p.Code)
	case kind == models.TeamPlatform && role.EnforcementPost():
		c.addf(p.Line, "person %q: the platform team takes platform_operator, supervisor or admin, not %s", p.Code, role)
	}
	if role == models.RoleGridWorker && len(p.Grids) == 0 {
		c.addf(p.Line, "grid worker %q is bound to no grid", p.Code)
	}
	for _, g := range p.Grids {
		if !c.known("grid", g) {
			c.addf(p.Line, "person %q names unknown grid %q", p.Code, g)
		}
	}
	ch := models.Channel(p.PreferredChannel)
	if ch == "" {
		ch = models.ChannelWeChat
	}
	if !ch.Valid() {
		c.addf(p.Line, "person %q: preferred_channel %q: want wechat or wecom", p.Code, p.PreferredChannel)
	} else if ch == models.ChannelWeCom && p.WeComUserID == "" {
		c.addf(p.Line, "person %q prefers wecom but has no wecom_userid", p.Code)
	}
	m := models.StaffMember{Person: models.Person{Code: p.Code, Name: p.Name, Phone: p.Phone, Role: role,
		TeamCode: teamCode, GridCodes: p.Grids, OpenID: p.OpenID, WeComUserID: p.WeComUserID, PreferredChannel: ch}}
	c.bindingCode(p, &m)
	return m
}

// codeRe is the form of an explicit binding code.
var codeRe = regexp.MustCompile(`^[2-9A-HJ-NP-Z]{6,16}$`)

// bindingCode checks the binding_code field: an explicit code or the word issue.
func (c *checker) bindingCode(p filePerson, m *models.StaffMember) {
	switch code := strings.ToUpper(p.BindingCode); {
	case p.BindingCode == "":
	case p.BindingCode == "issue":
		m.IssueCode = true
	case !codeRe.MatchString(code):
		c.addf(p.Line, "person %q: binding_code must be 6-16 characters of 2-9 and A-Z without I and O, or the word issue", p.Code)
	default:
		m.BindingCode = code
		c.define("binding code", code, p.Line)
	}
	if p.BindingCode != "" && p.OpenID != "" {
		c.addf(p.Line, "person %q has an openid already: a binding code is pointless", p.Code)
	}
}

// identities reports openids and WeCom user ids given to two people.
func (c *checker) identities(doc fileDoc) {
	var all []filePerson
	for _, t := range doc.Teams {
		all = append(all, t.Members...)
	}
	all = append(all, doc.People...)
	for _, p := range all {
		if p.OpenID != "" {
			c.define("openid", p.OpenID, p.Line)
		}
		if p.WeComUserID != "" {
			c.define("wecom_userid", p.WeComUserID, p.Line)
		}
	}
}
