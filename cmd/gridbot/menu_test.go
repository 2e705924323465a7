package main

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"gridbot/wechatsim"
)

func TestWeChatMenuCommand(t *testing.T) {
	out, err := gridbot(t, testEnv(t, nil), "wechat", "menu")
	if err != nil {
		t.Fatal(err)
	}
	var menu map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &menu); err != nil || menu["button"] == nil {
		t.Fatalf("printed menu is not WeChat's JSON: %v\n%s", err, out)
	}
	for _, want := range []string{"投诉", "举报", "COMPLAINT", "QUERY"} {
		if !strings.Contains(out, want) {
			t.Errorf("menu lacks %q", want)
		}
	}
	if _, err := gridbot(t, testEnv(t, nil), "wechat", "menu", "--apply"); err == nil ||
		!strings.Contains(err.Error(), "GRIDBOT_WECHAT_APPID") {
		t.Fatalf("--apply without credentials: %v", err)
	}

	api := wechatsim.NewAPI(wechatsim.APIConfig{AppID: "wxmenutest", AppSecret: "s3cret"})
	srv := httptest.NewServer(api)
	defer srv.Close()
	getenv := testEnv(t, map[string]string{"GRIDBOT_WECHAT_APPID": "wxmenutest", "GRIDBOT_WECHAT_SECRET": "s3cret",
		"GRIDBOT_WECHAT_TOKEN": "tok", "GRIDBOT_WECHAT_API_BASE": srv.URL})
	if out, err := gridbot(t, getenv, "wechat", "menu", "--apply"); err != nil || !strings.Contains(out, "menu set") {
		t.Fatalf("--apply: %v\n%s", err, out)
	}
	set, ok := api.Menu()
	if !ok || !strings.Contains(string(set), "COMPLAINT") {
		t.Fatalf("the simulator holds no menu: %s", set)
	}
}
