package wechat_test

import (
	"encoding/xml"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"gridbot/models"
	"gridbot/wechat"
)

// wecomKeys are a WeCom application's callback settings as the sandbox uses them.
var wecomKeys = wechat.WeComKeys{CorpID: "ww0000sandbox", Token: "wecom-token",
	AESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}

func TestWeComReplyOpensWithTheCorpKeys(t *testing.T) {
	m := wechat.WeComMessage{ToUserName: "ww0000sandbox", FromUserName: "WuQingQuan", MsgType: "text"}
	now := time.Unix(1795778098, 0)
	out, err := wecomKeys.RenderText(m, "已收到 <案件> & ]]> 谢谢", now, "n<1>")
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Encrypt, MsgSignature, TimeStamp, Nonce string
	}
	if err := xml.Unmarshal(out, &env); err != nil {
		t.Fatalf("reply %s: %v", out, err)
	}
	if env.TimeStamp != "1795778098" || env.Nonce != "n<1>" ||
		!wecomKeys.Verify(env.MsgSignature, env.TimeStamp, env.Nonce, env.Encrypt) {
		t.Fatalf("envelope %+v", env)
	}
	plain, err := wecomKeys.Decrypt(env.Encrypt)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := wechat.ParseWeComMessage(plain)
	if !ok || got.ToUserName != "WuQingQuan" || got.FromUserName != "ww0000sandbox" || got.Content != "已收到 <案件> & ]]> 谢谢" ||
		got.CreateTime != 1795778098 || got.MsgType != "text" {
		t.Fatalf("decrypted %s as %+v", plain, got)
	}
}

func TestWeComDecryptRefusals(t *testing.T) {
	other := wecomKeys
	other.CorpID = "ww9999other"
	enc, err := util.EncryptMsg([]byte("0123456789abcdef"), []byte("<xml></xml>"), other.CorpID, other.AESKey)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		enc  string
		want models.ErrorCode
	}{
		{"another corp", string(enc), models.EForbidden},
		{"not base64", "%%%", models.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := wecomKeys.Decrypt(tt.enc); models.ErrorCodeOf(err) != tt.want {
				t.Fatalf("Decrypt: %v, want code %v", err, tt.want)
			}
		})
	}
}

func TestCallbackSignatureAndFreshness(t *testing.T) {
	now := time.Unix(1795778098, 0)
	// a signature nobody computed from these parts
	sig := "d0b6b0c8b1c1f9c3c7f3b0c2a0b0b0b0b0b0b0b0"
	tests := []struct {
		name string
		ok   bool
	}{
		{"made up", wechat.ValidSignature(sig, "token", "1795778098", "n1")},
		{"empty", wechat.ValidSignature("", "token", "1795778098", "n1")},
		{"stale", wechat.FreshTimestamp(now, "1795777000", time.Minute)},
		{"not a number", wechat.FreshTimestamp(now, "soon", time.Minute)},
	}
	for _, tt := range tests {
		if tt.ok {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	if !wechat.ValidSignature(util.Signature("token", "1795778098", "n1"), "token", "1795778098", "n1") ||
		!wechat.FreshTimestamp(now, "1795778130", time.Minute) {
		t.Fatal("a good signature or a fresh timestamp refused")
	}
}
