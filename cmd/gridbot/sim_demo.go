package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gridbot/bot"
	"gridbot/wechatsim"
)

// demoWorkerOpenID is 黄秀英, a grid worker of 安海镇 already bound in the sample county.
const demoWorkerOpenID = "oSim_WtqcALpYQOBQBzsMImBL3Yl"

// demoLateWait is how long a step waits for an answer the service sends after the callback.
const demoLateWait = 20 * time.Second

// demoTrackingRe finds a tracking number (受理编号) in an answer.
var demoTrackingRe = regexp.MustCompile(`受理编号：(\d{11,})`)

// demoDetour is a question the service may ask depending on what it already holds, and the story's answer.
type demoDetour struct {
	question, answer string
}

// demoDetours are the optional questions: a replayed story meets the open cases of earlier runs.
func demoDetours() []demoDetour {
	return []demoDetour{
		{question: "2 仍然单独提交", answer: "2"}, // an open case of the same matter nearby: file our own anyway
	}
}

// demoActor is one person of the story.
type demoActor struct {
	key, label, openid string
}

// demoStep is one thing a person does and the phrases the answer must contain.
type demoStep struct {
	who    string // the actor's key
	action string // text, photo, location or event
	text   string // the text ({name} is a saved tracking number), the event, or the location's label
	lat    float64
	lng    float64
	want   []string
	save   string // keep the answer's tracking number under this name
}

// demoScene is one chapter of the story.
type demoScene struct {
	title string
	steps []demoStep
}

// demoActors are the story's people; citizens get a fresh openid each run so the demo can be replayed.
func demoActors(suffix string) []demoActor {
	return []demoActor{
		{"citizen", "市民", "oSimDemo_citizen_" + suffix},
		{"worker", "网格员黄秀英", demoWorkerOpenID},
		{"tipster", "举报人", "oSimDemo_tipster_" + suffix},
	}
}

// demoScript is the story: a complaint with a photo and a location, a grid worker's report, a confidential tip.
func demoScript() []demoScene {
	const haidongLat, haidongLng = 24.7138, 118.4720 // inside grid anhai-haidong-01
	return []demoScene{
		{"(a) 市民投诉安海镇占道摆摊，附照片和定位，拿到受理编号后查询进度", []demoStep{
			{who: "citizen", action: "event", text: "subscribe", want: []string{"欢迎关注"}},
			{who: "citizen", action: "text", text: "投诉", want: []string{"请描述您要投诉的问题"}},
			{who: "citizen", action: "text", text: "楼下天天有人摆摊卖菜，路都堵死了，车都过不去", want: []string{"现场照片"}},
			{who: "citizen", action: "photo", want: []string{"已收到第1张照片"}},
			{who: "citizen", action: "text", text: "好了", want: []string{"问题发生的地点"}},
			{who: "citizen", action: "location", lat: haidongLat, lng: haidongLng, text: "安海镇海东社区",
				want: []string{"已记录地点：安海镇海东社区", "违法占道经营"}},
			{who: "citizen", action: "text", text: "1", want: []string{"是否需要对您的身份保密"}},
			{who: "citizen", action: "text", text: "2", want: []string{"请留一个手机号"}},
			{who: "citizen", action: "text", text: "138 0595 2001", want: []string{"类型：投诉", "事项：违法占道经营", "照片：1张", "身份保密：否",
				"联系电话：13805952001"}},
			{who: "citizen", action: "text", text: "确认", want: []string{"受理编号："}, save: "complaint"},
			{who: "citizen", action: "text", text: "查询 {complaint}", want: []string{"{complaint}", "事项：违法占道经营", "当前状态："}},
		}},
		{"(b) 网格员黄秀英发照片、定位和一句话，回复确认即上报", []demoStep{
			{who: "worker", action: "text", text: "取消"}, // clears a draft an interrupted run may have left
			{who: "worker", action: "photo", want: []string{"请用一句话描述现场问题"}},
			{who: "worker", action: "location", lat: haidongLat, lng: haidongLng, text: "海东社区", want: []string{"请用一句话描述现场问题"}},
			{who: "worker", action: "text", text: "路口有人占道摆摊卖水果", want: []string{"请确认您的上报", "事项：违法占道经营"}},
			{who: "worker", action: "text", text: "确认", want: []string{"受理编号："}, save: "report"},
		}},
		{"(c) 举报默认保密：只有举报人自己查得到", []demoStep{
			{who: "tipster", action: "text", text: "举报", want: []string{"身份将被保密"}},
			{who: "tipster", action: "text", text: "河边晚上有人开着挖机偷偷挖沙，好几辆车在拉", want: []string{"现场照片"}},
			{who: "tipster", action: "text", text: "跳过", want: []string{"地点"}},
			{who: "tipster", action: "text", text: "东石镇", want: []string{"已记录地点：东石镇"}},
			{who: "tipster", action: "text", text: "1", want: []string{"类型：举报", "身份保密：是"}},
			{who: "tipster", action: "text", text: "确认", want: []string{"受理编号："}, save: "tip"},
			{who: "tipster", action: "text", text: "查询 {tip}", want: []string{"{tip}", "类型：举报"}},
			{who: "citizen", action: "text", text: "查询 {tip}", want: []string{"未找到该受理编号"}},
		}},
	}
}

