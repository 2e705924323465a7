package wechat_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"gridbot/shared"
	"gridbot/store/storetest"
	"gridbot/wechat"
	"gridbot/wechatsim"
)

// The credentials the simulated WeChat accepts.
const (
	testAppID      = "wxsandbox0000001"
	testAppSecret  = "s3cret"
	testCorpID     = "wwsandbox0000001"
	testCorpSecret = "corps3cret"
	testToken      = "gridbottoken"
	testAESKey     = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	testOpenID     = "oSandboxUser0000000000000001"
)

// fixture is an Account wired to a simulated WeChat over real HTTP, its token in Redis.
type fixture struct {
	api    *wechatsim.API
	srv    *httptest.Server
	client *http.Client
	redis  *shared.Redis
	prefix string
	cache  *shared.TokenCache
	acct   *wechat.Account
}

// newFixture starts the simulator, installs the routing client with timeout and builds an Account.
func newFixture(t *testing.T, timeout time.Duration) *fixture {
	t.Helper()
	return newWrappedFixture(t, timeout, func(api http.Handler) http.Handler { return api })
}

// newWrappedFixture is newFixture with the simulator served behind wrap.
func newWrappedFixture(t *testing.T, timeout time.Duration, wrap func(http.Handler) http.Handler) *fixture {
	t.Helper()
	api := wechatsim.NewAPI(wechatsim.APIConfig{AppID: testAppID, AppSecret: testAppSecret,
		CorpID: testCorpID, CorpSecret: testCorpSecret, AgentID: "1000002"})
	srv := httptest.NewServer(wrap(api))
	t.Cleanup(srv.Close)
	client, err := wechat.InstallHTTPClient(srv.URL, srv.URL, timeout)
	if err != nil {
		t.Fatalf("InstallHTTPClient: %v", err)
	}
	r, prefix := storetest.Redis(t)
	f := &fixture{api: api, srv: srv, client: client, redis: r, prefix: prefix,
		cache: shared.NewTokenCache(r.Client, prefix)}
	f.acct = f.newAccount(t)
	return f
}

// newAccount builds another Account (another instance of gridbot) on the fixture's cache.
func (f *fixture) newAccount(t *testing.T) *wechat.Account {
	t.Helper()
	acct, err := wechat.NewAccount(wechat.AccountConfig{AppID: testAppID, AppSecret: testAppSecret,
		Token: testToken, AESKey: testAESKey, Cache: f.cache, HTTPClient: f.client})
	if err != nil {
		t.Fatalf("NewAccount: %v", err)
	}
	return acct
}

// cachedToken returns the access token stored in Redis, or "".
func (f *fixture) cachedToken(t *testing.T) string {
	t.Helper()
	tok, err := f.redis.Client.Get(context.Background(), f.prefix+f.acct.TokenCacheKey()).Result()
	if err != nil {
		return ""
	}
	return tok
}

// apiCode returns the errcode and HTTP status of an *APIError, or -999 when err is none.
func apiCode(err error) (code, status int) {
	var apiErr *wechat.APIError
	if !errors.As(err, &apiErr) {
		return -999, 0
	}
	return apiErr.Code, apiErr.Status
}
