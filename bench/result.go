package bench

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"gridbot/wechatsim"
)

// LoadResult is what one load run measured.
type LoadResult struct {
	Seconds             float64 `json:"seconds"`               // the measured window
	Messages            int64   `json:"messages"`              // answered correctly inside the window
	Conversations       int64   `json:"conversations"`         // receipts received inside the window
	MessagesPerSec      float64 `json:"messages_per_sec"`      // Messages / Seconds
	ConversationsPerSec float64 `json:"conversations_per_sec"` // Conversations / Seconds
	Latency             Latency `json:"latency_ms"`            // of Messages, from their intended start
	// Steps are the latencies by step of the conversation, in order.
	Steps  []StepLatency `json:"steps,omitempty"`
	Errors int64         `json:"errors"` // failed messages in the whole run, warm-up included
	// ErrorKinds counts Errors by kind; ErrorSamples shows the first few.
	ErrorKinds   map[string]int64 `json:"error_kinds,omitempty"`
	ErrorSamples []string         `json:"error_samples,omitempty"`
	// MessagesTotal and Receipts cover the whole run, warm-up and drain included: Receipts is the
	// number of cases the server must have created, TrackingNos how many distinct numbers they had.
	MessagesTotal     int64   `json:"messages_total"`
	Receipts          int64   `json:"receipts"`
	TrackingNos       int64   `json:"distinct_tracking_numbers"`
	GeneratorCPUCores float64 `json:"generator_cpu_cores"` // CPU the load generator itself used in the window

	// The raw figures behind the summary, so that the rounds of a run can be merged.
	latencies map[string][]time.Duration // inside the window, by step
	numbers   map[string]struct{}        // tracking numbers received
}

// StepLatency is the latency of one step of the conversation.
type StepLatency struct {
	Step     string  `json:"step"`
	Messages int     `json:"messages"`
	Latency  Latency `json:"latency_ms"`
}

// Latency summarises message latencies in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// result merges the workers' tallies.
func (r *runner) result(workers []*worker) LoadResult {
	res := LoadResult{Seconds: r.cfg.Duration.Seconds()}
	steps := map[string][]time.Duration{}
	nos := map[string]struct{}{}
	for _, w := range workers {
		res.Messages += w.messages
		res.Conversations += w.convs
		res.MessagesTotal += w.total
		res.Receipts += int64(len(w.receipts))
		for _, no := range w.receipts {
			if no != "" {
				nos[no] = struct{}{}
			}
		}
		for step, l := range w.latencies {
			steps[step] = append(steps[step], l...)
		}
	}
	res.latencies, res.numbers = steps, nos
	res.summarise()
	res.Errors, res.ErrorKinds, res.ErrorSamples = r.errs.snapshot()
	return res
}

// summarise fills in the rates, the latencies and the distinct tracking numbers from the raw
// figures.
func (res *LoadResult) summarise() {
	var lat []time.Duration
	res.Steps = nil
	for _, step := range sortedKinds(res.latencies) {
		l := res.latencies[step]
		res.Steps = append(res.Steps, StepLatency{Step: step, Messages: len(l), Latency: summarise(l)})
		lat = append(lat, l...)
	}
	res.TrackingNos = int64(len(res.numbers))
	res.MessagesPerSec = float64(res.Messages) / res.Seconds
	res.ConversationsPerSec = float64(res.Conversations) / res.Seconds
	res.Latency = summarise(lat)
}

