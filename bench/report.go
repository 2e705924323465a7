package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// Settings are how a run was made, to reproduce it.
type Settings struct {
	Command     string  `json:"command"`
	Mode        string  `json:"mode"`    // spawn, embedded or target
	Storage     string  `json:"storage"` // where gridbot kept its data
	Target      string  `json:"target"`
	Warmup      string  `json:"warmup"`
	Duration    string  `json:"duration"`
	Rounds      int     `json:"rounds"` // the servers take turns: gridbot, baseline, gridbot, …
	Concurrency int     `json:"concurrency"`
	Users       int     `json:"users"`
	Rate        float64 `json:"rate,omitempty"` // offered messages/s; 0 is a closed loop
	CPUs        int     `json:"cpus"`
	GoVersion   string  `json:"go_version"`
	Revision    string  `json:"revision,omitempty"`
	// Notify is the configuration with WeChat credentials, templates and WeCom, every notice
	// delivered over HTTP to a fake WeChat API served by the benchmark (FakeAPI).
	Notify  bool   `json:"notify,omitempty"`
	FakeAPI string `json:"fake_wechat_api,omitempty"`
	// BusyBefore is how many cores the machine used just before the load began (the server
	// started and idle), and by what: other work that will compete with the run.
	BusyBefore   float64   `json:"machine_busy_before_cores"`
	BusyBeforeBy []ProcCPU `json:"machine_busy_before_by,omitempty"`
}

// Side is what one server (gridbot or the baseline) did under load.
type Side struct {
	Load           LoadResult   `json:"load"`
	Server         *ServerStats `json:"server,omitempty"`
	CasesCreated   *int64       `json:"cases_created,omitempty"` // rows in the cases table: must equal Load.Receipts
	ServerLogLines int          `json:"server_log_lines"`        // warnings and errors the server logged
	Counters       *Counters    `json:"server_counters,omitempty"`
	Notices        *NoticeTally `json:"notices,omitempty"` // the notify configuration: outbox against deliveries
}

// Report is a whole benchmark: gridbot, the baseline, their ratio and the targets.
type Report struct {
	Settings Settings `json:"settings"`
	Gridbot  Side     `json:"gridbot"`
	Baseline *Side    `json:"baseline,omitempty"`
	Ratio    *float64 `json:"ratio_to_baseline,omitempty"` // gridbot's messages/s over the baseline's
	Rounds   []Round  `json:"rounds,omitempty"`
	Targets  []Check  `json:"targets"`
}

// Round is the throughput of each server in one round (their turns follow one another, so that
// the machine's own drift in speed weighs on both alike).
type Round struct {
	Gridbot  float64 `json:"gridbot_messages_per_sec"`
	Baseline float64 `json:"baseline_messages_per_sec,omitempty"`
	P99      float64 `json:"gridbot_p99_ms"`
	// PeakRSSBytes is gridbot's largest resident set sampled during its turn (warm-up included).
	PeakRSSBytes int64 `json:"gridbot_peak_rss_bytes,omitempty"`
	// Notices is what the fake WeChat API accepted during gridbot's turn (the notify configuration).
	Notices int `json:"notices_delivered,omitempty"`
	// DrainSeconds is how long gridbot's outbox took to empty after its turn, before the
	// baseline's (the notify configuration).
	DrainSeconds float64 `json:"drain_seconds,omitempty"`
}

// Check is one target of the issue and whether the run met it.
type Check struct {
	Target string `json:"target"`
	Got    string `json:"got"`
	Status string `json:"status"` // PASS, FAIL, or n/a when not measured
}

// The targets of the benchmark's issue, on the 2-core machine with MariaDB and Redis.
const (
	TargetMessagesPerSec = 1500.0
	TargetP99Millis      = 50.0
	TargetPeakRSSMiB     = 256.0
	TargetRatio          = 0.40
	// The notify configuration's memory targets: each round's peak RSS within 10 % of the one
	// before it, and at most 128 MiB.
	TargetRSSStep      = 0.10
	TargetSteadyRSSMiB = 128.0
)

