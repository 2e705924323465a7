package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"gridbot/bench"
)

// benchmark is one gridbench run: gridbot's side, then the baseline's.
type benchmark struct {
	opts    options
	stderr  io.Writer
	command string
	runID   string
	dir     string // scratch folder
	root    string // the repository
}

// run measures both sides and evaluates the targets; the report is returned even when a side failed.
func (b *benchmark) run(ctx context.Context) (*bench.Report, error) {
	b.runID = bench.NewRunID()
	dir, err := os.MkdirTemp("", "gridbench-")
	if err != nil {
		return nil, fmt.Errorf("scratch folder: %w", err)
	}
	b.dir = dir
	defer b.removeScratch()
	b.root, err = bench.ModuleRoot(ctx)
	if err != nil && b.opts.target == "" {
		return nil, err
	}
	r := &bench.Report{Settings: b.settings(ctx)}
	if r.Gridbot, err = b.gridbotSide(ctx, &r.Settings); err != nil {
		return nil, err
	}
	if b.opts.baseline {
		side, err := b.baselineSide(ctx)
		if err != nil {
			return nil, err
		}
		r.Baseline = &side
	}
	r.Evaluate()
	return r, nil
}

// settings records how the run is made.
func (b *benchmark) settings(ctx context.Context) bench.Settings {
	o := b.opts
	s := bench.Settings{Command: b.command, Target: o.target, Warmup: o.warmup.String(), Duration: o.duration.String(),
		Concurrency: o.concurrency, Users: o.users, Rate: o.rate, CPUs: runtime.NumCPU(),
		GoVersion: runtime.Version(), Revision: revision(ctx, b.root)}
	switch {
	case o.embedded:
		s.Mode = "embedded"
	case o.spawn:
		s.Mode = "spawn"
	default:
		s.Mode, s.Storage = "target", "as configured by whoever started it"
	}
	return s
}

// gridbotSide starts gridbot when asked, drives it and counts its cases.
func (b *benchmark) gridbotSide(ctx context.Context, s *bench.Settings) (bench.Side, error) {
	if b.opts.target != "" {
		return b.targetSide(ctx, s)
	}
	env, err := bench.ParseEnv(b.opts.serverEnv)
	if err != nil {
		return bench.Side{}, err
	}
	g, err := bench.SpawnGridbot(ctx, bench.GridbotOptions{Root: b.root, Dir: b.dir, Embedded: b.opts.embedded,
		MySQL: b.opts.mysql, Redis: b.opts.redis, Env: env, RunID: b.runID, Log: b.logf})
	if err != nil {
		return bench.Side{}, err
	}
	s.Storage, s.Target = g.Storage(), g.URL+"/wechat/callback"
	b.checkQuiet(ctx, s)
	logBefore := g.LogLines()
	var probe *bench.Probe
	if !b.opts.embedded {
		probe = bench.NewProbe(b.opts.mysql, b.opts.redis)
	}
	side, loadErr := b.drive(ctx, "gridbot", b.target(s.Target), bench.CheckGridbot, b.opts.rate, g.Pid(), probe)
	side.ServerLogLines = g.LogLines() - logBefore
	if side.ServerLogLines > 0 {
		b.logf("gridbot logged %d lines during the run; the last ones:\n%s", side.ServerLogLines, g.LogTail(min(side.ServerLogLines, 5)))
	}
	cases, finishErr := g.Finish(context.WithoutCancel(ctx))
	if finishErr == nil {
		side.CasesCreated = &cases
	}
	return side, errors.Join(loadErr, finishErr)
}

// targetSide drives an already running gridbot, counting its cases when given its database.
func (b *benchmark) targetSide(ctx context.Context, s *bench.Settings) (bench.Side, error) {
	var before int64
	if b.opts.casesDSN != "" {
		n, err := bench.CountCases(ctx, "mysql", b.opts.casesDSN)
		if err != nil {
			return bench.Side{}, err
		}
		before = n
	}
	var probe *bench.Probe
	if b.opts.casesDSN != "" {
		probe = bench.NewProbe(b.opts.casesDSN, "")
	}
	b.checkQuiet(ctx, s)
	side, err := b.drive(ctx, "gridbot", b.target(b.opts.target), bench.CheckGridbot, b.opts.rate, b.opts.pid, probe)
	if err != nil || b.opts.casesDSN == "" {
		return side, err
	}
	// Replies that missed their callback are still being processed for a moment.
	time.Sleep(time.Second)
	after, err := bench.CountCases(ctx, "mysql", b.opts.casesDSN)
	if err != nil {
		return side, err
	}
	created := after - before
	side.CasesCreated = &created
	return side, nil
}

