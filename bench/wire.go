package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"gridbot/wechatsim"
)

// maxReply bounds how much of an answer is read.
const maxReply = 1 << 20

// passive is the part of a passive text reply the generator checks.
type passive struct {
	to, from, msgType, content string
	empty                      bool // "success" or an empty body: acknowledged without a reply
}

// post sends a sealed callback once and opens its safe-mode reply: the same checks as
// wechatsim.Phone.Post (status, MsgSignature, AppID), without its general XML decoding, which
// would cost the generator more CPU than the server's work for a reply.
func post(ctx context.Context, client *http.Client, t Target, raw wechatsim.RawRequest) (passive, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.CallbackURL+"?"+raw.Query.Encode(),
		bytes.NewReader(raw.Body))
	if err != nil {
		return passive{}, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := client.Do(req)
	if err != nil {
		return passive{}, &wechatsim.DeliveryError{Tries: 1, Err: fmt.Errorf("%w: %w", wechatsim.ErrNoAnswer, err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return passive{}, &wechatsim.DeliveryError{Tries: 1, Err: fmt.Errorf("%w: %w", wechatsim.ErrNoAnswer, err)}
	}
	if resp.StatusCode != http.StatusOK {
		return passive{}, &wechatsim.DeliveryError{Tries: 1, Status: resp.StatusCode, Body: body, Err: wechatsim.ErrStatus}
	}
	return openReply(t, body)
}

// openReply checks and decrypts a safe-mode reply and reads its text message.
func openReply(t Target, body []byte) (passive, error) {
	if len(body) == 0 || string(body) == "success" {
		return passive{empty: true}, nil
	}
	s := string(body)
	enc, sig, ts, nonce := element(s, "Encrypt"), element(s, "MsgSignature"), element(s, "TimeStamp"), element(s, "Nonce")
	if enc == "" {
		return passive{}, fmt.Errorf("%w: no Encrypt in %q", wechatsim.ErrBadReply, clip(s))
	}
	if wechatsim.Sign(t.Token, ts, nonce, enc) != sig {
		return passive{}, fmt.Errorf("%w: MsgSignature %q", wechatsim.ErrReplySignature, sig)
	}
	plain, appID, err := wechatsim.Decrypt(t.AESKey, enc)
	if err != nil {
		return passive{}, fmt.Errorf("%w: %w", wechatsim.ErrBadReply, err)
	}
	if appID != t.AppID {
		return passive{}, fmt.Errorf("%w: appid %q", wechatsim.ErrReplySignature, appID)
	}
	p := string(plain)
	if p == "" || p == "success" {
		return passive{empty: true}, nil
	}
	r := passive{to: element(p, "ToUserName"), from: element(p, "FromUserName"), msgType: element(p, "MsgType"),
		content: element(p, "Content")}
	if r.msgType != "text" {
		return passive{}, fmt.Errorf("%w: MsgType %q", wechatsim.ErrBadReply, r.msgType)
	}
	return r, nil
}

// element returns the text of the first <name> element of flat WeChat XML: its CDATA sections
// joined, or its plain text with the five predefined entities decoded.
func element(doc, name string) string {
	_, rest, ok := strings.Cut(doc, "<"+name+">")
	if !ok {
		return ""
	}
	inner, _, ok := strings.Cut(rest, "</"+name+">")
	if !ok {
		return ""
	}
	if !strings.HasPrefix(inner, "<![CDATA[") {
		return entities.Replace(inner)
	}
	var b strings.Builder
	for strings.HasPrefix(inner, "<![CDATA[") {
		text, after, ok := strings.Cut(inner[len("<![CDATA["):], "]]>")
		if !ok {
			return ""
		}
		b.WriteString(text)
		inner = after
	}
	return b.String()
}

// entities decodes XML's predefined entities and the numeric forms encoding/xml writes.
var entities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&apos;", "'", "&quot;", `"`,
	"&#34;", `"`, "&#39;", "'", "&#x9;", "\t", "&#xA;", "\n", "&#xD;", "\r")
