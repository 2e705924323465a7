package main

import (
	"context"
	"fmt"
	"time"

	"gridbot/shared"
	"gridbot/wechat"
)

// wechatUsage is printed for `gridbot wechat --help` and a wrong `gridbot wechat` command line.
const wechatUsage = `usage: gridbot wechat menu [--apply]
  print the Official Account menu as JSON; --apply sets it with the configured GRIDBOT_WECHAT_* credentials
`

// wechatCommand runs `gridbot wechat menu [--apply]`: print the Official Account menu, or set it.
func (e *environment) wechatCommand(ctx context.Context, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(e.stdout, wechatUsage)
		return nil
	}
	fs := newFlags("wechat menu", wechatUsage)
	apply := fs.Bool("apply", false, "set the menu through the Official Account API")
	if len(args) == 0 || args[0] != "menu" {
		fs.SetOutput(e.stderr)
		fs.Usage()
		return fmt.Errorf("wechat: say menu")
	}
	if err := parseFlags(fs, args[1:], e.stdout, e.stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("wechat menu: unexpected arguments %q", fs.Args())
	}
	menu := wechat.DefaultMenu()
	raw, err := wechat.MenuJSON(menu)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, string(raw))
	if !*apply {
		return nil
	}
	return e.applyMenu(ctx, menu)
}

// applyMenu sets the menu with the configured credentials.
func (e *environment) applyMenu(ctx context.Context, menu []wechat.MenuButton) error {
	cfg, log, err := e.loadAdmin()
	if err != nil {
		return err
	}
	if !cfg.WeChatConfigured() {
		return fmt.Errorf("wechat menu --apply: set GRIDBOT_WECHAT_APPID, GRIDBOT_WECHAT_SECRET and GRIDBOT_WECHAT_TOKEN first")
	}
	rdb, err := shared.OpenRedis(ctx, cfg.RedisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	wechat.QuietLibraryLog(log)
	client, err := wechat.InstallHTTPClient(cfg.WeChatAPIBase, cfg.WeComAPIBase, 10*time.Second)
	if err != nil {
		return err
	}
	acct, err := wechat.NewAccount(wechat.AccountConfig{AppID: cfg.WeChatAppID, AppSecret: cfg.WeChatSecret,
		Token: cfg.WeChatToken, AESKey: cfg.WeChatAESKey, HTTPClient: client, Log: log,
		Cache: shared.NewTokenCache(rdb.Client, cfg.RedisKeyPrefix+"wechat:")})
	if err != nil {
		return err
	}
	if err := acct.SetMenu(ctx, menu); err != nil {
		return fmt.Errorf("wechat menu --apply: %w", err)
	}
	fmt.Fprintln(e.stdout, "menu set")
	return nil
}
