package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridbot/blob"
	"gridbot/deployment"
	"gridbot/examples"
	"gridbot/handlers"
	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
	"gridbot/workcal"
	"gridbot/workflow"
)

var ctx = context.Background()

// apiMaxBody is the body limit of the test server.
const apiMaxBody = 4096

// fixture is the API over a real database holding the sample county 晋江市, with a token for
// each of the people the tests act as.
type fixture struct {
	t       *testing.T
	store   *store.Store
	media   *blob.Dir
	wf      *workflow.Workflow
	url     string
	shift   atomic.Int64 // how far the workflow's clock is behind the real one
	tokens  map[string]string
	people  map[string]models.Person
	citizen models.Person
	revoked string // a token of the second operator, revoked
}

// The people tests act as, by their code in the sample county.
const (
	operator        = "p-platform-01"
	supervisor      = "p-platform-03"
	admin           = "p-platform-04"
	anhaiLeader     = "p-anhai-01"
	anhaiReviewer   = "p-anhai-02"
	anhaiOfficer    = "p-anhai-03"
	cizaoOfficer    = "p-cizao-03"
	cizaoReviewer   = "p-cizao-02"
	secondOperator  = "p-platform-02"
	departmentStaff = "p-cgj-01"
)

// eachAPI runs fn on a fresh API over SQLite and over MariaDB.
func eachAPI(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, s *store.Store) { fn(t, newFixture(t, s)) })
}

