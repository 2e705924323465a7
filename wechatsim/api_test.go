package wechatsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTokenCredentials(t *testing.T) {
	f := newAPIFixture(t)
	tests := []struct {
		name  string
		path  string
		query url.Values
		want  int
	}{
		{"ok", "/cgi-bin/token", url.Values{"grant_type": {"client_credential"}, "appid": {"wxsandbox0000001"}, "secret": {"s3cret"}}, 0},
		{"wrong secret", "/cgi-bin/token", url.Values{"grant_type": {"client_credential"}, "appid": {"wxsandbox0000001"}, "secret": {"x"}}, 40125},
		{"wrong appid", "/cgi-bin/token", url.Values{"grant_type": {"client_credential"}, "appid": {"wxother"}, "secret": {"s3cret"}}, 40013},
		{"no grant type", "/cgi-bin/token", url.Values{"appid": {"wxsandbox0000001"}, "secret": {"s3cret"}}, 40002},
		{"no secret", "/cgi-bin/token", url.Values{"grant_type": {"client_credential"}, "appid": {"wxsandbox0000001"}}, 41004},
		{"wecom ok", "/cgi-bin/gettoken", url.Values{"corpid": {"wwsandbox0000001"}, "corpsecret": {"corps3cret"}}, 0},
		{"wecom wrong secret", "/cgi-bin/gettoken", url.Values{"corpid": {"wwsandbox0000001"}, "corpsecret": {"x"}}, 40001},
		{"wecom wrong corp", "/cgi-bin/gettoken", url.Values{"corpid": {"wwother"}, "corpsecret": {"corps3cret"}}, 40013},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := f.get(tt.path, tt.query)
			if got := errcode(m); got != tt.want {
				t.Fatalf("errcode = %d (%v), want %d", got, m, tt.want)
			}
			if tt.want == 0 && m["expires_in"] != float64(7200) {
				t.Errorf("expires_in = %v, want 7200", m["expires_in"])
			}
		})
	}
	if got := f.api.TokenFetches(Official); got != 1 {
		t.Errorf("TokenFetches(Official) = %d, want 1", got)
	}
}

func TestTokenLifecycle(t *testing.T) {
	f := newAPIFixture(t)
	var first, second string
	steps := []struct {
		name    string
		advance time.Duration
		act     func() int
		want    int
	}{
		{"fresh token works", 0, func() int { first = f.token(); return f.probe(first) }, 46003},
		{"missing token", 0, func() int { return f.probe("") }, 41001},
		{"unknown token", 0, func() int { return f.probe("nope") }, 40001},
		{"valid just before 7200 s", 7199 * time.Second, func() int { return f.probe(first) }, 46003},
		{"expired at 7200 s", time.Second, func() int { return f.probe(first) }, 42001},
		{"new token works", 0, func() int { first = f.token(); return f.probe(first) }, 46003},
		{"replaced token still works 4 min", 0, func() int { second = f.token(); f.clock.Advance(4 * time.Minute); return f.probe(first) }, 46003},
		{"replaced token dies after 5 min", time.Minute, func() int { return f.probe(first) }, 40001},
		{"newest token still works", 0, func() int { return f.probe(second) }, 46003},
		{"invalidated", 0, func() int { f.api.InvalidateTokens(); return f.probe(second) }, 40001},
		{"refetch after invalidation", 0, func() int { return f.probe(f.token()) }, 46003},
	}
	for _, s := range steps {
		f.clock.Advance(s.advance)
		if got := s.act(); got != s.want {
			t.Fatalf("%s: errcode = %d, want %d", s.name, got, s.want)
		}
	}
	if got := f.api.TokenFetches(Official); got != 4 {
		t.Errorf("TokenFetches(Official) = %d, want 4", got)
	}
}

