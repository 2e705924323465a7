package wechatsim

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

// echoCallback is a tiny hand-written WeChat callback: it checks signatures, decrypts, and answers a text echo.
type echoCallback struct {
	token, aesKey, appID string
	work                 bool
	// answer, when set, replaces the echo reply (it receives the parsed message and the try number).
	answer func(w http.ResponseWriter, m inboundXML, try int) bool
	// slow holds the first slow requests until the client gives up.
	slow int

	mu   sync.Mutex
	seen []seenRequest
}

// seenRequest is one request the callback received.
type seenRequest struct {
	Query url.Values
	Body  string
	Msg   inboundXML
}

// inboundXML is the message as a service would parse it.
type inboundXML struct {
	ToUserName   string `xml:"ToUserName"`
	FromUserName string `xml:"FromUserName"`
	CreateTime   int64  `xml:"CreateTime"`
	MsgType      string `xml:"MsgType"`
	Content      string `xml:"Content"`
	MsgID        int64  `xml:"MsgId"`
	PicURL       string `xml:"PicUrl"`
	MediaID      string `xml:"MediaId"`
	Format       string `xml:"Format"`
	Recognition  string `xml:"Recognition"`
	LocationX    string `xml:"Location_X"`
	LocationY    string `xml:"Location_Y"`
	Scale        int    `xml:"Scale"`
	Label        string `xml:"Label"`
	Title        string `xml:"Title"`
	URL          string `xml:"Url"`
	Event        string `xml:"Event"`
	EventKey     string `xml:"EventKey"`
	AgentID      string `xml:"AgentID"`
}

// envelopeXML is the encrypted request body.
type envelopeXML struct {
	ToUserName string `xml:"ToUserName"`
	AgentID    string `xml:"AgentID"`
	Encrypt    string `xml:"Encrypt"`
}

func (c *echoCallback) start(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return srv
}

func (c *echoCallback) requests() []seenRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]seenRequest(nil), c.seen...)
}

func (c *echoCallback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method == http.MethodGet {
		c.verify(w, q)
		return
	}
	body, _ := io.ReadAll(r.Body)
	plain, ok := c.open(q, body)
	if !ok {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	var m inboundXML
	if err := xml.Unmarshal(plain, &m); err != nil {
		http.Error(w, "bad xml", http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.seen = append(c.seen, seenRequest{Query: q, Body: string(body), Msg: m})
	try := len(c.seen)
	c.mu.Unlock()
	if try <= c.slow {
		<-r.Context().Done()
		return
	}
	if c.answer != nil && c.answer(w, m, try) {
		return
	}
	c.reply(w, m.FromUserName, m.ToUserName, m.MsgType+":"+m.Content+m.MediaID+m.Label+m.EventKey)
}

// verify answers the URL check.
func (c *echoCallback) verify(w http.ResponseWriter, q url.Values) {
	ts, nonce, echo := q.Get("timestamp"), q.Get("nonce"), q.Get("echostr")
	if !c.work {
		if Sign(c.token, ts, nonce) != q.Get("signature") {
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, echo)
		return
	}
	plain, appID, err := Decrypt(c.aesKey, echo)
	if Sign(c.token, ts, nonce, echo) != q.Get("msg_signature") || err != nil || appID != c.appID {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	_, _ = w.Write(plain)
}

// open checks the signatures and returns the message XML.
func (c *echoCallback) open(q url.Values, body []byte) ([]byte, bool) {
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if !c.work && Sign(c.token, ts, nonce) != q.Get("signature") {
		return nil, false
	}
	if !c.work && q.Get("encrypt_type") != "aes" {
		return body, true
	}
	var env envelopeXML
	if xml.Unmarshal(body, &env) != nil || Sign(c.token, ts, nonce, env.Encrypt) != q.Get("msg_signature") {
		return nil, false
	}
	plain, appID, err := Decrypt(c.aesKey, env.Encrypt)
	return plain, err == nil && appID == c.appID
}

// reply writes a passive text reply, encrypted when the callback has a key.
func (c *echoCallback) reply(w http.ResponseWriter, to, from, content string) {
	x := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content></xml>",
		to, from, time.Now().Unix(), content)
	c.writeSealed(w, x, c.token, c.appID)
}

// writeSealed writes x as is, or encrypted for appID and signed with token when the callback has a key.
func (c *echoCallback) writeSealed(w http.ResponseWriter, x, token, appID string) {
	if c.aesKey == "" {
		_, _ = io.WriteString(w, x)
		return
	}
	enc, err := Encrypt(c.aesKey, appID, []byte(x))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), "5555"
	_, _ = fmt.Fprintf(w, "<xml><Encrypt><![CDATA[%s]]></Encrypt><MsgSignature><![CDATA[%s]]></MsgSignature>"+
		"<TimeStamp>%s</TimeStamp><Nonce><![CDATA[%s]]></Nonce></xml>", enc, Sign(token, ts, nonce, enc), ts, nonce)
}
