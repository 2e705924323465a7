package wechatsim

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// App names one of the two simulated WeChat applications.
type App string

const (
	// Official is the Official Account (公众号) served by api.weixin.qq.com.
	Official App = "official"
	// Work is the self-built WeCom (企业微信) app served by qyapi.weixin.qq.com.
	Work App = "work"
)

// maxJSONBody bounds the JSON bodies the API reads.
const maxJSONBody = 1 << 20

// APIConfig holds the credentials the fake servers accept and the clock they run on.
type APIConfig struct {
	AppID, AppSecret   string
	CorpID, CorpSecret string
	AgentID            string
	// Now is the clock for token, media, 48-hour and fault expiry; nil means time.Now.
	Now func() time.Time
	// DailyQuota limits the calls per day; zero fields take WeChat's defaults.
	DailyQuota Quotas
}

// API fakes the WeChat Official Account and WeCom HTTP APIs; it is an http.Handler safe for concurrent use.
type API struct {
	cfg    APIConfig
	texts  map[int]string
	routes map[string]route

	mu sync.Mutex
	st state
}

// state is everything the API remembers; API.mu guards it.
type state struct {
	tokens    tokenState
	media     map[string]mediaFile
	users     map[string]*user
	templates map[string]bool
	// categories holds the typed fields of category templates: template id → field → type.
	categories map[string]map[string]string
	menu       json.RawMessage
	fault      *Fault
	rec        record
	msgID      int64
	inboundID  int64
}

// record is what tests inspect and Reset forgets.
type record struct {
	sent         []SentMessage
	clientMsgIDs map[string]sentOnce
	fetches      map[App]int
	calls        map[string]int
	quotaDay     string         // the day (CST) the quota counts are for
	quota        map[string]int // calls counted against the daily quotas, by API
}

// NewAPI returns fake WeChat servers that accept the credentials in cfg.
func NewAPI(cfg APIConfig) *API {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &API{cfg: cfg, texts: errTexts()}
	a.routes = a.routeTable()
	a.st = state{
		tokens:     tokenState{all: map[string]*token{}},
		media:      map[string]mediaFile{},
		users:      map[string]*user{},
		templates:  map[string]bool{},
		categories: map[string]map[string]string{},
		msgID:      2_000_000_000,
		// Numbered from the clock (µs), so a simulator started again does not hand out the MsgIds
		// of messages the service already answered (it would answer them as WeChat's retries).
		inboundID: 24_000_000_000_000_000 + time.Now().UnixMicro(),
	}
	a.st.rec = newRecord()
	return a
}

// newRecord returns an empty inspection record.
func newRecord() record {
	return record{clientMsgIDs: map[string]sentOnce{}, fetches: map[App]int{}, calls: map[string]int{}, quota: map[string]int{}}
}

// ServeHTTP serves the paths of both api.weixin.qq.com and qyapi.weixin.qq.com.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.serve(w, r, appSet{Official: true, Work: true})
}

// OfficialHandler serves only what api.weixin.qq.com serves.
func (a *API) OfficialHandler() http.Handler {
	return hostView{api: a, apps: appSet{Official: true}}
}

// WorkHandler serves only what qyapi.weixin.qq.com serves.
func (a *API) WorkHandler() http.Handler {
	return hostView{api: a, apps: appSet{Work: true}}
}

// hostView is the API as seen through one host name.
type hostView struct {
	api  *API
	apps appSet
}

// ServeHTTP serves the paths of the view's host.
func (v hostView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v.api.serve(w, r, v.apps)
}

// serve routes one request: fault injection, method check, access token, then the endpoint.
func (a *API) serve(w http.ResponseWriter, r *http.Request, host appSet) {
	rt, ok := a.routes[r.URL.Path]
	apps := rt.apps.and(host)
	if !ok || apps.empty() {
		http.NotFound(w, r)
		return
	}
	a.countCall(r.URL.Path)
	if !a.applyFault(w, r, rt.kind == tokenRoute) {
		return
	}
	if r.Method != rt.method {
		a.writeErr(w, methodCode(rt.method))
		return
	}
	app := apps.dialect()
	if rt.kind == apiRoute {
		if app, ok = a.authorize(w, r, apps); !ok {
			return
		}
	}
	rt.serve(w, r, app)
}

// methodCode is the error for a call made with the wrong HTTP method.
func methodCode(want string) int {
	if want == http.MethodPost {
		return codeRequirePOST
	}
	return codeRequireGET
}

// countCall counts a request to path.
func (a *API) countCall(path string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.st.rec.calls[path]++
}

// now reads the injected clock.
func (a *API) now() time.Time {
	return a.cfg.Now()
}

// writeJSON answers 200 with v as WeChat's JSON.
func (a *API) writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	_, _ = w.Write(body) // the client has gone if this fails; nothing to tell
}

// writeErr answers 200 with {"errcode","errmsg"}; the errmsg carries a request id hint as WeChat's does.
func (a *API) writeErr(w http.ResponseWriter, code int) {
	a.writeJSON(w, apiError{Code: code, Msg: a.errmsg(code)})
}

// errmsg is the text WeChat sends with code.
func (a *API) errmsg(code int) string {
	return a.errmsgAbout(code, "")
}

// errmsgAbout is the text WeChat sends with code, naming what is wrong when detail is set.
func (a *API) errmsgAbout(code int, detail string) string {
	if code == codeOK {
		return "ok"
	}
	msg, ok := a.texts[code]
	if !ok {
		msg = "unknown error"
	}
	if detail != "" {
		msg += " " + detail
	}
	return msg + " rid: " + randomHex(4) + "-" + randomHex(4) + "-" + randomHex(4)
}

// apiError is WeChat's error body.
type apiError struct {
	Code int    `json:"errcode"`
	Msg  string `json:"errmsg"`
}

// readJSON decodes a bounded JSON body into v; false means it answered 47001.
func (a *API) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		a.writeErr(w, codeDataFormat)
		return false
	}
	return true
}

// readBody reads a bounded body; false means it answered 47001.
func (a *API) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil || !json.Valid(body) {
		a.writeErr(w, codeDataFormat)
		return nil, false
	}
	return body, true
}

// randomID returns n random bytes as URL-safe base64, the alphabet of WeChat's tokens and media ids.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
