package wechatsim

import (
	"net/http"
	"time"
)

// user is what the simulated WeChat knows of one follower.
type user struct {
	nickname     string
	subscribedAt time.Time
	unsubscribed bool
	refused      bool
	lastInbound  time.Time // the last message, which opens the 48-hour window
	messageSends int       // customer-service messages sent since lastInbound
	eventAt      time.Time // the last menu click, follow or scan, which opens a 1-minute window
	eventSends   int       // customer-service messages sent since eventAt
}

// userLocked returns the user, creating a subscribed one; a.mu must be held.
func (a *API) userLocked(openID string) *user {
	u := a.st.users[openID]
	if u == nil {
		u = &user{subscribedAt: a.now()}
		a.st.users[openID] = u
	}
	return u
}

// AddUser makes openID a follower with a nickname (WeChat has returned empty nicknames since 2021; tests may set one).
func (a *API) AddUser(openID, nickname string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.userLocked(openID).nickname = nickname
}

// SetLastInbound records when openID last messaged the account, which opens the 48-hour customer-service window
// for 5 messages.
func (a *API) SetLastInbound(openID string, t time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.userLocked(openID).renewLocked(t, true)
}

// SetUnsubscribed marks openID as having unfollowed (true) or followed again (false).
func (a *API) SetUnsubscribed(openID string, unsubscribed bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.userLocked(openID)
	if u.unsubscribed && !unsubscribed {
		u.subscribedAt = a.now()
	}
	u.unsubscribed = unsubscribed
}

// SetRefusedSubscribe marks openID as refusing subscribe messages, which then fail with 43101.
func (a *API) SetRefusedSubscribe(openID string, refused bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.userLocked(openID).refused = refused
}

// opensWindow reports whether an inbound message or event opens a customer-service window, per WeChat's list of
// actions: a message opens 48 hours for 5 messages, an event 1 minute for 3.
func opensWindow(msgType, event string) bool {
	if msgType != "event" {
		return true
	}
	switch event {
	case "subscribe", "SCAN", "CLICK", "scancode_push", "scancode_waitmsg":
		return true
	}
	return false
}

// noteInbound is how a Phone tells WeChat what its user did.
func (a *API) noteInbound(openID, msgType, event string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.userLocked(openID)
	switch event {
	case "subscribe":
		if u.unsubscribed {
			u.subscribedAt = a.now()
		}
		u.unsubscribed = false
	case "unsubscribe":
		u.unsubscribed = true
	}
	if opensWindow(msgType, event) {
		u.renewLocked(a.now(), msgType != "event")
	}
}

// nextInboundID hands out the next MsgId of a user's message; WeChat's are unique across users.
func (a *API) nextInboundID() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.st.inboundID++
	return a.st.inboundID
}

// serveUserInfo is GET /cgi-bin/user/info?openid=...: 40003 for someone WeChat has never seen with this account.
func (a *API) serveUserInfo(w http.ResponseWriter, r *http.Request, _ App) {
	openID := r.URL.Query().Get("openid")
	if openID == "" {
		a.writeErr(w, codeOpenIDMissing)
		return
	}
	info, ok := a.lookupUser(openID)
	if !ok {
		a.writeErr(w, codeInvalidOpenID)
		return
	}
	a.writeJSON(w, info)
}

// lookupUser builds the user/info answer for a known user; an unfollower's has only subscribe and openid.
func (a *API) lookupUser(openID string) (map[string]any, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.st.users[openID]
	if u == nil {
		return nil, false
	}
	if u.unsubscribed {
		return map[string]any{"subscribe": 0, "openid": openID}, true
	}
	return map[string]any{
		"subscribe": 1, "openid": openID, "nickname": u.nickname, "sex": 0, "language": "zh_CN",
		"city": "", "province": "", "country": "", "headimgurl": "", "subscribe_time": u.subscribedAt.Unix(),
		"remark": "", "groupid": 0, "tagid_list": []int{}, "subscribe_scene": "ADD_SCENE_QR_CODE",
	}, true
}