// Evaluate fills in the ratio and the target checks.
func (r *Report) Evaluate() {
	g := r.Gridbot
	if r.Baseline != nil && r.Baseline.Load.MessagesPerSec > 0 {
		ratio := g.Load.MessagesPerSec / r.Baseline.Load.MessagesPerSec
		r.Ratio = &ratio
	}
	r.Targets = []Check{
		check(fmt.Sprintf("messages/s ≥ %.0f", TargetMessagesPerSec), fmt.Sprintf("%.1f", g.Load.MessagesPerSec),
			g.Load.MessagesPerSec >= TargetMessagesPerSec),
		check(fmt.Sprintf("p99 ≤ %.0f ms", TargetP99Millis), fmt.Sprintf("%.1f ms", g.Load.Latency.P99),
			g.Load.Messages > 0 && g.Load.Latency.P99 <= TargetP99Millis),
		check("errors = 0", fmt.Sprint(g.Load.Errors), g.Load.Errors == 0),
		r.casesCheck(),
		r.rssCheck(),
		r.ratioCheck(),
	}
	if r.Settings.Notify {
		r.Targets = append(r.Targets, r.steadyCheck(), r.noticesCheck())
	}
}

// steadyCheck requires each round's peak RSS within 10 % of the previous round's, all at most
// 128 MiB (the first round follows the warm-up).
func (r *Report) steadyCheck() Check {
	name := fmt.Sprintf("RSS steady (±%.0f %% round to round, ≤ %.0f MiB)", TargetRSSStep*100, TargetSteadyRSSMiB)
	var got []string
	pass := len(r.Rounds) > 1
	for i, rd := range r.Rounds {
		got = append(got, fmt.Sprintf("%.1f", mib(rd.PeakRSSBytes)))
		if rd.PeakRSSBytes == 0 {
			return Check{Target: name, Got: "?", Status: "n/a"}
		}
		pass = pass && mib(rd.PeakRSSBytes) <= TargetSteadyRSSMiB
		if i > 0 {
			prev := float64(r.Rounds[i-1].PeakRSSBytes)
			pass = pass && float64(rd.PeakRSSBytes) <= prev*(1+TargetRSSStep) && float64(rd.PeakRSSBytes) >= prev*(1-TargetRSSStep)
		}
	}
	return check(name, strings.Join(got, " → ")+" MiB", pass)
}

// noticesCheck requires every intent of the outbox delivered by the fake API exactly once.
func (r *Report) noticesCheck() Check {
	t := r.Gridbot.Notices
	if t == nil {
		return Check{Target: "every notice delivered once", Got: "?", Status: "n/a"}
	}
	return check("every notice delivered once", fmt.Sprintf("%d / %d intents, %d messages", t.Once, t.Intents, t.Delivered), t.OK())
}

// casesCheck compares the cases created with the receipts, and the distinct tracking numbers.
func (r *Report) casesCheck() Check {
	l := r.Gridbot.Load
	if r.Gridbot.CasesCreated == nil {
		return Check{Target: "cases created = expected", Got: fmt.Sprintf("? / %d", l.Receipts), Status: "n/a"}
	}
	n := *r.Gridbot.CasesCreated
	return check("cases created = expected", fmt.Sprintf("%d / %d (%d distinct numbers)", n, l.Receipts, l.TrackingNos),
		n == l.Receipts && l.TrackingNos == l.Receipts && l.Receipts > 0)
}

// rssCheck compares the server's peak RSS with the target.
func (r *Report) rssCheck() Check {
	s := r.Gridbot.Server
	name := fmt.Sprintf("peak RSS ≤ %.0f MiB", TargetPeakRSSMiB)
	if s == nil || s.PeakRSSBytes == 0 {
		return Check{Target: name, Got: "?", Status: "n/a"}
	}
	return check(name, fmt.Sprintf("%.1f MiB", mib(s.PeakRSSBytes)), mib(s.PeakRSSBytes) <= TargetPeakRSSMiB)
}

