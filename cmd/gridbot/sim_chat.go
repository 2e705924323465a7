package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"gridbot/wechatsim"
)

// errUsage marks a chat line that was not understood; nothing was sent.
var errUsage = errors.New("not sent")

// simChat runs `gridbot sim chat --as OPENID | --wecom USERID`: a terminal chat as a simulated
// WeChat user of the Official Account, or as a WeCom user of the WeCom application.
func (e *environment) simChat(ctx context.Context, args []string) error {
	fs, server := simFlags("sim chat")
	openid := fs.String("as", "", "openid of the simulated WeChat user")
	wecom := fs.String("wecom", "", "WeCom userid of the simulated WeCom user (instead of --as)")
	safe := fs.Bool("safe", false, "safe mode: AES-encrypted messages and replies (WeCom always is)")
	poll := fs.Duration("poll", 2*time.Second, "how often to look for pushed messages while waiting for a line (0: only after each line)")
	if err := parseFlags(fs, args, e.stdout, e.stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("sim chat: unexpected argument %q", fs.Arg(0))
	}
	switch {
	case *openid == "" && *wecom == "":
		fs.Usage()
		return errors.New("sim chat: --as OPENID is required: the openid of the WeChat user to play (or --wecom USERID for a WeCom user)")
	case *openid != "" && *wecom != "":
		fs.Usage()
		return errors.New("sim chat: give --as OPENID or --wecom USERID, not both")
	}
	base, err := e.simServer(fs, *server)
	if err != nil {
		return err
	}
	sb, err := dialSandbox(ctx, base)
	if err != nil {
		return err
	}
	user, phone, greeting := *openid, sb.phone(*openid, *safe), fmt.Sprintf("以微信用户 %s 的身份聊天（%s）", *openid, modeName(*safe))
	if *wecom != "" {
		user, phone = *wecom, sb.wecomPhone(*wecom)
		greeting = fmt.Sprintf("以企业微信用户 %s 的身份聊天（企业 %s，应用 %s，加密）", *wecom, SandboxCorpID, SandboxAgentID)
	}
	feed, err := newPushFeed(ctx, sb, user)
	if err != nil {
		return fmt.Errorf("sim chat: %w", err)
	}
	c := &chatSession{phone: phone, feed: feed, out: e.stdout, errOut: e.stderr, terminal: isTerminal(e.stdin)}
	fmt.Fprintf(e.stdout, "已连接沙箱 %s，%s。/help 查看命令，/quit 退出。\n", sb.base, greeting)
	return c.run(ctx, e.stdin, *poll)
}

// modeName names the callback's message mode.
func modeName(safe bool) string {
	if safe {
		return "安全模式"
	}
	return "明文模式"
}

// chatSession is one simulated user's chat in the terminal.
type chatSession struct {
	phone    *wechatsim.Phone
	feed     *pushFeed
	out      io.Writer
	errOut   io.Writer
	terminal bool // a person types: prompt instead of echoing the lines
	sent     int
	failed   int
}

// run sends each input line until /quit, the end of input or ctx's end, showing pushed messages as they come.
func (c *chatSession) run(ctx context.Context, stdin io.Reader, poll time.Duration) error {
	done := make(chan struct{})
	defer close(done)
	lines := readLines(stdin, done)
	var tick <-chan time.Time
	if poll > 0 {
		t := time.NewTicker(poll)
		defer t.Stop()
		tick = t.C
	}
	c.prompt()
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(c.out)
			return c.result()
		case <-tick:
			c.showPushesWhileWaiting(ctx)
		case in, ok := <-lines:
			if ok && in.err != nil {
				return fmt.Errorf("sim chat: read input: %w", in.err)
			}
			if !ok || !c.handle(ctx, in.line) {
				c.showPushes(ctx)
				return c.result()
			}
			c.showPushes(ctx)
			c.prompt()
		}
	}
}

// handle acts on one input line; false means the person asked to leave.
func (c *chatSession) handle(ctx context.Context, line string) bool {
	line = strings.TrimSpace(line)
	if !c.terminal && line != "" {
		fmt.Fprintln(c.out, prefixMe+line)
	}
	switch line {
	case "":
		return true
	case "/quit", "/exit":
		return false
	case "/help":
		fmt.Fprint(c.out, simUsage)
		return true
	}
	c.sent++
	r, err := c.send(ctx, line)
	if err != nil {
		c.failed++
		fmt.Fprintf(c.errOut, "sim: %v\n", err)
		return true
	}
	printLines(c.out, prefixBot, replyText(r))
	return true
}

