package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"gridbot/config"
	"gridbot/models"
	"gridbot/wechatsim"
)

// fakeS3 serves an in-memory S3-compatible store over HTTP on 127.0.0.1, with the buckets given.
func fakeS3(t *testing.T, buckets ...string) *httptest.Server {
	t.Helper()
	backend := s3mem.New()
	for _, b := range buckets {
		if err := backend.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return srv
}

// s3Env are the settings of a media store in the fake server's bucket "gridbot-media".
func s3Env(srv *httptest.Server) map[string]string {
	return map[string]string{"GRIDBOT_MEDIA_STORE": "s3", "GRIDBOT_S3_ENDPOINT": srv.URL,
		"GRIDBOT_S3_BUCKET": "gridbot-media", "GRIDBOT_S3_ACCESS_KEY": "test-access", "GRIDBOT_S3_SECRET_KEY": "test-secret",
		"GRIDBOT_S3_REGION": "us-east-1", "GRIDBOT_S3_PREFIX": "county-test/"}
}

// overlay returns getenv with some variables replaced.
func overlay(getenv func(string) string, vars map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		return getenv(k)
	}
}

// alternating sends each request to the next of several instances in turn, as a load balancer
// without affinity does, and counts what each received.
type alternating struct {
	hosts []string
	next  atomic.Int64
	got   []atomic.Int64
}

// RoundTrip rewrites the request's host to the next instance's.
func (a *alternating) RoundTrip(req *http.Request) (*http.Response, error) {
	i := int(a.next.Add(1)-1) % len(a.hosts)
	a.got[i].Add(1)
	out := req.Clone(req.Context())
	out.URL.Host, out.Host = a.hosts[i], a.hosts[i]
	return http.DefaultTransport.RoundTrip(out)
}

func TestConversationAcrossInstancesWithPhotoInS3(t *testing.T) {
	const appID, secret, token = "wxtwoinstances01", "two-instances-secret", "two-instances-token"
	api := wechatsim.NewAPI(wechatsim.APIConfig{AppID: appID, AppSecret: secret})
	wx := httptest.NewServer(api)
	t.Cleanup(wx.Close)
	s3 := fakeS3(t, "gridbot-media")
	shared := overlay(mysqlEnv(t), s3Env(s3))
	shared = overlay(shared, map[string]string{"GRIDBOT_WECHAT_APPID": appID, "GRIDBOT_WECHAT_SECRET": secret,
		"GRIDBOT_WECHAT_TOKEN": token, "GRIDBOT_WECHAT_AES_KEY": SandboxAESKey(), "GRIDBOT_WECHAT_API_BASE": wx.URL})
	var apps [2]*App
	var bases [2]string
	lb := &alternating{got: make([]atomic.Int64, 2)}
	for i := range apps {
		// Each instance has a data directory of its own: nothing may depend on it.
		apps[i], bases[i] = startApp(t, overlay(shared, map[string]string{"GRIDBOT_DATA_DIR": t.TempDir()}))
		lb.hosts = append(lb.hosts, strings.TrimPrefix(bases[i], "http://"))
	}
	p := wechatsim.NewPhone(wechatsim.PhoneConfig{CallbackURL: bases[0] + "/wechat/callback", Token: token,
		AESKey: SandboxAESKey(), AppID: appID, Safe: true, OpenID: "oCitizen_two_instances", API: api,
		HTTPClient: &http.Client{Transport: lb}})

	no, photo := complainWithPhoto(t, p)
	for i := range apps {
		if lb.got[i].Load() < 4 {
			t.Fatalf("instance %d took %d of the conversation's messages; the test must alternate", i, lb.got[i].Load())
		}
	}
	ctx := context.Background()
	c, err := apps[0].store.CaseByTrackingNo(ctx, no)
	if err != nil {
		t.Fatal(err)
	}
	var atts []models.Attachment
	waitFor(t, "the photo download", func() bool {
		atts, err = apps[1].store.Attachments(ctx, c.ID)
		return err == nil && len(atts) == 1 && atts[0].SHA256 != ""
	})
	want := sha256.Sum256(photo)
	if atts[0].SHA256 != hex.EncodeToString(want[:]) || atts[0].FetchError != "" {
		t.Fatalf("attachment %+v", atts[0])
	}
	path := fmt.Sprintf("/api/v1/cases/%s/attachments/%d", no, atts[0].ID)
	for i, app := range apps { // whichever fetched it, both serve it
		got, ctype := getBytes(t, bases[i], platformToken(t, app), path)
		if !bytes.Equal(got, photo) || ctype != "image/jpeg" {
			t.Errorf("instance %d serves %d bytes of %s, want the photo (%d bytes of image/jpeg)", i, len(got), ctype, len(photo))
		}
		rc, _, err := app.blobs.Get(ctx, atts[0].Path)
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(b, photo) {
			t.Errorf("instance %d reads another photo from its store", i)
		}
		if files := mediaFiles(t, app.cfg.DataDir); len(files) > 0 {
			t.Errorf("instance %d keeps media of its own: %v", i, files)
		}
	}
}

