// Package bench drives a running gridbot gateway (or the baseline echo server) with signed,
// encrypted WeChat callbacks from many virtual users, each walking a complaint conversation
// that ends in a case, and measures throughput, latency, errors, cases and memory.
package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gridbot/wechatsim"
)

// accountID is the ToUserName of the simulated Official Account (wechatsim's default).
const accountID = "gh_sandbox"

// Target is the callback the virtual users' phones call and the account's safe-mode credentials.
type Target struct {
	CallbackURL string
	AppID       string
	Token       string
	AESKey      string // the 43-character EncodingAESKey
}

// LoadConfig says how hard and how long to drive a target.
type LoadConfig struct {
	Target      Target
	Checker     Checker
	Warmup      time.Duration // load before the measured window; counted for errors and cases only
	Duration    time.Duration // the measured window
	Concurrency int           // messages in flight at most: one virtual user per worker at a time
	Users       int           // distinct openids, at least Concurrency
	Rate        float64       // messages per second to offer; 0 sends the next message as soon as a reply comes
	Timeout     time.Duration // how long a message waits for its answer (WeChat: 5 s); no retries
	OpenIDs     string        // prefix of the virtual users' openids, unique per run
	// Window, when set, is called as the measured window opens (true) and closes (false).
	Window func(open bool)
	// Inbound, when set, is told of each message as it leaves a phone (the sender's openid): WeChat
	// itself sees every message before the callback.
	Inbound func(openID string)
}

// worker is one goroutine's tally; merged at the end.
type worker struct {
	latencies map[string][]time.Duration // of messages answered correctly inside the window, by step
	messages  int64                      // answered correctly inside the window
	convs     int64                      // conversations whose receipt came inside the window
	total     int64                      // answered correctly during the whole run
	receipts  []string                   // tracking numbers received during the whole run
}

// runner is one load run.
type runner struct {
	cfg    LoadConfig
	client *http.Client
	phones []*wechatsim.Phone
	users  chan int
	pace   *pacer
	from   time.Time // the measured window
	to     time.Time
	msgID  atomic.Int64
	nonce  atomic.Uint64
	convNo atomic.Int64
	errs   *errorLog
}

// RunLoad drives the target for Warmup plus Duration and returns what it measured. It stops
// by itself: no new message starts after the window closes, and messages in flight finish
// within Timeout.
func RunLoad(ctx context.Context, cfg LoadConfig) (LoadResult, error) {
	if err := cfg.validate(); err != nil {
		return LoadResult{}, err
	}
	r := newRunner(cfg)
	workers := make([]*worker, cfg.Concurrency)
	var wg sync.WaitGroup
	r.startClock()
	stopWindow := r.watchWindow(ctx)
	for i := range workers {
		workers[i] = &worker{latencies: map[string][]time.Duration{}}
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			r.work(ctx, w)
		}(workers[i])
	}
	wg.Wait()
	r.client.CloseIdleConnections()
	res := r.result(workers)
	res.GeneratorCPUCores = stopWindow()
	return res, ctx.Err()
}

