package wechatsim

import (
	"encoding/xml"
	"fmt"
)

// maxArticles is the most articles a passive news reply may carry.
const maxArticles = 8

// Reply is the callback's answer as WeChat would read it.
type Reply struct {
	Status int
	Raw    []byte // the body as received
	Plain  []byte // the reply XML: Raw, or in safe mode the decrypted message
	// Empty is an acknowledgement without a reply: an empty body or exactly "success" (in safe mode also once decrypted).
	Empty        bool
	ToUserName   string
	FromUserName string
	CreateTime   int64
	MsgType      string // text, image, voice, video, music, news, transfer_customer_service
	Content      string
	MediaID      string // image, voice, video
	Title        string // video, music
	Description  string // video, music
	Articles     []Article
	Tries        int
	Inbound      Inbound // what Send sent, completed; zero for Post
}

// Article is one item of a news reply.
type Article struct {
	Title       string `xml:"Title"`
	Description string `xml:"Description"`
	PicURL      string `xml:"PicUrl"`
	URL         string `xml:"Url"`
}

// passiveXML is a passive reply as the service writes it.
type passiveXML struct {
	ToUserName   string    `xml:"ToUserName"`
	FromUserName string    `xml:"FromUserName"`
	CreateTime   int64     `xml:"CreateTime"`
	MsgType      string    `xml:"MsgType"`
	Content      string    `xml:"Content"`
	Image        mediaXML  `xml:"Image"`
	Voice        mediaXML  `xml:"Voice"`
	Video        mediaXML  `xml:"Video"`
	Music        mediaXML  `xml:"Music"`
	ArticleCount int       `xml:"ArticleCount"`
	Articles     []Article `xml:"Articles>item"`
}

// mediaXML is the inner element of image, voice, video and music replies.
type mediaXML struct {
	MediaID     string `xml:"MediaId"`
	Title       string `xml:"Title"`
	Description string `xml:"Description"`
}

// encryptedXML is the safe-mode reply envelope.
type encryptedXML struct {
	Encrypt      string `xml:"Encrypt"`
	MsgSignature string `xml:"MsgSignature"`
	TimeStamp    string `xml:"TimeStamp"`
	Nonce        string `xml:"Nonce"`
}

// parseReply fills reply from its Raw body, opening the envelope in safe mode.
func (p *Phone) parseReply(reply *Reply) error {
	if len(reply.Raw) == 0 || string(reply.Raw) == "success" {
		reply.Empty = true
		return nil
	}
	plain := reply.Raw
	if p.encrypted() {
		var err error
		if plain, err = p.open(reply.Raw); err != nil {
			return err
		}
	}
	reply.Plain = plain
	if len(plain) == 0 || string(plain) == "success" {
		reply.Empty = true // an encrypted empty message, as silenceper's Send writes for a nil reply
		return nil
	}
	return parsePassive(plain, reply)
}

// open checks a safe-mode reply's msg_signature and appid and returns the decrypted XML.
func (p *Phone) open(raw []byte) ([]byte, error) {
	var env encryptedXML
	if err := xml.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("%w: envelope: %w", ErrBadReply, err)
	}
	if env.Encrypt == "" {
		return nil, fmt.Errorf("%w: no Encrypt in a safe-mode reply", ErrBadReply)
	}
	if Sign(p.cfg.Token, env.TimeStamp, env.Nonce, env.Encrypt) != env.MsgSignature {
		return nil, fmt.Errorf("%w: MsgSignature %q", ErrReplySignature, env.MsgSignature)
	}
	plain, appID, err := Decrypt(p.cfg.AESKey, env.Encrypt)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadReply, err)
	}
	if appID != p.cfg.AppID {
		return nil, fmt.Errorf("%w: appid %q, want %q", ErrReplySignature, appID, p.cfg.AppID)
	}
	return plain, nil
}

// parsePassive reads a passive reply and checks what WeChat checks of its shape.
func parsePassive(plain []byte, reply *Reply) error {
	var x passiveXML
	if err := xml.Unmarshal(plain, &x); err != nil {
		return fmt.Errorf("%w: %w", ErrBadReply, err)
	}
	reply.ToUserName, reply.FromUserName, reply.CreateTime = x.ToUserName, x.FromUserName, x.CreateTime
	reply.MsgType, reply.Content = x.MsgType, x.Content
	switch x.MsgType {
	case "text", "transfer_customer_service":
	case "image", "voice", "video", "music":
		m := x.media()
		reply.MediaID, reply.Title, reply.Description = m.MediaID, m.Title, m.Description
	case "news":
		if x.ArticleCount != len(x.Articles) || x.ArticleCount < 1 || x.ArticleCount > maxArticles {
			return fmt.Errorf("%w: ArticleCount %d with %d items", ErrBadReply, x.ArticleCount, len(x.Articles))
		}
		reply.Articles = x.Articles
	default:
		return fmt.Errorf("%w: MsgType %q", ErrBadReply, x.MsgType)
	}
	return nil
}

// media returns the inner element that matches MsgType.
func (x passiveXML) media() mediaXML {
	switch x.MsgType {
	case "image":
		return x.Image
	case "voice":
		return x.Voice
	case "video":
		return x.Video
	}
	return x.Music
}

// checkAddress reports a reply not addressed from the account to the sender, which WeChat would not deliver.
func checkAddress(reply Reply, in Inbound) error {
	if reply.Empty || (reply.ToUserName == in.FromUserName && reply.FromUserName == in.ToUserName) {
		return nil
	}
	bad := fmt.Errorf("%w: reply from %q to %q, want from %q to %q", ErrBadReply,
		reply.FromUserName, reply.ToUserName, in.ToUserName, in.FromUserName)
	return &DeliveryError{Tries: reply.Tries, Status: reply.Status, Body: reply.Raw, Err: bad}
}
