package wechatsim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

const (
	// defaultTimeout is how long WeChat waits for the callback to answer.
	defaultTimeout = 5 * time.Second
	// defaultTries is how many times in all WeChat sends a message whose answer did not come.
	defaultTries = 3
	// defaultAccount is the ToUserName of the simulated Official Account.
	defaultAccount = "gh_sandbox"
	// thumbJPEG stands in for the thumbnail WeChat makes of a video.
	thumbJPEG = "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
)

// PhoneConfig describes one simulated WeChat user and the callback their messages reach.
type PhoneConfig struct {
	CallbackURL string
	Token       string
	AESKey      string // the 43-character EncodingAESKey
	AppID       string // the Official Account's AppID; WeCom: the CorpID
	// Safe sends in safe mode (encrypt_type=aes); Work implies it.
	Safe bool
	// Work makes this a WeCom user calling a self-built app's callback, always encrypted.
	Work    bool
	AgentID string // WeCom only
	// OpenID is the user (WeCom: the userid); AccountID is the ToUserName (default gh_sandbox; WeCom: AppID).
	OpenID, AccountID string
	// API, when set, stores sent media, numbers MsgIds and learns what the user did (48-hour window, follows).
	API        *API
	HTTPClient *http.Client
	// UploadMedia, used when API is nil, registers a sent file with a remote simulator and returns its media id;
	// with neither, media ids are invented and nobody can download them.
	UploadMedia func(ctx context.Context, kind string, content []byte, contentType string) (string, error)
	// Timeout is how long one try waits for the answer; zero means WeChat's 5 s.
	Timeout time.Duration
	// Retries is the number of tries in all when no answer comes; zero means WeChat's 3.
	Retries int
	Now     func() time.Time
}

// Phone is one simulated user whose WeChat client calls the service's callback; it is safe for concurrent use.
type Phone struct {
	cfg PhoneConfig

	mu    sync.Mutex
	msgID int64
}