func TestStableToken(t *testing.T) {
	f := newAPIFixture(t)
	fetch := func(force bool) (string, float64) {
		body := fmt.Sprintf(`{"grant_type":"client_credential","appid":"wxsandbox0000001","secret":"s3cret","force_refresh":%t}`, force)
		m := f.post("/cgi-bin/stable_token", nil, body)
		tok, _ := m["access_token"].(string)
		exp, _ := m["expires_in"].(float64)
		return tok, exp
	}
	a, expA := fetch(false)
	f.clock.Advance(time.Hour)
	b, expB := fetch(false)
	if a != b || expA != 7200 || expB != 3600 {
		t.Fatalf("stable tokens %q (%v s) then %q (%v s), want the same token, 7200 then 3600", a, expA, b, expB)
	}
	f.clock.Advance(56 * time.Minute) // 4 min left: renewed, the old one still valid
	c, _ := fetch(false)
	if c == a || f.probe(a) != 46003 {
		t.Fatalf("renewal: new %v, old errcode %d; want a new token and the old one valid", c != a, f.probe(a))
	}
	d, _ := fetch(true)
	if d == c || f.probe(c) != 40001 || f.probe(d) != 46003 {
		t.Fatalf("force_refresh must revoke the old token: old %d new %d", f.probe(c), f.probe(d))
	}
	if bad := f.post("/cgi-bin/stable_token", nil, `{"grant_type":"client_credential","appid":"wxsandbox0000001","secret":"no"}`); errcode(bad) != 40125 {
		t.Errorf("wrong secret: %v", bad)
	}
}

func TestWorkTokenAndDialects(t *testing.T) {
	f := newAPIFixture(t)
	w1, w2 := f.workToken(), f.workToken()
	if w1 != w2 {
		t.Errorf("WeCom gettoken gave two tokens while the first is valid")
	}
	if got := f.api.TokenFetches(Work); got != 2 {
		t.Errorf("TokenFetches(Work) = %d, want 2", got)
	}
	oa := f.token()
	body := `{"touser":"u1","msgtype":"text","agentid":1000002,"text":{"content":"hi"}}`
	tests := []struct {
		name, path, tok, body string
		want                  int
	}{
		{"wecom token on wecom send", "/cgi-bin/message/send", w1, body, 0},
		{"official token on wecom send", "/cgi-bin/message/send", oa, body, 40014},
		{"wecom token on official send", "/cgi-bin/message/custom/send", w1, `{"touser":"o1","msgtype":"text","text":{"content":"x"}}`, 40001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errcode(f.post(tt.path, tq(tt.tok), tt.body)); got != tt.want {
				t.Errorf("errcode = %d, want %d", got, tt.want)
			}
		})
	}
	f.clock.Advance(2 * time.Hour)
	if w3 := f.workToken(); w3 == w1 {
		t.Errorf("WeCom gettoken kept an expired token")
	}
}

func TestHostViews(t *testing.T) {
	api := NewAPI(testAPIConfig(newClock()))
	tests := []struct {
		name    string
		handler http.Handler
		path    string
		want    int
	}{
		{"official serves token", api.OfficialHandler(), "/cgi-bin/token", http.StatusOK},
		{"official hides gettoken", api.OfficialHandler(), "/cgi-bin/gettoken", http.StatusNotFound},
		{"work serves gettoken", api.WorkHandler(), "/cgi-bin/gettoken", http.StatusOK},
		{"work hides custom send", api.WorkHandler(), "/cgi-bin/message/custom/send", http.StatusNotFound},
		{"both serve media", api.WorkHandler(), "/cgi-bin/media/get", http.StatusOK},
		{"unknown path", api, "/cgi-bin/nothing", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptestRecorder(tt.handler, http.MethodGet, tt.path)
			if rec != tt.want {
				t.Errorf("status = %d, want %d", rec, tt.want)
			}
		})
	}
}

