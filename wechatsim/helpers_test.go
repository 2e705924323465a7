package wechatsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock shared by an API and its phones.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 3, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// apiFixture is a fake WeChat API on a test server with a fake clock.
type apiFixture struct {
	t     *testing.T
	api   *API
	srv   *httptest.Server
	clock *fakeClock
}

func testAPIConfig(clock *fakeClock) APIConfig {
	return APIConfig{AppID: "wxsandbox0000001", AppSecret: "s3cret", CorpID: "wwsandbox0000001", CorpSecret: "corps3cret",
		AgentID: "1000002", Now: clock.Now}
}

func newAPIFixture(t *testing.T) *apiFixture {
	t.Helper()
	return newAPIFixtureWith(t, newClock(), func(*APIConfig) {})
}

// newAPIFixtureWith is newAPIFixture on clock with the config changed by edit.
func newAPIFixtureWith(t *testing.T, clock *fakeClock, edit func(*APIConfig)) *apiFixture {
	t.Helper()
	cfg := testAPIConfig(clock)
	edit(&cfg)
	api := NewAPI(cfg)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return &apiFixture{t: t, api: api, srv: srv, clock: clock}
}

// do makes a request and decodes a JSON answer.
func (f *apiFixture) do(method, path string, q url.Values, body string) map[string]any {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path+"?"+q.Encode(), strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		f.t.Fatalf("%s %s: status %d, body %q is not JSON", method, path, resp.StatusCode, raw)
	}
	return out
}

func (f *apiFixture) get(path string, q url.Values) map[string]any {
	f.t.Helper()
	return f.do(http.MethodGet, path, q, "")
}

func (f *apiFixture) post(path string, q url.Values, body string) map[string]any {
	f.t.Helper()
	return f.do(http.MethodPost, path, q, body)
}

// token fetches an Official Account token with /cgi-bin/token.
func (f *apiFixture) token() string {
	f.t.Helper()
	m := f.get("/cgi-bin/token", url.Values{"grant_type": {"client_credential"}, "appid": {"wxsandbox0000001"}, "secret": {"s3cret"}})
	tok, _ := m["access_token"].(string)
	if tok == "" {
		f.t.Fatalf("token: %v", m)
	}
	return tok
}

// workToken fetches a WeCom token.
func (f *apiFixture) workToken() string {
	f.t.Helper()
	m := f.get("/cgi-bin/gettoken", url.Values{"corpid": {"wwsandbox0000001"}, "corpsecret": {"corps3cret"}})
	tok, _ := m["access_token"].(string)
	if tok == "" {
		f.t.Fatalf("gettoken: %v", m)
	}
	return tok
}

// probe calls an endpoint that needs only a valid Official Account token and returns its errcode.
func (f *apiFixture) probe(tok string) int {
	f.t.Helper()
	return errcode(f.get("/cgi-bin/menu/get", url.Values{"access_token": {tok}}))
}

// errcode reads errcode from a JSON answer; absent means 0.
func errcode(m map[string]any) int {
	v, _ := m["errcode"].(float64)
	return int(v)
}

// tq is a query with just an access token.
func tq(tok string) url.Values {
	return url.Values{"access_token": {tok}}
}
