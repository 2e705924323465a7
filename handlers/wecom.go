package handlers

import (
	"crypto/rand"
	"encoding/xml"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/silenceper/wechat/v2/util"

	"gridbot/models"
)

// WeComCallback serves GET and POST /wecom/callback for the WeCom self-built app, by hand: the
// library has no callback server for such apps. It applies the same checks as the Official
// Account callback and hands messages to the same durable inbox.
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

// wecomEnvelope is the body of a WeCom callback.
type wecomEnvelope struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName string   `xml:"ToUserName"`
	AgentID    string   `xml:"AgentID"`
	Encrypt    string   `xml:"Encrypt"`
}

// wecomMessage is a decrypted WeCom message.
type wecomMessage struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Content      string   `xml:"Content"`
	MsgID        int64    `xml:"MsgId"`
	PicURL       string   `xml:"PicUrl"`
	MediaID      string   `xml:"MediaId"`
	Format       string   `xml:"Format"`
	Recognition  string   `xml:"Recognition"`
	LocationX    float64  `xml:"Location_X"`
	LocationY    float64  `xml:"Location_Y"`
	Scale        int      `xml:"Scale"`
	Label        string   `xml:"Label"`
	Title        string   `xml:"Title"`
	URL          string   `xml:"Url"`
	Event        string   `xml:"Event"`
	EventKey     string   `xml:"EventKey"`
}

// wecomReply is the encrypted passive reply.
type wecomReply struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      cdata    `xml:"Encrypt"`
	MsgSignature cdata    `xml:"MsgSignature"`
	TimeStamp    string   `xml:"TimeStamp"`
	Nonce        cdata    `xml:"Nonce"`
}

// wecomText is the plaintext of a text reply.
type wecomText struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   cdata    `xml:"ToUserName"`
	FromUserName cdata    `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      cdata    `xml:"MsgType"`
	Content      cdata    `xml:"Content"`
}

// cdata renders a string as CDATA, as WeChat writes XML.
type cdata struct {
	Value string `xml:",cdata"`
}

// verifyURL answers WeCom's URL check: the decrypted echostr, after the signature is checked.
func (h *WeComCallback) verifyURL(c *gin.Context) {
	ts, nonce, echo := c.Query("timestamp"), c.Query("nonce"), c.Query("echostr")
	if !validSignature(c.Query("msg_signature"), h.Token, ts, nonce, echo) {
		h.refuse(c, http.StatusForbidden, "bad msg_signature")
		return
	}
	if !freshAt(h.Now(), ts, h.Window) {
		h.refuse(c, http.StatusForbidden, "stale timestamp")
		return
	}
	plain, err := h.decrypt(echo)
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
	if !freshAt(h.Now(), ts, h.Window) {
		h.refuse(c, http.StatusForbidden, "stale timestamp")
		return
	}
	var env wecomEnvelope
	if err := xml.Unmarshal(body, &env); err != nil || env.Encrypt == "" {
		h.refuse(c, http.StatusBadRequest, "malformed envelope")
		return
	}
	if !validSignature(c.Query("msg_signature"), h.Token, ts, nonce, env.Encrypt) {
		h.refuse(c, http.StatusForbidden, "bad msg_signature")
		return
	}
	plain, err := h.decrypt(env.Encrypt)
	if err != nil {
		h.refuseErr(c, err)
		return
	}
	var m wecomMessage
	if err := xml.Unmarshal(plain, &m); err != nil || m.FromUserName == "" || m.MsgType == "" {
		h.refuse(c, http.StatusBadRequest, "malformed message")
		return
	}
	in := wecomInbound(m, h.Now())
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

// decrypt opens an encrypted field; a wrong key is malformed input, another corp's message forbidden.
func (h *WeComCallback) decrypt(enc string) ([]byte, error) {
	_, plain, err := util.DecryptMsg(h.CorpID, enc, h.AESKey)
	if err != nil {
		if strings.Contains(err.Error(), "APPID") {
			return nil, models.WrapError(models.EForbidden, err, "message for another corp")
		}
		return nil, models.WrapError(models.EInvalid, err, "cannot decrypt")
	}
	return plain, nil
}

// answer writes the reply encrypted and signed, or "success" without one.
func (h *WeComCallback) answer(c *gin.Context, m wecomMessage, reply, nonce string) {
	if reply == "" {
		c.String(http.StatusOK, "success")
		return
	}
	plain, err := xml.Marshal(wecomText{ToUserName: cdata{m.FromUserName}, FromUserName: cdata{m.ToUserName},
		CreateTime: h.Now().Unix(), MsgType: cdata{"text"}, Content: cdata{reply}})
	if err == nil {
		var enc []byte
		random := make([]byte, 16)
		if _, err = rand.Read(random); err == nil {
			enc, err = util.EncryptMsg(random, plain, h.CorpID, h.AESKey)
		}
		if err == nil {
			ts := strconv.FormatInt(h.Now().Unix(), 10)
			c.XML(http.StatusOK, wecomReply{Encrypt: cdata{string(enc)}, TimeStamp: ts, Nonce: cdata{nonce},
				MsgSignature: cdata{util.Signature(h.Token, ts, nonce, string(enc))}})
			return
		}
	}
	h.Log.ErrorContext(c.Request.Context(), "rendering a WeCom reply failed; it is acknowledged only", "err", err)
	c.String(http.StatusOK, "success")
}

// wecomInbound converts a WeCom message into gridbot's.
func wecomInbound(m wecomMessage, now time.Time) models.Inbound {
	return models.Inbound{
		Channel: models.ChannelWeCom, OpenID: m.FromUserName, MsgID: m.MsgID, MsgType: m.MsgType, Content: m.Content,
		MediaID: m.MediaID, PicURL: m.PicURL, Format: m.Format, Recognition: m.Recognition, Lat: m.LocationX,
		Lng: m.LocationY, Scale: m.Scale, Label: m.Label, Title: m.Title, URL: m.URL,
		Event: strings.ToLower(m.Event), EventKey: m.EventKey, CreateTime: m.CreateTime, ReceivedAt: now,
	}
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