func TestMedia(t *testing.T) {
	f := newAPIFixture(t)
	photo := []byte("\xff\xd8\xff\xe0 a photo")
	id := f.api.AddMedia("image", photo, "image/jpeg")
	tests := []struct {
		name    string
		advance time.Duration
		id      string
		want    []byte // nil: expect 40007
		ctype   string
	}{
		{"fresh", 0, id, photo, "image/jpeg"},
		{"unknown", 0, "nope", nil, ""},
		{"just under 3 days", 72 * time.Hour, id, photo, "image/jpeg"},
		{"over 3 days", time.Second, id, nil, ""},
		{"still expired", 0, id, nil, ""},
	}
	for _, tt := range tests {
		f.clock.Advance(tt.advance)
		resp := httpGet(t, f.srv.URL+"/cgi-bin/media/get?"+url.Values{"access_token": {f.token()}, "media_id": {tt.id}}.Encode())
		if tt.want == nil {
			var m map[string]any
			if err := json.Unmarshal(resp.body, &m); err != nil || errcode(m) != 40007 {
				t.Errorf("%s: body %q, want errcode 40007", tt.name, resp.body)
			}
			continue
		}
		got := []string{string(resp.body), resp.header.Get("Content-Type"), resp.header.Get("Content-Disposition")}
		want := []string{string(tt.want), tt.ctype, `attachment; filename="` + tt.id + `.jpg"`}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestMediaVideoAndUpload(t *testing.T) {
	f := newAPIFixture(t)
	tok := f.token()
	id := f.api.AddMedia("video", []byte("mp4 bytes"), "")
	m := f.get("/cgi-bin/media/get", url.Values{"access_token": {tok}, "media_id": {id}})
	link, _ := m["video_url"].(string)
	if resp := httpGet(t, link); string(resp.body) != "mp4 bytes" {
		t.Fatalf("video_url %q gave %q", link, resp.body)
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("media", "p.png")
	if err != nil {
		t.Fatal(err)
	}
	png := []byte("\x89PNG\r\n\x1a\n rest")
	if _, err := part.Write(png); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(f.srv.URL+"/cgi-bin/media/upload?type=image&access_token="+tok, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var up map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&up); err != nil {
		t.Fatal(err)
	}
	got := httpGet(t, f.srv.URL+"/cgi-bin/media/get?"+url.Values{"access_token": {tok}, "media_id": {up["media_id"].(string)}}.Encode())
	if !bytes.Equal(got.body, png) || got.header.Get("Content-Type") != "image/png" {
		t.Errorf("uploaded media came back as %q (%s)", got.body, got.header.Get("Content-Type"))
	}
	if bad := f.post("/cgi-bin/media/upload", url.Values{"access_token": {tok}, "type": {"gif"}}, ""); errcode(bad) != 40004 {
		t.Errorf("bad type: %v", bad)
	}
}

func TestCustomSend(t *testing.T) {
	f := newAPIFixture(t)
	tok := f.token()
	now := f.clock.Now()
	f.api.SetLastInbound("recent", now.Add(-47*time.Hour))
	f.api.SetLastInbound("stale", now.Add(-49*time.Hour))
	f.api.SetLastInbound("gone", now)
	f.api.SetUnsubscribed("gone", true)
	text := func(to string) string {
		return `{"touser":"` + to + `","msgtype":"text","text":{"content":"您的投诉已受理"}}`
	}
	tests := []struct {
		name, method, body string
		want               int
	}{
		{"inside 48 h", http.MethodPost, text("recent"), 0},
		{"outside 48 h", http.MethodPost, text("stale"), 45015},
		{"never wrote", http.MethodPost, text("stranger"), 45015},
		{"unsubscribed", http.MethodPost, text("gone"), 43004},
		{"news", http.MethodPost, `{"touser":"recent","msgtype":"news","news":{"articles":[{"title":"t"}]}}`, 0},
		{"bad msgtype", http.MethodPost, `{"touser":"recent","msgtype":"fax"}`, 40008},
		{"empty text", http.MethodPost, `{"touser":"recent","msgtype":"text","text":{"content":""}}`, 44004},
		{"no touser", http.MethodPost, `{"msgtype":"text","text":{"content":"x"}}`, 40003},
		{"malformed", http.MethodPost, `{"touser":`, 47001},
		{"GET", http.MethodGet, text("recent"), 43002},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := f.do(tt.method, "/cgi-bin/message/custom/send", tq(tok), tt.body)
			if got := errcode(m); got != tt.want {
				t.Errorf("errcode = %d (%v), want %d", got, m["errmsg"], tt.want)
			}
		})
	}
	sent := f.api.Sent()
	got := []string{}
	for _, s := range sent {
		got = append(got, string(s.Kind)+":"+s.To+":"+s.MsgType)
	}
	if diff := cmp.Diff([]string{"custom:recent:text", "custom:recent:news"}, got); diff != "" {
		t.Errorf("Sent (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(sent[0].Body), "您的投诉已受理") {
		t.Errorf("Body not kept as received: %s", sent[0].Body)
	}
}

func TestTemplateSend(t *testing.T) {
	f := newAPIFixture(t)
	tok := f.token()
	f.api.AddTemplate("tpl-status")
	f.api.SetUnsubscribed("gone", true)
	body := func(to, tpl, cmid string) string {
		return fmt.Sprintf(`{"touser":%q,"template_id":%q,"url":"https://example.org/c/1","data":{"first":{"value":"已受理"}},"client_msg_id":%q}`, to, tpl, cmid)
	}
	var firstID float64
	steps := []struct {
		name      string
		advance   time.Duration
		body      string
		want      int
		sameAsOne bool
		wantCount int
	}{
		{"first send", 0, body("o1", "tpl-status", "case-1-accepted"), 0, false, 1},
		{"retry with same client_msg_id", 0, body("o1", "tpl-status", "case-1-accepted"), 0, true, 1},
		{"other client_msg_id", 0, body("o1", "tpl-status", "case-1-dispatched"), 0, false, 2},
		{"same id, other user", 0, body("o2", "tpl-status", "case-1-accepted"), 0, false, 3},
		{"no client_msg_id", 0, body("o1", "tpl-status", ""), 0, false, 4},
		{"no client_msg_id again", 0, body("o1", "tpl-status", ""), 0, false, 5},
		{"unknown template", 0, body("o1", "tpl-other", "x"), 40037, false, 5},
		{"unsubscribed", 0, body("gone", "tpl-status", "y"), 43004, false, 5},
		{"same id after 10 min is sent again", 11 * time.Minute, body("o1", "tpl-status", "case-1-accepted"), 0, false, 6},
	}
	for i, s := range steps {
		f.clock.Advance(s.advance)
		m := f.post("/cgi-bin/message/template/send", tq(tok), s.body)
		if got := errcode(m); got != s.want {
			t.Fatalf("%s: errcode = %d (%v), want %d", s.name, got, m["errmsg"], s.want)
		}
		if i == 0 {
			firstID = m["msgid"].(float64)
		}
		if s.want == 0 && (m["msgid"] == firstID) != (i == 0 || s.sameAsOne) {
			t.Errorf("%s: msgid %v, first %v", s.name, m["msgid"], firstID)
		}
		if got := f.api.SentCount(); got != s.wantCount {
			t.Errorf("%s: SentCount = %d, want %d", s.name, got, s.wantCount)
		}
	}
	if got := f.api.Calls("/cgi-bin/message/template/send"); got != len(steps) {
		t.Errorf("Calls = %d, want %d", got, len(steps))
	}
}

func TestSubscribeAndWorkSend(t *testing.T) {
	f := newAPIFixture(t)
	tok, wtok := f.token(), f.workToken()
	f.api.SetRefusedSubscribe("refuser", true)
	tests := []struct {
		name, path, tok, body string
		want                  int
	}{
		{"subscribe ok", "/cgi-bin/message/subscribe/bizsend", tok, `{"touser":"o1","template_id":"t","data":{}}`, 0},
		{"subscribe refused", "/cgi-bin/message/subscribe/bizsend", tok, `{"touser":"refuser","template_id":"t","data":{}}`, 43101},
		{"wecom string agentid", "/cgi-bin/message/send", wtok, `{"touser":"zhangsan","msgtype":"textcard","agentid":"1000002","textcard":{"title":"新工单"}}`, 0},
		{"wecom markdown", "/cgi-bin/message/send", wtok, `{"touser":"a|b","msgtype":"markdown","agentid":1000002,"markdown":{"content":"**x**"}}`, 0},
		{"wecom wrong agentid", "/cgi-bin/message/send", wtok, `{"touser":"zhangsan","msgtype":"text","agentid":1000003,"text":{"content":"x"}}`, 40056},
		{"wecom bad msgtype", "/cgi-bin/message/send", wtok, `{"touser":"zhangsan","msgtype":"fax","agentid":1000002}`, 40008},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errcode(f.post(tt.path, tq(tt.tok), tt.body)); got != tt.want {
				t.Errorf("errcode = %d, want %d", got, tt.want)
			}
		})
	}
	var kinds []string
	for _, s := range f.api.Sent() {
		kinds = append(kinds, string(s.Kind)+":"+s.To+":"+s.MsgType)
	}
	if diff := cmp.Diff([]string{"subscribe:o1:", "wecom:zhangsan:textcard", "wecom:a|b:markdown"}, kinds); diff != "" {
		t.Errorf("Sent (-want +got):\n%s", diff)
	}
}