// checkQuiet measures how busy the machine is before the load and warns when other work
// will compete with the run.
func (b *benchmark) checkQuiet(ctx context.Context, s *bench.Settings) {
	busy, by, err := bench.MachineLoad(ctx, 2*time.Second)
	if err != nil {
		b.logf("machine load: %v", err)
		return
	}
	s.BusyBefore, s.BusyBeforeBy = busy, by
	if busy > 0.2 {
		b.logf("WARNING: the machine is busy before the run (%.2f of %d cores): the figures will be low", busy, s.CPUs)
	}
}

// baselineSide starts the baseline echo server, drives it as hard as it goes, and stops it.
func (b *benchmark) baselineSide(ctx context.Context) (bench.Side, error) {
	exe, err := os.Executable()
	if err != nil {
		return bench.Side{}, fmt.Errorf("baseline: %w", err)
	}
	t := b.target("")
	p, err := bench.SpawnBaseline(ctx, exe, b.dir, t)
	if err != nil {
		return bench.Side{}, err
	}
	b.logf("baseline echo server (pid %d) on %s", p.Pid(), p.URL)
	t.CallbackURL = p.URL + "/wechat/callback"
	side, err := b.drive(ctx, "baseline", t, bench.CheckEcho, 0, p.Pid(), nil)
	side.ServerLogLines = p.LogLines()
	return side, errors.Join(err, p.Stop(10*time.Second))
}

// drive runs the load against one server and reads its process statistics and, with a probe,
// its database's and Redis's counters.
func (b *benchmark) drive(ctx context.Context, name string, t bench.Target, c bench.Checker, rate float64, pid int,
	probe *bench.Probe) (bench.Side, error) {
	var ports map[string]int
	if probe != nil {
		ports = bench.ServerPorts(probe.MySQLDSN(), probe.RedisURL())
	}
	sampler := bench.NewSampler(pid, ports)
	window := sampler.Window
	if probe != nil {
		window = func(open bool) {
			sampler.Window(open)
			probe.Window(open)
		}
	}
	b.logf("driving %s for %s + %s with %d users, %d at a time", name, b.opts.warmup, b.opts.duration,
		b.opts.users, b.opts.concurrency)
	res, err := bench.RunLoad(ctx, bench.LoadConfig{Target: t, Checker: c, Warmup: b.opts.warmup,
		Duration: b.opts.duration, Concurrency: b.opts.concurrency, Users: b.opts.users, Rate: rate,
		Timeout: b.opts.timeout, OpenIDs: "oBench" + name[:1] + "_" + b.runID + "_", Window: window})
	side := bench.Side{Load: res}
	if probe != nil {
		counters, perr := probe.Result()
		side.Counters = &counters
		err = errors.Join(err, perr)
	}
	if pid != 0 {
		stats, serr := sampler.Stats()
		side.Server = &stats
		err = errors.Join(err, serr)
	}
	b.logf("%s: %.1f messages/s, p99 %.1f ms, %d errors", name, res.MessagesPerSec, res.Latency.P99, res.Errors)
	return side, err
}

// target is the account the phones sign and encrypt for, at url.
func (b *benchmark) target(url string) bench.Target {
	return bench.Target{CallbackURL: url, AppID: b.opts.appID, Token: b.opts.token, AESKey: b.opts.aesKey}
}

// write prints the report as a table or JSON.
func (b *benchmark) write(w io.Writer, r *bench.Report) error {
	if b.opts.json {
		return r.WriteJSON(w)
	}
	return r.WriteTable(w)
}

// removeScratch deletes the scratch folder unless --keep.
func (b *benchmark) removeScratch() {
	if b.opts.keep {
		b.logf("kept %s", b.dir)
		return
	}
	if err := os.RemoveAll(b.dir); err != nil {
		b.logf("remove scratch folder: %v", err)
	}
}

// logf writes a progress line to stderr.
func (b *benchmark) logf(format string, args ...any) {
	fmt.Fprintf(b.stderr, "gridbench: "+format+"\n", args...)
}

// revision names the repository's commit, "-dirty" with uncommitted changes.
func revision(ctx context.Context, root string) string {
	if root == "" {
		return "unknown"
	}
	out, err := exec.CommandContext(ctx, "git", "-C", root, "describe", "--always", "--dirty").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// commandLine is the command as typed, for the report.
func commandLine(args []string) string {
	return strings.TrimSpace("gridbench " + strings.Join(args, " "))
}
