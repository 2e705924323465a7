package wechat

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/officialaccount/server"

	"gridbot/models"
)

// CallbackQuery is what WeChat puts in an Official Account callback's query string.
type CallbackQuery struct {
	Signature, Timestamp, Nonce, EchoStr, EncryptType, MsgSignature string
}

// Safe reports whether the callback came in safe mode, its body encrypted.
func (q CallbackQuery) Safe() bool { return q.EncryptType == "aes" }

// CheckCallback checks a callback's signature over the token and its timestamp against the
// window around now: models.EForbidden when either fails.
func CheckCallback(token string, q CallbackQuery, now time.Time, window time.Duration) error {
	if !ValidSignature(q.Signature, token, q.Timestamp, q.Nonce) {
		return models.Errorf(models.EForbidden, "bad signature")
	}
	if !FreshTimestamp(now, q.Timestamp, window) {
		return models.Errorf(models.EForbidden, "stale timestamp")
	}
	return nil
}

// CheckEnvelope checks a safe-mode message body: models.EInvalid when it is no envelope,
// models.EForbidden when its msg_signature is wrong. A plaintext body passes.
func CheckEnvelope(token string, q CallbackQuery, body []byte) error {
	if !q.Safe() {
		return nil
	}
	encrypted, ok := encryptedField(body)
	if !ok {
		return models.Errorf(models.EInvalid, "malformed envelope")
	}
	if !ValidSignature(q.MsgSignature, token, q.Timestamp, q.Nonce, encrypted) {
		return models.Errorf(models.EForbidden, "bad msg_signature")
	}
	return nil
}

// envelope is the body of a safe-mode callback.
type envelope struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName string   `xml:"ToUserName"`
	Encrypt    string   `xml:"Encrypt"`
}

// encryptedField returns the Encrypt field of a safe-mode envelope. WeChat writes it as CDATA,
// which is read without an XML parser (the library parses the envelope again anyway); any other
// form is parsed properly.
func encryptedField(body []byte) (string, bool) {
	const open, end = "<Encrypt><![CDATA[", "]]></Encrypt>"
	if i := bytes.Index(body, []byte(open)); i >= 0 {
		rest := body[i+len(open):]
		if j := bytes.Index(rest, []byte(end)); j > 0 && bytes.IndexByte(rest[:j], '<') < 0 {
			return string(rest[:j]), true
		}
	}
	var env envelope
	if err := xml.Unmarshal(body, &env); err != nil || env.Encrypt == "" {
		return "", false
	}
	return env.Encrypt, true
}

// Message is an Official Account message read from a callback: gridbot's Inbound and the
// account it was sent to, which sends the reply.
type Message struct {
	In models.Inbound
	To string
}

// ReadCallback has the library decrypt and parse a callback whose signatures the caller has
// checked (CheckCallback, CheckEnvelope), and hands its message, received at now, to handle.
// A body that does not parse, or a message without sender or type, is models.EInvalid and
// reaches handle not at all.
func (a *Account) ReadCallback(r *http.Request, body []byte, q CallbackQuery, now time.Time, handle func(Message)) error {
	srv := a.callbackServer(libraryRequest(r, body, q), discardWriter{})
	malformed := false
	srv.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
		if m.FromUserName == "" || m.MsgType == "" {
			malformed = true
			return nil
		}
		handle(Message{In: inboundOf(m, now), To: string(m.ToUserName)})
		return nil // the library renders nothing: PassiveText does
	})
	if err := serveLibrary(srv); err != nil || malformed {
		return models.WrapError(models.EInvalid, err, "malformed message")
	}
	return nil
}

// PassiveText renders the passive text reply from the account (a Message's To) to openID,
// written at now, encrypted and signed when the callback came in safe mode.
func (a *Account) PassiveText(q CallbackQuery, openID, account, content string, now time.Time) ([]byte, error) {
	return passiveText(a.keys, q.Safe(), openID, account, now.Unix(), content, q.Timestamp, q.Nonce)
}

// callbackServer returns the library's callback server for one request whose signature the
// caller has verified already: it decrypts safe-mode bodies and parses the message.
func (a *Account) callbackServer(r *http.Request, w http.ResponseWriter) *server.Server {
	srv := a.oa.GetServer(r, w)
	srv.SkipValidate(true) // CheckCallback refused a bad signature first
	return srv
}

// libraryRequest is the checked request as the library's server gets it: the body as an
// io.ByteReader (the XML decoder reads it directly instead of through a buffered copy), and only
// the query parameters the library reads (it parses the whole query string again for each one).
func libraryRequest(r *http.Request, body []byte, q CallbackQuery) *http.Request {
	lr, u := *r, *r.URL
	u.RawQuery = "timestamp=" + url.QueryEscape(q.Timestamp) + "&nonce=" + url.QueryEscape(q.Nonce)
	if q.EncryptType != "" {
		u.RawQuery += "&encrypt_type=" + url.QueryEscape(q.EncryptType) + "&msg_signature=" + url.QueryEscape(q.MsgSignature)
	}
	lr.URL, lr.Body = &u, bodyReader{bytes.NewReader(body)}
	return &lr
}

// bodyReader is a request body read from memory.
type bodyReader struct{ *bytes.Reader }

// Close does nothing.
func (bodyReader) Close() error { return nil }

// serveLibrary runs the library's server on the request, turning a panic (it panics when its
// writer fails) into an error.
func serveLibrary(srv *server.Server) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = models.Errorf(models.EInternal, "wechat server panic: %v", r)
		}
	}()
	return srv.Serve()
}

// inboundOf converts the library's message into gridbot's.
func inboundOf(m *message.MixMessage, now time.Time) models.Inbound {
	return models.Inbound{
		Channel: models.ChannelWeChat, OpenID: string(m.FromUserName), MsgID: m.MsgID, MsgType: string(m.MsgType),
		Content: m.Content, MediaID: m.MediaID, PicURL: m.PicURL, Format: m.Format, Recognition: m.Recognition,
		Lat: m.LocationX, Lng: m.LocationY, Scale: int(m.Scale), Label: m.Label, Title: m.Title, URL: m.URL,
		Event: strings.ToLower(string(m.Event)), EventKey: m.EventKey, CreateTime: m.CreateTime, ReceivedAt: now,
	}
}

// discardWriter is the library server's response writer: it writes only "success" for a
// plain-mode message without a reply, which the caller writes itself.
type discardWriter struct{}

// Header returns a header nobody sends.
func (discardWriter) Header() http.Header { return http.Header{} }

// Write discards.
func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// WriteHeader discards.
func (discardWriter) WriteHeader(int) {}
