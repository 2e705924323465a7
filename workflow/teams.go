package workflow

import (
	"strings"
	"unicode"

	"gridbot/models"
)

// ResolveTeam finds the team a person means by a department's, a township's or a team's name
// as they write it ("市场监管", "市场监督管理局", "安海镇", "城管执法队", a team code): a receiving
// team of a transfer or a joint request. It reports false when no team matches, or several
// match equally well.
func (w *Workflow) ResolveTeam(text string) (models.Team, bool) { return w.county().ResolveTeam(text) }

// ResolveTeams resolves each part of a text that names teams separated by spaces, 、 or commas
// ("市场监管 生态环境"): the teams found, each once, and the parts that named none.
func (w *Workflow) ResolveTeams(text string) ([]models.Team, []string) {
	return w.county().ResolveTeams(text)
}

// ResolveTeams resolves each part of a text that names teams, as Workflow.ResolveTeams does.
func (county County) ResolveTeams(text string) ([]models.Team, []string) {
	var found []models.Team
	var unknown []string
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(text, teamSeparator) {
		t, ok := county.ResolveTeam(part)
		switch {
		case !ok:
			unknown = append(unknown, part)
		case !seen[t.Code]:
			seen[t.Code] = true
			found = append(found, t)
		}
	}
	return found, unknown
}

// teamSeparator reports whether a rune separates the names of several teams.
func teamSeparator(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("、，,；;/", r)
}

// ResolveTeam finds the team a text names, as Workflow.ResolveTeam does: an exact name or code
// beats a name that contains the text, which beats one that has the text's characters in order
// ("市场监管" in 市场监督管理局); within the best of these the match must be unique. The
// platform is never a receiving team.
func (county County) ResolveTeam(text string) (models.Team, bool) {
	q := teamQuery(text)
	if len(q.full) == 0 {
		return models.Team{}, false
	}
	var best []models.Team
	bestScore := 0
	for _, t := range county.Teams {
		if t.Kind == models.TeamPlatform {
			continue
		}
		score := 0
		for _, name := range county.callNames(t) {
			score = max(score, q.match(name))
		}
		switch {
		case score == 0 || score < bestScore:
		case score > bestScore:
			best, bestScore = []models.Team{t}, score
		default:
			best = append(best, t)
		}
	}
	if len(best) != 1 {
		return models.Team{}, false
	}
	return best[0], true
}

// callNames lists what a team may be called by: its name and code, and its department's or its
// township's name and code.
func (county County) callNames(t models.Team) []string {
	names := []string{t.Name, t.Code}
	if d, ok := county.Departments[t.DepartmentCode]; ok && t.Kind == models.TeamDepartment {
		names = append(names, d.Name, d.Code)
	}
	if ts, ok := county.Townships[t.TownshipCode]; ok && t.Kind == models.TeamTownship {
		names = append(names, ts.Name, ts.Code)
	}
	return names
}

// How well a query matches a name.
const (
	matchInOrder  = 1 // the name has the query's characters in order
	matchContains = 2 // the name contains the query
	matchExact    = 3 // the name, or its core, is the query
)

// query is a text naming a team, normalised: as written, and its core without the generic
// words that end names (局, 执法大队…) and with common short forms spelt out (环保 → 生态环境).
type query struct {
	full, core []rune
}

// teamQuery normalises a text naming a team.
func teamQuery(text string) query {
	full := normalName(text)
	core := full
	for _, a := range teamAliases() {
		core = strings.ReplaceAll(core, a[0], a[1])
	}
	return query{full: []rune(full), core: []rune(withoutSuffixes(core))}
}

// match scores how well the query names a name (0: not at all). A core of one character
// ("局" was all) matches only exactly.
func (q query) match(name string) int {
	n := normalName(name)
	full, core := string(q.full), string(q.core)
	switch {
	case n == full || core == withoutSuffixes(n) || core == withoutSuffixes(withoutCity(n)):
		return matchExact
	case len(q.core) < 2:
		return 0
	case strings.Contains(n, core):
		return matchContains
	case inOrder(q.core, []rune(n)):
		return matchInOrder
	}
	return 0
}

// inOrder reports whether every rune of q appears in s, in order.
func inOrder(q, s []rune) bool {
	i := 0
	for _, r := range s {
		if i < len(q) && r == q[i] {
			i++
		}
	}
	return i == len(q)
}

// normalName folds full-width characters, lowercases ASCII and drops spaces, punctuation and
// symbols.
func normalName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\u3000':
			continue
		case r >= '\uff01' && r <= '\uff5e':
			r -= 0xfee0
		}
		if unicode.IsSpace(r) || unicode.IsPunct(r) && r != '-' || unicode.IsSymbol(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// withoutCity strips a leading city or county from a formal name: "晋江市", "泉州市" (the second
// 市 of "晋江市市场监督管理局" is the name's own).
func withoutCity(s string) string {
	r := []rune(s)
	for _, n := range []int{2, 3} {
		if len(r) > n+1 && strings.ContainsRune("市县区", r[n]) {
			return string(r[n+1:])
		}
	}
	return s
}

// withoutSuffixes strips the generic words that end the names of offices and teams ("执法稽查大队",
// "局"), repeatedly; a text that is nothing but such a word stays as it is.
func withoutSuffixes(s string) string {
	for changed := true; changed; {
		changed = false
		for _, suf := range teamSuffixes() {
			if strings.HasSuffix(s, suf) && len(s) > len(suf) {
				s, changed = strings.TrimSuffix(s, suf), true
			}
		}
	}
	return s
}

// teamSuffixes are the generic words that end the names of offices and teams, longest first.
func teamSuffixes() []string {
	return []string{"综合行政执法大队", "综合执法大队", "执法稽查大队", "执法监察大队", "综合执法队", "执法大队",
		"执法中队", "监察大队", "执法队", "大队", "中队", "支队", "分局", "执法", "部门", "局", "队"}
}

// teamAliases are common short forms whose characters are not in the formal name in order.
func teamAliases() [][2]string {
	return [][2]string{{"环保", "生态环境"}, {"国土", "自然资源"}, {"市监", "市场监督"}}
}