// NewPhone returns a phone with WeChat's defaults filled in; a bad AESKey shows up as an error from Send.
func NewPhone(cfg PhoneConfig) *Phone {
	if cfg.AccountID == "" {
		cfg.AccountID = defaultAccount
		if cfg.Work {
			cfg.AccountID = cfg.AppID
		}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.Retries <= 0 {
		cfg.Retries = defaultTries
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Phone{cfg: cfg, msgID: 1<<60 + rand.Int64N(1<<59)}
}

// SendText sends a text message.
func (p *Phone) SendText(ctx context.Context, content string) (Reply, error) {
	return p.Send(ctx, Inbound{MsgType: "text", Content: content})
}

// SendImage stores the photo as media with the API first, then sends an image message naming it.
func (p *Phone) SendImage(ctx context.Context, content []byte) (Reply, error) {
	id, err := p.addMedia(ctx, "image", content, "")
	if err != nil {
		return Reply{}, fmt.Errorf("send image: %w", err)
	}
	return p.Send(ctx, Inbound{MsgType: "image", MediaID: id, PicURL: "http://mmbiz.qpic.cn/mmbiz_jpg/" + id + "/0"})
}

// SendVoice stores the AMR recording as media, then sends a voice message with the speech recognition result.
func (p *Phone) SendVoice(ctx context.Context, content []byte, recognition string) (Reply, error) {
	id, err := p.addMedia(ctx, "voice", content, "audio/amr")
	if err != nil {
		return Reply{}, fmt.Errorf("send voice: %w", err)
	}
	return p.Send(ctx, Inbound{MsgType: "voice", MediaID: id, Format: "amr", Recognition: recognition})
}

// SendVideo stores the MP4 and a thumbnail as media, then sends a video message.
func (p *Phone) SendVideo(ctx context.Context, content []byte) (Reply, error) {
	id, err := p.addMedia(ctx, "video", content, "video/mp4")
	if err != nil {
		return Reply{}, fmt.Errorf("send video: %w", err)
	}
	thumb, err := p.addMedia(ctx, "thumb", []byte(thumbJPEG), "image/jpeg")
	if err != nil {
		return Reply{}, fmt.Errorf("send video: %w", err)
	}
	return p.Send(ctx, Inbound{MsgType: "video", MediaID: id, ThumbMediaID: thumb})
}

// SendLocation sends a location message with GCJ-02 coordinates.
func (p *Phone) SendLocation(ctx context.Context, lat, lng float64, scale int, label string) (Reply, error) {
	return p.Send(ctx, Inbound{MsgType: "location", LocationX: lat, LocationY: lng, Scale: scale, Label: label})
}

// SendLink sends a link message.
func (p *Phone) SendLink(ctx context.Context, title, desc, link string) (Reply, error) {
	return p.Send(ctx, Inbound{MsgType: "link", Title: title, Description: desc, URL: link})
}

// SendEvent sends an event such as subscribe, unsubscribe, CLICK (key: the button key) or VIEW (key: the URL).
func (p *Phone) SendEvent(ctx context.Context, event, key string) (Reply, error) {
	return p.Send(ctx, Inbound{MsgType: "event", Event: event, EventKey: key})
}

// Send completes in, tells the API what the user did, delivers it with WeChat's retries and checks the reply's addressing.
func (p *Phone) Send(ctx context.Context, in Inbound) (Reply, error) {
	in = p.Complete(in)
	if p.cfg.API != nil && !p.cfg.Work {
		p.cfg.API.noteInbound(in.FromUserName, in.MsgType, in.Event)
	}
	req, err := p.Build(in)
	if err != nil {
		return Reply{Inbound: in}, fmt.Errorf("send %s: %w", in.MsgType, err)
	}
	reply, err := p.Post(ctx, req)
	reply.Inbound = in
	if err == nil {
		err = checkAddress(reply, in)
	}
	if err != nil {
		return reply, fmt.Errorf("send %s: %w", in.MsgType, err)
	}
	return reply, nil
}

// Complete fills what WeChat fills: the account, the user, CreateTime from the clock, a new MsgId for a message, the AgentID.
func (p *Phone) Complete(in Inbound) Inbound {
	if in.ToUserName == "" {
		in.ToUserName = p.cfg.AccountID
	}
	if in.FromUserName == "" {
		in.FromUserName = p.cfg.OpenID
	}
	if in.CreateTime == 0 {
		in.CreateTime = p.cfg.Now().Unix()
	}
	if in.MsgType != "event" && in.MsgID == 0 {
		in.MsgID = p.nextMsgID()
	}
	if p.cfg.Work && in.AgentID == "" {
		in.AgentID = p.cfg.AgentID
	}
	return in
}

// Build returns the signed (and in safe mode encrypted) request for in, with a fresh timestamp and nonce.
func (p *Phone) Build(in Inbound) (RawRequest, error) {
	in = p.Complete(in)
	return p.Seal(strconv.FormatInt(p.cfg.Now().Unix(), 10), newNonce(), in.XML())
}

// Seal returns the request WeChat would send with body as the message XML, signed with the given timestamp and nonce.
func (p *Phone) Seal(timestamp, nonce string, body []byte) (RawRequest, error) {
	if !p.encrypted() {
		return RawRequest{Query: p.signedQuery(timestamp, nonce), Body: body}, nil
	}
	enc, err := Encrypt(p.cfg.AESKey, p.cfg.AppID, body)
	if err != nil {
		return RawRequest{}, fmt.Errorf("seal: %w", err)
	}
	msgSig := Sign(p.cfg.Token, timestamp, nonce, enc)
	if p.cfg.Work {
		q := url.Values{"msg_signature": {msgSig}, "timestamp": {timestamp}, "nonce": {nonce}}
		return RawRequest{Query: q, Body: p.envelope(enc)}, nil
	}
	q := p.signedQuery(timestamp, nonce)
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", msgSig)
	return RawRequest{Query: q, Body: p.envelope(enc)}, nil
}

// signedQuery is the plaintext-mode query: signature, timestamp, nonce, openid.
func (p *Phone) signedQuery(timestamp, nonce string) url.Values {
	return url.Values{
		"signature": {Sign(p.cfg.Token, timestamp, nonce)},
		"timestamp": {timestamp},
		"nonce":     {nonce},
		"openid":    {p.cfg.OpenID},
	}
}

// envelope is the encrypted body: ToUserName, (WeCom only) AgentID, Encrypt.
func (p *Phone) envelope(enc string) []byte {
	var x xmlWriter
	x.buf.WriteString("<xml>")
	x.text("ToUserName", p.cfg.AccountID)
	if p.cfg.Work {
		x.text("AgentID", p.cfg.AgentID)
	}
	x.text("Encrypt", enc)
	x.buf.WriteString("</xml>")
	return x.buf.Bytes()
}

// encrypted reports whether messages and replies go through AES.
func (p *Phone) encrypted() bool {
	return p.cfg.Safe || p.cfg.Work
}

// addMedia stores a file with the API, or through UploadMedia, or invents an id nobody can download when there is neither.
func (p *Phone) addMedia(ctx context.Context, kind string, content []byte, contentType string) (string, error) {
	switch {
	case p.cfg.API != nil:
		return p.cfg.API.AddMedia(kind, content, contentType), nil
	case p.cfg.UploadMedia != nil:
		id, err := p.cfg.UploadMedia(ctx, kind, content, contentType)
		if err != nil {
			return "", fmt.Errorf("upload %s: %w", kind, err)
		}
		return id, nil
	}
	return randomID(48), nil
}

// nextMsgID numbers a message: from the API, which keeps MsgIds unique across phones, or from this phone's own counter.
func (p *Phone) nextMsgID() int64 {
	if p.cfg.API != nil {
		return p.cfg.API.nextInboundID()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgID++
	return p.msgID
}

// newNonce is a random decimal string like WeChat's nonces.
func newNonce() string {
	return strconv.FormatUint(uint64(rand.Uint32()), 10)
}
