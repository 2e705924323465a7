package deployment

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"gridbot/models"
)

// Diff is what importing a deployment would do to what the store holds, kind by kind, in the
// order of the file (townships, villages, grids, departments, matters, delegations, teams, people).
type Diff struct {
	Kinds []KindDiff
	// Undelegated lists the matters the import would leave with no delegation at all (see Compare).
	Undelegated []Undelegated
}

// KindDiff is what an import would do to the rows of one kind, by code.
type KindDiff struct {
	Kind    string
	Added   []string // in the file, not in the store
	Changed []Change // in both, with fields that differ
	Removed []string // in the store, not in the file, and deleted by the import (delegations only)
	Kept    []string // in the store, not in the file, and left as they are (the import deletes no other kind)
	Same    int      // in both, unchanged
}

// Change is one row whose fields an import would change.
type Change struct {
	Code   string
	Fields []string
}

// Undelegated is a matter that had a delegation or a retaining agency in the store and would
// have neither after the import.
type Undelegated struct {
	Code, Name string
	InFile     bool     // false: the file no longer lists the matter; the store keeps it, without delegations
	Before     []string // the townships it was delegated to, or kept for, before the import
}

// Empty reports whether the import would change nothing.
func (d Diff) Empty() bool {
	for _, k := range d.Kinds {
		if len(k.Added)+len(k.Changed)+len(k.Removed) > 0 {
			return false
		}
	}
	return true
}

// Compare computes what importing next would do to current, the deployment the store holds.
// It follows the import's rules: rows are matched by code; delegations are replaced by the
// file's, so stored ones the file lacks are removed; rows of other kinds the file lacks are kept;
// a person's openid that the file leaves empty is kept. A matter is left with "no delegation at
// all" when, after the import, no township has it delegated (delegated: true, in force or not) and
// no township's record names an agency that keeps it (retained_by), although before the import
// one did. A matter that never had either (the sample's "stays with its county department
// everywhere") is not reported: the file says so on purpose.
func Compare(current, next models.Deployment) Diff {
	d := Diff{Kinds: []KindDiff{
		compareRows("townships", townshipRows(current.Townships), townshipRows(next.Townships), false),
		compareRows("villages", villageRows(current.Villages), villageRows(next.Villages), false),
		compareRows("grids", gridRows(current.Grids), gridRows(next.Grids), false),
		compareRows("departments", departmentRows(current.Departments), departmentRows(next.Departments), false),
		compareRows("matters", matterRows(current.Matters), matterRows(next.Matters), false),
		compareRows("delegations", delegationRows(current.Delegations), delegationRows(next.Delegations), true),
		compareRows("teams", teamRows(current.Teams), teamRows(next.Teams), false),
		compareRows("people", personRows(current.Staff), personRows(next.Staff), false),
	}}
	d.Undelegated = undelegated(current, next)
	return d
}

// row is one record reduced to its code and its fields as comparable text.
type row struct {
	code   string
	fields []field
}

// field is one compared value; keep means an empty new value leaves the stored one as it is.
type field struct {
	name, value string
	keep        bool
}

// compareRows matches rows by code; removes says whether the import deletes stored rows the file lacks.
func compareRows(kind string, current, next []row, removes bool) KindDiff {
	k := KindDiff{Kind: kind}
	stored := make(map[string]row, len(current))
	for _, r := range current {
		stored[r.code] = r
	}
	listed := make(map[string]bool, len(next))
	for _, r := range next {
		listed[r.code] = true
		old, ok := stored[r.code]
		switch changed := changedFields(old, r); {
		case !ok:
			k.Added = append(k.Added, r.code)
		case len(changed) > 0:
			k.Changed = append(k.Changed, Change{Code: r.code, Fields: changed})
		default:
			k.Same++
		}
	}
	for _, r := range current {
		switch {
		case listed[r.code]:
		case removes:
			k.Removed = append(k.Removed, r.code)
		default:
			k.Kept = append(k.Kept, r.code)
		}
	}
	sort.Strings(k.Added)
	sort.Slice(k.Changed, func(i, j int) bool { return k.Changed[i].Code < k.Changed[j].Code })
	sort.Strings(k.Removed)
	sort.Strings(k.Kept)
	return k
}

// changedFields names the fields of next that differ from old (rows of one kind list the same fields).
func changedFields(old, next row) []string {
	var out []string
	for i, f := range next.fields {
		if i >= len(old.fields) {
			break
		}
		if f.value != old.fields[i].value && !(f.keep && f.value == "") {
			out = append(out, f.name)
		}
	}
	return out
}

// townshipRows reduces townships to rows.
func townshipRows(ts []models.Township) []row {
	out := make([]row, len(ts))
	for i, t := range ts {
		out[i] = row{t.Code, []field{{name: "name", value: t.Name}}}
	}
	return out
}

