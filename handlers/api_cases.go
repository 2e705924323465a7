package handlers

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"gridbot/models"
)

// The limits of a list page.
const (
	defaultListLimit = 50
	maxListLimit     = 500
	maxQueryRunes    = 100
)

// listCases serves GET /api/v1/cases: a page of the cases the caller may see that the filters
// select, newest first.
func (a *api) listCases(c *gin.Context) {
	p := caller(c)
	now := a.Now()
	f, err := caseFilter(c.Request.URL.Query(), now)
	if err != nil {
		writeError(c, a.Log, err)
		return
	}
	if !countyWide(p.Role) {
		f.Scope = &models.CaseScope{TeamCode: p.TeamCode, ReporterID: p.ID}
	}
	cases, total, err := a.Store.ListCases(c.Request.Context(), f)
	if err != nil {
		writeError(c, a.Log, err)
		return
	}
	out := caseListView{Cases: []caseView{}, Total: total, Limit: f.Limit, Offset: f.Offset}
	for _, cs := range cases {
		if a.Workflow.MaySee(p, cs) { // the store's scope mirrors MaySee; this keeps them honest
			out.Cases = append(out.Cases, a.view(p, cs, now))
		}
	}
	c.JSON(http.StatusOK, out)
}

// caseFilter reads the list's query parameters; an unknown parameter or a bad value is invalid.
func caseFilter(q url.Values, now time.Time) (models.CaseFilter, error) {
	f := models.CaseFilter{Limit: defaultListLimit, TownshipCode: q.Get("township"),
		DepartmentCode: q.Get("department"), MatterCode: q.Get("matter"), TeamCode: q.Get("team")}
	if err := knownParams(q, "state", "township", "department", "matter", "team", "overdue", "q", "limit", "offset"); err != nil {
		return f, err
	}
	var err error
	if f.States, err = states(q.Get("state")); err != nil {
		return f, err
	}
	switch q.Get("overdue") {
	case "", "false":
	case "true":
		f.OverdueAt = now
	default:
		return f, models.Errorf(models.EInvalid, "overdue is true or false")
	}
	if f.Text = strings.TrimSpace(q.Get("q")); utf8.RuneCountInString(f.Text) > maxQueryRunes {
		return f, models.Errorf(models.EInvalid, "q is at most %d characters", maxQueryRunes)
	}
	if f.Limit, err = intParam(q, "limit", defaultListLimit, 1, maxListLimit); err != nil {
		return f, err
	}
	f.Offset, err = intParam(q, "offset", 0, 0, 1<<30)
	return f, err
}

// knownParams refuses query parameters the endpoint does not know, so that a typo does not
// silently return everything.
func knownParams(q url.Values, known ...string) error {
	var unknown []string
	for k := range q {
		if !contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return models.Errorf(models.EInvalid, "unknown query parameter %s; known are %s",
			strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	return nil
}

// contains reports whether a list holds a string.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// states reads a comma-separated list of states.
func states(s string) ([]models.State, error) {
	if s == "" {
		return nil, nil
	}
	var out []models.State
	for _, part := range strings.Split(s, ",") {
		st := models.State(strings.TrimSpace(part))
		if !st.Valid() {
			return nil, models.Errorf(models.EInvalid, "unknown state %q", part)
		}
		out = append(out, st)
	}
	return out, nil
}

// intParam reads an integer parameter within bounds, or its default when absent.
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, models.Errorf(models.EInvalid, "%s is a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}

// caseDetail serves GET /api/v1/cases/{no}: the case, its history and its attachments.
func (a *api) caseDetail(c *gin.Context) {
	cs, err := a.visibleCase(c)
	if err != nil {
		writeError(c, a.Log, err)
		return
	}
	ctx, p := c.Request.Context(), caller(c)
	events, err := a.Store.Events(ctx, cs.ID)
	if err != nil {
		writeError(c, a.Log, err)
		return
	}
	atts, err := a.Store.Attachments(ctx, cs.ID)
	if err != nil {
		writeError(c, a.Log, err)
		return
	}
	out := caseDetailView{Case: a.view(p, cs, a.Now()), Events: a.eventViews(p, cs, events),
		Attachments: a.attachmentViews(atts)}
	if cs.MergedInto != 0 {
		if into, err := a.Store.CaseByID(ctx, cs.MergedInto); err == nil {
			out.Case.MergedInto = into.TrackingNo
		}
	}
	c.Header("ETag", etag(cs.Version))
	c.JSON(http.StatusOK, out)
}

// verifyCase serves GET /api/v1/cases/{no}/verify: whether the case's hash-chained history
// still holds, and the first broken link if it does not.
func (a *api) verifyCase(c *gin.Context) {
	cs, err := a.visibleCase(c)
	if err != nil {
		writeError(c, a.Log, err)
		return
	}
	events, err := a.Store.Events(c.Request.Context(), cs.ID)
	if err != nil {
		writeError(c, a.Log, err)
		return
	}
	broken := models.VerifyChain(events)
	if broken != 0 {
		a.Log.WarnContext(c.Request.Context(), "case history fails its hash chain",
			"tracking_no", cs.TrackingNo, "first_broken_seq", broken)
	}
	c.JSON(http.StatusOK, verifyView{TrackingNo: cs.TrackingNo, Events: len(events), Intact: broken == 0,
		FirstBrokenSeq: broken})
}
