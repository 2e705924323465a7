// Command gridbench is gridbot's load benchmark: virtual WeChat users walk complaint
// conversations through signed, encrypted callbacks against gridbot (started by gridbench, or
// already running) and against a minimal echo server on the same WeChat library, and gridbench
// reports throughput, latency, errors, cases, memory and the ratio of the two. See bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

// main runs the command and exits non-zero on error.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "gridbench:", err)
		}
		os.Exit(1)
	}
}

// run runs the benchmark, or with "baseline" first the baseline server.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "baseline" {
		return serveBaseline(ctx, args[1:], stderr)
	}
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if o.cpuProfile != "" {
		stopProfile, err := startProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	// Every phase stops by itself; this bounds a run even if a server hangs at start or stop.
	ctx, cancel := context.WithTimeout(ctx, 2*(o.warmup+o.duration)+10*time.Minute)
	defer cancel()
	b := &benchmark{opts: o, stderr: stderr, command: commandLine(args)}
	report, err := b.run(ctx)
	if report != nil {
		if werr := b.write(stdout, report); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	return err
}

// startProfile starts profiling this process's CPU into file; the returned function stops it.
func startProfile(file string) (func(), error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
