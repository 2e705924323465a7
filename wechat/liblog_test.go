package wechat_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"

	"gridbot/wechat"
)

func TestQuietLibraryLog(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	wechat.QuietLibraryLog(log)
	wechat.QuietLibraryLog(log) // twice changes nothing
	logrus.Debugf("request msg =%s", "<xml><Content>我家楼下漏水</Content></xml>")
	logrus.Info("info")
	logrus.Error("Validate Signature Failed.")
	if logrus.GetLevel() != logrus.WarnLevel {
		t.Errorf("logrus level = %v, want warning", logrus.GetLevel())
	}
	out := buf.String()
	if strings.Contains(out, "漏水") || strings.Contains(out, "info") {
		t.Errorf("debug or info output escaped: %s", out)
	}
	if n := strings.Count(out, "Validate Signature Failed."); n != 1 || !strings.Contains(out, "level=ERROR") {
		t.Errorf("the library's error reached slog %d times, want once at ERROR: %s", n, out)
	}
}
