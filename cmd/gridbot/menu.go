package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"gridbot/store"
	"gridbot/wechat"
)

// wechatCommand runs `gridbot wechat menu [--apply]`: print the Official Account menu, or set it.
func (e *environment) wechatCommand(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "menu" {
		return fmt.Errorf("usage: gridbot wechat menu [--apply]")
	}
	fs := flag.NewFlagSet("wechat menu", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	apply := fs.Bool("apply", false, "set the menu through the Official Account API")
	if err := fs.Parse(args[1:]); err != nil {
		return err
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
	cfg, log, err := e.load()
	if err != nil {
		return err
	}
	if !cfg.WeChatConfigured() {
		return fmt.Errorf("wechat menu --apply: set GRIDBOT_WECHAT_APPID, GRIDBOT_WECHAT_SECRET and GRIDBOT_WECHAT_TOKEN first")
	}
	rdb, err := store.OpenRedis(ctx, cfg.RedisURL)
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
		Cache: wechat.NewRedisCache(rdb.Client, cfg.RedisKeyPrefix+"wechat:")})
	if err != nil {
		return err
	}
	if err := acct.SetMenu(ctx, menu); err != nil {
		return fmt.Errorf("wechat menu --apply: %w", err)
	}
	fmt.Fprintln(e.stdout, "menu set")
	return nil
}
