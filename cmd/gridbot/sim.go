package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gridbot/config"
	"gridbot/wechatsim"
)

// simUsage is printed for `gridbot sim` and its subcommands' -h.
const simUsage = `usage:
  gridbot sim chat --as OPENID [--server URL] [--safe] [--poll DURATION]
        chat in the terminal as a simulated WeChat (Official Account) user; each line is sent as a text message
  gridbot sim chat --wecom USERID [--server URL] [--poll DURATION]
        chat as a member of staff in WeCom (企业微信): the sandbox's WeCom application, CorpID ` + SandboxCorpID + `,
        AgentID ` + SandboxAgentID + `; USERID is a wecom_userid of the deployment file (e.g. WuQingQuan)
  gridbot sim demo [--server URL]
        play a scripted story (complaint, grid worker's report, confidential tip) and check every answer

Both talk to a gridbot running in sandbox mode (` + "`go run ./cmd/gridbot`" + ` without WeChat credentials).
--server URL names it; without --server, sim finds it where GRIDBOT_HTTP_ADDR (or the -config file's
http_addr) says the service listens, http://127.0.0.1:8080 by default (":8080" means 127.0.0.1:8080).

Special lines in chat:
  /photo [FILE]              send a photo: the file, or a generated picture
  /voice TEXT                send a voice message that WeChat recognised as TEXT
  /location LAT LNG [LABEL]  send a location (GCJ-02 degrees)
  /subscribe, /unsubscribe   follow or unfollow the Official Account (or the WeCom application)
  /click KEY                 press a menu button (COMPLAINT, TIP, REPORT, QUERY, RATE, HELP, BIND)
  (an empty line)            only look for messages the service pushed
  /help                      this list
  /quit                      leave (so does end of input)
`

// Prefixes of the transcript lines that sim prints.
const (
	prefixMe    = "我> "
	prefixBot   = "bot> "
	prefixPush  = "推送> "
	noReplyText = "（没有被动回复）"
)

// The callbacks WeChat and WeCom call on the server.
const (
	simCallbackPath      = "/wechat/callback"
	simWeComCallbackPath = "/wecom/callback"
)

// sim runs `gridbot sim chat|demo`; chat reads its lines from stdin.
func (e *environment) sim(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, simUsage)
		return errors.New("sim: name a subcommand: chat or demo")
	}
	switch args[0] {
	case "chat":
		return e.simChat(ctx, args[1:])
	case "demo":
		return e.simDemo(ctx, args[1:])
	}
	if isHelp(args[0]) {
		fmt.Fprint(e.stdout, simUsage)
		return nil
	}
	fmt.Fprint(e.stderr, simUsage)
	return fmt.Errorf("sim: unknown subcommand %q", args[0])
}

// simFlags makes a sim subcommand's flag set with its --server flag.
func simFlags(name string) (*flag.FlagSet, *string) {
	fs := newFlags(name, simUsage)
	server := fs.String("server", "", "base URL of a gridbot running in sandbox mode (default: where GRIDBOT_HTTP_ADDR says it listens)")
	return fs, server
}

// simServer is the sandbox's base URL: --server when given, else the address the service
// listens on by the same settings (GRIDBOT_HTTP_ADDR, the -config file's http_addr, or :8080).
func (e *environment) simServer(fs *flag.FlagSet, server string) (string, error) {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "server" })
	if given {
		return server, nil
	}
	cfg, err := config.Load(e.configFile, e.getenv)
	if err != nil {
		return "", fmt.Errorf("sim: read the settings to find the service (or give --server URL): %w", err)
	}
	return localURL(cfg.HTTPAddr)
}

