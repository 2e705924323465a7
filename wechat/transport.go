package wechat

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// The hosts whose requests InstallHTTPClient redirects.
const (
	OfficialHost = "api.weixin.qq.com"
	WorkHost     = "qyapi.weixin.qq.com"
)

// errBase reports a base URL that cannot replace a WeChat host.
var errBase = errors.New("base URL must be absolute http(s) with a host and no query")

// InstallHTTPClient makes every call of silenceper/wechat go through a client with the given
// timeout whose transport sends api.weixin.qq.com requests to officialBase and qyapi.weixin.qq.com
// requests to workBase (scheme, host and path prefix; an empty base leaves that host alone), and
// returns that client for gridbot's own calls, such as media downloads, to use too.
//
// It replaces the library's process-wide util.DefaultHTTPClient, global state the library gives
// no other way to set; call it once from cmd before building any Account and never concurrently
// with WeChat calls. It is idempotent: called again with the same arguments it returns the client
// already installed.
func InstallHTTPClient(officialBase, workBase string, timeout time.Duration) (*http.Client, error) {
	rw, err := newRewriter(officialBase, workBase, baseTransport())
	if err != nil {
		return nil, err
	}
	if cur := util.DefaultHTTPClient; cur != nil && cur.Timeout == timeout {
		if old, ok := cur.Transport.(*rewriter); ok && old.sameRoutes(rw) {
			return cur, nil
		}
	}
	client := &http.Client{Transport: rw, Timeout: timeout}
	util.DefaultHTTPClient = client
	return client, nil
}

// baseTransport is a fresh copy of the standard library's default transport.
func baseTransport() http.RoundTripper {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		return t.Clone()
	}
	return &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
}

// rewriter is an http.RoundTripper that redirects requests for WeChat's hosts to other bases.
type rewriter struct {
	routes map[string]*url.URL // WeChat host → base
	next   http.RoundTripper
}

// newRewriter parses the bases; an empty base adds no route.
func newRewriter(officialBase, workBase string, next http.RoundTripper) (*rewriter, error) {
	rw := &rewriter{routes: map[string]*url.URL{}, next: next}
	for host, base := range map[string]string{OfficialHost: officialBase, WorkHost: workBase} {
		if base == "" {
			continue
		}
		u, err := parseBase(base)
		if err != nil {
			return nil, fmt.Errorf("install http client: %s base %q: %w", host, base, err)
		}
		rw.routes[host] = u
	}
	return rw, nil
}

// parseBase checks a base URL and drops a trailing slash from its path.
func parseBase(base string) (*url.URL, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBase, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, errBase
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// sameRoutes reports whether o redirects exactly as rw does.
func (rw *rewriter) sameRoutes(o *rewriter) bool {
	if len(rw.routes) != len(o.routes) {
		return false
	}
	for host, u := range rw.routes {
		if v, ok := o.routes[host]; !ok || u.String() != v.String() {
			return false
		}
	}
	return true
}

// RoundTrip sends req, redirected when its host is a routed WeChat host.
func (rw *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	base, ok := rw.routes[req.URL.Hostname()]
	if !ok {
		return rw.next.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	out.URL.Scheme = base.Scheme
	out.URL.Host = base.Host
	out.URL.Path = base.Path + req.URL.Path
	if req.URL.RawPath != "" {
		out.URL.RawPath = base.EscapedPath() + req.URL.RawPath
	}
	out.Host = ""
	return rw.next.RoundTrip(out)
}
