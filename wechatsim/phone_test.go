package wechatsim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	testToken  = "gridbotToken"
	testAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	testAppID  = "wxsandbox0000001"
	testCorpID = "wwsandbox0000001"
)

// mode is one way a callback can be configured.
type mode struct {
	name       string
	safe, work bool
}

func modes() []mode {
	return []mode{{name: "plain"}, {name: "safe", safe: true}, {name: "wecom", work: true}}
}

// newPair starts an echo callback in mode m and returns it with a phone that calls it.
func newPair(t *testing.T, m mode, cfg PhoneConfig) (*echoCallback, *Phone) {
	t.Helper()
	cb := &echoCallback{token: testToken, appID: testAppID, work: m.work}
	if m.safe || m.work {
		cb.aesKey = testAESKey
	}
	if m.work {
		cb.appID = testCorpID
	}
	srv := cb.start(t)
	cfg.CallbackURL, cfg.Token, cfg.AESKey, cfg.AppID = srv.URL+"/wechat/callback", testToken, testAESKey, cb.appID
	cfg.Safe, cfg.Work = m.safe, m.work
	if cfg.OpenID == "" {
		cfg.OpenID = "oGrid0000citizen1"
	}
	if m.work {
		cfg.AgentID = "1000002"
	}
	return cb, NewPhone(cfg)
}

