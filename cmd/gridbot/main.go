// Command gridbot runs the gridbot service and its administration commands: serve (the default),
// migrate, import FILE, version and healthcheck.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// main runs the command and exits non-zero on error.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gridbot:", err)
		os.Exit(1)
	}
}

// usage is printed for -h and for an unknown command.
const usage = `usage: gridbot [-config FILE] [command] [arguments]

commands:
  serve            run the service (the default)
  migrate          apply pending database migrations
  import [--dry-run] [--force] FILE
                   import or update a county's deployment file; --dry-run shows what would change
  version          print the version
  healthcheck      exit 0 when the local service answers /healthz (for container health checks)
  sim chat|demo    talk to a running sandbox as simulated WeChat users (see gridbot sim help)
  wechat menu      print the Official Account menu; --apply sets it through the API
  verify [NO...]   check the hash chain of every case's history; report the first broken link
  token issue|revoke|list PERSON_CODE [--name LABEL]
                   personal tokens for the county platform's API (/api/v1); issue prints one once

Settings come from GRIDBOT_* environment variables and the optional -config YAML file; see README.md.
gridbot COMMAND --help describes a command.
`

// run parses the global flags and runs one command; help asked for is a success.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	err := runCommand(ctx, args, stdout, stderr, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// runCommand parses the global flags and runs one command.
func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlags("gridbot", usage)
	configFile := fs.String("config", "", "YAML configuration file (environment variables win)")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	cmd, rest := "serve", fs.Args()
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	env := &environment{configFile: *configFile, getenv: getenv, stdin: os.Stdin, stdout: stdout, stderr: stderr}
	switch cmd {
	case "serve":
		return env.serve(ctx, rest)
	case "migrate":
		return env.migrate(ctx, rest)
	case "import":
		return env.importFile(ctx, rest)
	case "version":
		fmt.Fprintln(stdout, "gridbot", version)
		return nil
	case "healthcheck":
		return env.healthcheck(ctx)
	case "wechat":
		return env.wechatCommand(ctx, rest)
	case "verify":
		return env.verify(ctx, rest)
	case "sim":
		return env.sim(ctx, rest)
	case "token":
		return env.tokenCommand(ctx, rest)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
