package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
	"gridbot/wechatsim"
)

// sandboxPhone is a simulated WeChat user talking to the app's callback in safe mode.
func sandboxPhone(app *App, base, openid string, safe bool) *wechatsim.Phone {
	return wechatsim.NewPhone(wechatsim.PhoneConfig{
		CallbackURL: base + "/wechat/callback", Token: SandboxToken, AESKey: SandboxAESKey(), AppID: SandboxAppID,
		Safe: safe, OpenID: openid, API: app.gateway.sandbox, Timeout: 5 * time.Second,
	})
}

// say sends a text and fails the test on a transport error, or when the answer shows an
// English word the person did not write.
func say(t *testing.T, p *wechatsim.Phone, text string) string {
	t.Helper()
	r, err := p.SendText(context.Background(), text)
	if err != nil {
		t.Fatalf("send %q: %v", text, err)
	}
	typed := map[string]bool{}
	for _, w := range asciiWordRe.FindAllString(text, -1) {
		typed[w] = true
	}
	if w := englishWord(r.Content, typed); w != "" {
		t.Errorf("the answer to %q shows the ASCII word %q:\n%s", text, w, r.Content)
	}
	return r.Content
}

// expect checks that a reply contains a phrase.
func expect(t *testing.T, reply, phrase string) {
	t.Helper()
	if !strings.Contains(reply, phrase) {
		t.Fatalf("reply lacks %q:\n%s", phrase, reply)
	}
}

// testJPEG makes a small real JPEG picture.
func testJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := 0; x < 64; x++ {
		for y := 0; y < 48; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var trackingRe = regexp.MustCompile(`受理编号：(\d{11,})`)

// trackingNo finds the tracking number in a receipt.
func trackingNo(t *testing.T, reply string) string {
	t.Helper()
	m := trackingRe.FindStringSubmatch(reply)
	if m == nil {
		t.Fatalf("no tracking number in:\n%s", reply)
	}
	return m[1]
}

// waitFor polls until cond holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// backends runs a test on the embedded default and on MariaDB with the real Redis.
func backends(t *testing.T, fn func(t *testing.T, getenv func(string) string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, testEnv(t, nil)) })
	t.Run("mysql", func(t *testing.T) { fn(t, mysqlEnv(t)) })
}

// mysqlEnv is a deployment on a fresh MariaDB database and the real Redis under a key prefix of
// the test's own, with the sample county imported as an operator would.
func mysqlEnv(t *testing.T) func(string) string {
	t.Helper()
	dsn := storetest.NewMySQLDatabase(t)
	_, prefix := storetest.RealRedis(t)
	getenv := testEnv(t, map[string]string{"GRIDBOT_DB_DRIVER": "mysql", "GRIDBOT_DB_DSN": dsn,
		"GRIDBOT_REDIS_URL": os.Getenv(storetest.EnvRedisURL), "GRIDBOT_REDIS_KEY_PREFIX": prefix,
		"GRIDBOT_DB_MIGRATE": "apply"})
	if out, err := gridbot(t, getenv, "import", "../../examples/jinjiang.yaml"); err != nil {
		t.Fatalf("import the sample county: %v\n%s", err, out)
	}
	return getenv
}

func TestCitizenComplaintWithPhotoAndLocation(t *testing.T) {
	backends(t, citizenComplaint)
}

