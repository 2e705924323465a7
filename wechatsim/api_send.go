package wechatsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	// serviceWindow is how long after a user's last message customer-service messages reach them.
	serviceWindow = 48 * time.Hour
	// clientMsgIDLife is how long WeChat promises to honour a template's client_msg_id.
	clientMsgIDLife = 10 * time.Minute
)

// MessageKind says through which API a message was sent.
type MessageKind string

const (
	// KindCustom is a customer-service message (/cgi-bin/message/custom/send).
	KindCustom MessageKind = "custom"
	// KindTemplate is a template message (/cgi-bin/message/template/send).
	KindTemplate MessageKind = "template"
	// KindSubscribe is a subscribe message (/cgi-bin/message/subscribe/bizsend).
	KindSubscribe MessageKind = "subscribe"
	// KindWork is a WeCom app message (/cgi-bin/message/send).
	KindWork MessageKind = "wecom"
)

// SentMessage is one message the fake servers accepted for delivery.
type SentMessage struct {
	Kind        MessageKind
	To          string // touser: an openid, or WeCom user ids joined by "|"
	MsgType     string // custom and WeCom messages: text, image, news, textcard, markdown, ...
	TemplateID  string
	ClientMsgID string
	MsgID       int64
	Body        []byte // the JSON body exactly as received
	At          time.Time
}

// sentOnce remembers a template send by client_msg_id.
type sentOnce struct {
	msgID int64
	at    time.Time
}

// sendRequest holds the fields of all send bodies that the simulator checks.
type sendRequest struct {
	ToUser      string                   `json:"touser"`
	ToParty     string                   `json:"toparty"`
	ToTag       string                   `json:"totag"`
	MsgType     string                   `json:"msgtype"`
	TemplateID  string                   `json:"template_id"`
	ClientMsgID string                   `json:"client_msg_id"`
	AgentID     json.RawMessage          `json:"agentid"`
	Data        map[string]templateValue `json:"data"`
	Text        *struct {
		Content string `json:"content"`
	} `json:"text"`
}

// readSend reads a send body; false means it answered the error.
func (a *API) readSend(w http.ResponseWriter, r *http.Request) (sendRequest, []byte, bool) {
	var req sendRequest
	body, ok := a.readBody(w, r)
	if !ok {
		return req, nil, false
	}
	if err := json.Unmarshal(body, &req); err != nil {
		a.writeErr(w, codeDataFormat)
		return req, nil, false
	}
	return req, body, true
}

// msgTypes lists the msgtype values each send API accepts.
func msgTypes(kind MessageKind) map[string]bool {
	set := map[string]bool{"text": true, "image": true, "voice": true, "video": true, "news": true, "mpnews": true}
	extra := []string{"music", "mpnewsarticle", "msgmenu", "wxcard", "miniprogrampage"}
	if kind == KindWork {
		extra = []string{"file", "textcard", "markdown", "miniprogram_notice", "template_card"}
	}
	for _, t := range extra {
		set[t] = true
	}
	return set
}

// contentCode checks msgtype and a text message's content.
func contentCode(kind MessageKind, req sendRequest) int {
	switch {
	case !msgTypes(kind)[req.MsgType]:
		return codeInvalidMsgType
	case req.MsgType == "text" && (req.Text == nil || req.Text.Content == ""):
		return codeEmptyContent
	}
	return codeOK
}

// serveCustomSend is POST /cgi-bin/message/custom/send: 43004 after unfollowing, 45015 outside the 48-hour window,
// 45047 beyond the window's count, 45009 beyond the daily quota.
func (a *API) serveCustomSend(w http.ResponseWriter, r *http.Request, _ App) {
	req, body, ok := a.readSend(w, r)
	if !ok {
		return
	}
	code := contentCode(KindCustom, req)
	if req.ToUser == "" {
		code = codeInvalidOpenID
	}
	if code == codeOK {
		code = a.recordCustom(req, body)
	}
	a.writeErr(w, code)
}

// recordCustom applies the daily quota, the follower rule and the counted window, and records the message.
func (a *API) recordCustom(req sendRequest, body []byte) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	u := a.st.users[req.ToUser]
	switch {
	case !a.quotaLeftLocked(quotaCustom):
		return codeFreqLimit
	case u != nil && u.unsubscribed:
		return codeRequireSubscribe
	case u == nil:
		return codeOutOfTimeLimit
	}
	if code := u.takeCustomLocked(now); code != codeOK {
		return code
	}
	a.countQuotaLocked(quotaCustom)
	a.recordLocked(SentMessage{Kind: KindCustom, To: req.ToUser, MsgType: req.MsgType, Body: body, At: now})
	return codeOK
}

// recordLocked appends a sent message; a.mu must be held.
func (a *API) recordLocked(m SentMessage) {
	a.st.rec.sent = append(a.st.rec.sent, m)
}

// nextMsgIDLocked numbers an outbound message; a.mu must be held.
func (a *API) nextMsgIDLocked() int64 {
	a.st.msgID++
	return a.st.msgID
}

// msgIDBody is the success answer carrying a msgid.
type msgIDBody struct {
	Code  int    `json:"errcode"`
	Msg   string `json:"errmsg"`
	MsgID int64  `json:"msgid"`
}

// serveTemplateSend is POST /cgi-bin/message/template/send, idempotent per touser and client_msg_id for 10 minutes:
// 47003 for a value that breaks its field's type in a category template, 45009 beyond the daily quota.
func (a *API) serveTemplateSend(w http.ResponseWriter, r *http.Request, _ App) {
	req, body, ok := a.readSend(w, r)
	if !ok {
		return
	}
	code, msgID, field := codeInvalidOpenID, int64(0), ""
	if req.ToUser != "" {
		code, msgID, field = a.recordTemplate(req, body)
	}
	if field != "" {
		a.writeJSON(w, apiError{Code: code, Msg: a.errmsgAbout(code, "data."+field+".value invalid")})
		return
	}
	if code != codeOK {
		a.writeErr(w, code)
		return
	}
	a.writeJSON(w, msgIDBody{Code: codeOK, Msg: "ok", MsgID: msgID})
}