// send turns a line into the message it stands for and sends it.
func (c *chatSession) send(ctx context.Context, line string) (wechatsim.Reply, error) {
	cmd, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case "/photo":
		return c.sendPhoto(ctx, arg)
	case "/voice":
		if arg == "" {
			return wechatsim.Reply{}, fmt.Errorf("%w: /voice needs the recognised TEXT", errUsage)
		}
		return c.phone.SendVoice(ctx, silentAMR(), arg)
	case "/location":
		return c.sendLocation(ctx, arg)
	case "/subscribe", "/unsubscribe":
		return c.phone.SendEvent(ctx, cmd[1:], "")
	case "/click":
		if arg == "" {
			return wechatsim.Reply{}, fmt.Errorf("%w: /click needs a menu KEY", errUsage)
		}
		return c.phone.SendEvent(ctx, "CLICK", arg)
	}
	if strings.HasPrefix(cmd, "/") {
		return wechatsim.Reply{}, fmt.Errorf("%w: unknown command %s; /help lists them", errUsage, cmd)
	}
	return c.phone.SendText(ctx, line)
}

// sendPhoto sends the file at path, or a generated picture when path is empty.
func (c *chatSession) sendPhoto(ctx context.Context, path string) (wechatsim.Reply, error) {
	var (
		photo []byte
		err   error
	)
	if path == "" {
		photo, err = samplePhoto()
	} else {
		photo, err = os.ReadFile(path)
	}
	if err != nil {
		return wechatsim.Reply{}, fmt.Errorf("%w: %w", errUsage, err)
	}
	return c.phone.SendImage(ctx, photo)
}

// sendLocation sends "LAT LNG [LABEL]" as a location message.
func (c *chatSession) sendLocation(ctx context.Context, arg string) (wechatsim.Reply, error) {
	fields := strings.Fields(arg)
	if len(fields) < 2 {
		return wechatsim.Reply{}, fmt.Errorf("%w: /location needs LAT LNG [LABEL]", errUsage)
	}
	lat, errLat := strconv.ParseFloat(fields[0], 64)
	lng, errLng := strconv.ParseFloat(fields[1], 64)
	if errLat != nil || errLng != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return wechatsim.Reply{}, fmt.Errorf("%w: /location %q: LAT and LNG must be degrees, e.g. 24.7138 118.4720", errUsage, arg)
	}
	return c.phone.SendLocation(ctx, lat, lng, 16, strings.Join(fields[2:], " "))
}

// showPushes prints the messages delivered to this user since the last look; it returns how many.
func (c *chatSession) showPushes(ctx context.Context) int {
	fresh, err := c.feed.next(ctx)
	if err != nil {
		fmt.Fprintf(c.errOut, "sim: %v\n", err)
		return 0
	}
	for _, m := range fresh {
		printLines(c.out, prefixPush, pushText(m))
	}
	return len(fresh)
}

// showPushesWhileWaiting prints pushed messages over the prompt and prompts again.
func (c *chatSession) showPushesWhileWaiting(ctx context.Context) {
	if c.terminal {
		fmt.Fprint(c.out, "\r")
	}
	if c.showPushes(ctx) > 0 {
		c.prompt()
	}
}

// prompt invites a person at a terminal to type.
func (c *chatSession) prompt() {
	if c.terminal {
		fmt.Fprint(c.out, prefixMe)
	}
}

// result is the chat's outcome: an error when some messages were not delivered.
func (c *chatSession) result() error {
	if c.failed > 0 {
		return fmt.Errorf("sim chat: %d of %d messages failed", c.failed, c.sent)
	}
	return nil
}

// chatInput is one line of input, or the error that ended reading.
type chatInput struct {
	line string
	err  error
}

// readLines reads r line by line into a channel that is closed at the end of input; closing done stops it.
func readLines(r io.Reader, done <-chan struct{}) <-chan chatInput {
	ch := make(chan chatInput)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			select {
			case ch <- chatInput{line: sc.Text()}:
			case <-done:
				return
			}
		}
		if err := sc.Err(); err != nil {
			select {
			case ch <- chatInput{err: err}:
			case <-done:
			}
		}
	}()
	return ch
}

// isTerminal reports whether r is an interactive terminal rather than a pipe or a file.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