// citizenComplaint files a complaint with a photo and a location through the simulator.
func citizenComplaint(t *testing.T, getenv func(string) string) {
	app, base := startApp(t, getenv)
	p := sandboxPhone(app, base, "oCitizen_complaint_1", true)
	ctx := context.Background()
	if err := p.VerifyURL(ctx); err != nil {
		t.Fatalf("URL verification: %v", err)
	}
	r, err := p.SendEvent(ctx, "subscribe", "")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r.Content, "欢迎关注")

	expect(t, say(t, p, "投诉"), "请描述您要投诉的问题")
	expect(t, say(t, p, "楼下天天有人摆摊卖菜，路都堵死了，车都过不去"), "现场照片")
	photo := testJPEG(t)
	r, err = p.SendImage(ctx, photo)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r.Content, "已收到第1张照片")
	expect(t, say(t, p, "好了"), "问题发生的地点")
	r, err = p.SendLocation(ctx, 24.7138, 118.4720, 16, "安海镇海东社区")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r.Content, "已记录地点：安海镇海东社区")
	expect(t, r.Content, "1 违法占道经营")
	expect(t, say(t, p, "1"), "是否需要对您的身份保密")
	expect(t, say(t, p, "2"), "请留一个手机号")
	sum := say(t, p, "139-5000-1234")
	for _, want := range []string{"类型：投诉", "事项：违法占道经营", "照片：1张", "身份保密：否", "联系电话：13950001234"} {
		expect(t, sum, want)
	}
	receipt := say(t, p, "确认")
	no := trackingNo(t, receipt)
	expect(t, receipt, "前答复您")

	c, err := app.store.CaseByTrackingNo(ctx, no)
	if err != nil {
		t.Fatal(err)
	}
	if c.Location.TownshipCode != "anhai" || c.Location.GridCode != "anhai-haidong-01" || c.MatterCode == "" ||
		c.Kind != models.KindComplaint || c.Confidential || c.State != models.StateDispatched || c.TeamCode != "team-anhai" {
		t.Fatalf("case %+v", c)
	}
	if m, _ := app.store.Matters(ctx); !hasMatter(m, c.MatterCode, "违法占道经营") {
		t.Fatalf("matter %s is not 违法占道经营", c.MatterCode)
	}
	want := sha256.Sum256(photo)
	var atts []models.Attachment
	waitFor(t, "the photo download", func() bool {
		atts, err = app.store.Attachments(ctx, c.ID)
		return err == nil && len(atts) == 1 && atts[0].SHA256 != ""
	})
	if atts[0].SHA256 != hex.EncodeToString(want[:]) || atts[0].Size != int64(len(photo)) || atts[0].FetchError != "" {
		t.Fatalf("attachment %+v", atts[0])
	}
	saved, err := os.ReadFile(filepath.Join(app.cfg.DataDir, atts[0].Path))
	if err != nil || !bytes.Equal(saved, photo) {
		t.Fatalf("stored file differs: %v", err)
	}
	status := say(t, p, "查询 "+no)
	expect(t, status, "当前状态：已派遣")
	other := sandboxPhone(app, base, "oSomeoneElse", true)
	expect(t, say(t, other, "查询 "+no), "未找到该受理编号")
}

// hasMatter reports whether the matter with a code has a name.
func hasMatter(ms []models.Matter, code, name string) bool {
	for _, m := range ms {
		if m.Code == code {
			return m.Name == name
		}
	}
	return false
}

func TestTipIsConfidential(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	p := sandboxPhone(app, base, "oCitizen_tip_1", false)
	expect(t, say(t, p, "举报"), "身份将被保密")
	expect(t, say(t, p, "河边晚上有人开着挖机偷偷挖沙，好几辆车在拉"), "现场照片")
	expect(t, say(t, p, "跳过"), "地点")
	expect(t, say(t, p, "东石镇"), "已记录地点：东石镇")
	r := say(t, p, "1")
	expect(t, r, "身份保密：是")
	no := trackingNo(t, say(t, p, "确认"))
	c, err := app.store.CaseByTrackingNo(context.Background(), no)
	if err != nil || !c.Confidential || c.Kind != models.KindTip || c.Location.TownshipCode != "dongshi" {
		t.Fatalf("tip case %+v, %v", c, err)
	}
}

func TestGridWorkerThreeMessagesNeedOneConfirm(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	// 黄秀英, grid worker of 安海镇型厝村, already bound in the sample county.
	p := sandboxPhone(app, base, "oSim_WtqcALpYQOBQBzsMImBL3Yl", true)
	ctx := context.Background()
	r, err := p.SendImage(ctx, testJPEG(t))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r.Content, "请用一句话描述现场问题")
	r, err = p.SendLocation(ctx, 24.7138, 118.4720, 16, "海东社区")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r.Content, "请用一句话描述现场问题")
	sum := say(t, p, "路口有人占道摆摊卖水果")
	expect(t, sum, "请确认您的上报")
	expect(t, sum, "事项：违法占道经营")
	no := trackingNo(t, say(t, p, "确认"))
	c, err := app.store.CaseByTrackingNo(ctx, no)
	if err != nil || c.Source != models.SourceGridWorker || c.Kind != models.KindReport || c.Location.GridCode != "anhai-haidong-01" {
		t.Fatalf("report %+v, %v", c, err)
	}
}

