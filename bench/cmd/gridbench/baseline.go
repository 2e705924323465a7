package main

import (
	"context"
	"flag"
	"io"

	"gridbot/bench"
	"gridbot/bench/baseline"
)

// serveBaseline runs the baseline echo server until interrupted: `gridbench baseline`.
func serveBaseline(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gridbench baseline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8081", "address to listen on")
	var cfg baseline.Config
	fs.StringVar(&cfg.AppID, "appid", bench.SandboxAppID, "AppID")
	fs.StringVar(&cfg.Token, "token", bench.SandboxToken, "callback token")
	fs.StringVar(&cfg.AESKey, "aes-key", bench.SandboxAESKey(), "EncodingAESKey")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return baseline.Run(ctx, *addr, cfg)
}
