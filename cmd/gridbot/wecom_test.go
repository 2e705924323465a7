package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"gridbot/wechatsim"
)

// wecomPhone is a simulated WeCom user talking to the app's WeCom callback.
func wecomPhone(app *App, base, userID, corpID string) *wechatsim.Phone {
	return wechatsim.NewPhone(wechatsim.PhoneConfig{
		CallbackURL: base + "/wecom/callback", Token: SandboxWeComToken, AESKey: SandboxAESKey(), AppID: corpID,
		Work: true, AgentID: SandboxAgentID, OpenID: userID, Timeout: 5 * time.Second,
	})
}

func TestWeComCallbackRejections(t *testing.T) {
	app, base := startApp(t, testEnv(t, map[string]string{"GRIDBOT_WECHAT_MAX_BODY_BYTES": "4096"}))
	p := wecomPhone(app, base, "WuQingQuan", SandboxCorpID)
	if err := p.VerifyURL(context.Background()); err != nil {
		t.Fatalf("URL verification: %v", err)
	}
	good, err := p.Build(wechatsim.Inbound{MsgType: "text", Content: "任务"})
	if err != nil {
		t.Fatal(err)
	}
	stale, err := p.Seal("1600000000", "nonce-stale", p.Complete(wechatsim.Inbound{MsgType: "text", Content: "任务"}).XML())
	if err != nil {
		t.Fatal(err)
	}
	notXML, err := p.Seal(nowTS(), "nonce-notxml", []byte("this is not xml"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := wecomPhone(app, base, "WuQingQuan", "wwanothercorp").Build(wechatsim.Inbound{MsgType: "text", Content: "任务"})
	if err != nil {
		t.Fatal(err)
	}
	inboxBefore, peopleBefore := counts(t, app.store)
	tests := []struct {
		name   string
		raw    wechatsim.RawRequest
		status int
	}{
		{"bad msg_signature", withQuery(good, "msg_signature", "0000000000000000000000000000000000000000"), http.StatusForbidden},
		{"stale timestamp", stale, http.StatusForbidden},
		{"oversize body", wechatsim.RawRequest{Query: good.Query, Body: bytes.Repeat([]byte("x"), 5000)}, http.StatusRequestEntityTooLarge},
		{"malformed envelope", wechatsim.RawRequest{Query: good.Query, Body: []byte("<xml><Encrypt>")}, http.StatusBadRequest},
		{"malformed XML inside", notXML, http.StatusBadRequest},
		{"another corp's message", other, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Post(context.Background(), tt.raw)
			var de *wechatsim.DeliveryError
			if !errors.As(err, &de) || de.Status != tt.status {
				t.Fatalf("answer %v, want status %d", err, tt.status)
			}
		})
	}
	t.Run("replayed nonce with another message", func(t *testing.T) {
		first, err := p.Seal(nowTS(), "nonce-wecom-replay", p.Complete(wechatsim.Inbound{MsgType: "text", Content: "帮助"}).XML())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Post(context.Background(), first); err != nil {
			t.Fatalf("first use: %v", err)
		}
		second, err := p.Seal(first.Query.Get("timestamp"), "nonce-wecom-replay", p.Complete(wechatsim.Inbound{MsgType: "text", Content: "任务"}).XML())
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Post(context.Background(), second)
		var de *wechatsim.DeliveryError
		if !errors.As(err, &de) || de.Status != http.StatusForbidden {
			t.Fatalf("replay answered %v, want 403", err)
		}
		inboxBefore++ // the legitimate first message
	})
	inboxAfter, peopleAfter := counts(t, app.store)
	if inboxAfter != inboxBefore || peopleAfter != peopleBefore {
		t.Fatalf("rejected callbacks stored something: inbox %d→%d, people %d→%d", inboxBefore, inboxAfter, peopleBefore, peopleAfter)
	}
}

// withQuery returns a copy of a request with one query parameter replaced.
func withQuery(r wechatsim.RawRequest, key, value string) wechatsim.RawRequest {
	r.Query = cloneQuery(r.Query)
	r.Query[key] = []string{value}
	return r
}

func TestOfficerSignsAndFinishesFromWeCom(t *testing.T) {
	backends(t, func(t *testing.T, getenv func(string) string) {
		app, base := startApp(t, getenv)
		no := fileComplaint(t, sandboxPhone(app, base, "oCitizen_wecom", true))
		officer := wecomPhone(app, base, "WuQingQuan", SandboxCorpID) // 吴清泉, 安海镇综合执法队, prefers WeCom
		waitFor(t, "the WeCom dispatch card", func() bool {
			for _, m := range app.gateway.sandbox.Sent() {
				if m.To == "WuQingQuan" && bytes.Contains(m.Body, []byte(no)) {
					return true
				}
			}
			return false
		})
		expect(t, say(t, officer, "1"), "已签收：案件 "+no)
		expect(t, say(t, officer, "处置 "+no+" 已到现场"), "处置中")
		expect(t, say(t, officer, "办结 "+no+" 摊贩已清理"), "待核查")
		c, err := app.store.CaseByTrackingNo(context.Background(), no)
		if err != nil || c.AssigneeID != personIDByWeCom(t, app, "WuQingQuan") {
			t.Fatalf("case %+v, %v", c, err)
		}
		stranger := wecomPhone(app, base, "NoSuchUser", SandboxCorpID)
		expect(t, say(t, stranger, "任务"), "尚未登记为执法人员")
	})
}

// personIDByWeCom looks a person up by WeCom userid.
func personIDByWeCom(t *testing.T, app *App, userID string) int64 {
	t.Helper()
	p, err := app.store.PersonByWeComUserID(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}