func TestBindingCode(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	p := sandboxPhone(app, base, "oNewPhoneOf_ChenMeiling", true)
	for i := 0; i < 5; i++ {
		expect(t, say(t, p, "绑定 ZZZZ2345"), "绑定码无效")
	}
	expect(t, say(t, p, "绑定 4469Z4GE"), "错误次数过多")
	q := sandboxPhone(app, base, "oOtherPhoneOf_ChenMeiling", true)
	expect(t, say(t, q, "绑定 4469z4ge"), "绑定成功！您已绑定为网格员 陈美玲")
	r := sandboxPhone(app, base, "oThief", true)
	expect(t, say(t, r, "绑定 4469Z4GE"), "绑定码无效")
	expect(t, say(t, q, "上报"), "请用一句话描述现场问题")
}

func TestRefusedNoticeRetiresTheCachedPerson(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	ctx := context.Background()
	const openid = "oCitizen_unfollowed"
	p := sandboxPhone(app, base, openid, true)
	expect(t, say(t, p, "帮助"), "投诉") // the citizen is now cached as reachable
	// They unfollow; the tip's status notice is refused with 43004 and marks them unreachable.
	app.gateway.sandbox.SetUnsubscribed(openid, true)
	expect(t, say(t, p, "举报"), "身份将被保密")
	expect(t, say(t, p, "河边晚上有人开着挖机偷偷挖沙"), "现场照片")
	expect(t, say(t, p, "跳过"), "地点")
	expect(t, say(t, p, "东石镇"), "已记录地点：东石镇")
	say(t, p, "1")
	trackingNo(t, say(t, p, "确认"))
	reachable := func() bool {
		person, err := app.store.PersonByOpenID(ctx, openid)
		return err == nil && !person.Unreachable
	}
	waitFor(t, "the person to be marked unreachable", func() bool { return !reachable() })
	// They follow again and write: the cached copy (reachable) is retired, so the database
	// records them as reachable again.
	app.gateway.sandbox.SetUnsubscribed(openid, false)
	expect(t, say(t, p, "帮助"), "投诉")
	if !reachable() {
		t.Fatal("a person who wrote again is still unreachable: the bot used a stale cached copy")
	}
}

func TestUnknownMessagesGetHelpfulAnswers(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	p := sandboxPhone(app, base, "oCitizen_misc", true)
	ctx := context.Background()
	expect(t, say(t, p, "你好"), "发送“投诉”或“举报”")
	r, err := p.SendVideo(ctx, []byte("not really a video"))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r.Content, "暂不支持视频")
	r, err = p.SendLink(ctx, "标题", "描述", "https://example.invalid/x")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r.Content, "暂不支持链接")
	expect(t, say(t, p, "取消"), "当前没有正在填写的内容")
	expect(t, say(t, p, "帮助"), "发送“查询 受理编号”")
	r, err = p.SendEvent(ctx, "CLICK", "TIP")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r.Content, "请描述您要举报的违法行为")
	expect(t, say(t, p, "取消"), "已取消")
	if _, err := p.SendEvent(ctx, "unsubscribe", ""); err != nil {
		t.Fatal(err)
	}
	person, err := app.store.PersonByOpenID(ctx, "oCitizen_misc")
	if err != nil || !person.Unreachable {
		t.Fatalf("unsubscribed person %+v, %v", person, err)
	}
}

