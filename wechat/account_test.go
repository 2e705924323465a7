package wechat_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gridbot/wechat"
	"gridbot/wechatsim"
)

// sentText is what the simulator recorded of one customer-service text message.
type sentText struct {
	Kind    wechatsim.MessageKind
	To      string
	MsgType string
	Content string
}

// sentTexts decodes the simulator's record of sent messages.
func sentTexts(t *testing.T, api *wechatsim.API) []sentText {
	t.Helper()
	var out []sentText
	for _, m := range api.Sent() {
		var body struct {
			Text struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		if err := json.Unmarshal(m.Body, &body); err != nil {
			t.Fatalf("sent body %s: %v", m.Body, err)
		}
		out = append(out, sentText{Kind: m.Kind, To: m.To, MsgType: m.MsgType, Content: body.Text.Content})
	}
	return out
}

func TestSendText(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	f.api.SetLastInbound(testOpenID, time.Now())
	text := "您的诉求已受理，编号 2024-0001。<a href=\"https://example.com/?a=1&b=2\">查看</a>"
	if err := f.acct.SendText(context.Background(), testOpenID, text); err != nil {
		t.Fatalf("SendText: %v", err)
	}
	want := []sentText{{Kind: wechatsim.KindCustom, To: testOpenID, MsgType: "text", Content: text}}
	if diff := cmp.Diff(want, sentTexts(t, f.api)); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
}

func TestSendTextOutsideWindow(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	err := f.acct.SendText(context.Background(), testOpenID, "你好")
	if code, _ := apiCode(err); code != wechat.CodeOutOfWindow {
		t.Fatalf("SendText without a recent message = %v, want an *APIError 45015", err)
	}
	if !wechat.IsUserUnreachable(err) || wechat.IsRetryable(err) || wechat.IsTokenInvalid(err) {
		t.Errorf("45015 classified wrongly: unreachable %v, retryable %v, token %v",
			wechat.IsUserUnreachable(err), wechat.IsRetryable(err), wechat.IsTokenInvalid(err))
	}
	f.api.SetLastInbound(testOpenID, time.Now().Add(-49*time.Hour))
	if err := f.acct.SendText(context.Background(), testOpenID, "你好"); !wechat.IsUserUnreachable(err) {
		t.Errorf("SendText 49 h after the last message = %v, want 45015", err)
	}
	if n := f.api.SentCount(); n != 0 {
		t.Errorf("%d messages delivered, want 0", n)
	}
}

func TestSendTextUnsubscribed(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	f.api.SetLastInbound(testOpenID, time.Now())
	f.api.SetUnsubscribed(testOpenID, true)
	err := f.acct.SendText(context.Background(), testOpenID, "你好")
	if code, _ := apiCode(err); code != wechat.CodeUnsubscribed || !wechat.IsUserUnreachable(err) {
		t.Errorf("SendText to a user who unfollowed = %v, want unreachable 43004", err)
	}
}

func TestTokenInvalidation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 5*time.Second)
	f.api.SetLastInbound(testOpenID, time.Now())
	if err := f.acct.SendText(ctx, testOpenID, "一"); err != nil {
		t.Fatal(err)
	}
	tok := f.cachedToken(t)
	if tok == "" {
		t.Fatalf("no token in Redis under %q", f.prefix+f.acct.TokenCacheKey())
	}
	if ttl := f.redis.Client.TTL(ctx, f.prefix+f.acct.TokenCacheKey()).Val(); ttl <= 0 || ttl > 7200*time.Second {
		t.Errorf("token TTL = %v, want within the token's 2 h life", ttl)
	}
	f.api.InvalidateTokens()
	for i := range 2 { // the library keeps using the revoked token: it never drops it on 40001
		err := f.acct.SendText(ctx, testOpenID, "二")
		if code, _ := apiCode(err); code != wechat.CodeInvalidCredential || !wechat.IsTokenInvalid(err) {
			t.Fatalf("call %d after InvalidateTokens = %v, want IsTokenInvalid (40001)", i, err)
		}
	}
	if got := f.api.TokenFetches(wechatsim.Official); got != 1 {
		t.Errorf("token fetches = %d, want 1: the library refreshed by itself", got)
	}
	if err := f.cache.Delete(f.acct.TokenCacheKey()); err != nil {
		t.Fatal(err)
	}
	if err := f.acct.SendText(ctx, testOpenID, "三"); err != nil {
		t.Fatalf("SendText after dropping the cached token: %v", err)
	}
	if got := f.cachedToken(t); got == "" || got == tok {
		t.Errorf("cached token after the refresh = %q, want a new one", got)
	}
}

