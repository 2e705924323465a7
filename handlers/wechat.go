package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

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

// WeChatCallback serves GET and POST /wechat/callback for the Official Account; the protocol
// (checks, decryption, the reply) is the wechat package's.
type WeChatCallback struct {
	Token   string
	Window  time.Duration // allowed clock difference of a callback's timestamp
	MaxBody int64
	// Account reads the checked callbacks and renders their replies.
	Account *wechat.Account
	Gateway Gateway
	Log     *slog.Logger
	Now     func() time.Time
}

// Register mounts the callback on the engine.
func (h *WeChatCallback) Register(r *gin.Engine) {
	r.GET("/wechat/callback", h.serve)
	r.POST("/wechat/callback", h.serve)
}

// serve checks a callback (size, signature, freshness, msg_signature, replay) before anything
// reaches the conversation, then has the account decrypt and parse it, and answers.
func (h *WeChatCallback) serve(c *gin.Context) {
	q := wechat.CallbackQuery{Signature: c.Query("signature"), Timestamp: c.Query("timestamp"), Nonce: c.Query("nonce"),
		EchoStr: c.Query("echostr"), EncryptType: c.Query("encrypt_type"), MsgSignature: c.Query("msg_signature")}
	body, err := readLimited(c, h.MaxBody)
	if err != nil {
		h.refuse(c, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	if err := wechat.CheckCallback(h.Token, q, h.Now(), h.Window); err != nil {
		h.refuseErr(c, err)
		return
	}
	if c.Request.Method == http.MethodGet {
		c.String(http.StatusOK, q.EchoStr)
		return
	}
	if err := wechat.CheckEnvelope(h.Token, q, body); err != nil {
		h.refuseErr(c, err)
		return
	}
	h.answer(c, body, q, models.CallbackNonce{Timestamp: q.Timestamp, Nonce: q.Nonce, Digest: digest(body)})
}

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

// outcome is what became of a callback's message: at most one of replayed, unavailable and
// invalid, else the reply from account to openID ("" for none).
type outcome struct {
	replayed        bool
	unavailable     error
	invalid         error
	reply           string
	openID, account string
}

// receive is the message's way into the inbox: a field over its limit is invalid and a location
// off the Earth is answered msgBadLocation, both without storing anything.
func (h *WeChatCallback) receive(ctx context.Context, m wechat.Message, nonce models.CallbackNonce, o *outcome) {
	if o.invalid = m.In.CheckFields(); o.invalid != nil {
		return
	}
	if !m.In.ValidLocation() { // answered, not stored: nothing of it can be used
		o.reply, o.openID, o.account = msgBadLocation, m.In.OpenID, m.To
		return
	}
	r, err := h.Gateway.Receive(ctx, m.In, nonce)
	switch {
	case models.ErrorCodeOf(err) == models.EForbidden:
		o.replayed = true
	case models.ErrorCodeOf(err) == models.EInvalid:
		o.invalid = err
	case err != nil:
		o.unavailable = err
	default:
		o.reply, o.openID, o.account = r, m.In.OpenID, m.To
	}
}

// answer has the account read the checked request and answers once the message is stored: a
// storage failure answers 503 so that WeChat retries, nothing acknowledged.
func (h *WeChatCallback) answer(c *gin.Context, body []byte, q wechat.CallbackQuery, nonce models.CallbackNonce) {
	ctx := c.Request.Context()
	o := &outcome{}
	if err := h.Account.ReadCallback(c.Request, body, q, h.Now(), func(m wechat.Message) {
		h.receive(ctx, m, nonce, o)
	}); err != nil {
		h.refuseErr(c, err)
		return
	}
	switch {
	case o.invalid != nil:
		h.refuse(c, http.StatusBadRequest, models.ErrorMessage(o.invalid))
		return
	case o.replayed:
		h.refuse(c, http.StatusForbidden, "replayed nonce")
		return
	case o.unavailable != nil:
		h.Log.ErrorContext(ctx, "inbound message not stored; WeChat will retry", "err", o.unavailable)
		c.String(http.StatusServiceUnavailable, "")
		return
	case o.reply == "":
		c.String(http.StatusOK, "success")
		return
	}
	out, err := h.Account.PassiveText(q, o.openID, o.account, o.reply, h.Now())
	if err != nil {
		h.Log.ErrorContext(ctx, "rendering the reply failed", "err", err)
		c.String(http.StatusOK, "success")
		return
	}
	c.Data(http.StatusOK, "application/xml; charset=utf-8", out)
}

// refuse answers a rejected callback; nothing of it was stored.
func (h *WeChatCallback) refuse(c *gin.Context, status int, why string) {
	h.Log.WarnContext(c.Request.Context(), "wechat callback refused", "status", status, "reason", why,
		"remote", c.ClientIP())
	c.String(status, why)
}

// refuseErr refuses a callback that failed a check, with its code's status and message.
func (h *WeChatCallback) refuseErr(c *gin.Context, err error) {
	h.refuse(c, statusOf(models.ErrorCodeOf(err)), models.ErrorMessage(err))
}