// simDemo runs `gridbot sim demo`: plays the story against a sandbox and fails at the first wrong answer.
func (e *environment) simDemo(ctx context.Context, args []string) error {
	fs, server := simFlags("sim demo")
	if err := parseFlags(fs, args, e.stdout, e.stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("sim demo: unexpected argument %q", fs.Arg(0))
	}
	base, err := e.simServer(fs, *server)
	if err != nil {
		return err
	}
	sb, err := dialSandbox(ctx, base)
	if err != nil {
		return err
	}
	d, err := newDemo(ctx, sb, e.stdout, demoSuffix())
	if err != nil {
		return err
	}
	return d.play(ctx, demoScript())
}

// demoSuffix makes the citizens' openids unique to this run.
func demoSuffix() string {
	return strconv.FormatInt(time.Now().Unix(), 36) + strconv.FormatUint(uint64(rand.Uint32()), 36)
}

// demoPerson is an actor with their phone and the messages pushed to them.
type demoPerson struct {
	demoActor
	phone *wechatsim.Phone
	feed  *pushFeed
}

// demo is one run of the story.
type demo struct {
	people map[string]*demoPerson
	saved  map[string]string
	out    io.Writer
	steps  int
}

// newDemo gives each actor a safe-mode phone and a feed of what is pushed to them from now on.
func newDemo(ctx context.Context, sb *sandbox, out io.Writer, suffix string) (*demo, error) {
	d := &demo{people: map[string]*demoPerson{}, saved: map[string]string{}, out: out}
	for _, a := range demoActors(suffix) {
		feed, err := newPushFeed(ctx, sb, a.openid)
		if err != nil {
			return nil, fmt.Errorf("sim demo: %w", err)
		}
		d.people[a.key] = &demoPerson{demoActor: a, phone: sb.phone(a.openid, true), feed: feed}
	}
	fmt.Fprintf(out, "演示对象：沙箱 %s（安全模式）\n", sb.base)
	for _, a := range demoActors(suffix) {
		fmt.Fprintf(out, "  %s：%s\n", a.label, a.openid)
	}
	return d, nil
}

// play runs every scene and prints the tracking numbers at the end.
func (d *demo) play(ctx context.Context, script []demoScene) error {
	for _, scene := range script {
		fmt.Fprintf(d.out, "\n== %s ==\n", scene.title)
		for _, step := range scene.steps {
			if err := d.do(ctx, step); err != nil {
				return fmt.Errorf("sim demo: %s: %w", scene.title, err)
			}
		}
	}
	fmt.Fprintf(d.out, "\n演示完成：%d 步的回复都符合预期。", d.steps)
	for _, name := range []string{"complaint", "report", "tip"} {
		if no := d.saved[name]; no != "" {
			fmt.Fprintf(d.out, " %s=%s", name, no)
		}
	}
	fmt.Fprintln(d.out)
	return nil
}

