package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gridbot/models"
)

// demoNumbersRe reads the tracking numbers from the demo's last line.
var demoNumbersRe = regexp.MustCompile(`complaint=(\d+) report=(\d+) tip=(\d+)`)

func TestSimDemoPlaysTheStoryAndCanBeReplayed(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var numbers [][]string
	for run := 1; run <= 2; run++ {
		var out, errOut bytes.Buffer
		if err := runWithGetenv(ctx, []string{"sim", "demo", "--server", base}, &out, &errOut); err != nil {
			t.Fatalf("demo run %d: %v\n%s%s", run, err, out.String(), errOut.String())
		}
		transcript := out.String()
		for _, want := range []string{"市民> 投诉", "市民> [照片]", "bot> 已收到第1张照片", "网格员黄秀英> [位置 24.7138,118.4720 海东社区]",
			"事项：违法占道经营", "身份保密：是", "未找到该受理编号", "演示完成：24 步"} {
			if !strings.Contains(transcript, want) {
				t.Errorf("demo run %d: transcript lacks %q:\n%s", run, want, transcript)
			}
		}
		m := demoNumbersRe.FindStringSubmatch(transcript)
		if m == nil {
			t.Fatalf("demo run %d: no tracking numbers at the end:\n%s", run, transcript)
		}
		numbers = append(numbers, m[1:])
	}
	if numbers[0][0] == numbers[1][0] {
		t.Errorf("the replay filed no new complaint: %v", numbers)
	}
	checkDemoCases(t, app, numbers[1])
}

// runWithGetenv runs the command line as main does, with an empty environment.
func runWithGetenv(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return run(ctx, args, stdout, stderr, noEnv)
}

// noEnv is an empty environment.
func noEnv(string) string { return "" }