// validate checks the settings and fills defaults.
func (cfg *LoadConfig) validate() error {
	switch {
	case cfg.Target.CallbackURL == "":
		return errors.New("load: no callback URL")
	case cfg.Concurrency < 1:
		return errors.New("load: concurrency must be at least 1")
	case cfg.Duration <= 0:
		return errors.New("load: duration must be positive")
	}
	if cfg.Users == 0 {
		cfg.Users = cfg.Concurrency
	}
	if cfg.Users < cfg.Concurrency {
		return fmt.Errorf("load: %d users cannot keep %d messages in flight (a user waits for each answer)", cfg.Users, cfg.Concurrency)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	return nil
}

// newRunner builds the phones of the virtual users, which build and seal their messages, and
// the one keep-alive transport they share.
func newRunner(cfg LoadConfig) *runner {
	client := &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        cfg.Concurrency,
		MaxIdleConnsPerHost: cfg.Concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
	r := &runner{cfg: cfg, client: client, users: make(chan int, cfg.Users), errs: newErrorLog()}
	for i := range cfg.Users {
		r.phones = append(r.phones, wechatsim.NewPhone(wechatsim.PhoneConfig{
			CallbackURL: cfg.Target.CallbackURL, Token: cfg.Target.Token, AESKey: cfg.Target.AESKey,
			AppID: cfg.Target.AppID, Safe: true, OpenID: cfg.OpenIDs + fmt.Sprintf("%06d", i),
			AccountID: accountID,
		}))
		r.users <- i
	}
	seed := time.Now().UnixNano()
	r.msgID.Store(1<<60 + seed%(1<<58))
	r.nonce.Store(uint64(seed) % 1e12)
	return r
}

// startClock fixes the measured window and, with a rate, the pacer.
func (r *runner) startClock() {
	now := time.Now()
	r.from = now.Add(r.cfg.Warmup)
	r.to = r.from.Add(r.cfg.Duration)
	if r.cfg.Rate > 0 {
		r.pace = &pacer{start: now, period: time.Duration(float64(time.Second) / r.cfg.Rate)}
	}
}

// watchWindow reports the window's opening and closing to cfg.Window and measures the
// generator's own CPU inside it; the returned function waits for the close and returns the
// cores the generator used.
func (r *runner) watchWindow(ctx context.Context) func() float64 {
	done := make(chan float64, 1)
	go func() {
		if !sleepUntil(ctx, r.from) {
			done <- 0
			return
		}
		start := selfCPU()
		if r.cfg.Window != nil {
			r.cfg.Window(true)
		}
		sleepUntil(ctx, r.to)
		end := selfCPU()
		if r.cfg.Window != nil {
			r.cfg.Window(false)
		}
		done <- end.coresSince(start)
	}()
	return func() float64 { return <-done }
}

// work is one worker: it takes a free user, walks one conversation, gives the user back,
// until the window closes.
func (r *runner) work(ctx context.Context, w *worker) {
	for !r.over() && ctx.Err() == nil {
		u := <-r.users
		r.converse(ctx, w, r.phones[u])
		r.users <- u
	}
}

// over reports that the measured window has closed: no new message starts.
func (r *runner) over() bool { return !time.Now().Before(r.to) }

// converse walks one complaint conversation; the first failing step abandons it. When gridbot
// offers to follow an existing case of the same matter nearby, the user submits anyway.
func (r *runner) converse(ctx context.Context, w *worker, p *wechatsim.Phone) {
	descs := descriptions()
	steps := conversation(descs[int(r.convNo.Add(1))%len(descs)])
	var last exchange
	for i, s := range steps {
		label := s.label(i)
		x, err := r.exchange(ctx, p, s.in)
		if err == nil && r.cfg.Checker == CheckGridbot && strings.Contains(x.content, wantDuplicateOffer) {
			r.count(w, label, x)
			label = fmt.Sprintf("%db %s (submit anyway)", i+1, saySubmitAnyway)
			x, err = r.exchange(ctx, p, textStep(saySubmitAnyway).in)
		}
		if errors.Is(err, errWindowClosed) {
			return
		}
		if err == nil {
			if err = r.cfg.Checker.check(s, x.content); err != nil {
				err = &answerError{step: i + 1, err: err}
			}
		}
		if err != nil {
			r.errs.add(err)
			return
		}
		r.count(w, label, x)
		last = x
	}
	r.receipt(w, last)
}

// exchange is one message answered: the reply's text, when the message was meant to start and
// when the reply came.
type exchange struct {
	content string
	at      time.Time
	done    time.Time
}

// errWindowClosed reports that no message may start any more.
var errWindowClosed = errors.New("the measured window has closed")

// exchange waits for the message's slot and sends it.
func (r *runner) exchange(ctx context.Context, p *wechatsim.Phone, in wechatsim.Inbound) (exchange, error) {
	at, ok := r.slot(ctx)
	if !ok {
		return exchange{}, errWindowClosed
	}
	content, err := r.send(ctx, p, in)
	return exchange{content: content, at: at, done: time.Now()}, err
}

// slot waits for the pacer's next slot (with a rate) and returns when the message was meant
// to start; false once the window has closed.
func (r *runner) slot(ctx context.Context) (time.Time, bool) {
	if r.over() || ctx.Err() != nil {
		return time.Time{}, false
	}
	if r.pace == nil {
		return time.Now(), true
	}
	at := r.pace.next()
	if !at.Before(r.to) || !sleepUntil(ctx, at) {
		return time.Time{}, false
	}
	return at, true
}

// inWindow reports whether a reply came inside the measured window.
func (r *runner) inWindow(t time.Time) bool { return !t.Before(r.from) && t.Before(r.to) }

// count records a correct answer, and its latency from when it was meant to start when it
// came inside the window.
func (r *runner) count(w *worker, step string, x exchange) {
	w.total++
	if r.inWindow(x.done) {
		w.messages++
		w.latencies[step] = append(w.latencies[step], x.done.Sub(x.at))
	}
}

// receipt records a conversation that ended in a receipt, with its tracking number.
func (r *runner) receipt(w *worker, x exchange) {
	if r.inWindow(x.done) {
		w.convs++
	}
	no := ""
	if r.cfg.Checker == CheckGridbot {
		no = trackingNo(x.content)
	}
	w.receipts = append(w.receipts, no)
}

// send delivers one message from a phone, signed and encrypted as WeChat does, with a
// run-unique MsgId and nonce, once (no retry), and returns the text of the reply.
func (r *runner) send(ctx context.Context, p *wechatsim.Phone, in wechatsim.Inbound) (string, error) {
	in.MsgID = r.msgID.Add(1)
	in = p.Complete(in)
	if r.cfg.Inbound != nil {
		r.cfg.Inbound(in.FromUserName)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	raw, err := p.Seal(ts, strconv.FormatUint(r.nonce.Add(1), 10), in.XML())
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	reply, err := post(ctx, r.client, r.cfg.Target, raw)
	if err != nil {
		return "", err
	}
	if reply.empty {
		return "", errNoReply
	}
	if reply.to != in.FromUserName || reply.from != in.ToUserName {
		return "", fmt.Errorf("%w: reply from %q to %q", errMisaddressed, reply.from, reply.to)
	}
	return reply.content, nil
}

// pacer hands out the start times of a constant arrival rate.
type pacer struct {
	start  time.Time
	period time.Duration
	n      atomic.Int64
}

// next returns the next message's intended start.
func (p *pacer) next() time.Time {
	k := p.n.Add(1) - 1
	return p.start.Add(time.Duration(k) * p.period)
}

// sleepUntil waits until t; false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
