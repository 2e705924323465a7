package handlers

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gridbot/models"
	"gridbot/workflow"
)

// APIStore is what the county platform's API reads of the database.
type APIStore interface {
	// PersonByToken returns the holder of a live API token; models.ENotFound for a wrong or
	// revoked one.
	PersonByToken(ctx context.Context, token string, now time.Time) (models.Person, error)
	// CaseByTrackingNo and CaseByID return a case; models.ENotFound if there is none.
	CaseByTrackingNo(ctx context.Context, no string) (models.Case, error)
	CaseByID(ctx context.Context, id int64) (models.Case, error)
	// ListCases returns a page of the cases a filter selects and how many it selects in all.
	ListCases(ctx context.Context, f models.CaseFilter) ([]models.Case, int64, error)
	// Events returns a case's history in order.
	Events(ctx context.Context, caseID int64) ([]models.Event, error)
	// Attachments returns a case's attachments.
	Attachments(ctx context.Context, caseID int64) ([]models.Attachment, error)
	// IntentsInState returns notification intents in a state, newest first.
	IntentsInState(ctx context.Context, state models.IntentState, limit int) ([]models.Intent, error)
	// CaseStats sums up the cases received since a time.
	CaseStats(ctx context.Context, since, unratedBefore, now time.Time) (models.Stats, error)
}

// APIWorkflow is the case workflow as the API uses it.
type APIWorkflow interface {
	// Act applies an action; models.Error codes for refusals (see workflow.Workflow.Act).
	Act(ctx context.Context, r workflow.Request) (models.Case, error)
	// MaySee reports whether a person may see a case at all.
	MaySee(p models.Person, c models.Case) bool
}

// APIDeps are what the county platform's API needs, built in cmd.
type APIDeps struct {
	Store    APIStore
	Workflow APIWorkflow
	Media    APIMedia // the bytes of attachments
	Log      *slog.Logger
	Location *time.Location   // for the times the API writes; UTC when nil
	Now      func() time.Time // time.Now when nil
	// UnratedAfterDays is how long a closed case waits for a rating before it counts as unrated.
	UnratedAfterDays int
}

// APIPrefix is where the county platform's API lives.
const APIPrefix = "/api/v1"

// api serves the county platform's JSON API.
type api struct {
	APIDeps
}

// RegisterAPI mounts the county platform's JSON API under /api/v1: every route needs a personal
// API token; roles and jurisdiction are checked on every call.
func RegisterAPI(r *gin.Engine, d APIDeps) {
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	a := &api{d}
	g := r.Group(APIPrefix, a.authenticate)
	g.GET("/cases", a.listCases)
	g.GET("/cases/:no", a.caseDetail)
	g.GET("/cases/:no/verify", a.verifyCase)
	g.GET("/cases/:no/attachments/:id", a.attachmentFile)
	g.GET("/stats", a.stats)
	g.GET("/notifications", a.notifications)
	for _, s := range apiActions() {
		g.POST("/cases/:no/"+s.path, a.act(s))
	}
}

// callerKey is where authenticate leaves the token's holder on the request.
const callerKey = "gridbot.api.caller"

// authenticate resolves the bearer token to a member of staff: 401 without a live token, 403
// for a holder whose role no longer may use the API.
func (a *api) authenticate(c *gin.Context) {
	token, ok := bearerToken(c.GetHeader("Authorization"))
	if !ok {
		a.unauthorized(c, models.Errorf(models.EUnauthorized, "missing API token: send Authorization: Bearer <token>"))
		return
	}
	p, err := a.Store.PersonByToken(c.Request.Context(), token, a.Now())
	if models.ErrorCodeOf(err) == models.ENotFound {
		err = models.WrapError(models.EUnauthorized, err, "invalid or revoked API token")
	}
	if err != nil {
		a.unauthorized(c, err)
		return
	}
	if !p.Role.MayHoldAPIToken() {
		writeError(c, a.Log, models.Errorf(models.EForbidden, "a %s may not use the API", p.Role))
		return
	}
	c.Set(callerKey, p)
	c.Next()
}

// unauthorized answers an authentication failure, asking for a bearer token when it is a 401.
func (a *api) unauthorized(c *gin.Context, err error) {
	if models.ErrorCodeOf(err) == models.EUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="gridbot"`)
	}
	writeError(c, a.Log, err)
}

// bearerToken reads "Bearer <token>" from an Authorization header.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// caller returns the person authenticate found.
func caller(c *gin.Context) models.Person {
	p, _ := c.MustGet(callerKey).(models.Person)
	return p
}

// countyWide reports whether a role reads every case of the county.
func countyWide(r models.Role) bool {
	return r == models.RolePlatformOperator || r == models.RoleSupervisor || r == models.RoleAdmin
}

// visibleCase loads a case the caller may see; one they may not see is not found, as if it
// did not exist.
func (a *api) visibleCase(c *gin.Context) (models.Case, error) {
	no := c.Param("no")
	cs, err := a.Store.CaseByTrackingNo(c.Request.Context(), no)
	if models.ErrorCodeOf(err) == models.ENotFound || (err == nil && !a.Workflow.MaySee(caller(c), cs)) {
		return models.Case{}, models.Errorf(models.ENotFound, "case %s not found", no)
	}
	return cs, err
}
