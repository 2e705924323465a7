package wechat_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/util"

	"gridbot/shared"
	"gridbot/store/storetest"
	"gridbot/wechat"
	"gridbot/wechatsim"
)

func TestLibraryCallsReachSimulator(t *testing.T) {
	api := wechatsim.NewAPI(wechatsim.APIConfig{AppID: testAppID, AppSecret: testAppSecret, CorpID: testCorpID, CorpSecret: testCorpSecret})
	mux := http.NewServeMux()
	mux.Handle("/sandbox/wechat-api/", http.StripPrefix("/sandbox/wechat-api", api.OfficialHandler()))
	mux.Handle("/qy/", http.StripPrefix("/qy", api.WorkHandler()))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	if _, err := wechat.InstallHTTPClient(srv.URL+"/sandbox/wechat-api", srv.URL+"/qy", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	r, prefix := storetest.Redis(t)
	c := shared.NewTokenCache(r.Client, prefix)
	handles := []struct {
		app    wechatsim.App
		handle credential.AccessTokenHandle
	}{
		{wechatsim.Official, credential.NewDefaultAccessToken(testAppID, testAppSecret, credential.CacheKeyOfficialAccountPrefix, cache.Cache(c))},
		{wechatsim.Official, credential.NewStableAccessToken(testAppID, testAppSecret, credential.CacheKeyOfficialAccountPrefix, c)},
		{wechatsim.Work, credential.NewWorkAccessToken(testCorpID, testCorpSecret, "", credential.CacheKeyWorkPrefix, c)},
	}
	for i, h := range handles {
		before := api.TokenFetches(h.app)
		tok, err := h.handle.GetAccessToken()
		if err != nil || tok == "" {
			t.Fatalf("handle %d: GetAccessToken = %q, %v", i, tok, err)
		}
		if got := api.TokenFetches(h.app) - before; got != 1 {
			t.Errorf("handle %d: the simulator handed out %d tokens to %s, want 1", i, got, h.app)
		}
	}
}

func TestInstallHTTPClientIdempotent(t *testing.T) {
	first, err := wechat.InstallHTTPClient("http://127.0.0.1:1/a", "http://127.0.0.1:1/b", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	again, err := wechat.InstallHTTPClient("http://127.0.0.1:1/a/", "http://127.0.0.1:1/b", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if again != first || util.DefaultHTTPClient != first {
		t.Error("installing the same routes again replaced the client")
	}
	other, err := wechat.InstallHTTPClient("http://127.0.0.1:1/a", "http://127.0.0.1:1/b", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if other == first || util.DefaultHTTPClient != other || other.Timeout != 2*time.Second {
		t.Error("a new timeout did not install a new client")
	}
	if _, err := wechat.InstallHTTPClient("not a url", "", time.Second); err == nil {
		t.Error("a bad base was accepted")
	}
	if util.DefaultHTTPClient != other {
		t.Error("a failed install changed the library's client")
	}
}
