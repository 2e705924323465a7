package wechatsim

import "net/http"

// routeKind says how a route is authorised.
type routeKind int

const (
	// apiRoute needs a valid access_token.
	apiRoute routeKind = iota
	// tokenRoute issues access tokens; faults may spare it.
	tokenRoute
	// publicRoute needs no token, like a CDN download link.
	publicRoute
)

// route is one endpoint of the fake servers.
type route struct {
	method string
	apps   appSet
	kind   routeKind
	serve  func(w http.ResponseWriter, r *http.Request, app App)
}

// appSet says which apps (hosts) serve a route or accept a token.
type appSet map[App]bool

// and returns the apps in both sets.
func (s appSet) and(t appSet) appSet {
	out := appSet{}
	for app := range s {
		if t[app] {
			out[app] = true
		}
	}
	return out
}

// empty reports whether no app is in the set.
func (s appSet) empty() bool {
	return len(s) == 0
}

// dialect is the app whose error codes a route speaks: WeCom's only when the Official Account is absent.
func (s appSet) dialect() App {
	if s[Official] {
		return Official
	}
	return Work
}

// routeTable lists every endpoint by path.
func (a *API) routeTable() map[string]route {
	oa, work, both := appSet{Official: true}, appSet{Work: true}, appSet{Official: true, Work: true}
	get, post := http.MethodGet, http.MethodPost
	return map[string]route{
		"/cgi-bin/token":                     {get, oa, tokenRoute, a.serveToken},
		"/cgi-bin/stable_token":              {post, oa, tokenRoute, a.serveStableToken},
		"/cgi-bin/gettoken":                  {get, work, tokenRoute, a.serveWorkToken},
		"/cgi-bin/media/get":                 {get, both, apiRoute, a.serveMediaGet},
		"/cgi-bin/media/upload":              {post, both, apiRoute, a.serveMediaUpload},
		videoPath:                            {get, both, publicRoute, a.serveVideo},
		"/cgi-bin/message/custom/send":       {post, oa, apiRoute, a.serveCustomSend},
		"/cgi-bin/message/template/send":     {post, oa, apiRoute, a.serveTemplateSend},
		"/cgi-bin/message/subscribe/bizsend": {post, oa, apiRoute, a.serveSubscribeSend},
		"/cgi-bin/menu/create":               {post, oa, apiRoute, a.serveMenuCreate},
		"/cgi-bin/menu/get":                  {get, oa, apiRoute, a.serveMenuGet},
		"/cgi-bin/menu/delete":               {get, oa, apiRoute, a.serveMenuDelete},
		"/cgi-bin/user/info":                 {get, oa, apiRoute, a.serveUserInfo},
		"/cgi-bin/message/send":              {post, work, apiRoute, a.serveWorkSend},
	}
}