// ratioCheck compares gridbot's throughput with the baseline's.
func (r *Report) ratioCheck() Check {
	name := fmt.Sprintf("≥ %.0f %% of baseline", TargetRatio*100)
	if r.Ratio == nil {
		return Check{Target: name, Got: "?", Status: "n/a"}
	}
	return check(name, fmt.Sprintf("%.1f %%", *r.Ratio*100), *r.Ratio >= TargetRatio)
}

// check builds a measured check.
func check(target, got string, pass bool) Check {
	status := "FAIL"
	if pass {
		status = "PASS"
	}
	return Check{Target: target, Got: got, Status: status}
}

// mib converts bytes to MiB.
func mib(b int64) float64 { return float64(b) / (1 << 20) }

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteTable writes the report for people.
func (r *Report) WriteTable(w io.Writer) error {
	s := r.Settings
	loop := "closed loop (next message as soon as the reply comes)"
	if s.Rate > 0 {
		loop = fmt.Sprintf("offered rate %.0f messages/s", s.Rate)
	}
	fmt.Fprintf(w, "gridbench: %s, %d CPUs, revision %s\n", s.GoVersion, s.CPUs, s.Revision)
	fmt.Fprintf(w, "mode %s: %s\n", s.Mode, s.Storage)
	fmt.Fprintf(w, "%s measured per server in %d rounds taking turns, after %s warm-up; concurrency %d; %d users; %s\n",
		s.Duration, max(s.Rounds, 1), s.Warmup, s.Concurrency, s.Users, loop)
	fmt.Fprintf(w, "machine busy before the run: %.2f cores (%s)\n\n", s.BusyBefore, bystanders(s.BusyBeforeBy))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tgridbot\tbaseline\t")
	for _, row := range r.rows() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", row[0], row[1], row[2])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := r.writeTargets(w); err != nil {
		return err
	}
	r.writeErrors(w)
	if err := r.writeRounds(w); err != nil {
		return err
	}
	r.writeNotices(w)
	if err := r.writeSteps(w); err != nil {
		return err
	}
	return r.writeCounters(w)
}

// writeSteps shows gridbot's latency by step of the conversation.
func (r *Report) writeSteps(w io.Writer) error {
	if len(r.Gridbot.Load.Steps) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\ngridbot's latency by step (ms):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  step\tmessages\tp50\tp95\tp99\tmax\t")
	for _, s := range r.Gridbot.Load.Steps {
		l := s.Latency
		fmt.Fprintf(tw, "  %s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t\n", s.Step, s.Messages, l.P50, l.P95, l.P99, l.Max)
	}
	return tw.Flush()
}

// writeCounters shows the database's and Redis's work per message answered in the window.
func (r *Report) writeCounters(w io.Writer) error {
	c, n := r.Gridbot.Counters, float64(r.Gridbot.Load.Messages)
	if c == nil || n == 0 || (len(c.MySQL) == 0 && len(c.Redis) == 0) {
		return nil
	}
	fmt.Fprintln(w, "\ngridbot's servers, per message answered (server-wide counters over the window):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, k := range sortedKinds(c.MySQL) {
		fmt.Fprintf(tw, "  mysql %s\t%.2f\n", k, float64(c.MySQL[k])/n)
	}
	var calls int64
	for _, v := range c.Redis {
		calls += v
	}
	fmt.Fprintf(tw, "  redis commands\t%.2f\n", float64(calls)/n)
	for _, k := range sortedKinds(c.Redis) {
		fmt.Fprintf(tw, "  redis %s\t%.2f\n", k, float64(c.Redis[k])/n)
	}
	return tw.Flush()
}