// villageRows reduces villages to rows.
func villageRows(vs []models.Village) []row {
	out := make([]row, len(vs))
	for i, v := range vs {
		center := ""
		if v.Center != nil {
			center = strconv.FormatFloat(v.Center.Lat, 'f', -1, 64) + "," + strconv.FormatFloat(v.Center.Lng, 'f', -1, 64)
		}
		out[i] = row{v.Code, []field{{name: "name", value: v.Name}, {name: "township", value: v.TownshipCode},
			{name: "center", value: center}}}
	}
	return out
}

// gridRows reduces grids to rows; boundaries are compared as compacted JSON.
func gridRows(gs []models.Grid) []row {
	out := make([]row, len(gs))
	for i, g := range gs {
		out[i] = row{g.Code, []field{{name: "name", value: g.Name}, {name: "village", value: g.VillageCode},
			{name: "boundary", value: compactJSON(g.Boundary)}}}
	}
	return out
}

// compactJSON is raw without insignificant white space, or raw itself if it is not JSON.
func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// departmentRows reduces departments to rows.
func departmentRows(ds []models.Department) []row {
	out := make([]row, len(ds))
	for i, d := range ds {
		out[i] = row{d.Code, []field{{name: "name", value: d.Name}}}
	}
	return out
}

// matterRows reduces matters to rows.
func matterRows(ms []models.Matter) []row {
	out := make([]row, len(ms))
	for i, m := range ms {
		out[i] = row{m.Code, []field{{name: "name", value: m.Name}, {name: "department", value: m.DepartmentCode},
			{name: "keywords", value: list(m.Keywords)}, {name: "synonyms", value: list(m.Synonyms)},
			{name: "legal_basis", value: m.LegalBasis}, {name: "urgency", value: string(m.Urgency)},
			{name: "sign_limit", value: m.SignLimit.String()}, {name: "handle_limit", value: m.HandleLimit.String()}}}
	}
	return out
}

// delegationRows reduces delegations to rows coded MATTER/TOWNSHIP.
func delegationRows(ds []models.Delegation) []row {
	out := make([]row, len(ds))
	for i, d := range ds {
		effective := ""
		if !d.Effective.IsZero() {
			effective = d.Effective.UTC().Format(time.RFC3339)
		}
		out[i] = row{d.MatterCode + "/" + d.TownshipCode, []field{{name: "situation", value: string(d.Situation)},
			{name: "delegated", value: strconv.FormatBool(d.Delegated)}, {name: "batch", value: strconv.Itoa(d.Batch)},
			{name: "effective", value: effective}, {name: "retained_by", value: d.RetainedBy}}}
	}
	return out
}

// teamRows reduces teams to rows.
func teamRows(ts []models.Team) []row {
	out := make([]row, len(ts))
	for i, t := range ts {
		out[i] = row{t.Code, []field{{name: "name", value: t.Name}, {name: "kind", value: string(t.Kind)},
			{name: "township", value: t.TownshipCode}, {name: "department", value: t.DepartmentCode}}}
	}
	return out
}

// personRows reduces staff to rows; an openid the file leaves empty keeps the stored binding.
func personRows(staff []models.StaffMember) []row {
	out := make([]row, len(staff))
	for i, m := range staff {
		p := m.Person
		channel := p.PreferredChannel
		if channel == "" {
			channel = models.ChannelWeChat
		}
		out[i] = row{p.Code, []field{{name: "name", value: p.Name}, {name: "phone", value: p.Phone},
			{name: "role", value: string(p.Role)}, {name: "team", value: p.TeamCode}, {name: "grids", value: list(p.GridCodes)},
			{name: "openid", value: p.OpenID, keep: true}, {name: "wecom_userid", value: p.WeComUserID},
			{name: "preferred_channel", value: string(channel)}}}
	}
	return out
}

// list joins a list for comparison; nil and empty are the same.
func list(xs []string) string {
	return strings.Join(xs, "\x00")
}

// undelegated finds the matters that had a delegation or a retaining agency before the import
// and would have neither after it (the file's delegations replace the stored ones).
func undelegated(current, next models.Deployment) []Undelegated {
	before := coveredTownships(current.Delegations)
	after := coveredTownships(next.Delegations)
	inFile := map[string]bool{}
	for _, m := range next.Matters {
		inFile[m.Code] = true
	}
	names := map[string]string{}
	for _, m := range append(append([]models.Matter(nil), current.Matters...), next.Matters...) {
		names[m.Code] = m.Name
	}
	var out []Undelegated
	for code, townships := range before {
		if len(after[code]) > 0 {
			continue
		}
		sort.Strings(townships)
		out = append(out, Undelegated{Code: code, Name: names[code], InFile: inFile[code], Before: townships})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// coveredTownships lists, per matter, the townships whose record delegates it or names an agency that keeps it.
func coveredTownships(ds []models.Delegation) map[string][]string {
	out := map[string][]string{}
	for _, d := range ds {
		if d.Delegated || d.RetainedBy != "" {
			out[d.MatterCode] = append(out[d.MatterCode], d.TownshipCode)
		}
	}
	return out
}
