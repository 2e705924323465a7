// Command gridbench-notify is gridbot's delivery benchmark: it runs the notification dispatcher
// in this process over a MariaDB database of its own and Redis, against the simulator's fake
// WeChat API, and measures delivered/s, commit-to-delivery latency at a fixed rate, and an
// outage (500, errcode -1, 45009) with a token invalidated half-way. See bench/README.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"gridbot/bench"
)

// main runs the command and exits non-zero on error or a missed check.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "gridbench-notify:", err)
		}
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	mysql, redis   string
	phases         string
	intents        int
	rate           float64
	duration       time.Duration
	outage         time.Duration
	outageIntents  int
	outageWait     time.Duration
	recipients     int
	workers        int
	poll           time.Duration
	limiter, wake  bool
	perTx          int
	producers      int
	json, logWarns bool
}

// report is everything measured.
type report struct {
	Command    string                  `json:"command"`
	Config     map[string]any          `json:"config"`
	Throughput *bench.ThroughputResult `json:"throughput,omitempty"`
	Latency    *bench.LatencyResult    `json:"latency,omitempty"`
	Outage     *bench.OutageResult     `json:"outage,omitempty"`
	Checks     []check                 `json:"checks"`
}

// check is one target of the issue.
type check struct {
	Name string `json:"name"`
	Got  string `json:"got"`
	Pass bool   `json:"pass"`
}

// run parses the flags, runs the phases and prints the report.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("gridbench-notify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.mysql, "mysql", "root@tcp(127.0.0.1:3306)/", "admin DSN of MariaDB/MySQL (a database gridbench_<random> is created and dropped)")
	fs.StringVar(&o.redis, "redis", "redis://127.0.0.1:6379/0", "Redis URL (keys under gridbench:notify:<run>: are deleted afterwards); empty: embedded")
	fs.StringVar(&o.phases, "phases", "throughput,latency,outage", "phases to run, comma-separated")
	fs.IntVar(&o.intents, "intents", 5000, "throughput: intents committed before the dispatcher starts")
	fs.Float64Var(&o.rate, "rate", 200, "latency: intents produced per second")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "latency: how long intents are produced")
	fs.DurationVar(&o.outage, "outage-duration", 60*time.Second, "outage: how long the fake API fails")
	fs.IntVar(&o.outageIntents, "outage-intents", 1000, "outage: intents produced during the outage")
	fs.DurationVar(&o.outageWait, "outage-wait", 5*time.Minute, "outage: how long after the outage to wait for every intent")
	fs.IntVar(&o.recipients, "recipients", 1000, "people, half inside the 48-hour window (customer-service), half outside (template)")
	fs.IntVar(&o.workers, "workers", 0, "dispatcher workers (0: notify's default, 8)")
	fs.DurationVar(&o.poll, "poll", 0, "dispatcher poll interval (0: notify's default, 1s)")
	fs.BoolVar(&o.limiter, "limiter", true, "the instance's Redis rate limits (1000/s global, 20/min per person), as gridbot serve sets them")
	fs.BoolVar(&o.wake, "wake", true, "call Dispatcher.Wake after each commit, as gridbot's workflow does")
	fs.IntVar(&o.perTx, "per-tx", 1, "intents per transaction")
	fs.IntVar(&o.producers, "producers", 16, "producer goroutines")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.BoolVar(&o.logWarns, "log", false, "print the dispatcher's warnings to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	if o.logWarns {
		log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithTimeout(ctx, o.duration+o.outage+o.outageWait+15*time.Minute)
	defer cancel()
	env, err := bench.OpenNotifyEnv(ctx, bench.NotifyConfig{MySQL: o.mysql, Redis: o.redis, Recipients: o.recipients,
		Workers: o.workers, Poll: o.poll, Limiter: o.limiter, Wake: o.wake, PerTx: o.perTx, Producers: o.producers, Log: log})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := env.Close(context.WithoutCancel(ctx)); cerr != nil {
			fmt.Fprintln(stderr, "gridbench-notify: cleanup:", cerr)
		}
	}()
	r := &report{Command: "go run ./bench/cmd/gridbench-notify " + strings.Join(args, " "), Config: map[string]any{
		"run": env.RunID(), "recipients": o.recipients, "workers": o.workers, "poll": o.poll.String(), "limiter": o.limiter,
		"wake": o.wake, "per_tx": o.perTx, "producers": o.producers}}
	var errs []error
	for _, ph := range strings.Split(o.phases, ",") {
		fmt.Fprintf(stderr, "gridbench-notify: %s...\n", ph)
		switch strings.TrimSpace(ph) {
		case "throughput":
			res, err := env.Throughput(ctx, o.intents, 5*time.Minute)
			r.Throughput, errs = &res, append(errs, err)
		case "latency":
			res, err := env.Latency(ctx, o.rate, o.duration)
			r.Latency, errs = &res, append(errs, err)
		case "outage":
			res, err := env.Outage(ctx, o.outageIntents, o.outage, o.outageWait)
			r.Outage, errs = &res, append(errs, err)
		default:
			return fmt.Errorf("unknown phase %q", ph)
		}
	}
	r.evaluate()
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		errs = append(errs, enc.Encode(r))
	} else {
		r.write(stdout)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, c := range r.Checks {
		if !c.Pass {
			return errors.New("a target was missed")
		}
	}
	return nil
}

