package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/officialaccount/server"

	"gridbot/models"
	"gridbot/wechat"
)

// Gateway is the durable inbox behind a callback.
type Gateway interface {
	// Receive checks the callback's nonce, stores and processes its message and returns the
	// reply ("" for none). models.EForbidden is a nonce reused with another body within the
	// window (nothing stored); any other error means the message was not stored.
	Receive(ctx context.Context, in models.Inbound, nonce models.CallbackNonce) (string, error)
}

// digest returns the hex sha256 of a callback body, which tells a retry from a replay.
func digest(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// WeChatCallback serves GET and POST /wechat/callback for the Official Account.
type WeChatCallback struct {
	Token   string
	Window  time.Duration // allowed clock difference of a callback's timestamp
	MaxBody int64
	// Server returns the library's callback server for one request (officialaccount.GetServer).
	Server  func(r *http.Request, w http.ResponseWriter) *server.Server
	Gateway Gateway
	Log     *slog.Logger
	Now     func() time.Time
}

// Register mounts the callback on the engine.
func (h *WeChatCallback) Register(r *gin.Engine) {
	r.GET("/wechat/callback", h.serve)
	r.POST("/wechat/callback", h.serve)
}

// callbackQuery is what WeChat puts in a callback's query string.
type callbackQuery struct {
	Signature, Timestamp, Nonce, EchoStr, EncryptType, MsgSignature string
}

// envelope is the body of a safe-mode callback.
type envelope struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName string   `xml:"ToUserName"`
	Encrypt    string   `xml:"Encrypt"`
}

// serve checks a callback (size, signature, freshness, msg_signature, replay) before anything
// reaches the conversation, then lets the library decrypt and parse it and answer.
func (h *WeChatCallback) serve(c *gin.Context) {
	q := callbackQuery{Signature: c.Query("signature"), Timestamp: c.Query("timestamp"), Nonce: c.Query("nonce"),
		EchoStr: c.Query("echostr"), EncryptType: c.Query("encrypt_type"), MsgSignature: c.Query("msg_signature")}
	body, err := h.readBody(c)
	if err != nil {
		h.refuse(c, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	if !wechat.ValidSignature(q.Signature, h.Token, q.Timestamp, q.Nonce) {
		h.refuse(c, http.StatusForbidden, "bad signature")
		return
	}
	if !h.fresh(q.Timestamp) {
		h.refuse(c, http.StatusForbidden, "stale timestamp")
		return
	}
	if c.Request.Method == http.MethodGet {
		c.String(http.StatusOK, q.EchoStr)
		return
	}
	if q.EncryptType == "aes" {
		encrypted, ok := encryptedField(body)
		if !ok {
			h.refuse(c, http.StatusBadRequest, "malformed envelope")
			return
		}
		if !wechat.ValidSignature(q.MsgSignature, h.Token, q.Timestamp, q.Nonce, encrypted) {
			h.refuse(c, http.StatusForbidden, "bad msg_signature")
			return
		}
	}
	h.answer(c, body, q, models.CallbackNonce{Timestamp: q.Timestamp, Nonce: q.Nonce, Digest: digest(body)})
}

// libraryRequest is the checked request as the library's server gets it: the body as an
// io.ByteReader (the XML decoder reads it directly instead of through a buffered copy), and only
// the query parameters the library reads (it parses the whole query string again for each one).
func libraryRequest(r *http.Request, body []byte, q callbackQuery) *http.Request {
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

// readBody reads the body up to the limit; more is an error.
func (h *WeChatCallback) readBody(c *gin.Context) ([]byte, error) { return readLimited(c, h.MaxBody) }

// fresh reports whether the callback's timestamp is within the window around now.
func (h *WeChatCallback) fresh(ts string) bool { return wechat.FreshTimestamp(h.Now(), ts, h.Window) }

// readLimited reads a request body up to max bytes; more is an error.
func readLimited(c *gin.Context, max int64) ([]byte, error) {
	if c.Request.ContentLength > max {
		return nil, models.Errorf(models.ETooLarge, "body over %d bytes", max)
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, max+1))
	if err != nil || int64(len(body)) > max {
		return nil, models.Errorf(models.ETooLarge, "body over %d bytes", max)
	}
	return body, nil
}

// answer hands the checked request to the library's server, which decrypts and parses it, and
// answers once the message is stored: a storage failure answers 503 so that WeChat retries,
// nothing acknowledged. A field over its limit is 400 and a location off the Earth is answered
// msgBadLocation, both without storing anything. The reply itself is rendered by passiveText.
func (h *WeChatCallback) answer(c *gin.Context, body []byte, q callbackQuery, nonce models.CallbackNonce) {
	srv := h.Server(libraryRequest(c.Request, body, q), discardWriter{})
	var (
		malformed   bool
		replayed    bool
		unavailable error
		invalid     error
		reply       string
		msg         *message.MixMessage
	)
	srv.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
		if m.FromUserName == "" || m.MsgType == "" {
			malformed = true
			return nil
		}
		in := inboundOf(m, h.Now())
		if invalid = in.CheckFields(); invalid != nil {
			return nil
		}
		if !in.ValidLocation() { // answered, not stored: nothing of it can be used
			reply, msg = msgBadLocation, m
			return nil
		}
		r, err := h.Gateway.Receive(c.Request.Context(), in, nonce)
		switch {
		case models.ErrorCodeOf(err) == models.EForbidden:
			replayed = true
		case models.ErrorCodeOf(err) == models.EInvalid:
			invalid = err
		case err != nil:
			unavailable = err
		default:
			reply, msg = r, m
		}
		return nil // the library renders nothing: answer does
	})
	if err := serveLibrary(srv); err != nil || malformed {
		h.refuse(c, http.StatusBadRequest, "malformed message")
		return
	}
	if invalid != nil {
		h.refuse(c, http.StatusBadRequest, models.ErrorMessage(invalid))
		return
	}
	if replayed {
		h.refuse(c, http.StatusForbidden, "replayed nonce")
		return
	}
	if unavailable != nil {
		h.Log.ErrorContext(c.Request.Context(), "inbound message not stored; WeChat will retry", "err", unavailable)
		c.String(http.StatusServiceUnavailable, "")
		return
	}
	if reply == "" {
		c.String(http.StatusOK, "success")
		return
	}
	out, err := passiveText(replyKeys{Token: srv.Token, AppID: srv.AppID, AESKey: srv.EncodingAESKey},
		q.EncryptType == "aes", string(msg.FromUserName), string(msg.ToUserName), h.Now().Unix(), reply,
		q.Timestamp, q.Nonce)
	if err != nil {
		h.Log.ErrorContext(c.Request.Context(), "rendering the reply failed", "err", err)
		c.String(http.StatusOK, "success")
		return
	}
	c.Data(http.StatusOK, "application/xml; charset=utf-8", out)
}

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

// refuse answers a rejected callback; nothing of it was stored.
func (h *WeChatCallback) refuse(c *gin.Context, status int, why string) {
	h.Log.WarnContext(c.Request.Context(), "wechat callback refused", "status", status, "reason", why,
		"remote", c.ClientIP())
	c.String(status, why)
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
// plain-mode message without a reply, which answer writes itself.
type discardWriter struct{}

// Header returns a header nobody sends.
func (discardWriter) Header() http.Header { return http.Header{} }

// Write discards.
func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// WriteHeader discards.
func (discardWriter) WriteHeader(int) {}
