package handlers

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"gridbot/models"
	"gridbot/wechat"
)

// WeComCallback serves GET and POST /wecom/callback for the WeCom self-built app; the protocol
// (signature, decryption, the reply) is wechat.WeComKeys'. It applies the same checks as the
// Official Account callback and hands messages to the same durable inbox.
type WeComCallback struct {
	CorpID  string
	Token   string
	AESKey  string
	Window  time.Duration
	MaxBody int64
	Gateway Gateway
	Log     *slog.Logger
	Now     func() time.Time
}

// Register mounts the callback on the engine.
func (h *WeComCallback) Register(r *gin.Engine) {
	r.GET("/wecom/callback", h.verifyURL)
	r.POST("/wecom/callback", h.receive)
}

// keys are the application's callback keys.
func (h *WeComCallback) keys() wechat.WeComKeys {
	return wechat.WeComKeys{CorpID: h.CorpID, Token: h.Token, AESKey: h.AESKey}
}

// verifyURL answers WeCom's URL check: the decrypted echostr, after the signature is checked.
func (h *WeComCallback) verifyURL(c *gin.Context) {
	ts, nonce, echo := c.Query("timestamp"), c.Query("nonce"), c.Query("echostr")
	keys := h.keys()
	if !keys.Verify(c.Query("msg_signature"), ts, nonce, echo) {
		h.refuse(c, http.StatusForbidden, "bad msg_signature")
		return
	}
	if !wechat.FreshTimestamp(h.Now(), ts, h.Window) {
		h.refuse(c, http.StatusForbidden, "stale timestamp")
		return
	}
	plain, err := keys.Decrypt(echo)
	if err != nil {
		h.refuseErr(c, err)
		return
	}
	c.String(http.StatusOK, string(plain))
}

// receive checks a message callback (size, freshness, envelope, msg_signature, replay,
// decryption, the corp it is for, its fields), stores it in the inbox and answers with the
// reply. A location off the Earth is answered msgBadLocation without storing anything.
func (h *WeComCallback) receive(c *gin.Context) {
	ts, nonce := c.Query("timestamp"), c.Query("nonce")
	body, err := readLimited(c, h.MaxBody)
	if err != nil {
		h.refuse(c, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	if !wechat.FreshTimestamp(h.Now(), ts, h.Window) {
		h.refuse(c, http.StatusForbidden, "stale timestamp")
		return
	}
	encrypted, ok := wechat.WeComEncrypted(body)
	if !ok {
		h.refuse(c, http.StatusBadRequest, "malformed envelope")
		return
	}
	keys := h.keys()
	if !keys.Verify(c.Query("msg_signature"), ts, nonce, encrypted) {
		h.refuse(c, http.StatusForbidden, "bad msg_signature")
		return
	}
	plain, err := keys.Decrypt(encrypted)
	if err != nil {
		h.refuseErr(c, err)
		return
	}
	m, ok := wechat.ParseWeComMessage(plain)
	if !ok {
		h.refuse(c, http.StatusBadRequest, "malformed message")
		return
	}
	in := m.Inbound(h.Now())
	if err := in.CheckFields(); err != nil {
		h.refuseErr(c, err)
		return
	}
	if !in.ValidLocation() { // answered, not stored: nothing of it can be used
		h.answer(c, m, msgBadLocation, nonce)
		return
	}
	reply, err := h.Gateway.Receive(c.Request.Context(), in,
		models.CallbackNonce{Timestamp: ts, Nonce: nonce, Digest: digest(body)})
	switch models.ErrorCodeOf(err) {
	case models.EForbidden:
		h.refuse(c, http.StatusForbidden, "replayed nonce")
		return
	case models.EInvalid:
		h.refuseErr(c, err)
		return
	}
	if err != nil {
		h.Log.ErrorContext(c.Request.Context(), "inbound WeCom message not stored; WeCom will retry", "err", err)
		c.String(http.StatusServiceUnavailable, "")
		return
	}
	h.answer(c, m, reply, nonce)
}

// answer writes the reply encrypted and signed, or "success" without one.
func (h *WeComCallback) answer(c *gin.Context, m wechat.WeComMessage, reply, nonce string) {
	if reply == "" {
		c.String(http.StatusOK, "success")
		return
	}
	out, err := h.keys().RenderText(m, reply, h.Now(), nonce)
	if err != nil {
		h.Log.ErrorContext(c.Request.Context(), "rendering a WeCom reply failed; it is acknowledged only", "err", err)
		c.String(http.StatusOK, "success")
		return
	}
	c.Data(http.StatusOK, "application/xml; charset=utf-8", out)
}

// refuse answers a rejected callback; nothing of it was stored.
func (h *WeComCallback) refuse(c *gin.Context, status int, why string) {
	h.Log.WarnContext(c.Request.Context(), "wecom callback refused", "status", status, "reason", why)
	c.String(status, why)
}

// refuseErr answers a failed check by its error code.
func (h *WeComCallback) refuseErr(c *gin.Context, err error) {
	status := statusOf(models.ErrorCodeOf(err))
	if status >= 500 {
		h.Log.ErrorContext(c.Request.Context(), "wecom callback check failed", "err", err)
		c.String(status, "")
		return
	}
	h.refuse(c, status, models.ErrorMessage(err))
}