// evaluate checks the targets.
func (r *report) evaluate() {
	if t := r.Throughput; t != nil {
		r.Checks = append(r.Checks, check{"delivered/s ≥ 500", fmt.Sprintf("%.0f/s", t.DeliveredPerSec), t.DeliveredPerSec >= 500},
			check{"throughput: every intent shown once", tallyCell(t.Tally), tallyOK(t.Tally)})
	}
	if l := r.Latency; l != nil {
		r.Checks = append(r.Checks, check{fmt.Sprintf("p99 commit-to-delivery ≤ 1 s at %.0f/s", l.Rate),
			fmt.Sprintf("%.0f ms", l.Latency.P99), l.Latency.P99 <= 1000 && l.Complete},
			check{"latency: every intent shown once", tallyCell(l.Tally), tallyOK(l.Tally)})
	}
	if o := r.Outage; o != nil {
		r.Checks = append(r.Checks, check{"outage: every intent shown exactly once", tallyCell(o.Tally), o.Complete && tallyOK(o.Tally)},
			check{"outage: token invalidation costs one refresh", fmt.Sprintf("%d → %d", o.TokenFetchesBefore, o.TokenFetchesAfter),
				o.TokenFetchesAfter == o.TokenFetchesBefore+1})
	}
}

// tallyOK reports every intent shown exactly once.
func tallyOK(t bench.Tally) bool { return t.OK() }

// tallyCell summarises a tally.
func tallyCell(t bench.Tally) string {
	s := fmt.Sprintf("%d produced, %d shown (%d distinct; %d custom, %d template), %d lost, %d twice",
		t.Produced, t.Shown, t.Distinct, t.Custom, t.Template, t.Lost, t.Twice)
	if t.Resent > 0 {
		s += fmt.Sprintf(", %d template re-sends absorbed by client_msg_id", t.Resent)
	}
	if t.Deadlocks > 0 {
		s += fmt.Sprintf("; %d producer transactions deadlocked with the claim (retried)", t.Deadlocks)
	}
	if t.ProduceErrs > 0 || t.Unknown > 0 || !t.ClientMsgIDs {
		s += fmt.Sprintf(", %d produce errors, %d unknown, client_msg_id ok %v", t.ProduceErrs, t.Unknown, t.ClientMsgIDs)
	}
	return s
}

// write prints the report as text.
func (r *report) write(w io.Writer) {
	fmt.Fprintf(w, "%s\nconfig: %v\n\n", r.Command, r.Config)
	if t := r.Throughput; t != nil {
		samples(w, t.Tally)
		fmt.Fprintf(w, "throughput: %d intents committed in %.2f s (%.0f/s, dispatcher stopped), delivered in %.2f s: %.0f delivered/s (complete %v)\n  %s\n  outbox %v\n",
			t.Intents, t.ProduceSeconds, t.ProducedPerSec, t.DeliverSeconds, t.DeliveredPerSec, t.Complete, tallyCell(t.Tally), t.States)
	}
	if l := r.Latency; l != nil {
		samples(w, l.Tally)
		fmt.Fprintf(w, "latency at %.0f/s for %.0f s (achieved %.1f/s, delivered %.1f/s): commit→delivery p50 %.0f / p95 %.0f / p99 %.0f / max %.0f ms (mean %.0f; complete %v)\n  %s\n  outbox %v\n",
			l.Rate, l.Seconds, l.OfferedPerSec, l.DeliveredPerSec, l.Latency.P50, l.Latency.P95, l.Latency.P99, l.Latency.Max, l.Latency.Mean,
			l.Complete, tallyCell(l.Tally), l.States)
	}
	if o := r.Outage; o != nil {
		fmt.Fprintf(w, "outage: %d intents during %.0f s of faults (+1 before), %d send calls failed; last delivery %.1f s after recovery (complete %v)\n  %s\n  token fetches %d before invalidation, %d after\n  commit→delivery p50 %.0f / p99 %.0f / max %.0f ms\n  outbox %v\n",
			o.Intents, o.OutageSeconds, o.FaultCalls, o.RecoverySeconds, o.Complete, tallyCell(o.Tally), o.TokenFetchesBefore,
			o.TokenFetchesAfter, o.Latency.P50, o.Latency.P99, o.Latency.Max, o.States)
		samples(w, o.Tally)
	}
	fmt.Fprintln(w, "\ntargets:")
	for _, c := range r.Checks {
		verdict := "PASS"
		if !c.Pass {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "  %-48s %s: %s\n", c.Name, verdict, c.Got)
	}
}

// samples prints a tally's samples.
func samples(w io.Writer, t bench.Tally) {
	for _, s := range t.Samples {
		fmt.Fprintf(w, "  note: %s\n", s)
	}
}
