package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gridbot/wechatsim"
)

// wecomCryptoPackage is the npm package that checks our safe-mode replies: Tencent WeCom's published
// implementation of the callback cryptography (getSignature, decrypt), which WeChat's safe mode shares.
const wecomCryptoPackage = "@wecom/crypto@1"

// verifyReplyJS reads {token, timestamp, nonce, encrypt, aesKey} on stdin and prints what @wecom/crypto makes of it.
const verifyReplyJS = `const { getSignature, decrypt } = require('@wecom/crypto');
let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const r = JSON.parse(input);
  const signature = getSignature(r.token, r.timestamp, r.nonce, r.encrypt);
  const { message, id } = decrypt(r.aesKey, r.encrypt);
  process.stdout.write(JSON.stringify({ signature, message, id }));
});
`

// safeEnvelope is a safe-mode passive reply as the service writes it.
type safeEnvelope struct {
	Encrypt      string `xml:"Encrypt"`
	MsgSignature string `xml:"MsgSignature"`
	TimeStamp    string `xml:"TimeStamp"`
	Nonce        string `xml:"Nonce"`
}

// nodeVerdict is what the node script prints.
type nodeVerdict struct {
	Signature string `json:"signature"`
	Message   string `json:"message"`
	ID        string `json:"id"`
}

// installWeComCrypto installs the npm package into a temporary folder, skipping the test when node,
// npm or the registry are not there.
func installWeComCrypto(ctx context.Context, t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipping the check by @wecom/crypto: %s is not installed", tool)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"private": true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", wecomCryptoPackage)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false", "npm_config_loglevel=error",
		"npm_config_fetch_retries=1", "npm_config_fetch_retry_mintimeout=2000", "npm_config_fetch_retry_maxtimeout=5000",
		"npm_config_fetch_timeout=15000")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("skipping the check by @wecom/crypto: npm could not install it (is the registry reachable?): %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "verify.js"), []byte(verifyReplyJS), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// verifyWithNode runs the node script on a safe-mode envelope.
func verifyWithNode(ctx context.Context, t *testing.T, dir string, env safeEnvelope) nodeVerdict {
	t.Helper()
	input, err := json.Marshal(map[string]string{"token": SandboxToken, "timestamp": env.TimeStamp, "nonce": env.Nonce,
		"encrypt": env.Encrypt, "aesKey": SandboxAESKey()})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "node", "verify.js")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node verify.js: %v\n%s", err, stderr.String())
	}
	var v nodeVerdict
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("node verify.js printed %q: %v", out, err)
	}
	return v
}

func TestSafeModeRepliesPassWeComCrypto(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 55*time.Second)
	defer cancel()
	installCtx, cancelInstall := context.WithTimeout(ctx, 40*time.Second)
	defer cancelInstall()
	dir := installWeComCrypto(installCtx, t)
	app, base := startApp(t, testEnv(t, nil))
	const openid = "oCryptoCheck_1"
	p := wechatsim.NewPhone(wechatsim.PhoneConfig{CallbackURL: base + "/wechat/callback", Token: SandboxToken,
		AESKey: SandboxAESKey(), AppID: SandboxAppID, Safe: true, OpenID: openid, API: app.gateway.sandbox})
	// The complaint's summary repeats the description, so one reply carries XML's special characters and "]]>".
	const special = "<b>噪音</b> & ]]>"
	sawSpecial := false
	for _, text := range []string{"帮助", "投诉", "半夜 <b>噪音</b> & ]]> 吵得睡不着", "跳过", "东石镇", "1", "2", "跳过"} {
		t.Run(text, func(t *testing.T) {
			reply, err := p.SendText(ctx, text)
			if err != nil || reply.Empty || reply.Content == "" {
				t.Fatalf("reply %+v, %v", reply, err)
			}
			var env safeEnvelope
			if err := xml.Unmarshal(reply.Raw, &env); err != nil || env.Encrypt == "" {
				t.Fatalf("not a safe-mode envelope (%v):\n%s", err, reply.Raw)
			}
			v := verifyWithNode(ctx, t, dir, env)
			if v.Signature != env.MsgSignature {
				t.Errorf("MsgSignature %q, @wecom/crypto computes %q", env.MsgSignature, v.Signature)
			}
			if v.ID != SandboxAppID {
				t.Errorf("decrypted appid %q, want %q", v.ID, SandboxAppID)
			}
			var plain struct {
				ToUserName, FromUserName, MsgType, Content string
			}
			if err := xml.Unmarshal([]byte(v.Message), &plain); err != nil {
				t.Fatalf("@wecom/crypto decrypted no XML (%v):\n%s", err, v.Message)
			}
			if plain.Content != reply.Content || plain.MsgType != "text" || plain.ToUserName != openid {
				t.Errorf("@wecom/crypto read %+v; the phone read content %q", plain, reply.Content)
			}
			sawSpecial = sawSpecial || strings.Contains(plain.Content, special)
		})
	}
	if !sawSpecial {
		t.Errorf("no reply repeated %q, so escaping went unchecked", special)
	}
}
