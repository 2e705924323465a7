package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// BenchmarkWeChatCallbackSafeMode measures one safe-mode text callback with its encrypted
// reply, the webhook's hot path, through the handler alone.
func BenchmarkWeChatCallbackSafeMode(b *testing.B) {
	_, engine := callbackEngine(b)
	ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), "bench-nonce"
	plain := "<xml><ToUserName><![CDATA[gh_edge]]></ToUserName><FromUserName><![CDATA[oBench]]></FromUserName>" +
		"<CreateTime>" + ts + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[投诉]]></Content>" +
		"<MsgId>1</MsgId></xml>"
	enc, err := util.EncryptMsg([]byte("0123456789abcdef"), []byte(plain), cbAppID, cbAESKey)
	if err != nil {
		b.Fatal(err)
	}
	body := "<xml><ToUserName><![CDATA[gh_edge]]></ToUserName><Encrypt><![CDATA[" + string(enc) + "]]></Encrypt></xml>"
	q := url.Values{"signature": {util.Signature(cbToken, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce},
		"encrypt_type": {"aes"}, "msg_signature": {util.Signature(cbToken, ts, nonce, string(enc))}}
	target := "/wechat/callback?" + q.Encode()
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		engine.ServeHTTP(w, httptest.NewRequest(http.MethodPost, target, strings.NewReader(body)))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "<Encrypt>") {
			b.Fatalf("answered %d %s", w.Code, w.Body)
		}
	}
}
