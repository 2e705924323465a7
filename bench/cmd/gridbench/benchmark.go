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

// benchmark is one gridbench run: gridbot and the baseline taking turns, a round each.
type benchmark struct {
	opts    options
	stderr  io.Writer
	command string
	runID   string
	dir     string            // scratch folder
	root    string            // the repository
	fake    *bench.FakeWeChat // the notify configuration's WeChat API; nil otherwise
}

// server is one side of a run: a server under load, driven a round at a time, and what ends it.
type server struct {
	name    string
	target  bench.Target
	check   bench.Checker
	rate    float64
	pid     int
	sampler *bench.Sampler
	probe   *bench.Probe
	rounds  []bench.LoadResult
	peaks   []int64 // the server's peak RSS in each round
	notices []int   // notices the fake WeChat API accepted during each round
	// inbound tells the fake WeChat API of each message a phone sends (the notify configuration).
	inbound   func(openID string)
	delivered func() int
	// drain waits for the server's outbox to empty after its turn (the notify configuration).
	drain  func(ctx context.Context) (time.Duration, error)
	drains []time.Duration
	// end completes the side once every round is over (cases, logs) and stops what was started.
	end func(ctx context.Context, side *bench.Side) error
}

// run starts both servers, lets them take turns for the rounds, and evaluates the targets; the
// report is returned even when a round failed.
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
	if b.opts.notify {
		b.fake = bench.StartFakeWeChat()
		defer b.fake.Close()
		t := b.fake.Target()
		b.opts.appID, b.opts.token, b.opts.aesKey = t.AppID, t.Token, t.AESKey // the baseline's too
		b.logf("fake WeChat API: %s", b.fake.URL())
	}
	r := &bench.Report{Settings: b.settings(ctx)}
	g, err := b.gridbot(ctx, &r.Settings)
	if err != nil {
		return nil, err
	}
	var base *server
	if b.opts.baseline {
		if base, err = b.baseline(ctx); err != nil {
			_, gerr := b.finish(ctx, g)
			return nil, errors.Join(err, gerr)
		}
	}
	b.checkQuiet(ctx, &r.Settings)
	loadErr := b.takeTurns(ctx, g, base, r)
	var endErr error
	r.Gridbot, endErr = b.finish(ctx, g)
	if base != nil {
		side, err := b.finish(ctx, base)
		r.Baseline, endErr = &side, errors.Join(endErr, err)
	}
	r.Evaluate()
	return r, errors.Join(loadErr, endErr)
}

// takeTurns drives gridbot and the baseline in turn, a round each, rounds times: the machine's
// speed drifts by several percent over a minute, and turns make the drift weigh on both alike.
func (b *benchmark) takeTurns(ctx context.Context, g, base *server, r *bench.Report) error {
	each := b.opts.duration / time.Duration(b.opts.rounds)
	for i := range b.opts.rounds {
		warmup := b.opts.warmup
		if i > 0 {
			warmup = min(warmup, time.Second) // the servers are warm: the new users' first messages
		}
		if err := b.drive(ctx, g, i, warmup, each); err != nil {
			return err
		}
		round := bench.Round{Gridbot: g.rounds[i].MessagesPerSec, P99: g.rounds[i].Latency.P99, PeakRSSBytes: g.peaks[i],
			Notices: g.notices[i], DrainSeconds: g.drains[i].Seconds()}
		if base != nil {
			if err := b.drive(ctx, base, i, warmup, each); err != nil {
				return err
			}
			round.Baseline = base.rounds[i].MessagesPerSec
		}
		r.Rounds = append(r.Rounds, round)
	}
	return nil
}

