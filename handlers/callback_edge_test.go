package handlers_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/silenceper/wechat/v2/cache"

	"gridbot/handlers"
	"gridbot/models"
	"gridbot/wechat"
	"gridbot/wechatsim"
)

// The credentials of the test callbacks.
const (
	cbAppID   = "wxedge000000001"
	cbCorpID  = "wwedge000000001"
	cbToken   = "edge-token"
	cbAESKey  = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	cbAgentID = "1000002"
)

// inbox is a Gateway that keeps what it was given and answers each text with its content.
type inbox struct {
	mu  sync.Mutex
	got []models.Inbound
}

func (g *inbox) Receive(_ context.Context, in models.Inbound, _ models.CallbackNonce) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.got = append(g.got, in)
	return "收到：" + in.Content, nil
}

// from returns how many messages of a sender reached the inbox.
func (g *inbox) from(openid string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, in := range g.got {
		if in.OpenID == openid {
			n++
		}
	}
	return n
}

// callbacks serves both callbacks over one inbox, as cmd wires them.
func callbacks(t *testing.T) (*inbox, string) {
	t.Helper()
	g, engine := callbackEngine(t)
	srv := httptest.NewServer(engine)
	t.Cleanup(srv.Close)
	return g, srv.URL
}

// callbackEngine mounts both callbacks over one inbox on an engine.
func callbackEngine(t testing.TB) (*inbox, *gin.Engine) {
	t.Helper()
	gin.SetMode(gin.TestMode)
	g := &inbox{}
	account, err := wechat.NewAccount(wechat.AccountConfig{AppID: cbAppID, AppSecret: "s", Token: cbToken,
		AESKey: cbAESKey, Cache: cache.NewMemory(), HTTPClient: http.DefaultClient})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine := gin.New()
	(&handlers.WeChatCallback{Token: cbToken, Window: time.Minute, MaxBody: 1 << 20, Gateway: g, Log: log, Now: time.Now,
		Account: account}).Register(engine)
	(&handlers.WeComCallback{CorpID: cbCorpID, Token: cbToken, AESKey: cbAESKey, Window: time.Minute, MaxBody: 1 << 20,
		Gateway: g, Log: log, Now: time.Now}).Register(engine)
	return g, engine
}

// channel is one way a person reaches gridbot.
type channel struct {
	name  string
	phone func(base, openid string) *wechatsim.Phone
}

// channels are the Official Account in plaintext and in safe mode, and WeCom.
func channels() []channel {
	oa := func(safe bool) func(base, openid string) *wechatsim.Phone {
		return func(base, openid string) *wechatsim.Phone {
			return wechatsim.NewPhone(wechatsim.PhoneConfig{CallbackURL: base + "/wechat/callback", Token: cbToken,
				AESKey: cbAESKey, AppID: cbAppID, Safe: safe, OpenID: openid, Timeout: 5 * time.Second})
		}
	}
	return []channel{
		{"wechat plaintext", oa(false)},
		{"wechat safe mode", oa(true)},
		{"wecom", func(base, openid string) *wechatsim.Phone {
			return wechatsim.NewPhone(wechatsim.PhoneConfig{CallbackURL: base + "/wecom/callback", Token: cbToken,
				AESKey: cbAESKey, AppID: cbCorpID, Work: true, AgentID: cbAgentID, OpenID: openid, Timeout: 5 * time.Second})
		}},
	}
}

// location is a location message.
func location(lat, lng float64) wechatsim.Inbound {
	return wechatsim.Inbound{MsgType: "location", LocationX: lat, LocationY: lng, Scale: 15, Label: "福建省晋江市安海镇"}
}

// edgeCases are messages refused at the edge: answered msgBadLocation (badLocation) or 400.
func edgeCases() []struct {
	name        string
	in          wechatsim.Inbound
	openid      string // the sender, when not the default
	badLocation bool
} {
	long := func(n int) string { return strings.Repeat("臭", n) }
	return []struct {
		name        string
		in          wechatsim.Inbound
		openid      string
		badLocation bool
	}{
		{name: "NaN latitude", in: location(math.NaN(), 118.5), badLocation: true},
		{name: "NaN longitude", in: location(24.7, math.NaN()), badLocation: true},
		{name: "+Inf latitude", in: location(math.Inf(1), 118.5), badLocation: true},
		{name: "-Inf longitude", in: location(24.7, math.Inf(-1)), badLocation: true},
		{name: "latitude over 90", in: location(90.000001, 118.5), badLocation: true},
		{name: "longitude below -180", in: location(24.7, -180.5), badLocation: true},
		{name: "FromUserName of 65 characters", in: wechatsim.Inbound{MsgType: "text", Content: "投诉"},
			openid: "o" + strings.Repeat("x", 64)},
		{name: "MediaId of 201 characters", in: wechatsim.Inbound{MsgType: "image", PicURL: "http://mmbiz.qpic.cn/x",
			MediaID: strings.Repeat("m", 201)}},
		{name: "Label of 501 characters", in: wechatsim.Inbound{MsgType: "location", LocationX: 24.7, LocationY: 118.5,
			Label: long(501)}},
		{name: "Content over 65535 bytes", in: wechatsim.Inbound{MsgType: "text", Content: long(21846)}},
		{name: "Recognition over 65535 bytes", in: wechatsim.Inbound{MsgType: "voice", MediaID: "v1", Format: "amr",
			Recognition: long(21846)}},
		{name: "EventKey of 129 bytes", in: wechatsim.Inbound{MsgType: "event", Event: "CLICK", EventKey: strings.Repeat("k", 129)}},
		{name: "Event of 65 characters", in: wechatsim.Inbound{MsgType: "event", Event: strings.Repeat("E", 65)}},
		{name: "MsgType of 33 characters", in: wechatsim.Inbound{MsgType: strings.Repeat("t", 33), Content: "x"}},
		{name: "Url of 2049 bytes", in: wechatsim.Inbound{MsgType: "link", Title: "t", URL: "http://x/" + strings.Repeat("u", 2040)}},
	}
}