// counts returns how many inbox entries and cases the store holds.
func counts(t *testing.T, s *store.Store) (int64, int) {
	t.Helper()
	n, err := s.InboxCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	people, err := s.People(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n, len(people)
}

func TestCallbackRejections(t *testing.T) {
	app, base := startApp(t, testEnv(t, map[string]string{"GRIDBOT_WECHAT_MAX_BODY_BYTES": "4096"}))
	safe := sandboxPhone(app, base, "oAttacker", true)
	plain := sandboxPhone(app, base, "oAttacker", false)
	in := wechatsim.Inbound{MsgType: "text", Content: "投诉"}
	good, err := safe.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := plain.Seal("1600000000", "nonce1", plain.Complete(in).XML())
	if err != nil {
		t.Fatal(err)
	}
	inboxBefore, peopleBefore := counts(t, app.store)
	tests := []struct {
		name   string
		mutate func(r wechatsim.RawRequest) wechatsim.RawRequest
		status int
	}{
		{"bad signature", func(r wechatsim.RawRequest) wechatsim.RawRequest {
			r.Query = cloneQuery(r.Query)
			r.Query.Set("signature", strings.Repeat("0", 40))
			return r
		}, http.StatusForbidden},
		{"bad msg_signature", func(r wechatsim.RawRequest) wechatsim.RawRequest {
			r.Query = cloneQuery(r.Query)
			r.Query.Set("msg_signature", strings.Repeat("a", 40))
			return r
		}, http.StatusForbidden},
		{"stale timestamp", func(wechatsim.RawRequest) wechatsim.RawRequest { return stale }, http.StatusForbidden},
		{"oversize body", func(r wechatsim.RawRequest) wechatsim.RawRequest {
			r.Body = bytes.Repeat([]byte("x"), 5000)
			return r
		}, http.StatusRequestEntityTooLarge},
		{"malformed envelope", func(r wechatsim.RawRequest) wechatsim.RawRequest {
			r.Body = []byte("<xml><Encrypt>")
			return r
		}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := safe.Post(context.Background(), tt.mutate(good))
			var de *wechatsim.DeliveryError
			if !errors.As(err, &de) || de.Status != tt.status {
				t.Fatalf("answer %v, want status %d", err, tt.status)
			}
		})
	}
	t.Run("malformed XML with a valid signature", func(t *testing.T) {
		raw, err := plain.Seal(nowTS(), "nonce-bad-xml", []byte("<xml><ToUserName>gh</ToUserName><FromUser"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = plain.Post(context.Background(), raw)
		var de *wechatsim.DeliveryError
		if !errors.As(err, &de) || de.Status != http.StatusBadRequest {
			t.Fatalf("answer %v, want 400", err)
		}
	})
	t.Run("replayed nonce with another message", func(t *testing.T) {
		first, err := plain.Seal(nowTS(), "nonce-replay", plain.Complete(wechatsim.Inbound{MsgType: "text", Content: "帮助"}).XML())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := plain.Post(context.Background(), first); err != nil {
			t.Fatalf("first use of the nonce: %v", err)
		}
		inboxAfterFirst, _ := counts(t, app.store)
		other := plain.Complete(wechatsim.Inbound{MsgType: "text", Content: "举报"})
		second, err := plain.Seal(first.Query.Get("timestamp"), "nonce-replay", other.XML())
		if err != nil {
			t.Fatal(err)
		}
		_, err = plain.Post(context.Background(), second)
		var de *wechatsim.DeliveryError
		if !errors.As(err, &de) || de.Status != http.StatusForbidden {
			t.Fatalf("replay answered %v, want 403", err)
		}
		if n, _ := counts(t, app.store); n != inboxAfterFirst {
			t.Fatalf("the replay was stored: %d entries, want %d", n, inboxAfterFirst)
		}
		inboxBefore++ // the legitimate first message
		peopleBefore++
	})
	inboxAfter, peopleAfter := counts(t, app.store)
	if inboxAfter != inboxBefore || peopleAfter != peopleBefore {
		t.Fatalf("rejected callbacks stored something: inbox %d→%d, people %d→%d", inboxBefore, inboxAfter, peopleBefore, peopleAfter)
	}
}

// cloneQuery copies a query so a test can change it.
func cloneQuery(q map[string][]string) map[string][]string {
	out := map[string][]string{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// nowTS is the current Unix time as WeChat writes it.
func nowTS() string { return strconv.FormatInt(time.Now().Unix(), 10) }

func TestConcurrentIdenticalCallbacksMakeOneCase(t *testing.T) {
	backends(t, func(t *testing.T, getenv func(string) string) {
		app, base := startApp(t, getenv)
		identicalCallbacks(t, app, "oCitizen_dup", sandboxPhone(app, base, "oCitizen_dup", true), sandboxPhone(app, base, "oCitizen_dup", true))
	})
}

func TestIdenticalCallbacksToTwoInstancesMySQL(t *testing.T) {
	getenv := mysqlEnv(t)
	a, baseA := startApp(t, getenv)
	b, baseB := startApp(t, func(k string) string {
		if k == "GRIDBOT_DATA_DIR" {
			return t.TempDir()
		}
		return getenv(k)
	})
	identicalCallbacks(t, a, "oCitizen_dup2", sandboxPhone(a, baseA, "oCitizen_dup2", true), sandboxPhone(b, baseB, "oCitizen_dup2", true))
}

// identicalCallbacks walks a tip to its confirmation through p, then sends the confirming
// callback three times at once, through p and q (which may reach another instance), and checks
// that one case came of it.
func identicalCallbacks(t *testing.T, app *App, openid string, p, q *wechatsim.Phone) {
	t.Helper()
	for _, text := range []string{"举报", "村口废品站每天晚上焚烧电线，味道很呛", "跳过", "陈埭镇", "1"} {
		say(t, p, text)
	}
	raw, err := p.Build(wechatsim.Inbound{MsgType: "text", Content: "确认"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	replies := make([]string, 3)
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			via := p
			if i%2 == 1 {
				via = q
			}
			r, err := via.Post(context.Background(), raw)
			if err != nil {
				t.Errorf("copy %d: %v", i, err)
				return
			}
			replies[i] = r.Content
		}()
	}
	wg.Wait()
	person, err := app.store.PersonByOpenID(context.Background(), openid)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := app.store.CasesByReporter(context.Background(), person.ID, 10)
	if err != nil || len(cs) != 1 {
		t.Fatalf("%d cases from 3 identical callbacks (%v); replies %q", len(cs), err, replies)
	}
	for _, r := range replies {
		if r != "" && !strings.Contains(r, cs[0].TrackingNo) {
			t.Errorf("a copy got another answer: %q", r)
		}
	}
}

func TestRestartFinishesAnUnprocessedInboxEntry(t *testing.T) {
	getenv := testEnv(t, nil)
	cfgDir := getenv("GRIDBOT_DATA_DIR")
	ctx := context.Background()
	// An entry acknowledged just before a crash: stored, never processed.
	s, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(cfgDir, "gridbot.db")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	entry, fresh, err := s.AddInbound(ctx, models.Inbound{Channel: models.ChannelWeChat, OpenID: "oCrashVictim",
		MsgID: 777001, MsgType: models.MsgText, Content: "帮助", CreateTime: time.Now().Unix(),
		ReceivedAt: time.Now().Add(-2 * time.Minute)})
	if err != nil || !fresh {
		t.Fatalf("seed inbox: %v", err)
	}
	s.Close()

	app, _ := startApp(t, getenv)
	app.gateway.sandbox.SetLastInbound("oCrashVictim", time.Now())
	waitFor(t, "the entry to be processed", func() bool {
		e, err := app.store.InboxEntry(ctx, entry.ID)
		return err == nil && e.State == models.InboxDone
	})
	waitFor(t, "the late reply", func() bool {
		for _, m := range app.gateway.sandbox.Sent() {
			if m.To == "oCrashVictim" && strings.Contains(string(m.Body), "投诉") {
				return true
			}
		}
		return false
	})
}

func TestDatabaseDownIsNotAcknowledged(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	p := sandboxPhone(app, base, "oCitizen_dbdown", true)
	say(t, p, "帮助")
	app.store.Close()
	_, err := p.SendText(context.Background(), "投诉")
	var de *wechatsim.DeliveryError
	if !errors.As(err, &de) || de.Status != http.StatusServiceUnavailable {
		t.Fatalf("with the database down the callback answered %v, want 503 so that WeChat retries", err)
	}
}

func TestFailedDownloadShowsOnTheCase(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	p := sandboxPhone(app, base, "oCitizen_expired_media", true)
	ctx := context.Background()
	expect(t, say(t, p, "投诉"), "请描述")
	expect(t, say(t, p, "工地晚上十二点还在施工，噪音很大"), "现场照片")
	// A media id WeChat no longer has (they expire after 3 days).
	r, err := p.Send(ctx, wechatsim.Inbound{MsgType: "image", MediaID: "expired-media-id", PicURL: "http://mmbiz.qpic.cn/x"})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r.Content, "已收到第1张照片")
	expect(t, say(t, p, "好了"), "地点")
	expect(t, say(t, p, "磁灶镇"), "已记录地点：磁灶镇")
	for i := 0; i < 3; i++ {
		reply := say(t, p, "1")
		if strings.Contains(reply, "请确认") {
			break
		}
	}
	no := trackingNo(t, say(t, p, "确认"))
	c, err := app.store.CaseByTrackingNo(ctx, no)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the failed download to be recorded", func() bool {
		atts, err := app.store.Attachments(ctx, c.ID)
		return err == nil && len(atts) == 1 && atts[0].FetchError != ""
	})
	expect(t, say(t, p, "查询 "+no), "1份未能从微信下载")
}

func TestVoiceDescriptionAndIdleExpiry(t *testing.T) {
	app, base := startApp(t, testEnv(t, map[string]string{"GRIDBOT_CONVERSATION_IDLE": "1s"}))
	p := sandboxPhone(app, base, "oCitizen_voice", true)
	expect(t, say(t, p, "投诉"), "请描述")
	r, err := p.SendVoice(context.Background(), []byte("#!AMR\n fake voice"), "楼下烧烤店油烟很大，窗户都不敢开")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r.Content, "已收到语音：“楼下烧烤店油烟很大，窗户都不敢开”")
	expect(t, r.Content, "问题发生的地点") // the voice message is the evidence: no photo asked
	time.Sleep(1200 * time.Millisecond)
	reply := say(t, p, "安海镇")
	expect(t, reply, "长时间未继续，已自动结束")
}

