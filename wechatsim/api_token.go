package wechatsim

import (
	"net/http"
	"time"
)

const (
	// tokenLife is how long an access token lives: 7200 s.
	tokenLife = 2 * time.Hour
	// tokenOverlap is how long a replaced token keeps working, and how early stable_token renews.
	tokenOverlap = 5 * time.Minute
)

// token is one issued access token.
type token struct {
	app     App
	expires time.Time
	retired time.Time // zero, or when a newer /cgi-bin/token replaced it (5 minutes after that call)
	revoked bool
}

// tokenState is every token issued and which is current per way of getting one.
type tokenState struct {
	all    map[string]*token
	plain  string // latest from /cgi-bin/token
	stable string // current from /cgi-bin/stable_token
	work   string // current from /cgi-bin/gettoken
}

// tokenBody is the token endpoints' success answer.
type tokenBody struct {
	Code        int    `json:"errcode,omitempty"`
	Msg         string `json:"errmsg,omitempty"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

// serveToken is GET /cgi-bin/token: each call issues a new token, and the previous one stops working 5 minutes later;
// 45009 beyond the daily quota, which it shares with stable_token.
func (a *API) serveToken(w http.ResponseWriter, r *http.Request, _ App) {
	q := r.URL.Query()
	if code := a.checkOfficialSecret(q.Get("grant_type"), q.Get("appid"), q.Get("secret")); code != codeOK {
		a.writeErr(w, code)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.quotaLeftLocked(quotaToken) {
		a.writeErr(w, codeFreqLimit)
		return
	}
	a.countQuotaLocked(quotaToken)
	now := a.now()
	if old := a.st.tokens.all[a.st.tokens.plain]; old != nil && old.retired.IsZero() {
		old.retired = now.Add(tokenOverlap)
	}
	a.st.tokens.plain = a.issueLocked(Official, now)
	a.writeJSON(w, tokenBody{AccessToken: a.st.tokens.plain, ExpiresIn: int(tokenLife / time.Second)})
}

// stableRequest is the body of POST /cgi-bin/stable_token.
type stableRequest struct {
	GrantType    string `json:"grant_type"`
	AppID        string `json:"appid"`
	Secret       string `json:"secret"`
	ForceRefresh bool   `json:"force_refresh"`
}

// serveStableToken is POST /cgi-bin/stable_token: the same token until 5 minutes before it expires; force_refresh revokes it.
func (a *API) serveStableToken(w http.ResponseWriter, r *http.Request, _ App) {
	var req stableRequest
	if !a.readJSON(w, r, &req) {
		return
	}
	if code := a.checkOfficialSecret(req.GrantType, req.AppID, req.Secret); code != codeOK {
		a.writeErr(w, code)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.quotaLeftLocked(quotaToken) {
		a.writeErr(w, codeFreqLimit)
		return
	}
	a.countQuotaLocked(quotaToken)
	now := a.now()
	cur := a.st.tokens.all[a.st.tokens.stable]
	if cur != nil && req.ForceRefresh {
		cur.revoked = true
	}
	if cur == nil || cur.revoked || !now.Before(cur.expires.Add(-tokenOverlap)) {
		a.st.tokens.stable = a.issueLocked(Official, now)
		cur = a.st.tokens.all[a.st.tokens.stable]
	} else {
		a.st.rec.fetches[Official]++
	}
	a.writeJSON(w, tokenBody{AccessToken: a.st.tokens.stable, ExpiresIn: secondsLeft(cur, now)})
}

// serveWorkToken is WeCom's GET /cgi-bin/gettoken: the same token while it is valid, as WeCom does.
func (a *API) serveWorkToken(w http.ResponseWriter, r *http.Request, _ App) {
	if code := a.checkWorkSecret(r.URL.Query().Get("corpid"), r.URL.Query().Get("corpsecret")); code != codeOK {
		a.writeErr(w, code)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	cur := a.st.tokens.all[a.st.tokens.work]
	if cur == nil || cur.revoked || !now.Before(cur.expires) {
		a.st.tokens.work = a.issueLocked(Work, now)
		cur = a.st.tokens.all[a.st.tokens.work]
	} else {
		a.st.rec.fetches[Work]++
	}
	a.writeJSON(w, tokenBody{Code: codeOK, Msg: "ok", AccessToken: a.st.tokens.work, ExpiresIn: secondsLeft(cur, now)})
}

// secondsLeft is a token's remaining life in whole seconds.
func secondsLeft(t *token, now time.Time) int {
	return int(t.expires.Sub(now) / time.Second)
}

// checkOfficialSecret validates grant_type, appid and secret as /cgi-bin/token does.
func (a *API) checkOfficialSecret(grantType, appID, secret string) int {
	switch {
	case grantType != "client_credential":
		return codeInvalidGrantType
	case appID == "":
		return codeAppIDMissing
	case appID != a.cfg.AppID:
		return codeInvalidAppID
	case secret == "":
		return codeSecretMissing
	case secret != a.cfg.AppSecret:
		return codeInvalidSecret
	}
	return codeOK
}

// checkWorkSecret validates corpid and corpsecret as WeCom's gettoken does (a wrong secret is 40001 there).
func (a *API) checkWorkSecret(corpID, secret string) int {
	switch {
	case corpID == "":
		return codeAppIDMissing
	case corpID != a.cfg.CorpID:
		return codeInvalidAppID
	case secret == "":
		return codeSecretMissing
	case secret != a.cfg.CorpSecret:
		return codeInvalidCredential
	}
	return codeOK
}

// issueLocked mints a token for app and counts the fetch; a.mu must be held.
func (a *API) issueLocked(app App, now time.Time) string {
	id := randomID(96)
	a.st.tokens.all[id] = &token{app: app, expires: now.Add(tokenLife)}
	a.st.rec.fetches[app]++
	return id
}

// authorize checks the access_token query parameter against the apps a route accepts and answers the error itself.
func (a *API) authorize(w http.ResponseWriter, r *http.Request, apps appSet) (App, bool) {
	code, app := a.checkToken(r.URL.Query().Get("access_token"), apps)
	if code != codeOK {
		a.writeErr(w, code)
		return "", false
	}
	return app, true
}

// checkToken returns the error code for a token presented to a route served by apps, and the token's app.
func (a *API) checkToken(id string, apps appSet) (int, App) {
	invalid := codeInvalidCredential
	if apps.dialect() == Work {
		invalid = codeInvalidToken
	}
	if id == "" {
		return codeTokenMissing, ""
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	t := a.st.tokens.all[id]
	switch {
	case t == nil || t.revoked || !apps[t.app]:
		return invalid, ""
	case !now.Before(t.expires):
		return codeTokenExpired, ""
	case !t.retired.IsZero() && !now.Before(t.retired):
		return invalid, ""
	}
	return codeOK, t.app
}

// InvalidateTokens revokes every token issued so far, as WeChat may at any time; calls with them get 40001 (WeCom: 40014).
func (a *API) InvalidateTokens() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, t := range a.st.tokens.all {
		t.revoked = true
	}
}

// TokenFetches counts the tokens handed out to app (including a current token handed out again) since NewAPI or Reset.
func (a *API) TokenFetches(app App) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.st.rec.fetches[app]
}
