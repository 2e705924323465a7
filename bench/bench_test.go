package bench

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"gridbot/bench/baseline"
)

func TestElement(t *testing.T) {
	doc := "<xml><A><![CDATA[x]]]]><![CDATA[>y]]></A>\n<B>12</B><C>a &amp; b &#34;c&#34;</C></xml>"
	tests := []struct{ name, want string }{
		{"A", "x]]>y"},
		{"B", "12"},
		{"C", `a & b "c"`},
		{"D", ""},
	}
	for _, tt := range tests {
		if got := element(doc, tt.name); got != tt.want {
			t.Errorf("element %s = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCheckGridbotReplies(t *testing.T) {
	steps := conversation(descriptions()[0])
	last := steps[len(steps)-1]
	receipt := "您的投诉已受理，受理编号：26112700136\n我们将在2026年12月15日17:30前答复您。"
	if err := CheckGridbot.check(last, receipt); err != nil {
		t.Fatalf("receipt refused: %v", err)
	}
	if no := trackingNo(receipt); no != "26112700136" {
		t.Fatalf("tracking number %q", no)
	}
	if err := CheckGridbot.check(last, "系统繁忙，您的消息已收到，我们处理后会尽快回复您。"); !errors.Is(err, errBusy) {
		t.Fatalf("busy reply: %v", err)
	}
	if err := CheckGridbot.check(steps[0], "您好！发送“投诉”或“举报”即可反映问题"); err == nil {
		t.Fatal("a greeting passed as the question for a description")
	}
}

func TestLoadAgainstBaseline(t *testing.T) {
	tgt := Target{AppID: SandboxAppID, Token: SandboxToken, AESKey: SandboxAESKey()}
	srv := httptest.NewServer(baseline.Handler(baseline.Config{AppID: tgt.AppID, Token: tgt.Token, AESKey: tgt.AESKey}))
	defer srv.Close()
	tgt.CallbackURL = srv.URL + "/wechat/callback"
	windows := 0
	res, err := RunLoad(context.Background(), LoadConfig{Target: tgt, Checker: CheckEcho, Warmup: 100 * time.Millisecond,
		Duration: 500 * time.Millisecond, Concurrency: 4, OpenIDs: "oTest_", Window: func(bool) { windows++ }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || res.Messages == 0 || res.Receipts == 0 || windows != 2 {
		t.Fatalf("errors %d (%v), messages %d, conversations %d, windows %d", res.Errors, res.ErrorSamples,
			res.Messages, res.Receipts, windows)
	}
	if res.Latency.P50 <= 0 || res.Latency.P99 < res.Latency.P50 {
		t.Fatalf("latency %+v", res.Latency)
	}
}

func TestWrongKeyIsAnError(t *testing.T) {
	tgt := Target{AppID: SandboxAppID, Token: SandboxToken, AESKey: SandboxAESKey()}
	srv := httptest.NewServer(baseline.Handler(baseline.Config{AppID: tgt.AppID, Token: "another-token", AESKey: tgt.AESKey}))
	defer srv.Close()
	tgt.CallbackURL = srv.URL + "/wechat/callback"
	res, err := RunLoad(context.Background(), LoadConfig{Target: tgt, Checker: CheckEcho,
		Duration: 200 * time.Millisecond, Concurrency: 2, OpenIDs: "oTest_"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors == 0 || res.Messages != 0 || res.ErrorKinds["HTTP 400"] == 0 {
		t.Fatalf("a server with another token answered: %+v", res)
	}
}

func TestMergeLoadsTakesTheRoundsAsOneWindow(t *testing.T) {
	ms := func(vs ...int) []time.Duration {
		out := make([]time.Duration, len(vs))
		for i, v := range vs {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	a := LoadResult{Seconds: 10, Messages: 4, Conversations: 1, MessagesTotal: 6, Receipts: 2, Errors: 1,
		ErrorKinds: map[string]int64{"empty reply": 1}, ErrorSamples: []string{"a"}, GeneratorCPUCores: 0.2,
		latencies: map[string][]time.Duration{"1 投诉": ms(1, 2), "7 确认": ms(10, 20)},
		numbers:   map[string]struct{}{"26112700011": {}, "26112700022": {}}}
	b := LoadResult{Seconds: 30, Messages: 4, Conversations: 3, MessagesTotal: 5, Receipts: 1,
		ErrorKinds: map[string]int64{}, GeneratorCPUCores: 0.4,
		latencies: map[string][]time.Duration{"1 投诉": ms(3, 4, 5, 6)},
		numbers:   map[string]struct{}{"26112700033": {}}}
	got := MergeLoads(a, b)
	if got.Seconds != 40 || got.Messages != 8 || got.MessagesPerSec != 0.2 || got.ConversationsPerSec != 0.1 ||
		got.MessagesTotal != 11 || got.Receipts != 3 || got.TrackingNos != 3 || got.Errors != 1 ||
		got.ErrorKinds["empty reply"] != 1 || len(got.ErrorSamples) != 1 || got.GeneratorCPUCores != 0.35 {
		t.Fatalf("merged %+v", got)
	}
	if got.Latency.P50 != 4 || got.Latency.Max != 20 || len(got.Steps) != 2 || got.Steps[0].Messages != 6 ||
		got.Steps[0].Latency.Max != 6 || got.Steps[1].Latency.P50 != 10 {
		t.Fatalf("merged latencies %+v, steps %+v", got.Latency, got.Steps)
	}
}
