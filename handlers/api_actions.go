package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"gridbot/models"
	"gridbot/workflow"
)

// actionBody is the JSON body of an action endpoint: it fills the workflow request.
type actionBody interface {
	fill(r *workflow.Request) error
	version() int64
}

// actionSpec is one POST endpoint under /api/v1/cases/{no}/ that applies a platform action.
type actionSpec struct {
	path   string
	action models.Action
	body   func() actionBody
	states []models.State // when set, the case must be in one of these (else 409)
	// leaders: team leaders may call it too (deciding a request their team was asked; the
	// workflow checks which).
	leaders bool
}

// apiActions lists the platform's action endpoints.
func apiActions() []actionSpec {
	team := func() actionBody { return &teamBody{} }
	reason := func() actionBody { return &reasonBody{} }
	note := func() actionBody { return &noteBody{} }
	return []actionSpec{
		{"triage", models.ActionDispatch, func() actionBody { return &triageBody{} },
			[]models.State{models.StateTriage}, false},
		{"dispatch", models.ActionDispatch, team, nil, false},
		{"reassign", models.ActionReassign, team, nil, false},
		{"reject", models.ActionReject, reason, nil, false},
		{"merge", models.ActionMerge, func() actionBody { return &mergeBody{} }, nil, false},
		{"extension/approve", models.ActionApproveExtension, note, nil, false},
		{"extension/refuse", models.ActionRefuseExtension, note, nil, false},
		{"park", models.ActionPark, reason, nil, false},
		{"final-ruling", models.ActionFinalRuling, team, nil, false},
		{"transfer/accept", models.ActionAcceptTransfer, func() actionBody { return &decisionBody{} }, nil, true},
		{"transfer/refuse", models.ActionRefuseTransfer, func() actionBody { return &refusalBody{} }, nil, true},
		{"joint/accept", models.ActionAcceptJoint, func() actionBody { return &decisionBody{} }, nil, true},
		{"joint/refuse", models.ActionRefuseJoint, func() actionBody { return &refusalBody{} }, nil, true},
	}
}

// versioned is the optional optimistic lock every body may carry.
type versioned struct {
	Version int64 `json:"version,omitempty"`
}

// version returns the version the caller expects the case to be at (0: any).
func (v versioned) version() int64 { return v.Version }

// triageBody classifies a case waiting for triage and dispatches it: to the team named, or
// where routing sends the case's (new) matter.
type triageBody struct {
	versioned
	MatterCode string `json:"matter_code"`
	TeamCode   string `json:"team_code"`
	Note       string `json:"note"`
}

// fill sets the matter and the team.
func (b *triageBody) fill(r *workflow.Request) error {
	r.MatterCode, r.TeamCode, r.Note = strings.TrimSpace(b.MatterCode), strings.TrimSpace(b.TeamCode), b.Note
	return nil
}

// teamBody names the team that gets a case (dispatch, reassign, final ruling).
type teamBody struct {
	versioned
	TeamCode string `json:"team_code"`
	Note     string `json:"note"`
}

// fill requires the team.
func (b *teamBody) fill(r *workflow.Request) error {
	if r.TeamCode = strings.TrimSpace(b.TeamCode); r.TeamCode == "" {
		return models.Errorf(models.EInvalid, "team_code is required")
	}
	r.Note = b.Note
	return nil
}

// reasonBody gives the reason of a rejection or of parking.
type reasonBody struct {
	versioned
	Reason string `json:"reason"`
}

// fill requires the reason.
func (b *reasonBody) fill(r *workflow.Request) error {
	if r.Note = strings.TrimSpace(b.Reason); r.Note == "" {
		return models.Errorf(models.EInvalid, "reason is required")
	}
	return nil
}

// mergeBody names the case a duplicate merges into, and why (required across townships).
type mergeBody struct {
	versioned
	Into   string `json:"into"`
	Reason string `json:"reason"`
}

// fill requires the case that stays.
func (b *mergeBody) fill(r *workflow.Request) error {
	if r.MergeInto = strings.TrimSpace(b.Into); r.MergeInto == "" {
		return models.Errorf(models.EInvalid, "into is required: the tracking number of the case that stays")
	}
	r.Note = b.Reason
	return nil
}