// localURL turns a listening address into the URL that reaches it from this machine: a host
// left out (":8080"), 0.0.0.0 or :: means 127.0.0.1.
func localURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("sim: GRIDBOT_HTTP_ADDR %q is not host:port (or give --server URL): %w", addr, err)
	}
	if port == "0" {
		return "", fmt.Errorf("sim: GRIDBOT_HTTP_ADDR %q lets the service pick a free port: give --server URL", addr)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// sandbox is a running gridbot in sandbox mode seen from outside: its callback, its media upload
// and the messages its fake WeChat API delivered.
type sandbox struct {
	base   string
	client *http.Client
}

// dialSandbox checks that server is a reachable gridbot whose /healthz says it runs in sandbox mode.
func dialSandbox(ctx context.Context, server string) (*sandbox, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("sim: --server %q is not an http:// or https:// URL", server)
	}
	sb := &sandbox{base: strings.TrimRight(server, "/"), client: &http.Client{Timeout: 10 * time.Second}}
	var health struct {
		WeChat string `json:"wechat"`
	}
	if err := sb.getJSON(ctx, "/healthz", &health); err != nil {
		return nil, fmt.Errorf("sim: cannot use the gridbot at %s (is `gridbot serve` running there?): %w", sb.base, err)
	}
	if health.WeChat != "SANDBOX" {
		return nil, fmt.Errorf("sim: the gridbot at %s is not in sandbox mode (/healthz says wechat %q); "+
			"sim only talks to a sandbox, never to an account real WeChat users reach", sb.base, health.WeChat)
	}
	return sb, nil
}

// getJSON GETs path on the server and decodes its 200 JSON answer into v.
func (sb *sandbox) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, sb.base+path, nil)
	if err != nil {
		return fmt.Errorf("get %s: %w", path, err)
	}
	return sb.do(req, v)
}

// do sends req and decodes a 200 JSON answer into v.
func (sb *sandbox) do(req *http.Request, v any) error {
	resp, err := sb.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer func() { _ = resp.Body.Close() }() // read in full below or abandoned on error
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: answered %d: %.200s", req.Method, req.URL.Path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s %s: not the expected JSON: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// phone returns a simulated user who reaches the server's callback, uploading media through the sandbox.
func (sb *sandbox) phone(openid string, safe bool) *wechatsim.Phone {
	return wechatsim.NewPhone(wechatsim.PhoneConfig{
		CallbackURL: sb.base + simCallbackPath, Token: SandboxToken, AESKey: SandboxAESKey(), AppID: SandboxAppID,
		Safe: safe, OpenID: openid, UploadMedia: sb.upload,
	})
}

// wecomPhone returns a simulated WeCom user of the sandbox's WeCom application (always encrypted).
func (sb *sandbox) wecomPhone(userID string) *wechatsim.Phone {
	return wechatsim.NewPhone(wechatsim.PhoneConfig{
		CallbackURL: sb.base + simWeComCallbackPath, Token: SandboxWeComToken, AESKey: SandboxAESKey(),
		AppID: SandboxCorpID, Work: true, AgentID: SandboxAgentID, OpenID: userID, UploadMedia: sb.upload,
	})
}

// upload registers a file with the sandbox's fake WeChat API: POST /sandbox/media?type=kind.
func (sb *sandbox) upload(ctx context.Context, kind string, content []byte, contentType string) (string, error) {
	u := sb.base + "/sandbox/media?" + url.Values{"type": {kind}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(content))
	if err != nil {
		return "", fmt.Errorf("upload media: %w", err)
	}
	if contentType == "" {
		contentType = http.DetectContentType(content)
	}
	req.Header.Set("Content-Type", contentType)
	var answer struct {
		MediaID string `json:"media_id"`
	}
	if err := sb.do(req, &answer); err != nil {
		return "", fmt.Errorf("upload media: %w", err)
	}
	if answer.MediaID == "" {
		return "", errors.New("upload media: the sandbox answered no media_id")
	}
	return answer.MediaID, nil
}

// pushed is one message the sandbox's fake WeChat API delivered, as GET /sandbox/messages lists it.
type pushed struct {
	Kind       string `json:"kind"`
	To         string `json:"to"`
	MsgType    string `json:"msg_type"`
	TemplateID string `json:"template_id"`
	At         string `json:"at"`
	Body       string `json:"body"`
}

// delivered lists every message the sandbox delivered to openid, oldest first.
func (sb *sandbox) delivered(ctx context.Context, openid string) ([]pushed, error) {
	var out []pushed
	if err := sb.getJSON(ctx, "/sandbox/messages?"+url.Values{"openid": {openid}}.Encode(), &out); err != nil {
		return nil, fmt.Errorf("list pushed messages: %w", err)
	}
	return out, nil
}

// pushFeed hands out the messages delivered to one user that it has not handed out before.
type pushFeed struct {
	sb     *sandbox
	openid string
	seen   int
}

// newPushFeed starts a feed after the messages already delivered to openid.
func newPushFeed(ctx context.Context, sb *sandbox, openid string) (*pushFeed, error) {
	old, err := sb.delivered(ctx, openid)
	if err != nil {
		return nil, err
	}
	return &pushFeed{sb: sb, openid: openid, seen: len(old)}, nil
}

// next returns the messages delivered since the last call.
func (f *pushFeed) next(ctx context.Context) ([]pushed, error) {
	all, err := f.sb.delivered(ctx, f.openid)
	if err != nil {
		return nil, err
	}
	if len(all) < f.seen { // the sandbox was reset
		f.seen = 0
	}
	fresh := all[f.seen:]
	f.seen = len(all)
	return fresh, nil
}

// pushBody holds the parts of a send body that sim shows.
type pushBody struct {
	MsgType string `json:"msgtype"`
	Text    struct {
		Content string `json:"content"`
	} `json:"text"`
	Data     json.RawMessage `json:"data"`
	TextCard struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		URL         string `json:"url"`
	} `json:"textcard"` // WeCom
}