// do plays one step: prints it, sends it, prints and checks the answer.
func (d *demo) do(ctx context.Context, step demoStep) error {
	p, ok := d.people[step.who]
	if !ok {
		return fmt.Errorf("step of unknown actor %q", step.who)
	}
	d.steps++
	text := d.expand(step.text)
	answer, err := d.exchange(ctx, p, step, text)
	if err != nil {
		return err
	}
	for _, detour := range demoDetours() {
		if strings.Contains(answer, detour.question) {
			reply := demoStep{who: step.who, action: "text", text: detour.answer}
			if answer, err = d.exchange(ctx, p, reply, reply.text); err != nil {
				return err
			}
		}
	}
	return d.check(step, text, answer)
}

// exchange prints and sends what a step stands for, then prints and returns the answer: the passive
// reply and whatever was pushed meanwhile (waiting for it when the reply said it would come later).
func (d *demo) exchange(ctx context.Context, p *demoPerson, step demoStep, text string) (string, error) {
	fmt.Fprintf(d.out, "%s> %s\n", p.label, describeStep(step, text))
	r, err := d.send(ctx, p, step, text)
	if err != nil {
		return "", fmt.Errorf("%s %q: %w", step.action, text, err)
	}
	answer := replyText(r)
	printLines(d.out, prefixBot, answer)
	late, err := d.pushes(ctx, p, r.Empty || r.Content == bot.BusyText())
	if err != nil {
		return "", err
	}
	return answer + "\n" + late, nil
}

// send sends what a step stands for.
func (d *demo) send(ctx context.Context, p *demoPerson, step demoStep, text string) (wechatsim.Reply, error) {
	switch step.action {
	case "text":
		return p.phone.SendText(ctx, text)
	case "photo":
		photo, err := samplePhoto()
		if err != nil {
			return wechatsim.Reply{}, err
		}
		return p.phone.SendImage(ctx, photo)
	case "location":
		return p.phone.SendLocation(ctx, step.lat, step.lng, 16, text)
	case "event":
		return p.phone.SendEvent(ctx, text, "")
	}
	return wechatsim.Reply{}, fmt.Errorf("unknown action %q", step.action)
}

// pushes prints what was pushed to p since the last look, waiting for a first one when the answer comes late.
func (d *demo) pushes(ctx context.Context, p *demoPerson, wait bool) (string, error) {
	deadline := time.Now().Add(demoLateWait)
	for {
		fresh, err := p.feed.next(ctx)
		if err != nil {
			return "", err
		}
		if len(fresh) > 0 || !wait || time.Now().After(deadline) {
			var texts []string
			for _, m := range fresh {
				printLines(d.out, prefixPush, pushText(m))
				texts = append(texts, pushText(m))
			}
			return strings.Join(texts, "\n"), nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("wait for a late answer: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// check fails the step when the answer lacks a phrase, and saves a tracking number the step asks for.
func (d *demo) check(step demoStep, text, answer string) error {
	for _, w := range step.want {
		if w = d.expand(w); !strings.Contains(answer, w) {
			return fmt.Errorf("after %s %q the answer lacks %q", step.action, text, w)
		}
	}
	if step.save == "" {
		return nil
	}
	m := demoTrackingRe.FindStringSubmatch(answer)
	if m == nil {
		return errors.New("no tracking number (受理编号) in the answer")
	}
	d.saved[step.save] = m[1]
	return nil
}

// expand replaces {name} with the tracking number saved under name.
func (d *demo) expand(s string) string {
	for name, no := range d.saved {
		s = strings.ReplaceAll(s, "{"+name+"}", no)
	}
	return s
}

// describeStep is how the transcript shows what the person did.
func describeStep(step demoStep, text string) string {
	switch step.action {
	case "photo":
		return "[照片]"
	case "location":
		return fmt.Sprintf("[位置 %.4f,%.4f %s]", step.lat, step.lng, text)
	case "event":
		return "[事件 " + text + "]"
	}
	return text
}