// MergeLoads combines the rounds of one side of a run as if they were one window as long as
// theirs together: counts add up, latencies are taken over all messages, and the generator's
// CPU is averaged over the time.
func MergeLoads(parts ...LoadResult) LoadResult {
	out := LoadResult{latencies: map[string][]time.Duration{}, numbers: map[string]struct{}{}, ErrorKinds: map[string]int64{}}
	var genCPU float64
	for _, p := range parts {
		out.Seconds += p.Seconds
		out.Messages += p.Messages
		out.Conversations += p.Conversations
		out.MessagesTotal += p.MessagesTotal
		out.Receipts += p.Receipts
		out.Errors += p.Errors
		genCPU += p.GeneratorCPUCores * p.Seconds
		for step, l := range p.latencies {
			out.latencies[step] = append(out.latencies[step], l...)
		}
		for no := range p.numbers {
			out.numbers[no] = struct{}{}
		}
		for kind, n := range p.ErrorKinds {
			out.ErrorKinds[kind] += n
		}
		out.ErrorSamples = append(out.ErrorSamples, p.ErrorSamples[:min(len(p.ErrorSamples), maxSamples-len(out.ErrorSamples))]...)
	}
	if out.Seconds > 0 {
		out.GeneratorCPUCores = genCPU / out.Seconds
		out.summarise()
	}
	return out
}

// summarise returns the percentiles (nearest rank) of latencies.
func summarise(lat []time.Duration) Latency {
	if len(lat) == 0 {
		return Latency{}
	}
	slices.Sort(lat)
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	rank := func(p float64) float64 {
		i := int(p*float64(len(lat))+0.999999) - 1
		return ms(lat[min(max(i, 0), len(lat)-1)])
	}
	return Latency{P50: rank(0.50), P95: rank(0.95), P99: rank(0.99), Max: ms(lat[len(lat)-1]),
		Mean: ms(sum / time.Duration(len(lat)))}
}

// ms converts a duration to milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// The ways a message can fail besides the transport and the HTTP status.
var (
	errNoReply      = errors.New("empty reply (acknowledged without an answer: processing missed the reply budget)")
	errMisaddressed = errors.New("misaddressed reply")
	errBusy         = errors.New("busy reply (stored but not processed in time)")
)

// answerError is a reply that does not answer a step of the conversation.
type answerError struct {
	step int
	err  error
}

// Error names the step.
func (e *answerError) Error() string { return fmt.Sprintf("step %d: %v", e.step, e.err) }

// Unwrap returns the cause.
func (e *answerError) Unwrap() error { return e.err }

// errorLog counts failures by kind and keeps the first few in full.
type errorLog struct {
	mu      sync.Mutex
	n       int64
	kinds   map[string]int64
	samples []string
}

// maxSamples is how many failures are kept in full.
const maxSamples = 8

// newErrorLog returns an empty log.
func newErrorLog() *errorLog { return &errorLog{kinds: map[string]int64{}} }

// add records a failure.
func (l *errorLog) add(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	l.kinds[errorKind(err)]++
	if len(l.samples) < maxSamples {
		l.samples = append(l.samples, err.Error())
	}
}

// snapshot returns the count, the kinds and the samples.
func (l *errorLog) snapshot() (int64, map[string]int64, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	kinds := make(map[string]int64, len(l.kinds))
	for k, v := range l.kinds {
		kinds[k] = v
	}
	return l.n, kinds, slices.Clone(l.samples)
}

// errorKind names the class of a failure for the report.
func errorKind(err error) string {
	var de *wechatsim.DeliveryError
	var ae *answerError
	switch {
	case errors.Is(err, errBusy):
		return "busy reply"
	case errors.As(err, &ae):
		return fmt.Sprintf("wrong answer at step %d", ae.step)
	case errors.Is(err, errNoReply):
		return "empty reply"
	case errors.Is(err, errMisaddressed):
		return "misaddressed reply"
	case errors.As(err, &de) && de.Status != 0 && errors.Is(err, wechatsim.ErrStatus):
		return fmt.Sprintf("HTTP %d", de.Status)
	case errors.Is(err, wechatsim.ErrNoAnswer):
		return "no answer in time"
	case errors.Is(err, wechatsim.ErrBadReply), errors.Is(err, wechatsim.ErrReplySignature):
		return "bad reply"
	}
	return "other"
}

// sortedKinds returns the keys of a map in order.
func sortedKinds[V any](kinds map[string]V) []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
