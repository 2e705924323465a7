package wechat_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/silenceper/wechat/v2/util"

	"gridbot/wechat"
)

// The texts below use the library's own format strings (v2.1.10) and WeChat's errmsgs.
const (
	rid          = " rid: 6650a3c1-2b9e4d0f-1c7f3a52"
	leakedToken  = "81_TOKENabcdefSECRET"
	customSend   = "https://api.weixin.qq.com/cgi-bin/message/custom/send?access_token=" + leakedToken
	tokenURL     = "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=APPSECRETvalue"
	invalidCred  = "invalid credential, access_token is invalid or not latest" + rid
	outOfWindow  = "response out of time limit or subscription is canceled" + rid
	unsubscribed = "require subscribe" + rid
)

// commonError is the *util.CommonError the library builds from a JSON answer.
func commonError(t *testing.T, body, api string) error {
	t.Helper()
	err := util.DecodeWithCommonError([]byte(body), api)
	if err == nil {
		t.Fatalf("DecodeWithCommonError(%s) = nil", body)
	}
	return err
}

// classified is what the helpers say about one error.
type classified struct {
	Code, Status                     int
	TokenInvalid, Retryable, NoReach bool
	Text                             string
}

func TestLibraryErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want classified
	}{
		{"customer send, fmt text", fmt.Errorf("customer msg send error : errcode=%v , errmsg=%v", 45015, outOfWindow),
			classified{Code: 45015, NoReach: true, Text: "wechat op: errcode 45015: " + outOfWindow}},
		{"template send, fmt text", fmt.Errorf("template msg send error : errcode=%v , errmsg=%v", 43004, unsubscribed),
			classified{Code: 43004, NoReach: true, Text: "wechat op: errcode 43004: " + unsubscribed}},
		{"access token, errormsg spelling", fmt.Errorf("get access_token error : errcode=%v , errormsg=%v", 40013, "invalid appid"+rid),
			classified{Code: 40013, Text: "wechat op: errcode 40013: invalid appid" + rid}},
		{"stable token", fmt.Errorf("get stable access_token error : errcode=%v , errormsg=%v", 40125, "invalid appsecret"+rid),
			classified{Code: 40125, Text: "wechat op: errcode 40125: invalid appsecret" + rid}},
		{"user info, Error spelling", fmt.Errorf("GetUserInfo Error , errcode=%d , errmsg=%s", 42001, "access_token expired"+rid),
			classified{Code: 42001, TokenInvalid: true, Text: "wechat op: errcode 42001: access_token expired" + rid}},
		{"bare errcode text", fmt.Errorf("errcode=%d,errmsg=%s", -1, "system error"),
			classified{Code: -1, Retryable: true, Text: "wechat op: errcode -1: system error"}},
		{"CommonError from menu", commonError(t, `{"errcode":40001,"errmsg":"`+invalidCred+`"}`, "SetMenu"),
			classified{Code: 40001, TokenInvalid: true, Text: "wechat op: errcode 40001: " + invalidCred}},
		{"CommonError wrapped, WeCom token", fmt.Errorf("send: %w", commonError(t, `{"errcode":40014,"errmsg":"invalid access_token"}`, "SendText")),
			classified{Code: 40014, TokenInvalid: true, Text: "wechat op: errcode 40014: invalid access_token"}},
		{"CommonError quota", commonError(t, `{"errcode":45009,"errmsg":"reach max api daily quota limit"}`, "SubscribeSend"),
			classified{Code: 45009, Retryable: true, Text: "wechat op: errcode 45009: reach max api daily quota limit"}},
		{"subscribe refused", commonError(t, `{"errcode":43101,"errmsg":"user refuse to accept the msg"}`, "Send"),
			classified{Code: 43101, NoReach: true, Text: "wechat op: errcode 43101: user refuse to accept the msg"}},
		{"http 502 with token in uri", fmt.Errorf("http post error : uri=%v , statusCode=%v", customSend, 502),
			classified{Status: 502, Retryable: true, Text: "wechat op: http status 502"}},
		{"http 404 final", fmt.Errorf("http get error : uri=%v , statusCode=%v", tokenURL, 404),
			classified{Status: 404, Text: "wechat op: http status 404"}},
		{"client timeout, secret redacted", &url.Error{Op: "Get", URL: tokenURL, Err: context.DeadlineExceeded},
			classified{Code: 0, Retryable: true, Text: `wechat op: Get "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=REDACTED": context deadline exceeded`}},
		{"cancelled, token redacted", &url.Error{Op: "Post", URL: customSend, Err: context.Canceled},
			classified{Text: `wechat op: Post "https://api.weixin.qq.com/cgi-bin/message/custom/send?access_token=REDACTED": context canceled`}},
		{"not WeChat's", errors.New("json Unmarshal Error, err=unexpected end of JSON input"),
			classified{Text: "wechat op: json Unmarshal Error, err=unexpected end of JSON input"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := wechat.LibraryError("op", tc.err)
			got := classified{TokenInvalid: wechat.IsTokenInvalid(err), Retryable: wechat.IsRetryable(err),
				NoReach: wechat.IsUserUnreachable(err), Text: err.Error()}
			got.Code, got.Status = apiCode(err)
			if got.Code == -999 {
				got.Code = 0
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			raw := classified{TokenInvalid: wechat.IsTokenInvalid(tc.err), Retryable: wechat.IsRetryable(tc.err),
				NoReach: wechat.IsUserUnreachable(tc.err)}
			if diff := cmp.Diff(classified{TokenInvalid: got.TokenInvalid, Retryable: got.Retryable, NoReach: got.NoReach}, raw); diff != "" {
				t.Errorf("the helpers read the raw library error differently (-wrapped +raw):\n%s", diff)
			}
			if strings.Contains(err.Error(), leakedToken) || strings.Contains(err.Error(), "APPSECRETvalue") {
				t.Errorf("secret in %q", err)
			}
		})
	}
}

func TestLibraryErrorKeepsCauses(t *testing.T) {
	if wechat.LibraryError("op", nil) != nil {
		t.Error("LibraryError(nil) != nil")
	}
	err := wechat.LibraryError("op", &url.Error{Op: "Get", URL: customSend, Err: context.DeadlineExceeded})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%v does not unwrap to context.DeadlineExceeded", err)
	}
	apiErr := &wechat.APIError{Code: 40007, Op: "download media"}
	if got := wechat.LibraryError("other", fmt.Errorf("x: %w", apiErr)); !errors.Is(got, apiErr) {
		t.Errorf("an *APIError was not passed through: %v", got)
	}
	if code, ok := wechat.ErrCode(apiErr); !ok || code != 40007 {
		t.Errorf("ErrCode = %d, %v; want 40007, true", code, ok)
	}
	if _, ok := wechat.ErrCode(errors.New("plain")); ok {
		t.Error("ErrCode found a code in a plain error")
	}
}