// simWithInput runs `gridbot sim ARGS` with chat lines read from stdin and settings from getenv.
func simWithInput(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	e := &environment{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	return e.sim(ctx, args)
}

// checkDemoCases checks what the demo's complaint, report and tip became.
func checkDemoCases(t *testing.T, app *App, nos []string) {
	t.Helper()
	ctx := context.Background()
	complaint, err := app.store.CaseByTrackingNo(ctx, nos[0])
	if err != nil || complaint.Kind != models.KindComplaint || complaint.Confidential ||
		complaint.Location.GridCode != "anhai-haidong-01" {
		t.Errorf("complaint %+v, %v", complaint, err)
	}
	report, err := app.store.CaseByTrackingNo(ctx, nos[1])
	if err != nil || report.Source != models.SourceGridWorker || report.Location.GridCode != "anhai-haidong-01" {
		t.Errorf("report %+v, %v", report, err)
	}
	tip, err := app.store.CaseByTrackingNo(ctx, nos[2])
	if err != nil || tip.Kind != models.KindTip || !tip.Confidential || tip.Location.TownshipCode != "dongshi" {
		t.Errorf("tip %+v, %v", tip, err)
	}
	waitFor(t, "the complaint's photo uploaded through /sandbox/media", func() bool {
		atts, err := app.store.Attachments(ctx, complaint.ID)
		return err == nil && len(atts) == 1 && atts[0].SHA256 != "" && atts[0].FetchError == ""
	})
}

// scriptedInput hands out one line per Read, calling before[i] just before line i goes out.
type scriptedInput struct {
	lines  []string
	before map[int]func()
	next   int
}

// Read returns the next line.
func (s *scriptedInput) Read(p []byte) (int, error) {
	if s.next >= len(s.lines) {
		return 0, io.EOF
	}
	if f := s.before[s.next]; f != nil {
		f()
	}
	n := copy(p, s.lines[s.next]+"\n")
	s.next++
	return n, nil
}

func TestSimChatFilesATipAndShowsPushes(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const openid = "oSimChat_tipster_1"
	lines := []string{"举报", "河边晚上有人开着挖机偷偷挖沙，好几辆车在拉", "/photo", "好了",
		"/location 24.7138 118.4720 安海镇海东社区", "1", "确认", "", "/quit", "never sent"}
	in := &scriptedInput{lines: lines, before: map[int]func(){8: func() {
		if err := app.gateway.account.SendText(ctx, openid, "您举报的问题已派遣安海镇综合执法队办理。"); err != nil {
			t.Errorf("push a customer-service message: %v", err)
		}
	}}}
	var out, errOut bytes.Buffer
	err := simWithInput(ctx, []string{"chat", "--as", openid, "--server", base, "--safe", "--poll", "0"}, in, &out, &errOut, noEnv)
	if err != nil {
		t.Fatalf("chat: %v\n%s%s", err, out.String(), errOut.String())
	}
	transcript := out.String()
	for _, want := range []string{"安全模式", "我> 举报", "bot> 请描述您要举报的违法行为", "我> /photo", "bot> 已收到第1张照片",
		"已记录地点：安海镇海东社区", "身份保密：是", "受理编号：", "推送> 您举报的问题已派遣安海镇综合执法队办理。"} {
		if !strings.Contains(transcript, want) {
			t.Errorf("transcript lacks %q:\n%s", want, transcript)
		}
	}
	if strings.Contains(transcript, "never sent") {
		t.Errorf("a line after /quit was sent:\n%s", transcript)
	}
	no := trackingNo(t, transcript)
	c, err := app.store.CaseByTrackingNo(ctx, no)
	if err != nil || c.Kind != models.KindTip || !c.Confidential || c.Location.GridCode != "anhai-haidong-01" {
		t.Fatalf("tip %+v, %v", c, err)
	}
}

func TestSimChatLineCommands(t *testing.T) {
	_, base := startApp(t, testEnv(t, nil))
	photo, err := samplePhoto()
	if err != nil {
		t.Fatal(err)
	}
	photoFile := filepath.Join(t.TempDir(), "现场.jpg")
	if err := os.WriteFile(photoFile, photo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		lines   []string
		want    []string // in the transcript
		wantErr string   // in stderr and the error; empty: success
	}{
		{"events and menu", []string{"/subscribe", "/click HELP", "/unsubscribe"},
			[]string{"bot> 您好，欢迎关注", "发送“查询 受理编号”", "bot> （没有被动回复）"}, ""},
		{"voice", []string{"/voice 路口有人占道摆摊卖水果"}, []string{"已收到语音"}, ""},
		{"photo from a file", []string{"/photo " + photoFile}, []string{"bot> 已收到照片"}, ""},
		{"missing photo file", []string{"/photo /nonexistent.jpg"}, nil, "no such file"},
		{"bad location", []string{"/location north 118.47"}, nil, "LAT and LNG must be degrees"},
		{"location without longitude", []string{"/location 24.7"}, nil, "/location needs LAT LNG"},
		{"voice without text", []string{"/voice"}, nil, "/voice needs"},
		{"click without key", []string{"/click"}, nil, "/click needs"},
		{"unknown command", []string{"/teleport", "你好"}, []string{"bot> 您好！发送“投诉”"}, "unknown command /teleport"},
		{"help", []string{"/help"}, []string{"/location LAT LNG [LABEL]"}, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			openid := "oSimChat_lines_" + string(rune('a'+i))
			err := simWithInput(context.Background(), []string{"chat", "--as", openid, "--server", base, "--poll", "0"},
				strings.NewReader(strings.Join(tt.lines, "\n")), &out, &errOut, noEnv)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("chat: %v\n%s%s", err, out.String(), errOut.String())
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(errOut.String(), tt.wantErr)) {
				t.Fatalf("chat error %v, stderr %q; want %q", err, errOut.String(), tt.wantErr)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("transcript lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestSimRefusesWhatIsNotASandbox(t *testing.T) {
	production := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok","wechat":"production"}`)
	}))
	defer production.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"chat without --as", []string{"sim", "chat", "--server", production.URL}, "--as OPENID is required"},
		{"chat as both", []string{"sim", "chat", "--as", "oX", "--wecom", "WuQingQuan"}, "not both"},
		{"a port picked at start-up", []string{"sim", "demo"}, "give --server URL"},
		{"chat with a stray argument", []string{"sim", "chat", "--as", "oX", "extra"}, `unexpected argument "extra"`},
		{"no subcommand", []string{"sim"}, "name a subcommand"},
		{"unknown subcommand", []string{"sim", "replay"}, `unknown subcommand "replay"`},
		{"production server", []string{"sim", "demo", "--server", production.URL}, "not in sandbox mode"},
		{"production server, chat", []string{"sim", "chat", "--as", "oX", "--server", production.URL}, "not in sandbox mode"},
		{"unreachable server", []string{"sim", "demo", "--server", gone.URL}, "cannot use the gridbot at " + gone.URL},
		{"not a URL", []string{"sim", "demo", "--server", "127.0.0.1:8080"}, "is not an http:// or https:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			getenv := func(k string) string { return map[string]string{"GRIDBOT_HTTP_ADDR": "127.0.0.1:0"}[k] }
			if tt.name != "a port picked at start-up" {
				getenv = noEnv
			}
			err := run(context.Background(), tt.args, &out, &errOut, getenv)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestPushText(t *testing.T) {
	tests := []struct {
		name string
		m    pushed
		want string
	}{
		{"customer-service text", pushed{Kind: "custom", MsgType: "text",
			Body: `{"touser":"o1","msgtype":"text","text":{"content":"您的投诉已办结"}}`}, "您的投诉已办结"},
		{"template keeps the field order", pushed{Kind: "template", TemplateID: "TPL1",
			Body: `{"touser":"o1","template_id":"TPL1","data":{"first":{"value":"案件派遣"},"keyword1":{"value":"26112700136"},"remark":{"value":"请签收"}}}`},
			"[template TPL1]\nfirst: 案件派遣\nkeyword1: 26112700136\nremark: 请签收"},
		{"other message types show the body", pushed{Kind: "custom", MsgType: "image",
			Body: `{"touser":"o1","msgtype":"image","image":{"media_id":"M1"}}`},
			`[custom image] {"touser":"o1","msgtype":"image","image":{"media_id":"M1"}}`},
		{"WeCom text card", pushed{Kind: "wecom", MsgType: "textcard",
			Body: `{"touser":"WuQingQuan","msgtype":"textcard","agentid":1000002,"textcard":{"title":"新案件待签收","description":"26112700136 违法占道经营","url":"https://gridbot.example/cases/26112700136"}}`},
			"[卡片] 新案件待签收\n26112700136 违法占道经营\nhttps://gridbot.example/cases/26112700136"},
		{"not JSON", pushed{Body: "oops"}, "oops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pushText(tt.m); got != tt.want {
				t.Fatalf("pushText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSimFindsTheServiceWhereGRIDBOT_HTTP_ADDRSays(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	_, port, err := net.SplitHostPort(app.Addr())
	if err != nil {
		t.Fatal(err)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	configFile := filepath.Join(t.TempDir(), "gridbot.yaml")
	if err := os.WriteFile(configFile, []byte("http_addr: \":"+port+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		env        map[string]string
		configFile string
		server     string
	}{
		{name: "host and port", env: map[string]string{"GRIDBOT_HTTP_ADDR": "127.0.0.1:" + port}},
		{name: "port only", env: map[string]string{"GRIDBOT_HTTP_ADDR": ":" + port}},
		{name: "every interface", env: map[string]string{"GRIDBOT_HTTP_ADDR": "0.0.0.0:" + port}},
		{name: "the -config file's http_addr", configFile: configFile},
		{name: "--server wins", env: map[string]string{"GRIDBOT_HTTP_ADDR": strings.TrimPrefix(closed.URL, "http://")}, server: base},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"chat", "--as", fmt.Sprintf("oSimAddr_%d", i), "--poll", "0"}
			if tt.server != "" {
				args = append(args, "--server", tt.server)
			}
			var out, errOut bytes.Buffer
			e := &environment{configFile: tt.configFile, getenv: func(k string) string { return tt.env[k] },
				stdin: strings.NewReader("帮助\n"), stdout: &out, stderr: &errOut}
			if err := e.sim(context.Background(), args); err != nil {
				t.Fatalf("sim chat: %v\n%s%s", err, out.String(), errOut.String())
			}
			if want := "已连接沙箱 http://127.0.0.1:" + port; !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "bot> ") {
				t.Fatalf("transcript lacks %q and an answer:\n%s", want, out.String())
			}
		})
	}
}

func TestLocalURL(t *testing.T) {
	tests := []struct{ addr, want, wantErr string }{
		{addr: ":8080", want: "http://127.0.0.1:8080"},
		{addr: "0.0.0.0:18089", want: "http://127.0.0.1:18089"},
		{addr: "[::]:80", want: "http://127.0.0.1:80"},
		{addr: "10.1.2.3:9000", want: "http://10.1.2.3:9000"},
		{addr: "[fd00::1]:9000", want: "http://[fd00::1]:9000"},
		{addr: "gridbot.internal:8080", want: "http://gridbot.internal:8080"},
		{addr: "127.0.0.1:0", wantErr: "give --server URL"},
		{addr: "8080", wantErr: "is not host:port"},
	}
	for _, tt := range tests {
		got, err := localURL(tt.addr)
		if got != tt.want || (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("localURL(%q) = %q, %v; want %q, error with %q", tt.addr, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestSimChatAsAWeComUser(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const officer = "WuQingQuan" // 吴清泉, 安海镇综合执法队, prefers WeCom
	var no string
	in := &scriptedInput{lines: []string{"帮助", "任务", "1", "/quit"}, before: map[int]func(){1: func() {
		no = fileComplaint(t, sandboxPhone(app, base, "oCitizen_simwecom", true))
		waitFor(t, "the WeCom dispatch card", func() bool {
			for _, m := range app.gateway.sandbox.Sent() {
				if m.To == officer && bytes.Contains(m.Body, []byte(no)) {
					return true
				}
			}
			return false
		})
	}}}
	var out, errOut bytes.Buffer
	if err := simWithInput(ctx, []string{"chat", "--wecom", officer, "--server", base, "--poll", "0"}, in, &out, &errOut, noEnv); err != nil {
		t.Fatalf("chat: %v\n%s%s", err, out.String(), errOut.String())
	}
	transcript := out.String()
	for _, want := range []string{"以企业微信用户 WuQingQuan 的身份聊天", "我> 帮助", "bot> 执法队员可以这样用",
		"我> 任务", "推送> [卡片] ", no, "已签收：案件 " + no} {
		if !strings.Contains(transcript, want) {
			t.Errorf("transcript lacks %q:\n%s", want, transcript)
		}
	}
	c, err := app.store.CaseByTrackingNo(ctx, no)
	if err != nil || c.AssigneeID != personIDByWeCom(t, app, officer) {
		t.Fatalf("case %+v, %v: not signed by %s", c, err, officer)
	}
	var stranger bytes.Buffer
	if err := simWithInput(ctx, []string{"chat", "--wecom", "NoSuchUser", "--server", base, "--poll", "0"},
		strings.NewReader("任务"), &stranger, &errOut, noEnv); err != nil || !strings.Contains(stranger.String(), "尚未登记为执法人员") {
		t.Fatalf("an unknown WeCom user: %v\n%s", err, stranger.String())
	}
}
