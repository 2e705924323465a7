package deployment

import (
	"fmt"

	"gridbot/models"
)

// The seed document's staffing rules (泉州 "5433": 四种力量).
const (
	MinTownshipTeam     = 7   // posts of a township comprehensive enforcement team, at least
	MinGrassrootsShare  = 0.8 // share of enforcement posts that sit in townships, at least
	legalReviewerRole   = models.RoleLegalReviewer
	enforcementPostNote = "officer, team_leader and legal_reviewer members"
)

// Warning is a staffing rule the deployment does not meet: reported, never refused.
type Warning struct {
	Message string
}

// Staffing checks the seed's staffing rules: every township team has at least 7 enforcement
// posts including a legal reviewer (法制审核员), every township has a team, and at least 80 % of
// enforcement posts sit in township teams.
func Staffing(d models.Deployment) []Warning {
	posts := map[string]int{}
	reviewers := map[string]int{}
	for _, m := range d.Staff {
		if m.Person.Role.EnforcementPost() {
			posts[m.Person.TeamCode]++
		}
		if m.Person.Role == legalReviewerRole {
			reviewers[m.Person.TeamCode]++
		}
	}
	var out []Warning
	var township, county int
	withTeam := map[string]bool{}
	for _, t := range d.Teams {
		switch t.Kind {
		case models.TeamTownship:
			township += posts[t.Code]
			withTeam[t.TownshipCode] = true
			out = append(out, teamWarnings(t, posts[t.Code], reviewers[t.Code])...)
		case models.TeamDepartment:
			county += posts[t.Code]
		}
	}
	for _, t := range d.Townships {
		if !withTeam[t.Code] {
			out = append(out, Warning{fmt.Sprintf("township %s (%s) has no comprehensive enforcement team (综合执法队)", t.Code, t.Name)})
		}
	}
	if total := township + county; total > 0 && float64(township) < MinGrassrootsShare*float64(total) {
		out = append(out, Warning{fmt.Sprintf("only %d of %d enforcement posts (%.0f%%) sit in township teams; the rule is at least %.0f%%",
			township, total, 100*float64(township)/float64(total), 100*MinGrassrootsShare)})
	}
	return out
}

// teamWarnings checks one township team's size and legal reviewer.
func teamWarnings(t models.Team, posts, reviewers int) []Warning {
	var out []Warning
	if posts < MinTownshipTeam {
		out = append(out, Warning{fmt.Sprintf("team %s (%s) has %d enforcement posts (%s); the rule is at least %d",
			t.Code, t.Name, posts, enforcementPostNote, MinTownshipTeam)})
	}
	if reviewers == 0 {
		out = append(out, Warning{fmt.Sprintf("team %s (%s) has no legal reviewer (法制审核员)", t.Code, t.Name)})
	}
	return out
}
