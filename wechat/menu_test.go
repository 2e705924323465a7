package wechat_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gridbot/wechat"
)

// button is a menu button as WeChat receives it.
type button struct {
	Type string   `json:"type,omitempty"`
	Name string   `json:"name"`
	Key  string   `json:"key,omitempty"`
	URL  string   `json:"url,omitempty"`
	Sub  []button `json:"sub_button,omitempty"`
}

// wantDefaultMenu is gridbot's menu written out independently of DefaultMenu.
func wantDefaultMenu() []button {
	return []button{
		{Name: "我要反映", Sub: []button{
			{Type: "click", Name: "投诉", Key: "COMPLAINT"},
			{Type: "click", Name: "举报", Key: "TIP"},
			{Type: "click", Name: "网格上报", Key: "REPORT"},
		}},
		{Type: "click", Name: "查询进度", Key: "QUERY"},
		{Name: "更多", Sub: []button{
			{Type: "click", Name: "评价", Key: "RATE"},
			{Type: "click", Name: "绑定身份", Key: "BIND"},
			{Type: "click", Name: "帮助", Key: "HELP"},
		}},
	}
}

func TestSetDefaultMenu(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	if err := f.acct.SetMenu(context.Background(), wechat.DefaultMenu()); err != nil {
		t.Fatalf("SetMenu: %v", err)
	}
	raw, ok := f.api.Menu()
	if !ok {
		t.Fatal("the simulator has no menu")
	}
	var got []button
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantDefaultMenu(), got); diff != "" {
		t.Errorf("menu (-want +got):\n%s", diff)
	}
}

func TestMenuJSON(t *testing.T) {
	got, err := wechat.MenuJSON(wechat.DefaultMenu())
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "default_menu.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(strings.TrimSpace(string(want)), string(got)); diff != "" {
		t.Errorf("MenuJSON (-testdata +got):\n%s", diff)
	}
	view, err := wechat.MenuJSON([]wechat.MenuButton{{Name: "官网", Type: wechat.ButtonView, URL: "https://example.com/?a=1&b=<2>"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(view), `"url": "https://example.com/?a=1&b=<2>"`) {
		t.Errorf("MenuJSON escaped the URL: %s", view)
	}
}

func TestMenuRejected(t *testing.T) {
	click := wechat.MenuButton{Name: "查询", Type: wechat.ButtonClick, Key: "QUERY"}
	six := []wechat.MenuButton{click, click, click, click, click, click}
	tests := []struct {
		name    string
		buttons []wechat.MenuButton
	}{
		{"no buttons", nil},
		{"four top-level buttons", six[:4]},
		{"six sub-buttons", []wechat.MenuButton{{Name: "更多", Sub: six}}},
		{"top name over 16 bytes", []wechat.MenuButton{{Name: "我要反映问题呀", Type: wechat.ButtonClick, Key: "K"}}},
		{"empty name", []wechat.MenuButton{{Type: wechat.ButtonClick, Key: "K"}}},
		{"click without key", []wechat.MenuButton{{Name: "查询", Type: wechat.ButtonClick}}},
		{"view without url", []wechat.MenuButton{{Name: "官网", Type: wechat.ButtonView}}},
		{"unsupported type", []wechat.MenuButton{{Name: "扫码", Type: "scancode_push", Key: "K"}}},
		{"three levels", []wechat.MenuButton{{Name: "更多", Sub: []wechat.MenuButton{{Name: "子", Sub: []wechat.MenuButton{click}}}}}},
	}
	f := newFixture(t, 5*time.Second)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := wechat.MenuJSON(tc.buttons); !errors.Is(err, wechat.ErrMenu) {
				t.Errorf("MenuJSON = %v, want ErrMenu", err)
			}
			if err := f.acct.SetMenu(context.Background(), tc.buttons); !errors.Is(err, wechat.ErrMenu) {
				t.Errorf("SetMenu = %v, want ErrMenu", err)
			}
		})
	}
	if f.api.Calls("/cgi-bin/menu/create") != 0 {
		t.Error("an invalid menu was sent to WeChat")
	}
}