func TestInstancesShareToken(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	accounts := []*wechat.Account{f.acct, f.newAccount(t), f.newAccount(t)}
	const perAccount = 10
	var wg sync.WaitGroup
	for i, acct := range accounts {
		for j := range perAccount {
			to := fmt.Sprintf("oShare%d-%d", i, j) // one each: a user's message allows 5 customer-service messages
			f.api.SetLastInbound(to, time.Now())
			wg.Go(func() {
				if err := acct.SendText(context.Background(), to, fmt.Sprintf("%d-%d", i, j)); err != nil {
					t.Errorf("SendText: %v", err)
				}
			})
		}
	}
	wg.Wait()
	if got := f.api.SentCount(); got != len(accounts)*perAccount {
		t.Errorf("sent %d, want %d", got, len(accounts)*perAccount)
	}
	if got := f.api.Calls("/cgi-bin/stable_token"); got > len(accounts) {
		t.Errorf("%d token requests for %d instances sharing Redis, want at most one each", got, len(accounts))
	}
}

func TestContextHonoured(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	f.api.SetLastInbound(testOpenID, time.Now())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.acct.SendText(ctx, testOpenID, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("SendText with a cancelled context = %v, want context.Canceled", err)
	}
	if _, err := f.acct.DownloadMedia(ctx, "m"); !errors.Is(err, context.Canceled) {
		t.Errorf("DownloadMedia with a cancelled context = %v, want context.Canceled", err)
	}
	if f.api.SentCount() != 0 || f.api.TokenFetches(wechatsim.Official) != 0 {
		t.Error("a cancelled context still reached WeChat")
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name       string
		mode       wechatsim.FaultMode
		wantCode   int
		wantStatus int
	}{
		{"gateway 500", wechatsim.FaultHTTP500, 0, 500},
		{"system busy", wechatsim.FaultSystemBusy, wechat.CodeSystemBusy, 0},
		{"quota", wechatsim.FaultFreqLimit, wechat.CodeAPIQuota, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 5*time.Second)
			f.api.SetLastInbound(testOpenID, time.Now())
			f.api.SetFault(wechatsim.Fault{Mode: tc.mode, Remaining: 1, SpareTokens: true})
			err := f.acct.SendText(context.Background(), testOpenID, "x")
			code, status := apiCode(err)
			if code != tc.wantCode || status != tc.wantStatus || !wechat.IsRetryable(err) {
				t.Fatalf("SendText = %v (code %d, status %d), want retryable code %d status %d", err, code, status, tc.wantCode, tc.wantStatus)
			}
			if tok := f.cachedToken(t); strings.Contains(err.Error(), tok) {
				t.Errorf("the access token is in the error %q", err)
			}
			if err := f.acct.SendText(context.Background(), testOpenID, "x"); err != nil {
				t.Errorf("SendText after the fault: %v", err)
			}
		})
	}
}

func TestTimeoutRetryableAndRedacted(t *testing.T) {
	f := newFixture(t, 300*time.Millisecond)
	f.api.SetLastInbound(testOpenID, time.Now())
	f.api.SetFault(wechatsim.Fault{Mode: wechatsim.FaultTimeout, Delay: 5 * time.Second, SpareTokens: true})
	start := time.Now()
	err := f.acct.SendText(context.Background(), testOpenID, "x")
	if err == nil || !wechat.IsRetryable(err) {
		t.Fatalf("SendText on a hung WeChat = %v, want a retryable timeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("SendText took %v, want about the client's 300 ms timeout", d)
	}
	tok := f.cachedToken(t)
	if tok == "" || strings.Contains(err.Error(), tok) || !strings.Contains(err.Error(), "access_token=REDACTED") {
		t.Errorf("the error %q does not hide the access token", err)
	}
	f.api.ClearFault()
}

func TestNewAccountValidates(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	good := wechat.AccountConfig{AppID: testAppID, AppSecret: testAppSecret, AESKey: testAESKey, Cache: f.cache, HTTPClient: f.client}
	tests := []struct {
		name   string
		mutate func(*wechat.AccountConfig)
	}{
		{"no appid", func(c *wechat.AccountConfig) { c.AppID = "" }},
		{"no secret", func(c *wechat.AccountConfig) { c.AppSecret = "" }},
		{"short aes key", func(c *wechat.AccountConfig) { c.AESKey = "abc" }},
		{"no cache", func(c *wechat.AccountConfig) { c.Cache = nil }},
		{"no http client", func(c *wechat.AccountConfig) { c.HTTPClient = nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.mutate(&cfg)
			if _, err := wechat.NewAccount(cfg); !errors.Is(err, wechat.ErrConfig) {
				t.Errorf("NewAccount = %v, want ErrConfig", err)
			}
		})
	}
	good.AESKey = ""
	if _, err := wechat.NewAccount(good); err != nil {
		t.Errorf("plaintext mode (no AES key) refused: %v", err)
	}
}