// pushText is what a person reads of a pushed message: a text's content, a template's fields, or the raw body.
func pushText(m pushed) string {
	var b pushBody
	if err := json.Unmarshal([]byte(m.Body), &b); err != nil {
		return m.Body
	}
	if b.Text.Content != "" {
		return b.Text.Content
	}
	if c := b.TextCard; c.Title != "" {
		return strings.TrimSpace("[卡片] " + c.Title + "\n" + c.Description + "\n" + c.URL)
	}
	if fields, err := templateFields(b.Data); err == nil && fields != "" {
		return "[" + m.Kind + " " + m.TemplateID + "]\n" + fields
	}
	return "[" + m.Kind + " " + m.MsgType + "] " + m.Body
}

// templateFields renders a template's data object ({"first": {"value": ...}, ...}) as "key: value" lines, in order.
func templateFields(data json.RawMessage) (string, error) {
	if len(data) == 0 {
		return "", nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // the opening brace
		return "", fmt.Errorf("template data: %w", err)
	}
	var lines []string
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return "", fmt.Errorf("template data: %w", err)
		}
		var field struct {
			Value string `json:"value"`
		}
		if err := dec.Decode(&field); err != nil {
			return "", fmt.Errorf("template data %v: %w", key, err)
		}
		lines = append(lines, fmt.Sprintf("%v: %s", key, field.Value))
	}
	return strings.Join(lines, "\n"), nil
}

// replyText is what a person reads of a passive reply.
func replyText(r wechatsim.Reply) string {
	switch {
	case r.Empty:
		return noReplyText
	case r.MsgType == "text":
		return r.Content
	case r.MsgType == "news":
		var lines []string
		for _, a := range r.Articles {
			lines = append(lines, fmt.Sprintf("[图文] %s — %s %s", a.Title, a.Description, a.URL))
		}
		return strings.Join(lines, "\n")
	}
	return fmt.Sprintf("[%s] %s%s", r.MsgType, r.MediaID, r.Content)
}

// printLines writes text with prefix before its first line and continuation lines indented to match.
func printLines(w io.Writer, prefix, text string) {
	indent := strings.Repeat(" ", displayWidth(prefix))
	fmt.Fprintln(w, prefix+strings.ReplaceAll(text, "\n", "\n"+indent))
}

// displayWidth is how many terminal columns s takes: two for each CJK character, one for the rest.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x2e80 {
			n++
		}
	}
	return n
}

// samplePhoto paints a small JPEG picture, a little different each time.
func samplePhoto() ([]byte, error) {
	const w, h = 160, 120
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	shift := rand.IntN(256)
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x + shift), uint8(y * 2), uint8(shift), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		return nil, fmt.Errorf("paint photo: %w", err)
	}
	return buf.Bytes(), nil
}

// silentAMR is a short AMR recording of silence, standing in for a voice message's audio.
func silentAMR() []byte {
	return append([]byte("#!AMR\n"), bytes.Repeat([]byte{0x7c}, 25)...)
}