// newFixture imports the sample county, builds the workflow and the engine as cmd does, and
// issues the tokens.
func newFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	d, err := deployment.Parse(bytes.NewReader(examples.SampleCounty()), examples.SampleCountyName, loc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportDeployment(ctx, d, time.Now(), time.Hour); err != nil {
		t.Fatal(err)
	}
	county, err := workflow.LoadCounty(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := workcal.New(workcal.Config{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, store: s, tokens: map[string]string{}, people: map[string]models.Person{}}
	now := func() time.Time { return time.Now().Add(-time.Duration(f.shift.Load())) }
	f.wf = workflow.New(s, loc, now, cal, func() workflow.County { return county }, nil)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine := handlers.New(handlers.Deps{Log: log, Registry: prometheus.NewRegistry(), MaxBodyBytes: apiMaxBody})
	if f.media, err = blob.NewDir(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	handlers.RegisterAPI(engine, handlers.APIDeps{Store: s, Workflow: f.wf, Media: f.media, Log: log, Location: loc})
	srv := httptest.NewServer(engine)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	for _, code := range []string{operator, supervisor, admin, anhaiLeader, anhaiReviewer, anhaiOfficer, cizaoOfficer,
		cizaoReviewer, secondOperator, departmentStaff} {
		p, err := s.PersonByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		f.people[code] = p
		if f.tokens[code], err = s.IssueToken(ctx, p.ID, "test", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	f.revoked = f.tokens[secondOperator]
	if _, err := s.RevokeTokens(ctx, f.people[secondOperator].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if f.citizen, err = s.CreatePerson(ctx, models.Person{Role: models.RoleCitizen, OpenID: "oCitizen_api", Name: "市民"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// draft is a case a citizen files.
type draft struct {
	matter       string
	township     string
	text         string
	confidential bool
	attachments  []int64
	phone        string // the reporter's contact phone
}

// submit files a case through the workflow, which routes it (a team, or triage).
func (f *fixture) submit(d draft) models.Case {
	f.t.Helper()
	if d.text == "" {
		d.text = "楼下天天有人摆摊卖菜，路都堵死了"
	}
	kind := models.KindComplaint
	if d.confidential {
		kind = models.KindTip
	}
	c, err := f.wf.Submit(ctx, models.NewCase{Kind: kind, Source: models.SourceCitizen, Description: d.text,
		Location: models.Location{TownshipCode: d.township, Address: "安平路12号"}, MatterCode: d.matter,
		Confidential: d.confidential, ReporterID: f.citizen.ID, AttachmentIDs: d.attachments, ContactPhone: d.phone})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// dispatched files a case of 违法占道经营 in 安海镇: routing gives it to team-anhai.
func (f *fixture) dispatched() models.Case {
	f.t.Helper()
	c := f.submit(draft{matter: "CG-001", township: "anhai"})
	if c.State != models.StateDispatched || c.TeamCode != "team-anhai" {
		f.t.Fatalf("routing did not dispatch to team-anhai: %+v", c)
	}
	return c
}

// dispatchedIn files a case of a delegated matter in a township: it goes to the township's team.
func (f *fixture) dispatchedIn(township string) models.Case {
	f.t.Helper()
	c := f.submit(draft{matter: "CG-001", township: township})
	if c.State != models.StateDispatched || c.TeamCode != "team-"+township {
		f.t.Fatalf("routing did not dispatch to team-%s: %+v", township, c)
	}
	return c
}

// triaged files a case of no known matter: it waits for triage.
func (f *fixture) triaged() models.Case {
	f.t.Helper()
	c := f.submit(draft{township: "anhai", text: "不知道该谁管的问题"})
	if c.State != models.StateTriage {
		f.t.Fatalf("case not in triage: %+v", c)
	}
	return c
}

// act applies an action through the workflow as one of the test's people (or a reporter).
func (f *fixture) act(code string, c models.Case, r workflow.Request) models.Case {
	f.t.Helper()
	r.Actor, r.TrackingNo = f.people[code], c.TrackingNo
	out, err := f.wf.Act(ctx, r)
	if err != nil {
		f.t.Fatalf("%s %s: %v", code, r.Action, err)
	}
	return out
}

// returned is a dispatched case the team returned n times (the platform re-dispatching between).
func (f *fixture) returned(n int) models.Case {
	f.t.Helper()
	c := f.dispatched()
	for i := 0; i < n; i++ {
		if i > 0 {
			c = f.act(operator, c, workflow.Request{Action: models.ActionDispatch, TeamCode: "team-anhai"})
		}
		c = f.act(anhaiOfficer, c, workflow.Request{Action: models.ActionReturn, Note: "不属于本队职责"})
	}
	return c
}

// extensionAsked is a signed case whose officer asked for 3 more working days.
func (f *fixture) extensionAsked() models.Case {
	f.t.Helper()
	c := f.act(anhaiOfficer, f.dispatched(), workflow.Request{Action: models.ActionSign})
	return f.act(anhaiOfficer, c, workflow.Request{Action: models.ActionRequestExtension, Days: 3, Note: "需要联合执法"})
}

// answer is an API response: status, headers and decoded JSON body.
type answer struct {
	status int
	header http.Header
	body   map[string]any
}

// errorCode returns the error code of an error answer.
func (a answer) errorCode() string {
	e, _ := a.body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// call sends a request with an Authorization header (none when auth is "") and extra headers.
func (f *fixture) call(method, path, auth, body string, headers ...string) answer {
	f.t.Helper()
	req, err := http.NewRequest(method, f.url+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	if err := json.NewDecoder(resp.Body).Decode(&a.body); err != nil {
		f.t.Fatalf("%s %s: %d, body not JSON: %v", method, path, resp.StatusCode, err)
	}
	return a
}

// as calls as one of the test's people.
func (f *fixture) as(code, method, path, body string, headers ...string) answer {
	f.t.Helper()
	return f.call(method, path, "Bearer "+f.tokens[code], body, headers...)
}

// caseOf reads the case object of an answer (detail or action).
func caseOf(a answer) map[string]any {
	if c, ok := a.body["case"].(map[string]any); ok {
		return c
	}
	return a.body
}

// endpoint is one route of the API with a body that would be valid for it.
type endpoint struct {
	method, path, body string
	action             bool
	leaders            bool // team leaders may call it too (deciding a request)
}

// endpoints lists every route of the API for a case's tracking number.
func endpoints(no string) []endpoint {
	p := "/api/v1/cases/" + no
	return []endpoint{
		{"GET", "/api/v1/cases", "", false, false},
		{"GET", p, "", false, false},
		{"GET", p + "/verify", "", false, false},
		{"POST", p + "/triage", `{"matter_code":"CG-001"}`, true, false},
		{"POST", p + "/dispatch", `{"team_code":"team-anhai"}`, true, false},
		{"POST", p + "/reassign", `{"team_code":"team-cizao"}`, true, false},
		{"POST", p + "/reject", `{"reason":"不属于执法事项"}`, true, false},
		{"POST", p + "/merge", `{"into":"00000000000"}`, true, false},
		{"POST", p + "/extension/approve", `{}`, true, false},
		{"POST", p + "/extension/refuse", `{"note":"理由不足"}`, true, false},
		{"POST", p + "/park", `{"reason":"等待规划部门认定"}`, true, false},
		{"POST", p + "/final-ruling", `{"team_code":"team-anhai"}`, true, false},
		{"POST", p + "/transfer/accept", `{}`, true, true},
		{"POST", p + "/transfer/refuse", `{"reason":"不属本局"}`, true, true},
		{"POST", p + "/joint/accept", `{"note":"明天到场"}`, true, true},
		{"POST", p + "/joint/refuse", `{"reason":"人手不足"}`, true, true},
	}
}

// TestAPIRefusals proves for every endpoint: 401 without a live token, 404 for a case outside the
// caller's jurisdiction (as for one that does not exist), 403 for a role that may not act; and
// that the refusals changed nothing.
func TestAPIRefusals(t *testing.T) {
	eachAPI(t, func(t *testing.T, f *fixture) {
		c := f.dispatched()
		callers := []struct {
			name   string
			auth   string
			who    string // a person code when auth is their token
			read   int    // the status of the GET endpoints on c
			act    int    // the status of the POST endpoints on c
			unseen bool   // the endpoint is about c: a caller who may not see it gets 404
			decide int    // the status of the POST endpoints open to team leaders, when not act
		}{
			{name: "no token", read: 401, act: 401},
			{name: "not a bearer token", auth: "Basic dXNlcjpwYXNz", read: 401, act: 401},
			{name: "empty bearer", auth: "Bearer ", read: 401, act: 401},
			{name: "wrong token", auth: "Bearer gbt_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", read: 401, act: 401},
			{name: "token without the prefix", auth: "Bearer " + strings.TrimPrefix(f.tokens[operator], "gbt_"), read: 401, act: 401},
			{name: "revoked token", auth: "Bearer " + f.revoked, read: 401, act: 401},
			{name: "officer of another team", who: cizaoOfficer, read: 404, act: 404, unseen: true},
			{name: "legal reviewer of another team", who: cizaoReviewer, read: 404, act: 404, unseen: true},
			{name: "officer of a county department", who: departmentStaff, read: 404, act: 404, unseen: true},
			{name: "supervisor", who: supervisor, read: 200, act: 403},
			{name: "admin", who: admin, read: 200, act: 403},
			{name: "officer of the case's team", who: anhaiOfficer, read: 200, act: 403},
			// The case's own leader passes the role check; no request waits for them to decide.
			{name: "leader of the case's team", who: anhaiLeader, read: 200, act: 403, decide: 409},
			{name: "legal reviewer of the case's team", who: anhaiReviewer, read: 200, act: 403},
		}
		for _, cl := range callers {
			auth := cl.auth
			if cl.who != "" {
				auth = "Bearer " + f.tokens[cl.who]
			}
			for _, e := range endpoints(c.TrackingNo) {
				t.Run(cl.name+" "+e.method+" "+e.path, func(t *testing.T) {
					want := cl.read
					if e.action {
						want = cl.act
					}
					if e.leaders && cl.decide != 0 {
						want = cl.decide
					}
					if e.path == "/api/v1/cases" && cl.unseen {
						want = 200 // the list answers; the case is not in it (see TestAPIListScope)
					}
					a := f.call(e.method, e.path, auth, e.body)
					if a.status != want {
						t.Fatalf("status %d, want %d: %v", a.status, want, a.body)
					}
					if want >= 400 && a.errorCode() != map[int]string{401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict"}[want] {
						t.Fatalf("error body %v", a.body)
					}
					if want == 401 && a.header.Get("WWW-Authenticate") == "" {
						t.Fatal("401 without WWW-Authenticate")
					}
				})
			}
		}
		t.Run("a missing case is 404 for the operator too", func(t *testing.T) {
			for _, e := range endpoints("99999999999")[1:] {
				if a := f.as(operator, e.method, e.path, e.body); a.status != 404 || a.errorCode() != "not_found" {
					t.Errorf("%s %s = %d %v", e.method, e.path, a.status, a.body)
				}
			}
		})
		t.Run("an unseen case answers exactly as a missing one", func(t *testing.T) {
			unseen := f.as(cizaoOfficer, "GET", "/api/v1/cases/"+c.TrackingNo, "")
			missing := f.as(cizaoOfficer, "GET", "/api/v1/cases/99999999999", "")
			msg := func(a answer) string { return a.body["error"].(map[string]any)["message"].(string) }
			if strings.Replace(msg(unseen), c.TrackingNo, "N", 1) != strings.Replace(msg(missing), "99999999999", "N", 1) {
				t.Errorf("unseen %q, missing %q", msg(unseen), msg(missing))
			}
		})
		after, err := f.store.CaseByTrackingNo(ctx, c.TrackingNo)
		if err != nil || after.Version != c.Version || after.State != models.StateDispatched {
			t.Fatalf("refused calls changed the case: %+v, %v", after, err)
		}
	})
}