func TestMenu(t *testing.T) {
	f := newAPIFixture(t)
	tok := f.token()
	leaf := `{"type":"click","name":"我要投诉","key":"COMPLAIN"}`
	subs := func(n int) string {
		return `{"name":"更多","sub_button":[` + strings.TrimSuffix(strings.Repeat(leaf+",", n), ",") + `]}`
	}
	tests := []struct {
		name, body string
		want       int
	}{
		{"ok", `{"button":[` + leaf + `,` + subs(5) + `,{"type":"view","name":"进度","url":"https://example.org"}]}`, 0},
		{"no buttons", `{"button":[]}`, 40016},
		{"four buttons", `{"button":[` + strings.Repeat(leaf+",", 3) + leaf + `]}`, 40016},
		{"six sub buttons", `{"button":[` + subs(6) + `]}`, 40023},
		{"empty name", `{"button":[{"type":"click","name":"","key":"K"}]}`, 40018},
		{"long name", `{"button":[{"type":"click","name":"一二三四五六","key":"K"}]}`, 40018},
		{"empty sub name", `{"button":[{"name":"x","sub_button":[{"type":"click","name":"","key":"K"}]}]}`, 40025},
		{"click without key", `{"button":[{"type":"click","name":"x"}]}`, 40019},
		{"view without url", `{"button":[{"type":"view","name":"x"}]}`, 40020},
		{"bad type", `{"button":[{"type":"teleport","name":"x"}]}`, 40017},
		{"malformed", `{"button":`, 47001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errcode(f.post("/cgi-bin/menu/create", tq(tok), tt.body)); got != tt.want {
				t.Errorf("errcode = %d, want %d", got, tt.want)
			}
		})
	}
	m := f.get("/cgi-bin/menu/get", tq(tok))
	buttons := m["menu"].(map[string]any)["button"].([]any)
	if len(buttons) != 3 {
		t.Errorf("menu/get returned %d buttons, want the 3 of the valid menu", len(buttons))
	}
	if got := errcode(f.get("/cgi-bin/menu/delete", tq(tok))); got != 0 {
		t.Errorf("delete: %d", got)
	}
	if got := errcode(f.get("/cgi-bin/menu/get", tq(tok))); got != 46003 {
		t.Errorf("get after delete: %d, want 46003", got)
	}
}