func TestInboundXML(t *testing.T) {
	tests := []struct {
		name string
		in   Inbound
		want string
	}{
		{"text", Inbound{ToUserName: "gh_sandbox", FromUserName: "o1", CreateTime: 1709254800, MsgType: "text", Content: "路灯坏了]]>", MsgID: 24000000000000001},
			"<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName>\n<FromUserName><![CDATA[o1]]></FromUserName>\n<CreateTime>1709254800</CreateTime>\n" +
				"<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[路灯坏了]]]]><![CDATA[>]]></Content>\n<MsgId>24000000000000001</MsgId>\n</xml>"},
		{"location", Inbound{ToUserName: "gh_sandbox", FromUserName: "o1", CreateTime: 1, MsgType: "location", LocationX: 24.874, LocationY: 118.675678, Scale: 15, Label: "泉州市", MsgID: 2},
			"<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName>\n<FromUserName><![CDATA[o1]]></FromUserName>\n<CreateTime>1</CreateTime>\n" +
				"<MsgType><![CDATA[location]]></MsgType>\n<Location_X>24.874000</Location_X>\n<Location_Y>118.675678</Location_Y>\n<Scale>15</Scale>\n" +
				"<Label><![CDATA[泉州市]]></Label>\n<MsgId>2</MsgId>\n</xml>"},
		{"wecom click", Inbound{ToUserName: "ww1", FromUserName: "zhangsan", CreateTime: 1, MsgType: "event", Event: "CLICK", EventKey: "SIGN", AgentID: "1000002"},
			"<xml><ToUserName><![CDATA[ww1]]></ToUserName>\n<FromUserName><![CDATA[zhangsan]]></FromUserName>\n<CreateTime>1</CreateTime>\n" +
				"<MsgType><![CDATA[event]]></MsgType>\n<Event><![CDATA[CLICK]]></Event>\n<EventKey><![CDATA[SIGN]]></EventKey>\n<AgentID>1000002</AgentID>\n</xml>"},
		{"unsubscribe", Inbound{ToUserName: "gh", FromUserName: "o1", CreateTime: 1, MsgType: "event", Event: "unsubscribe"},
			"<xml><ToUserName><![CDATA[gh]]></ToUserName>\n<FromUserName><![CDATA[o1]]></FromUserName>\n<CreateTime>1</CreateTime>\n" +
				"<MsgType><![CDATA[event]]></MsgType>\n<Event><![CDATA[unsubscribe]]></Event>\n</xml>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, string(tt.in.XML())); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestPhoneSend(t *testing.T) {
	ctx := context.Background()
	sends := []struct {
		name      string
		send      func(p *Phone) (Reply, error)
		wantReply string
		check     func(m inboundXML) string // returns the fields that matter
		want      string
	}{
		{"text", func(p *Phone) (Reply, error) { return p.SendText(ctx, "井盖丢了") }, "text:井盖丢了",
			func(m inboundXML) string { return m.Content }, "井盖丢了"},
		{"image", func(p *Phone) (Reply, error) { return p.SendImage(ctx, []byte("\xff\xd8\xff photo")) }, "image:",
			func(m inboundXML) string { return fmt.Sprint(m.MediaID != "", m.PicURL != "") }, "true true"},
		{"voice", func(p *Phone) (Reply, error) { return p.SendVoice(ctx, []byte("#!AMR"), "占道经营") }, "voice:",
			func(m inboundXML) string { return m.Format + " " + m.Recognition }, "amr 占道经营"},
		{"location", func(p *Phone) (Reply, error) { return p.SendLocation(ctx, 24.874, 118.675, 16, "鲤城区") }, "location:鲤城区",
			func(m inboundXML) string { return m.LocationX + " " + m.LocationY + " " + fmt.Sprint(m.Scale) }, "24.874000 118.675000 16"},
		{"link", func(p *Phone) (Reply, error) { return p.SendLink(ctx, "标题", "描述", "https://example.org/a") }, "link:",
			func(m inboundXML) string { return m.Title + " " + m.URL }, "标题 https://example.org/a"},
		{"click", func(p *Phone) (Reply, error) { return p.SendEvent(ctx, "CLICK", "MY_CASES") }, "event:MY_CASES",
			func(m inboundXML) string { return m.Event + " " + fmt.Sprint(m.MsgID) }, "CLICK 0"},
	}
	for _, m := range modes() {
		for _, s := range sends {
			t.Run(m.name+"/"+s.name, func(t *testing.T) {
				cb, p := newPair(t, m, PhoneConfig{})
				reply, err := s.send(p)
				if err != nil {
					t.Fatal(err)
				}
				if reply.Tries != 1 || reply.MsgType != "text" || reply.Content[:len(s.wantReply)] != s.wantReply {
					t.Errorf("reply %+v, want one try and text %q...", reply, s.wantReply)
				}
				seen := cb.requests()
				if len(seen) != 1 {
					t.Fatalf("callback saw %d requests", len(seen))
				}
				if got := s.check(seen[0].Msg); got != s.want {
					t.Errorf("callback parsed %q, want %q", got, s.want)
				}
				if seen[0].Msg.FromUserName != "oGrid0000citizen1" || (m.work && seen[0].Msg.AgentID != "1000002") {
					t.Errorf("callback saw %+v", seen[0].Msg)
				}
			})
		}
	}
}

func TestPhoneVerifyURL(t *testing.T) {
	for _, m := range modes() {
		t.Run(m.name, func(t *testing.T) {
			_, p := newPair(t, m, PhoneConfig{})
			if err := p.VerifyURL(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("wrong token", func(t *testing.T) {
		cb := &echoCallback{token: "other"}
		p := NewPhone(PhoneConfig{CallbackURL: cb.start(t).URL, Token: testToken})
		if err := p.VerifyURL(context.Background()); !errors.Is(err, ErrStatus) {
			t.Errorf("VerifyURL error = %v, want ErrStatus", err)
		}
	})
}

func TestPhoneRetries(t *testing.T) {
	tests := []struct {
		name      string
		slow      int
		status    int
		wantTries int
		wantErr   error
	}{
		{"answers at once", 0, 0, 1, nil},
		{"answers on the third try", 2, 0, 3, nil},
		{"never answers", 3, 0, 3, ErrNoAnswer},
		{"500 is not retried", 0, http.StatusInternalServerError, 1, ErrStatus},
	}
	for _, m := range modes()[:2] {
		for _, tt := range tests {
			t.Run(m.name+"/"+tt.name, func(t *testing.T) {
				cb, p := newPair(t, m, PhoneConfig{Timeout: 100 * time.Millisecond})
				cb.slow = tt.slow
				if tt.status != 0 {
					cb.answer = func(w http.ResponseWriter, _ inboundXML, _ int) bool {
						http.Error(w, "boom", tt.status)
						return true
					}
				}
				reply, err := p.SendText(context.Background(), "有人乱倒垃圾")
				var de *DeliveryError
				if !errors.Is(err, tt.wantErr) || (err != nil && (!errors.As(err, &de) || de.Tries != tt.wantTries)) {
					t.Fatalf("error = %v, want %v after %d tries", err, tt.wantErr, tt.wantTries)
				}
				if reply.Tries != tt.wantTries {
					t.Errorf("Tries = %d, want %d", reply.Tries, tt.wantTries)
				}
				seen := cb.requests()
				if len(seen) != tt.wantTries {
					t.Fatalf("callback saw %d requests, want %d", len(seen), tt.wantTries)
				}
				for _, s := range seen[1:] {
					if s.Body != seen[0].Body || s.Query.Encode() != seen[0].Query.Encode() || s.Msg.MsgID != reply.Inbound.MsgID {
						t.Errorf("retry differs from the first try: %+v vs %+v", s, seen[0])
					}
				}
			})
		}
	}
}

func TestPhoneReplies(t *testing.T) {
	news := "<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>1</CreateTime>" +
		"<MsgType><![CDATA[news]]></MsgType><ArticleCount>1</ArticleCount><Articles><item><Title><![CDATA[案件进度]]></Title>" +
		"<Description><![CDATA[已派单]]></Description><PicUrl><![CDATA[]]></PicUrl><Url><![CDATA[https://example.org/c/1]]></Url></item></Articles></xml>"
	tests := []struct {
		name    string
		safe    bool
		answer  func(cb *echoCallback, w http.ResponseWriter, m inboundXML)
		want    Reply // compared on Empty, MsgType, Content, Articles
		wantErr error
	}{
		{"success", false, func(_ *echoCallback, w http.ResponseWriter, _ inboundXML) { _, _ = w.Write([]byte("success")) }, Reply{Empty: true}, nil},
		{"empty", true, func(_ *echoCallback, w http.ResponseWriter, _ inboundXML) {}, Reply{Empty: true}, nil},
		{"encrypted empty", true, func(cb *echoCallback, w http.ResponseWriter, _ inboundXML) {
			cb.writeSealed(w, "", testToken, testAppID)
		}, Reply{Empty: true}, nil},
		{"news", true, func(cb *echoCallback, w http.ResponseWriter, m inboundXML) {
			cb.writeSealed(w, fmt.Sprintf(news, m.FromUserName, m.ToUserName), testToken, testAppID)
		}, Reply{MsgType: "news", Articles: []Article{{Title: "案件进度", Description: "已派单", URL: "https://example.org/c/1"}}}, nil},
		{"bad msg_signature", true, func(cb *echoCallback, w http.ResponseWriter, m inboundXML) {
			cb.writeSealed(w, fmt.Sprintf(news, m.FromUserName, m.ToUserName), "otherToken", testAppID)
		}, Reply{}, ErrReplySignature},
		{"wrong appid", true, func(cb *echoCallback, w http.ResponseWriter, m inboundXML) {
			cb.writeSealed(w, fmt.Sprintf(news, m.FromUserName, m.ToUserName), testToken, "wxother")
		}, Reply{}, ErrReplySignature},
		{"plaintext in safe mode", true, func(_ *echoCallback, w http.ResponseWriter, m inboundXML) {
			_, _ = fmt.Fprintf(w, news, m.FromUserName, m.ToUserName)
		}, Reply{}, ErrBadReply},
		{"misaddressed", false, func(cb *echoCallback, w http.ResponseWriter, m inboundXML) {
			cb.reply(w, "someoneElse", m.ToUserName, "hi")
		}, Reply{}, ErrBadReply},
		{"malformed", false, func(_ *echoCallback, w http.ResponseWriter, _ inboundXML) { _, _ = w.Write([]byte("<xml><MsgType>")) }, Reply{}, ErrBadReply},
		{"unknown type", false, func(cb *echoCallback, w http.ResponseWriter, m inboundXML) {
			_, _ = fmt.Fprintf(w, "<xml><ToUserName>%s</ToUserName><FromUserName>%s</FromUserName><MsgType>fax</MsgType></xml>", m.FromUserName, m.ToUserName)
		}, Reply{}, ErrBadReply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cb, p := newPair(t, mode{safe: tt.safe}, PhoneConfig{})
			cb.answer = func(w http.ResponseWriter, m inboundXML, _ int) bool { tt.answer(cb, w, m); return true }
			reply, err := p.SendText(context.Background(), "进度？")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			got := Reply{Empty: reply.Empty, MsgType: reply.MsgType, Content: reply.Content, Articles: reply.Articles}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestPhoneCraftedRequests(t *testing.T) {
	ctx := context.Background()
	cb, p := newPair(t, mode{safe: true}, PhoneConfig{})
	in := p.Complete(Inbound{MsgType: "text", Content: "举报"})
	req, err := p.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Post(ctx, req); err != nil {
		t.Fatalf("built request: %v", err)
	}
	if _, err := p.Post(ctx, req); err != nil { // the same nonce again: the simulator sends what it is told
		t.Fatalf("replayed request: %v", err)
	}
	tampered := req
	tampered.Query = url.Values{}
	for k, v := range req.Query {
		tampered.Query[k] = v
	}
	tampered.Query.Set("msg_signature", "0000")
	_, err = p.Post(ctx, tampered)
	var de *DeliveryError
	if !errors.As(err, &de) || de.Status != http.StatusForbidden || de.Tries != 1 {
		t.Errorf("tampered: error = %v, want a DeliveryError with status 403 after 1 try", err)
	}
	stale, err := p.Seal("1000000000", "42", in.XML())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Post(ctx, stale); err != nil {
		t.Fatalf("stale: %v", err)
	}
	seen := cb.requests()
	if len(seen) != 3 || seen[0].Query.Get("nonce") != seen[1].Query.Get("nonce") || seen[2].Query.Get("timestamp") != "1000000000" {
		t.Errorf("callback saw %+v", seen)
	}
	if seen[0].Msg.MsgID != in.MsgID || seen[2].Msg.MsgID != in.MsgID {
		t.Errorf("MsgId changed between crafted requests")
	}
	raw := RawRequest{RawQuery: "signature=x&timestamp=1&nonce=2", Body: []byte("<xml>")}
	if _, err := p.Post(ctx, raw); !errors.Is(err, ErrStatus) {
		t.Errorf("raw bad request: %v, want ErrStatus", err)
	}
}

func TestPhoneWithAPI(t *testing.T) {
	ctx := context.Background()
	f := newAPIFixture(t)
	_, p := newPair(t, mode{safe: true}, PhoneConfig{API: f.api, Now: f.clock.Now, OpenID: "oCitizen"})
	_, q := newPair(t, mode{}, PhoneConfig{API: f.api, Now: f.clock.Now, OpenID: "oWorker"})
	tok := f.token()
	custom := `{"touser":"oCitizen","msgtype":"text","text":{"content":"已受理"}}`
	if got := errcode(f.post("/cgi-bin/message/custom/send", tq(tok), custom)); got != 45015 {
		t.Fatalf("before any message: errcode %d, want 45015", got)
	}
	photo := []byte("\xff\xd8\xff\xe0 evidence")
	reply, err := p.SendImage(ctx, photo)
	if err != nil {
		t.Fatal(err)
	}
	got := httpGet(t, f.srv.URL+"/cgi-bin/media/get?"+url.Values{"access_token": {tok}, "media_id": {reply.Inbound.MediaID}}.Encode())
	if string(got.body) != string(photo) {
		t.Errorf("media of the photo = %q", got.body)
	}
	if got := errcode(f.post("/cgi-bin/message/custom/send", tq(tok), custom)); got != 0 {
		t.Errorf("after a message: errcode %d, want 0", got)
	}
	if _, err := p.SendEvent(ctx, "unsubscribe", ""); err != nil {
		t.Fatal(err)
	}
	if got := errcode(f.post("/cgi-bin/message/custom/send", tq(tok), custom)); got != 43004 {
		t.Errorf("after unsubscribe: errcode %d, want 43004", got)
	}

	var mu sync.Mutex
	ids := map[int64]bool{}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			phone := p
			if i%2 == 1 {
				phone = q
			}
			r, err := phone.SendText(ctx, "并发")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			ids[r.Inbound.MsgID] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(ids) != 20 {
		t.Errorf("%d distinct MsgIds across two phones, want 20", len(ids))
	}
}