// complainWithPhoto files a complaint with a photo and a location, one message at a time, and
// returns its tracking number and the photo.
func complainWithPhoto(t *testing.T, p *wechatsim.Phone) (string, []byte) {
	t.Helper()
	ctx := context.Background()
	r, err := p.SendEvent(ctx, "subscribe", "")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r.Content, "欢迎关注")
	expect(t, say(t, p, "投诉"), "请描述您要投诉的问题")
	expect(t, say(t, p, "楼下天天有人摆摊卖菜，路都堵死了，车都过不去"), "现场照片")
	photo := testJPEG(t)
	if r, err = p.SendImage(ctx, photo); err != nil {
		t.Fatal(err)
	}
	expect(t, r.Content, "已收到第1张照片")
	expect(t, say(t, p, "好了"), "问题发生的地点")
	if r, err = p.SendLocation(ctx, 24.7138, 118.4720, 16, "安海镇海东社区"); err != nil {
		t.Fatal(err)
	}
	expect(t, r.Content, "1 违法占道经营")
	expect(t, say(t, p, "1"), "是否需要对您的身份保密")
	expect(t, say(t, p, "2"), "请留一个手机号")
	sum := say(t, p, "139-5000-1234")
	for _, want := range []string{"事项：违法占道经营", "照片：1张", "联系电话：13950001234"} {
		expect(t, sum, want)
	}
	no := trackingNo(t, say(t, p, "确认"))
	expect(t, say(t, p, "查询 "+no), "当前状态：已派遣")
	return no, photo
}

// getBytes calls a platform API read and returns the body and its content type; 200 is required.
func getBytes(t *testing.T, base, token, path string) ([]byte, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s %v", path, resp.StatusCode, body, err)
	}
	return body, resp.Header.Get("Content-Type")
}

// mediaFiles lists the files under a data directory's media folder.
func mediaFiles(t *testing.T, dataDir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(dataDir, "media"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, path)
		}
		return err
	})
	if err != nil && !strings.Contains(err.Error(), "no such file") {
		t.Fatal(err)
	}
	return out
}

func TestMediaStoreAtStartAndInReadiness(t *testing.T) {
	s3 := fakeS3(t, "gridbot-media")
	t.Run("a missing bucket stops the start", func(t *testing.T) {
		vars := s3Env(s3)
		vars["GRIDBOT_S3_BUCKET"] = "no-such-bucket"
		cfg, err := config.Load("", testEnv(t, vars))
		if err != nil {
			t.Fatal(err)
		}
		app, err := NewApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err == nil {
			app.Close()
			t.Fatal("started without its bucket")
		}
		if !strings.Contains(err.Error(), "no-such-bucket") || strings.Contains(err.Error(), "test-secret") {
			t.Fatalf("error %q: want the bucket named and no secret", err)
		}
	})
	t.Run("readyz checks the bucket", func(t *testing.T) {
		_, base := startApp(t, testEnv(t, s3Env(s3)))
		code, body := getJSON(t, base+"/readyz")
		checks, _ := body["checks"].(map[string]any)
		if code != http.StatusOK || checks["media"] != "ok" {
			t.Fatalf("/readyz = %d %v", code, body)
		}
		s3.Close()
		code, body = getJSON(t, base+"/readyz")
		checks, _ = body["checks"].(map[string]any)
		if code != http.StatusServiceUnavailable || checks["media"] != "unreachable" || checks["database"] != "ok" {
			t.Fatalf("/readyz with the store gone = %d %v", code, body)
		}
	})
	t.Run("the embedded default keeps files", func(t *testing.T) {
		_, base := startApp(t, testEnv(t, nil))
		code, body := getJSON(t, base+"/readyz")
		checks, _ := body["checks"].(map[string]any)
		if _, ok := checks["media"]; code != http.StatusOK || ok {
			t.Fatalf("/readyz = %d %v, want no media check with dir", code, body)
		}
	})
}