// rows are the table's lines: label, gridbot, baseline.
func (r *Report) rows() [][3]string {
	g, b := r.Gridbot, r.Baseline
	side := func(f func(Side) string) string {
		if b == nil {
			return "-"
		}
		return f(*b)
	}
	row := func(label string, f func(Side) string) [3]string { return [3]string{label, f(g), side(f)} }
	rows := [][3]string{
		row("messages/s", func(s Side) string { return fmt.Sprintf("%.1f", s.Load.MessagesPerSec) }),
		row("conversations/s", func(s Side) string { return fmt.Sprintf("%.1f", s.Load.ConversationsPerSec) }),
		row("latency p50 (ms)", func(s Side) string { return fmt.Sprintf("%.1f", s.Load.Latency.P50) }),
		row("latency p95 (ms)", func(s Side) string { return fmt.Sprintf("%.1f", s.Load.Latency.P95) }),
		row("latency p99 (ms)", func(s Side) string { return fmt.Sprintf("%.1f", s.Load.Latency.P99) }),
		row("latency max (ms)", func(s Side) string { return fmt.Sprintf("%.1f", s.Load.Latency.Max) }),
		row("errors", func(s Side) string { return fmt.Sprint(s.Load.Errors) }),
		row("messages answered (whole run)", func(s Side) string { return fmt.Sprint(s.Load.MessagesTotal) }),
		row("cases created / expected", casesCell),
		row("peak RSS (MiB)", func(s Side) string {
			return serverCell(s, func(x ServerStats) string { return fmt.Sprintf("%.1f", mib(x.PeakRSSBytes)) })
		}),
		row("server CPU (cores)", func(s Side) string {
			return serverCell(s, func(x ServerStats) string { return fmt.Sprintf("%.2f", x.CPUCores) })
		}),
	}
	for _, name := range r.otherNames() {
		rows = append(rows, row(name+" CPU (cores)", func(s Side) string {
			return serverCell(s, func(x ServerStats) string { return fmt.Sprintf("%.2f", x.OthersCPU[name]) })
		}), row(name+" CPU per message (µs)", func(s Side) string {
			return serverCell(s, func(x ServerStats) string { return perMessage(x.OthersCPU[name], s.Load) })
		}))
	}
	rows = append(rows,
		row("generator CPU (cores)", func(s Side) string { return fmt.Sprintf("%.2f", s.Load.GeneratorCPUCores) }),
		row("server CPU per message (µs)", func(s Side) string {
			return serverCell(s, func(x ServerStats) string { return perMessage(x.CPUCores, s.Load) })
		}),
		row("whole machine CPU (cores)", func(s Side) string {
			return serverCell(s, func(x ServerStats) string { return fmt.Sprintf("%.2f", x.MachineCPU) })
		}),
		row("rest of the machine (cores)", func(s Side) string {
			return serverCell(s, func(x ServerStats) string { return fmt.Sprintf("%.2f", rest(x, s.Load)) })
		}),
		row("  busiest other processes", func(s Side) string {
			return serverCell(s, func(x ServerStats) string { return bystanders(x.Bystanders) })
		}),
		row("server log lines (warn+)", func(s Side) string { return fmt.Sprint(s.ServerLogLines) }))
	if r.Ratio != nil {
		rows = append(rows, [3]string{"throughput ratio to baseline", fmt.Sprintf("%.1f %%", *r.Ratio*100), ""})
	}
	return rows
}

// writeRounds lists each round: both throughputs, gridbot's share, p99 and peak RSS, and the
// notices delivered in the notify configuration.
func (r *Report) writeRounds(w io.Writer) error {
	if len(r.Rounds) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nrounds (gridbot's turn, then the baseline's):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  round\tgridbot msg/s\tbaseline msg/s\tshare\tgridbot p99 (ms)\tpeak RSS (MiB)\tnotices delivered\toutbox drained after (s)\t")
	for i, rd := range r.Rounds {
		base, share := "-", "-"
		if rd.Baseline > 0 {
			base, share = fmt.Sprintf("%.1f", rd.Baseline), fmt.Sprintf("%.1f %%", rd.Gridbot/rd.Baseline*100)
		}
		rss, notices, drain := "?", "-", "-"
		if rd.PeakRSSBytes > 0 {
			rss = fmt.Sprintf("%.1f", mib(rd.PeakRSSBytes))
		}
		if r.Settings.Notify {
			notices, drain = fmt.Sprint(rd.Notices), fmt.Sprintf("%.1f", rd.DrainSeconds)
		}
		fmt.Fprintf(tw, "  %d\t%.1f\t%s\t%s\t%.1f\t%s\t%s\t%s\t\n", i+1, rd.Gridbot, base, share, rd.P99, rss, notices, drain)
	}
	return tw.Flush()
}