// settings records how the run is made.
func (b *benchmark) settings(ctx context.Context) bench.Settings {
	o := b.opts
	s := bench.Settings{Command: b.command, Target: o.target, Warmup: o.warmup.String(), Duration: o.duration.String(),
		Rounds: o.rounds, Concurrency: o.concurrency, Users: o.users, Rate: o.rate, CPUs: runtime.NumCPU(),
		GoVersion: runtime.Version(), Revision: revision(ctx, b.root), Notify: o.notify}
	if b.fake != nil {
		s.FakeAPI = b.fake.URL()
	}
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

// gridbot starts gridbot when asked (else takes the running target) and watches it.
func (b *benchmark) gridbot(ctx context.Context, s *bench.Settings) (*server, error) {
	if b.opts.target != "" {
		return b.running(ctx)
	}
	extra, err := bench.ParseEnv(b.opts.serverEnv)
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	if b.fake != nil {
		env = b.fake.Env()
	}
	for k, v := range extra { // --server-env has the last word
		env[k] = v
	}
	g, err := bench.SpawnGridbot(ctx, bench.GridbotOptions{Root: b.root, Dir: b.dir, Embedded: b.opts.embedded,
		MySQL: b.opts.mysql, Redis: b.opts.redis, Env: env, RunID: b.runID, Log: b.logf})
	if err != nil {
		return nil, err
	}
	s.Storage, s.Target = g.Storage(), g.URL+"/wechat/callback"
	var probe *bench.Probe
	if !b.opts.embedded {
		probe = bench.NewProbe(b.opts.mysql, b.opts.redis)
	}
	logBefore := g.LogLines()
	srv := b.watch("gridbot", b.target(s.Target), bench.CheckGridbot, b.opts.rate, g.Pid(), probe)
	if b.fake != nil {
		srv.inbound, srv.delivered = b.fake.Inbound, b.fake.Delivered
		srv.drain = func(ctx context.Context) (time.Duration, error) {
			driver, dsn := g.Database()
			took, done, err := bench.WaitOutbox(ctx, driver, dsn, noticeDrain)
			if err == nil && !done {
				b.logf("gridbot's outbox still holds notices after %s", noticeDrain)
			}
			return took, err
		}
	}
	srv.end = func(ctx context.Context, side *bench.Side) error {
		if err := b.tallyNotices(ctx, g, side); err != nil {
			_, ferr := g.Finish(ctx)
			return errors.Join(err, ferr)
		}
		side.ServerLogLines = g.LogLines() - logBefore
		if side.ServerLogLines > 0 {
			b.logf("gridbot logged %d lines during the run; the last ones:\n%s", side.ServerLogLines,
				g.LogTail(min(side.ServerLogLines, 5)))
		}
		cases, err := g.Finish(ctx)
		if err == nil {
			side.CasesCreated = &cases
		}
		return err
	}
	return srv, nil
}

// running watches an already running gridbot, counting its cases when given its database.
func (b *benchmark) running(ctx context.Context) (*server, error) {
	var before int64
	var probe *bench.Probe
	if b.opts.casesDSN != "" {
		n, err := bench.CountCases(ctx, "mysql", b.opts.casesDSN)
		if err != nil {
			return nil, err
		}
		before, probe = n, bench.NewProbe(b.opts.casesDSN, "")
	}
	srv := b.watch("gridbot", b.target(b.opts.target), bench.CheckGridbot, b.opts.rate, b.opts.pid, probe)
	srv.end = func(ctx context.Context, side *bench.Side) error {
		if b.opts.casesDSN == "" {
			return nil
		}
		// Replies that missed their callback are still being processed for a moment.
		time.Sleep(time.Second)
		after, err := bench.CountCases(ctx, "mysql", b.opts.casesDSN)
		if err != nil {
			return err
		}
		created := after - before
		side.CasesCreated = &created
		return nil
	}
	return srv, nil
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

// baseline starts the baseline echo server, to be driven as hard as it goes.
func (b *benchmark) baseline(ctx context.Context) (*server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	t := b.target("")
	p, err := bench.SpawnBaseline(ctx, exe, b.dir, t)
	if err != nil {
		return nil, err
	}
	b.logf("baseline echo server (pid %d) on %s", p.Pid(), p.URL)
	t.CallbackURL = p.URL + "/wechat/callback"
	srv := b.watch("baseline", t, bench.CheckEcho, 0, p.Pid(), nil)
	srv.end = func(_ context.Context, side *bench.Side) error {
		side.ServerLogLines = p.LogLines()
		return p.Stop(10 * time.Second)
	}
	return srv, nil
}

// watch sets up the measuring of a server: its process statistics and, with a probe, its
// database's and Redis's counters, over all its rounds.
func (b *benchmark) watch(name string, t bench.Target, c bench.Checker, rate float64, pid int, probe *bench.Probe) *server {
	var ports map[string]int
	if probe != nil {
		ports = bench.ServerPorts(probe.MySQLDSN(), probe.RedisURL())
	}
	return &server{name: name, target: t, check: c, rate: rate, pid: pid, sampler: bench.NewSampler(pid, ports), probe: probe}
}

// drive runs one round of load against a server, with users of its own.
func (b *benchmark) drive(ctx context.Context, s *server, round int, warmup, window time.Duration) error {
	measure := s.sampler.Window
	if s.probe != nil {
		measure = func(open bool) {
			s.sampler.Window(open)
			s.probe.Window(open)
		}
	}
	b.logf("round %d/%d: driving %s for %s + %s with %d users, %d at a time", round+1, b.opts.rounds, s.name, warmup,
		window, b.opts.users, b.opts.concurrency)
	peak := func() int64 { return 0 }
	if s.pid != 0 {
		peak = bench.WatchRSS(s.pid, 100*time.Millisecond)
	}
	delivered := 0
	if s.delivered != nil {
		delivered = s.delivered()
	}
	res, err := bench.RunLoad(ctx, bench.LoadConfig{Target: s.target, Checker: s.check, Warmup: warmup,
		Duration: window, Concurrency: b.opts.concurrency, Users: b.opts.users, Rate: s.rate, Timeout: b.opts.timeout,
		OpenIDs: fmt.Sprintf("oBench%s%d_%s_", s.name[:1], round, b.runID), Window: measure, Inbound: s.inbound})
	var took time.Duration
	if s.drain != nil && err == nil {
		// the notices of the turn go out before the next server's turn, which they would slow
		took, err = s.drain(ctx)
		b.logf("%s's outbox drained %.1f s after its turn", s.name, took.Seconds())
	}
	s.rounds, s.peaks, s.drains = append(s.rounds, res), append(s.peaks, peak()), append(s.drains, took)
	if s.delivered != nil {
		delivered = s.delivered() - delivered
	}
	s.notices = append(s.notices, delivered)
	b.logf("%s: %.1f messages/s, p99 %.1f ms, %d errors, peak RSS %.1f MiB", s.name, res.MessagesPerSec, res.Latency.P99,
		res.Errors, float64(s.peaks[round])/(1<<20))
	return err
}

// noticeDrain bounds the wait for gridbot's outbox to empty after the last round.
const noticeDrain = 2 * time.Minute

// tallyNotices waits for gridbot's outbox to drain and matches it with what the fake WeChat
// API delivered (the notify configuration only).
func (b *benchmark) tallyNotices(ctx context.Context, g *bench.Gridbot, side *bench.Side) error {
	if b.fake == nil {
		return nil
	}
	b.logf("waiting for gridbot's outbox to drain (at most %s)", noticeDrain)
	driver, dsn := g.Database()
	t, err := b.fake.WaitAndTally(ctx, driver, dsn, noticeDrain)
	if err != nil {
		return err
	}
	side.Notices = &t
	return nil
}

// finish merges a server's rounds, reads its statistics and ends it.
func (b *benchmark) finish(ctx context.Context, s *server) (bench.Side, error) {
	side := bench.Side{Load: bench.MergeLoads(s.rounds...)}
	var errs []error
	if s.probe != nil {
		counters, err := s.probe.Result()
		side.Counters = &counters
		errs = append(errs, err)
	}
	if s.pid != 0 {
		stats, err := s.sampler.Stats()
		side.Server = &stats
		errs = append(errs, err)
	}
	if s.end != nil {
		errs = append(errs, s.end(context.WithoutCancel(ctx), &side))
	}
	return side, errors.Join(errs...)
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