func TestUserInfo(t *testing.T) {
	f := newAPIFixture(t)
	tok := f.token()
	f.api.AddUser("o1", "网格员老陈")
	f.api.AddUser("o2", "")
	f.api.SetUnsubscribed("o2", true)
	tests := []struct {
		name, openid string
		want         map[string]any
	}{
		{"follower", "o1", map[string]any{"subscribe": 1.0, "openid": "o1", "nickname": "网格员老陈"}},
		{"unfollower", "o2", map[string]any{"subscribe": 0.0, "openid": "o2"}},
		{"stranger", "o3", map[string]any{"errcode": 40003.0}},
		{"missing", "", map[string]any{"errcode": 41009.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := f.get("/cgi-bin/user/info", url.Values{"access_token": {tok}, "openid": {tt.openid}, "lang": {"zh_CN"}})
			got := map[string]any{}
			for k := range tt.want {
				got[k] = m[k]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name   string
		fault  Fault
		until  time.Duration // sets fault.Until this long after the start, when not zero
		clock  time.Duration // advanced after each call
		tokens bool          // probe the token endpoint instead
		want   []int         // errcode per call; 500 for HTTP 500
	}{
		{"busy for 2 calls", Fault{Mode: FaultSystemBusy, Remaining: 2}, 0, 0, false, []int{-1, -1, 46003, 46003}},
		{"quota until", Fault{Mode: FaultFreqLimit}, 90 * time.Second, time.Minute, false, []int{45009, 45009, 46003}},
		{"http 500 for 1", Fault{Mode: FaultHTTP500, Remaining: 1}, 0, 0, false, []int{500, 46003}},
		{"tokens fail too", Fault{Mode: FaultSystemBusy, Remaining: 1}, 0, 0, true, []int{-1, 0}},
		{"tokens spared", Fault{Mode: FaultSystemBusy, Remaining: 1, SpareTokens: true}, 0, 0, true, []int{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newAPIFixture(t)
			tok := f.token()
			if tt.until != 0 {
				tt.fault.Until = f.clock.Now().Add(tt.until)
			}
			f.api.SetFault(tt.fault)
			var got []int
			for range tt.want {
				path := "/cgi-bin/menu/get?access_token=" + tok
				if tt.tokens {
					path = "/cgi-bin/token?grant_type=client_credential&appid=wxsandbox0000001&secret=s3cret"
				}
				got = append(got, statusOrCode(t, f.srv.URL+path))
				f.clock.Advance(tt.clock)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFaultTimeout(t *testing.T) {
	f := newAPIFixture(t)
	tok := f.token()
	f.api.SetFault(Fault{Mode: FaultTimeout, Delay: 5 * time.Second})
	impatient := &http.Client{Timeout: 50 * time.Millisecond}
	start := time.Now()
	if _, err := impatient.Get(f.srv.URL + "/cgi-bin/menu/get?access_token=" + tok); err == nil {
		t.Fatal("a call during a timeout outage answered")
	}
	f.api.SetFault(Fault{Mode: FaultTimeout, Delay: 30 * time.Millisecond, Remaining: 1})
	if got := statusOrCode(t, f.srv.URL+"/cgi-bin/menu/get?access_token="+tok); got != 46003 {
		t.Errorf("a patient client got %d, want the normal answer 46003", got)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("held calls did not end with the client: %v", elapsed)
	}
	f.api.ClearFault()
}

func TestConcurrentUse(t *testing.T) {
	f := newAPIFixture(t)
	f.api.SetLastInbound("o1", f.clock.Now())
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := f.token()
			for i := range 10 {
				body := fmt.Sprintf(`{"touser":"o1","template_id":"t","client_msg_id":"k%d","data":{}}`, i)
				f.post("/cgi-bin/message/template/send", tq(tok), body)
				f.post("/cgi-bin/message/custom/send", tq(tok), `{"touser":"o1","msgtype":"text","text":{"content":"x"}}`)
				f.api.AddMedia("image", []byte{byte(g)}, "")
				_ = f.api.Sent()
				f.clock.Advance(time.Millisecond)
			}
		}()
	}
	wg.Wait()
	templates := 0
	for _, s := range f.api.Sent() {
		if s.Kind == KindTemplate {
			templates++
		}
	}
	// 160 customer-service messages were tried; the user's one message allows 5, under any concurrency.
	if templates != 10 || f.api.SentCount() != 10+5 {
		t.Errorf("templates %d (want 10, one per client_msg_id), all %d (want 15)", templates, f.api.SentCount())
	}
	f.api.Reset()
	if f.api.SentCount() != 0 || f.api.TokenFetches(Official) != 0 {
		t.Errorf("Reset left %d sent, %d fetches", f.api.SentCount(), f.api.TokenFetches(Official))
	}
}

// response is a read HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func httpGet(t *testing.T, u string) response {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, body}
}

// statusOrCode is the errcode of a JSON answer, or the HTTP status when it is not 200.
func statusOrCode(t *testing.T, u string) int {
	t.Helper()
	resp := httpGet(t, u)
	if resp.status != http.StatusOK {
		return resp.status
	}
	var m map[string]any
	if err := json.Unmarshal(resp.body, &m); err != nil {
		t.Fatalf("%s: %q", u, resp.body)
	}
	return errcode(m)
}

// httptestRecorder serves one request in memory and returns the status.
func httptestRecorder(h http.Handler, method, path string) int {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, path, nil)
	h.ServeHTTP(rec, req)
	return rec.Code
}