// writeNotices compares the outbox with what the fake WeChat API delivered.
func (r *Report) writeNotices(w io.Writer) {
	t := r.Gridbot.Notices
	if t == nil {
		return
	}
	fmt.Fprintf(w, "\nnotices (fake WeChat API %s):\n", r.Settings.FakeAPI)
	fmt.Fprintf(w, "  delivered %d messages: %s\n", t.Delivered, kindCounts(t.ByKind))
	fmt.Fprintf(w, "  outbox: %d intents, %s; drained before the count: %v\n", t.Intents, kindCounts(t.States), t.Drained)
	fmt.Fprintf(w, "  intents delivered once %d, more than once %d, not delivered %d; messages no intent explains %d\n",
		t.Once, t.Repeated, t.Missing, t.Unmatched)
	for _, s := range t.Samples {
		fmt.Fprintln(w, "  e.g. "+s)
	}
}

// kindCounts lists counts by name, e.g. "custom 10, wecom 20".
func kindCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range sortedKinds(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// casesCell shows cases created against receipts.
func casesCell(s Side) string {
	switch {
	case s.CasesCreated != nil:
		return fmt.Sprintf("%d / %d", *s.CasesCreated, s.Load.Receipts)
	case s.Load.TrackingNos == 0:
		return "-" // the baseline creates no cases
	}
	return fmt.Sprintf("? / %d", s.Load.Receipts)
}

// perMessage turns cores used in the window into CPU microseconds per message answered.
func perMessage(cores float64, l LoadResult) string {
	if l.MessagesPerSec == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", cores*1e6/l.MessagesPerSec)
}

// rest is the CPU the machine used besides the server, its database and Redis, and the
// generator: other people's work, processes that came and went, interrupts.
func rest(x ServerStats, l LoadResult) float64 {
	r := x.MachineCPU - x.CPUCores - l.GeneratorCPUCores
	for _, c := range x.OthersCPU {
		r -= c
	}
	return max(r, 0)
}

// bystanders lists other busy processes briefly, e.g. "compile 0.56 link 0.19".
func bystanders(ps []ProcCPU) string {
	if len(ps) == 0 {
		return "none"
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		name, _, _ := strings.Cut(p.Name, "-") // kworker/u8:2-events_unbound: the worker, not its queue
		parts[i] = fmt.Sprintf("%s %.2f", name, p.Cores)
	}
	return strings.Join(parts, " ")
}

// serverCell shows a server statistic, or "?" when the process was not watched.
func serverCell(s Side, f func(ServerStats) string) string {
	if s.Server == nil {
		return "?"
	}
	return f(*s.Server)
}

// otherNames lists the other processes measured, in order.
func (r *Report) otherNames() []string {
	if r.Gridbot.Server == nil {
		return nil
	}
	var names []string
	for n := range r.Gridbot.Server.OthersCPU {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// writeTargets lists the targets and whether they were met.
func (r *Report) writeTargets(w io.Writer) error {
	fmt.Fprintln(w, "\ntargets:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range r.Targets {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Target, c.Got, c.Status)
	}
	return tw.Flush()
}

// writeErrors lists the failures by kind with a few samples.
func (r *Report) writeErrors(w io.Writer) {
	for _, side := range []struct {
		name string
		s    *Side
	}{{"gridbot", &r.Gridbot}, {"baseline", r.Baseline}} {
		if side.s == nil || side.s.Load.Errors == 0 {
			continue
		}
		l := side.s.Load
		fmt.Fprintf(w, "\n%s errors:\n", side.name)
		for _, k := range sortedKinds(l.ErrorKinds) {
			fmt.Fprintf(w, "  %6d  %s\n", l.ErrorKinds[k], k)
		}
		for _, e := range l.ErrorSamples {
			fmt.Fprintln(w, "  e.g. "+strings.ReplaceAll(e, "\n", " "))
		}
	}
}
