package handlers

import (
	"strings"

	"gridbot/models"
	"gridbot/workflow"
)

// decisionBody accepts a transfer or joint enforcement request: for the platform, optionally the
// team it decides for (a team asked; any receiving team when none was), with a remark.
type decisionBody struct {
	versioned
	TeamCode string `json:"team_code"`
	Note     string `json:"note"`
}

// fill sets the team and the remark.
func (b *decisionBody) fill(r *workflow.Request) error {
	r.TeamCode, r.Note = strings.TrimSpace(b.TeamCode), b.Note
	return nil
}

// refusalBody refuses a transfer or joint enforcement request with a reason, optionally for one
// team asked.
type refusalBody struct {
	versioned
	TeamCode string `json:"team_code"`
	Reason   string `json:"reason"`
}

// fill requires the reason.
func (b *refusalBody) fill(r *workflow.Request) error {
	if r.Note = strings.TrimSpace(b.Reason); r.Note == "" {
		return models.Errorf(models.EInvalid, "reason is required")
	}
	r.TeamCode = strings.TrimSpace(b.TeamCode)
	return nil
}

// requestView is a transfer or joint enforcement request waiting for a decision.
type requestView struct {
	Kind      models.Action `json:"kind"`
	KindName  string        `json:"kind_name"`
	Teams     []string      `json:"teams"`
	FromTeam  string        `json:"from_team"`
	FromState models.State  `json:"from_state"`
}

// pendingView converts a case's pending request, nil for none.
func pendingView(p models.PendingRequest) *requestView {
	if !p.Open() {
		return nil
	}
	teams := p.Teams
	if teams == nil {
		teams = []string{}
	}
	return &requestView{Kind: p.Kind, KindName: p.Kind.Chinese(), Teams: teams, FromTeam: p.FromTeam, FromState: p.FromState}
}
