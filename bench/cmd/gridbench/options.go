package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"gridbot/bench"
)

// options are gridbench's flags.
type options struct {
	target      string
	spawn       bool
	embedded    bool
	notify      bool
	duration    time.Duration
	warmup      time.Duration
	rounds      int
	timeout     time.Duration
	concurrency int
	users       int
	rate        float64
	mysql       string
	redis       string
	serverEnv   listFlag
	baseline    bool
	json        bool
	keep        bool
	appID       string
	token       string
	aesKey      string
	pid         int
	casesDSN    string
	cpuProfile  string
}

// usage heads the flag list.
const usage = `usage: gridbench (--spawn | --embedded | --target URL) [flags]
       gridbench baseline -addr HOST:PORT      (the baseline echo server; gridbench starts it itself)

Run from the gridbot repository. --spawn builds and starts gridbot serve on MariaDB and Redis
(a database and key prefix of its own, dropped afterwards); --embedded on SQLite and the
in-process Redis; --target drives a gridbot already running in sandbox mode. --notify (with
--spawn, the default, or --embedded) starts gridbot with WeChat and WeCom credentials and
templates against a fake WeChat API served by gridbench, so that every notice goes out over HTTP;
it drives 32 users, 32 at a time, unless --users or --concurrency say otherwise.

flags:
`

// parseOptions reads the flags and checks them.
func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("gridbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	fs.StringVar(&o.target, "target", "", "callback URL of a running gridbot on this machine, e.g. http://127.0.0.1:8080/wechat/callback")
	fs.BoolVar(&o.spawn, "spawn", false, "build and start gridbot serve on MariaDB and Redis")
	fs.BoolVar(&o.embedded, "embedded", false, "build and start gridbot serve on SQLite and the embedded Redis")
	fs.BoolVar(&o.notify, "notify", false, "credentials, templates and WeCom against a fake WeChat API served here: notices go out over HTTP (32 users by default)")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "measured window of each server, all rounds together")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "load before the first round's window (later rounds: at most 1s)")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds taking turns between gridbot and the baseline, each measuring duration/rounds")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Second, "how long a message waits for its answer (WeChat waits 5 s)")
	fs.IntVar(&o.concurrency, "concurrency", 64, "messages in flight at most (virtual users talking at once)")
	fs.IntVar(&o.users, "users", 0, "distinct virtual users (openids); 0 means --concurrency")
	fs.Float64Var(&o.rate, "rate", 0, "offered messages/s for gridbot (latency at a fixed load); 0 is a closed loop (capacity)")
	fs.StringVar(&o.mysql, "mysql", "root@tcp(127.0.0.1:3306)/", "admin DSN of MariaDB/MySQL (--spawn)")
	fs.StringVar(&o.redis, "redis", "redis://127.0.0.1:6379/0", "Redis URL (--spawn); keys get a prefix of their own")
	fs.Var(&o.serverEnv, "server-env", "extra GRIDBOT_NAME=value setting for the spawned gridbot (repeatable)")
	fs.BoolVar(&o.baseline, "baseline", true, "also drive the baseline echo server and report the ratio")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.BoolVar(&o.keep, "keep", false, "keep the scratch folder (binary, server logs) and print its path")
	fs.StringVar(&o.appID, "appid", bench.SandboxAppID, "AppID of the target (--target)")
	fs.StringVar(&o.token, "token", bench.SandboxToken, "callback token of the target (--target)")
	fs.StringVar(&o.aesKey, "aes-key", bench.SandboxAESKey(), "EncodingAESKey of the target (--target)")
	fs.IntVar(&o.pid, "pid", 0, "process id of the target, for its RSS and CPU (--target)")
	fs.StringVar(&o.casesDSN, "cases-dsn", "", "MySQL DSN of the target's database, to count the cases it creates (--target)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write the load generator's own CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.notify {
		o.notifyDefaults(fs)
	}
	return o, o.check()
}

// notifyUsers is the notify configuration's users and messages in flight (the setting).
const notifyUsers = 32

// notifyDefaults makes --notify spawn on MariaDB unless --embedded, with 32 messages in flight
// (and as many users, check fills them in) unless the flags say otherwise.
func (o *options) notifyDefaults(fs *flag.FlagSet) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !o.embedded && o.target == "" {
		o.spawn = true
	}
	if !set["concurrency"] {
		o.concurrency = notifyUsers
		if set["users"] && o.users > 0 {
			o.concurrency = min(o.users, notifyUsers)
		}
	}
}

// check refuses contradictory or unsafe settings.
func (o *options) check() error {
	modes := 0
	for _, on := range []bool{o.spawn, o.embedded, o.target != ""} {
		if on {
			modes++
		}
	}
	if modes != 1 {
		return errors.New("choose one of --spawn, --embedded and --target URL")
	}
	if o.notify && o.target != "" {
		return errors.New("--notify configures the gridbot it starts: use it with --spawn or --embedded, not --target")
	}
	if o.users == 0 {
		o.users = o.concurrency
	}
	if o.rounds < 1 || o.duration/time.Duration(max(o.rounds, 1)) < time.Second {
		return errors.New("--rounds must be at least 1, with at least 1s of --duration each")
	}
	if o.target != "" {
		u, err := loopbackURL(o.target)
		if err != nil {
			return err
		}
		o.target = u
	}
	return nil
}

// loopbackURL checks that a target is on this machine and adds the callback path if missing.
func loopbackURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("--target %q: want http://127.0.0.1:PORT/wechat/callback", raw)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("--target %q: the benchmark only drives servers on this machine (127.0.0.1)", raw)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/wechat/callback"
	}
	return u.String(), nil
}

// listFlag is a repeatable string flag.
type listFlag []string

// String joins the values.
func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set adds a value.
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}
