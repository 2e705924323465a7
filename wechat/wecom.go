package wechat

import (
	"crypto/rand"
	"encoding/xml"
	"strconv"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"gridbot/models"
)

// WeComKeys are what a WeCom self-built application's callback is checked, decrypted and
// answered with. The library has no callback server for such apps, so this is done by hand.
type WeComKeys struct {
	CorpID, Token, AESKey string
}

// wecomEnvelope is the body of a WeCom callback.
type wecomEnvelope struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName string   `xml:"ToUserName"`
	AgentID    string   `xml:"AgentID"`
	Encrypt    string   `xml:"Encrypt"`
}

// WeComMessage is a decrypted WeCom message.
type WeComMessage struct {
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

// WeComEncrypted returns the Encrypt field of a WeCom callback body; false when the body is not
// such an envelope.
func WeComEncrypted(body []byte) (string, bool) {
	var env wecomEnvelope
	if err := xml.Unmarshal(body, &env); err != nil || env.Encrypt == "" {
		return "", false
	}
	return env.Encrypt, true
}

// Verify checks a callback's msg_signature over its timestamp, nonce and encrypted field.
func (k WeComKeys) Verify(sig, timestamp, nonce, encrypted string) bool {
	return ValidSignature(sig, k.Token, timestamp, nonce, encrypted)
}

// Decrypt opens an encrypted field: models.EForbidden for another corp's message,
// models.EInvalid for one that does not decrypt.
func (k WeComKeys) Decrypt(enc string) ([]byte, error) {
	_, plain, err := util.DecryptMsg(k.CorpID, enc, k.AESKey)
	if err != nil {
		if strings.Contains(err.Error(), "APPID") {
			return nil, models.WrapError(models.EForbidden, err, "message for another corp")
		}
		return nil, models.WrapError(models.EInvalid, err, "cannot decrypt")
	}
	return plain, nil
}

// ParseWeComMessage parses a decrypted message; false when it has no sender or type.
func ParseWeComMessage(plain []byte) (WeComMessage, bool) {
	var m WeComMessage
	if err := xml.Unmarshal(plain, &m); err != nil || m.FromUserName == "" || m.MsgType == "" {
		return WeComMessage{}, false
	}
	return m, true
}

// Inbound converts the message into gridbot's, received at now.
func (m WeComMessage) Inbound(now time.Time) models.Inbound {
	return models.Inbound{
		Channel: models.ChannelWeCom, OpenID: m.FromUserName, MsgID: m.MsgID, MsgType: m.MsgType, Content: m.Content,
		MediaID: m.MediaID, PicURL: m.PicURL, Format: m.Format, Recognition: m.Recognition, Lat: m.LocationX,
		Lng: m.LocationY, Scale: m.Scale, Label: m.Label, Title: m.Title, URL: m.URL,
		Event: strings.ToLower(m.Event), EventKey: m.EventKey, CreateTime: m.CreateTime, ReceivedAt: now,
	}
}

// RenderText renders the encrypted, signed passive text reply to m, written at now for the
// callback's nonce.
func (k WeComKeys) RenderText(m WeComMessage, content string, now time.Time, nonce string) ([]byte, error) {
	plain, err := xml.Marshal(wecomText{ToUserName: cdata{m.FromUserName}, FromUserName: cdata{m.ToUserName},
		CreateTime: now.Unix(), MsgType: cdata{"text"}, Content: cdata{content}})
	if err != nil {
		return nil, err
	}
	random := make([]byte, 16)
	if _, err := rand.Read(random); err != nil {
		return nil, err
	}
	enc, err := util.EncryptMsg(random, plain, k.CorpID, k.AESKey)
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	return xml.Marshal(wecomReply{Encrypt: cdata{string(enc)}, TimeStamp: ts, Nonce: cdata{nonce},
		MsgSignature: cdata{util.Signature(k.Token, ts, nonce, string(enc))}})
}