// recordTemplate checks the template, its typed values, the quota and follower, honours client_msg_id and
// records the message. A value that breaks its type is named by field.
func (a *API) recordTemplate(req sendRequest, body []byte) (code int, msgID int64, field string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	key := req.ToUser + "\x00" + req.ClientMsgID
	if prev, ok := a.st.rec.clientMsgIDs[key]; ok && req.ClientMsgID != "" && now.Sub(prev.at) <= clientMsgIDLife {
		return codeOK, prev.msgID, ""
	}
	if req.TemplateID == "" || (len(a.st.templates) > 0 && !a.st.templates[req.TemplateID]) {
		return codeInvalidTemplateID, 0, ""
	}
	if bad := a.badFieldLocked(req.TemplateID, req.Data); bad != "" {
		return codeArgumentInvalid, 0, bad
	}
	if !a.quotaLeftLocked(quotaTemplate) {
		return codeFreqLimit, 0, ""
	}
	if u := a.st.users[req.ToUser]; u != nil && u.unsubscribed {
		return codeRequireSubscribe, 0, ""
	}
	a.countQuotaLocked(quotaTemplate)
	m := SentMessage{Kind: KindTemplate, To: req.ToUser, TemplateID: req.TemplateID, ClientMsgID: req.ClientMsgID,
		MsgID: a.nextMsgIDLocked(), Body: body, At: now}
	a.recordLocked(m)
	if req.ClientMsgID != "" {
		a.st.rec.clientMsgIDs[key] = sentOnce{msgID: m.MsgID, at: now}
	}
	return codeOK, m.MsgID, ""
}

// serveSubscribeSend is POST /cgi-bin/message/subscribe/bizsend: 43101 when the user refused.
func (a *API) serveSubscribeSend(w http.ResponseWriter, r *http.Request, _ App) {
	req, body, ok := a.readSend(w, r)
	if !ok {
		return
	}
	code, msgID := codeInvalidOpenID, int64(0)
	switch {
	case req.ToUser == "":
	case req.TemplateID == "":
		code = codeInvalidTemplateID
	default:
		code, msgID = a.recordSubscribe(req, body)
	}
	if code != codeOK {
		a.writeErr(w, code)
		return
	}
	a.writeJSON(w, msgIDBody{Code: codeOK, Msg: "ok", MsgID: msgID})
}

// recordSubscribe checks the user's consent and records the message.
func (a *API) recordSubscribe(req sendRequest, body []byte) (int, int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if u := a.st.users[req.ToUser]; u != nil && u.refused {
		return codeRefuseSubscribe, 0
	}
	m := SentMessage{Kind: KindSubscribe, To: req.ToUser, TemplateID: req.TemplateID, MsgID: a.nextMsgIDLocked(),
		Body: body, At: a.now()}
	a.recordLocked(m)
	return codeOK, m.MsgID
}

// workSendBody is WeCom's success answer to message/send.
type workSendBody struct {
	Code         int    `json:"errcode"`
	Msg          string `json:"errmsg"`
	InvalidUser  string `json:"invaliduser"`
	InvalidParty string `json:"invalidparty"`
	InvalidTag   string `json:"invalidtag"`
	MsgID        string `json:"msgid"`
}

// serveWorkSend is WeCom's POST /cgi-bin/message/send: 40056 for another agentid (a number or a string).
func (a *API) serveWorkSend(w http.ResponseWriter, r *http.Request, _ App) {
	req, body, ok := a.readSend(w, r)
	if !ok {
		return
	}
	code := contentCode(KindWork, req)
	switch {
	case strings.Trim(string(req.AgentID), `"`) != a.cfg.AgentID:
		code = codeInvalidAgentID
	case req.ToUser == "" && req.ToParty == "" && req.ToTag == "":
		code = codeInvalidOpenID
	}
	if code != codeOK {
		a.writeErr(w, code)
		return
	}
	a.writeJSON(w, workSendBody{Code: codeOK, Msg: "ok", MsgID: strconv.FormatInt(a.recordWork(req, body), 10)})
}

// recordWork records a WeCom message and returns its msgid.
func (a *API) recordWork(req sendRequest, body []byte) int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := SentMessage{Kind: KindWork, To: req.ToUser, MsgType: req.MsgType, MsgID: a.nextMsgIDLocked(), Body: body, At: a.now()}
	a.recordLocked(m)
	return m.MsgID
}

// AddTemplate registers a template id; once any is registered, template sends with other ids fail with 40037.
func (a *API) AddTemplate(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.st.templates[id] = true
}

// Sent returns a copy of the messages accepted since NewAPI or Reset, in order.
func (a *API) Sent() []SentMessage {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]SentMessage, len(a.st.rec.sent))
	for i, m := range a.st.rec.sent {
		m.Body = bytes.Clone(m.Body)
		out[i] = m
	}
	return out
}

// SentCount is len(Sent()) without the copy.
func (a *API) SentCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.st.rec.sent)
}

// Calls counts the requests to path (such as "/cgi-bin/message/template/send"), whatever their outcome.
func (a *API) Calls(path string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.st.rec.calls[path]
}

// Reset forgets sent messages, client_msg_ids, token-fetch and call counts, and any fault; tokens, media, users, templates and the menu stay.
func (a *API) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.st.rec = newRecord()
	a.st.fault = nil
}