func TestStaffSeeCasesOfTheirJurisdictionOnly(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	citizen := sandboxPhone(app, base, "oCitizen_jurisdiction", true)
	for _, text := range []string{"投诉", "小区门口有人乱倒建筑垃圾，堆了一大堆", "跳过", "安海镇", "1", "2", "跳过"} {
		say(t, citizen, text)
	}
	no := trackingNo(t, say(t, citizen, "确认"))
	anhaiOfficer := sandboxPhone(app, base, "oSim_wQcZ6obYZ7dTDajfXkOLRqV", true) // 陈建华, 安海镇综合执法队
	expect(t, say(t, anhaiOfficer, "查询 "+no), "当前状态：已派遣")
	cizaoReviewer := sandboxPhone(app, base, "oSim_iZO42hO2xkx4XDsVcnj-wVu", true) // 张丽娟, 磁灶镇综合执法队
	expect(t, say(t, cizaoReviewer, "查询 "+no), "未找到该受理编号")
	expect(t, say(t, citizen, "查询"), no)
}

func TestSandboxIsOffWithCredentials(t *testing.T) {
	_, base := startApp(t, testEnv(t, map[string]string{"GRIDBOT_WECHAT_APPID": "wxreal", "GRIDBOT_WECHAT_SECRET": "s",
		"GRIDBOT_WECHAT_TOKEN": "t", "GRIDBOT_WECHAT_API_BASE": "http://127.0.0.1:9"}))
	if code, body := getJSON(t, base+"/healthz"); code != 200 || body["wechat"] != "production" {
		t.Fatalf("/healthz = %d %v", code, body)
	}
	for _, path := range []string{"/sandbox/messages", "/sandbox/wechat-api/cgi-bin/token"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s answered %d with credentials configured", path, resp.StatusCode)
		}
	}
}