// TestCallbackRefusesBadFieldsPerMessage sends each bad message on each channel together with
// another person's good message: the bad one is refused (400, or the location answer) and never
// reaches the inbox, the other is answered.
func TestCallbackRefusesBadFieldsPerMessage(t *testing.T) {
	g, base := callbacks(t)
	for _, ch := range channels() {
		for i, tt := range edgeCases() {
			t.Run(ch.name+" "+tt.name, func(t *testing.T) {
				sender := tt.openid
				if sender == "" {
					sender = "oEdge_" + strings.ReplaceAll(ch.name, " ", "_") + "_" + string(rune('a'+i))
				}
				neighbour := sender[:min(len(sender), 40)] + "_neighbour"
				var wg sync.WaitGroup
				var bad, good wechatsim.Reply
				var badErr, goodErr error
				wg.Go(func() { bad, badErr = ch.phone(base, sender).Send(context.Background(), tt.in) })
				wg.Go(func() { good, goodErr = ch.phone(base, neighbour).SendText(context.Background(), "垃圾没人清") })
				wg.Wait()
				if goodErr != nil || good.Content != "收到：垃圾没人清" {
					t.Fatalf("the other person's message got %q, %v", good.Content, goodErr)
				}
				if tt.badLocation {
					if badErr != nil || bad.Content != "位置信息无效，请重新发送定位或输入地址" {
						t.Fatalf("bad location answered %q, %v", bad.Content, badErr)
					}
				} else {
					var de *wechatsim.DeliveryError
					if !errors.As(badErr, &de) || de.Status != http.StatusBadRequest {
						t.Fatalf("answer %v, want 400", badErr)
					}
				}
				if n := g.from(sender); n != 0 {
					t.Fatalf("%d refused messages reached the inbox", n)
				}
			})
		}
	}
}

// TestCallbackTakesFieldsAtTheirLimits sends each field at its longest and a location at the
// edges of the ranges: all reach the inbox whole.
func TestCallbackTakesFieldsAtTheirLimits(t *testing.T) {
	g, base := callbacks(t)
	openid := "o" + strings.Repeat("𠀀", 63) // 64 characters of four bytes each
	tests := []struct {
		name string
		in   wechatsim.Inbound
		want func(models.Inbound) bool
	}{
		{"a location at the range's corner", location(-90, 180),
			func(in models.Inbound) bool { return in.Lat == -90 && in.Lng == 180 }},
		{"MediaId of 200 characters", wechatsim.Inbound{MsgType: "image", PicURL: "http://mmbiz.qpic.cn/x",
			MediaID: strings.Repeat("m", 200)}, func(in models.Inbound) bool { return len(in.MediaID) == 200 }},
		{"Label of 500 characters", wechatsim.Inbound{MsgType: "location", LocationX: 24.7, LocationY: 118.5,
			Label: strings.Repeat("路", 500)}, func(in models.Inbound) bool { return in.Label == strings.Repeat("路", 500) }},
		{"Content of 65535 bytes", wechatsim.Inbound{MsgType: "text", Content: strings.Repeat("臭", 21845)},
			func(in models.Inbound) bool { return len(in.Content) == 65535 }},
		{"Event of 64 characters", wechatsim.Inbound{MsgType: "event", Event: strings.Repeat("E", 64)},
			func(in models.Inbound) bool { return len(in.Event) == 64 }},
	}
	for _, ch := range channels() {
		for _, tt := range tests {
			t.Run(ch.name+" "+tt.name, func(t *testing.T) {
				before := g.from(openid)
				if _, err := ch.phone(base, openid).Send(context.Background(), tt.in); err != nil {
					t.Fatal(err)
				}
				g.mu.Lock()
				last := g.got[len(g.got)-1]
				g.mu.Unlock()
				if g.from(openid) != before+1 || last.OpenID != openid || !tt.want(last) {
					t.Fatalf("the inbox got %+v", last)
				}
			})
		}
	}
}