// noteBody carries an optional remark (extension decisions).
type noteBody struct {
	versioned
	Note string `json:"note"`
}

// fill sets the remark.
func (b *noteBody) fill(r *workflow.Request) error {
	r.Note = b.Note
	return nil
}

// act serves one action endpoint. The checks run in this order: token (401), a case the caller
// may see (404), a role that may act (403), the body (400), then the workflow's own rules.
func (a *api) act(s actionSpec) gin.HandlerFunc {
	return func(c *gin.Context) {
		cs, err := a.visibleCase(c)
		if err == nil {
			err = mayAct(caller(c), s)
		}
		if err != nil {
			writeError(c, a.Log, err)
			return
		}
		r, err := a.actionRequest(c, s, cs)
		if err != nil {
			writeError(c, a.Log, err)
			return
		}
		done, err := a.Workflow.Act(c.Request.Context(), r)
		if err != nil {
			writeError(c, a.Log, err)
			return
		}
		c.Header("ETag", etag(done.Version))
		c.JSON(http.StatusOK, a.view(caller(c), done, a.Now()))
	}
}

// mayAct allows the platform's operators, and team leaders where the action lets them decide a
// request: the others act from WeChat or only read.
func mayAct(p models.Person, s actionSpec) error {
	if p.Role != models.RolePlatformOperator && !(s.leaders && p.Role == models.RoleTeamLeader) {
		return models.Errorf(models.EForbidden, "only platform operators act through the API; a %s may only read", p.Role)
	}
	return nil
}

// actionRequest builds the workflow request from the body, the If-Match header and the case.
func (a *api) actionRequest(c *gin.Context, s actionSpec, cs models.Case) (workflow.Request, error) {
	r := workflow.Request{Action: s.action, Actor: caller(c), TrackingNo: cs.TrackingNo}
	b := s.body()
	if err := decodeBody(c.Request, b); err != nil {
		return r, err
	}
	if err := b.fill(&r); err != nil {
		return r, err
	}
	var err error
	if r.Version, err = expectedVersion(c.GetHeader("If-Match"), b.version()); err != nil {
		return r, err
	}
	if len(s.states) > 0 && !containsState(s.states, cs.State) {
		return r, models.Errorf(models.EConflict, "case %s is %s (%s), not waiting for %s", cs.TrackingNo,
			cs.State, cs.State.Chinese(), s.path)
	}
	return r, nil
}

// decodeBody reads a JSON object into v: an empty body is an empty object; unknown fields,
// trailing data and bad JSON are invalid, an oversize body too large.
func decodeBody(req *http.Request, v any) error {
	raw, err := io.ReadAll(req.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return models.Errorf(models.ETooLarge, "request body over %d bytes", tooBig.Limit)
	}
	if err != nil {
		return models.WrapError(models.EInvalid, err, "cannot read the request body")
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return models.WrapError(models.EInvalid, err, "bad JSON body: %s", jsonProblem(err))
	}
	if dec.More() {
		return models.Errorf(models.EInvalid, "bad JSON body: data after the object")
	}
	return nil
}

// jsonProblem says what is wrong with a body without echoing Go types.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return "field " + typeErr.Field + " has the wrong type"
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		return "unknown field " + strings.TrimPrefix(msg, "json: unknown field ")
	}
	return "not a JSON object"
}

// expectedVersion reads the optimistic lock from If-Match ("3", W/"3" or 3) or the body's
// version; both given must agree.
func expectedVersion(ifMatch string, body int64) (int64, error) {
	ifMatch = strings.TrimSpace(ifMatch)
	if body < 0 {
		return 0, models.Errorf(models.EInvalid, "version is a case version, 1 or more")
	}
	if ifMatch == "" || ifMatch == "*" {
		return body, nil
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(ifMatch, "W/"), `"`), 10, 64)
	if err != nil || v < 1 {
		return 0, models.Errorf(models.EInvalid, "If-Match is a case version, like \"3\"")
	}
	if body != 0 && body != v {
		return 0, models.Errorf(models.EInvalid, "If-Match %d and version %d disagree", v, body)
	}
	return v, nil
}

// containsState reports whether a list holds a state.
func containsState(list []models.State, s models.State) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
