package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridbot/models"
	"gridbot/notify"
	"gridbot/shared"
	"gridbot/store"
	"gridbot/wechat"
	"gridbot/wechatsim"
)

// The delivery benchmark runs gridbot's notification dispatcher in this process, on a MariaDB
// database of its own and Redis, against the simulator's fake WeChat API served by httptest.
// A producer writes intents through store.AddIntents in small transactions (as the workflow
// does); every intent carries a tracking number of its own ("NB" + phase letter + 7 digits),
// which the rendered text (customer-service path) and the template's keyword1 (template path)
// both show, so each delivery is counted at the fake API by intent.

// The simulator's credentials for the delivery benchmark.
const (
	notifyAppID  = "wxbenchnotify0001"
	notifySecret = "bench-notify-secret"
)

// instanceRates are the shared limits gridbot serve sets (cmd/gridbot/gateway.go, openDelivery).
var instanceRates = shared.RateConfig{Global: 1000, PerRecipient: 20} // GRIDBOT_NOTIFY_RATE_GLOBAL, _PER_PERSON defaults

// NotifyConfig configures the delivery benchmark.
type NotifyConfig struct {
	MySQL      string        // admin DSN of MariaDB/MySQL; a database of the run's own is created and dropped
	Redis      string        // Redis URL; "" runs the embedded Redis (miniredis); keys get a prefix of their own
	Recipients int           // people created, half inside the 48-hour window (default 1,000)
	Workers    int           // dispatcher workers; 0 is notify's default (8)
	Poll       time.Duration // dispatcher poll interval; 0 is notify's default (1 s)
	Limiter    bool          // the instance's Redis rate limits (1000/s global, 20/min per person)
	Wake       bool          // call Dispatcher.Wake after each commit (gridbot's workflow does not)
	PerTx      int           // intents per transaction (default 1)
	Producers  int           // producer goroutines (default 16)
	Log        *slog.Logger  // the dispatcher's log; nil discards it
}

// NotifyEnv is one run's database, Redis, people and fake WeChat API server.
type NotifyEnv struct {
	cfg     NotifyConfig
	runID   string
	db      *mysqlDatabase
	store   *store.Store
	redis   *shared.Redis
	prefix  string
	srv     *httptest.Server
	handler atomic.Pointer[http.Handler]
	people  []models.Person
	phases  int
}

// OpenNotifyEnv creates and migrates the database, creates the recipients and starts the fake
// API server (installed as the WeChat library's HTTP client, which is process-wide).
func OpenNotifyEnv(ctx context.Context, cfg NotifyConfig) (env *NotifyEnv, err error) {
	if cfg.Recipients <= 0 {
		cfg.Recipients = 1000
	}
	if cfg.PerTx <= 0 {
		cfg.PerTx = 1
	}
	if cfg.Producers <= 0 {
		cfg.Producers = 16
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	env = &NotifyEnv{cfg: cfg, runID: NewRunID()}
	defer func() {
		if err != nil {
			err = errors.Join(err, env.Close(context.WithoutCancel(ctx)))
			env = nil
		}
	}()
	if env.db, err = createMySQLDatabase(ctx, cfg.MySQL, env.runID); err != nil {
		return env, err
	}
	if env.store, err = store.Open(ctx, store.Options{Driver: store.DriverMySQL, DSN: env.db.dsn, MaxOpenConns: 20}); err != nil {
		return env, err
	}
	if _, err = env.store.Migrate(ctx, nil); err != nil {
		return env, fmt.Errorf("migrate: %w", err)
	}
	if env.redis, err = shared.OpenRedis(ctx, cfg.Redis); err != nil {
		return env, err
	}
	env.prefix = "gridbench:notify:" + env.runID + ":"
	var none http.Handler = http.NotFoundHandler()
	env.handler.Store(&none)
	env.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*env.handler.Load()).ServeHTTP(w, r)
	}))
	if _, err = wechat.InstallHTTPClient(env.srv.URL, env.srv.URL, 10*time.Second); err != nil {
		return env, err
	}
	wechat.QuietLibraryLog(cfg.Log)
	return env, env.createPeople(ctx)
}

// RunID names the run's database (gridbench_<id>) and Redis keys.
func (e *NotifyEnv) RunID() string { return e.runID }

// createPeople stores the recipients: even ones wrote 1 h ago (customer-service path), odd
// ones 30 days ago (template path).
func (e *NotifyEnv) createPeople(ctx context.Context) error {
	now := time.Now()
	for i := range e.cfg.Recipients {
		last := now.Add(-time.Hour)
		if i%2 == 1 {
			last = now.Add(-30 * 24 * time.Hour)
		}
		p, err := e.store.CreatePerson(ctx, models.Person{Name: "收件人" + strconv.Itoa(i), Role: models.RoleCitizen,
			OpenID: fmt.Sprintf("oBench%s_%05d", e.runID, i), PreferredChannel: models.ChannelWeChat, LastInboundAt: last})
		if err != nil {
			return fmt.Errorf("create recipient: %w", err)
		}
		e.people = append(e.people, p)
	}
	return nil
}

// Close stops the server, deletes the Redis keys and drops the database.
func (e *NotifyEnv) Close(ctx context.Context) error {
	var errs []error
	if e.srv != nil {
		e.srv.Close()
	}
	if e.redis != nil {
		if err := deleteKeys(ctx, e.redis, e.prefix); err != nil {
			errs = append(errs, err)
		}
		e.redis.Close()
	}
	if e.store != nil {
		e.store.Close()
	}
	if e.db != nil {
		errs = append(errs, e.db.drop(ctx))
	}
	return errors.Join(errs...)
}

// deleteKeys unlinks every key under prefix.
func deleteKeys(ctx context.Context, r *shared.Redis, prefix string) error {
	iter := r.Client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("redis scan: %w", err)
	}
	for len(keys) > 0 {
		n := min(len(keys), 1000)
		if err := r.Client.Unlink(ctx, keys[:n]...).Err(); err != nil {
			return fmt.Errorf("redis unlink: %w", err)
		}
		keys = keys[n:]
	}
	return nil
}

// trackingRE finds the benchmark's tracking number in a send body.
var trackingRE = regexp.MustCompile(`NB[A-Z][0-9]{7}`)

// phase is one measurement: a fresh fake API, Redis cache prefix and dispatcher over the env's
// database.
type phase struct {
	env      *NotifyEnv
	letter   string
	api      *wechatsim.API
	disp     *notify.Dispatcher
	seq      atomic.Int64
	mu       sync.Mutex
	commits  map[string]time.Time // tracking number → when AddIntents' transaction committed
	accepted map[string]int       // tracking number → sends answered errcode 0 (template re-sends included)
	prodErrs atomic.Int64
	firstErr atomic.Value
	// conflicts counts producer transactions that failed with a deadlock and were retried
	conflicts     atomic.Int64
	firstConflict atomic.Value
}

// newPhase builds the fake API and a dispatcher wired as gridbot serve wires it.
func (e *NotifyEnv) newPhase(letter string) (*phase, error) {
	e.phases++
	p := &phase{env: e, letter: letter, commits: map[string]time.Time{}, accepted: map[string]int{}}
	p.api = wechatsim.NewAPI(wechatsim.APIConfig{AppID: notifyAppID, AppSecret: notifySecret,
		CorpID: "wwbenchcorp", CorpSecret: "bench-corp-secret", AgentID: "1000002"})
	templates := map[string]string{}
	for _, k := range notify.Kinds() {
		templates[k] = "BENCH_TEMPLATE_" + k
		p.api.AddTemplate(templates[k])
	}
	for i, person := range e.people {
		if i%2 == 0 {
			p.api.SetLastInbound(person.OpenID, person.LastInboundAt)
		} else {
			p.api.AddUser(person.OpenID, "")
		}
	}
	var h http.Handler = http.HandlerFunc(p.serve)
	e.handler.Store(&h)
	prefix := e.prefix + letter + ":"
	reg := prometheus.NewRegistry()
	quota, err := wechat.NewQuota(shared.NewQuotaCounter(e.redis.Client), wechat.QuotaConfig{AppID: notifyAppID, KeyPrefix: prefix + "wechat:",
		Daily: wechat.DefaultQuotas(), Log: e.cfg.Log, Registry: reg})
	if err != nil {
		return nil, err
	}
	acfg := wechat.AccountConfig{AppID: notifyAppID, AppSecret: notifySecret, HTTPClient: httpClientOf(e),
		Log: e.cfg.Log, Cache: shared.NewTokenCache(e.redis.Client, prefix+"wechat:"), Quota: quota}
	account, err := wechat.NewAccount(acfg)
	if err != nil {
		return nil, err
	}
	deps := notify.Deps{Store: e.store, Official: account, Log: e.cfg.Log, Registry: reg, Quota: quota}
	if e.cfg.Limiter {
		deps.Limiter = shared.NewRateLimiter(e.redis.Client, prefix+"ratelimit:", instanceRates)
	}
	p.disp, err = notify.New(notify.Config{Workers: e.cfg.Workers, PollInterval: e.cfg.Poll, Templates: templates}, deps)
	return p, err
}

// httpClientOf returns the client InstallHTTPClient installed (idempotent for the same bases).
func httpClientOf(e *NotifyEnv) *http.Client {
	c, _ := wechat.InstallHTTPClient(e.srv.URL, e.srv.URL, 10*time.Second)
	return c
}

// serve passes a request to the fake API and counts the sends it accepted, by tracking number.
func (p *phase) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if path != "/cgi-bin/message/custom/send" && path != "/cgi-bin/message/template/send" {
		p.api.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &captureWriter{ResponseWriter: w}
	p.api.ServeHTTP(rec, r)
	var ans struct {
		Code *int `json:"errcode"`
	}
	if rec.status == 0 || rec.status == http.StatusOK {
		if json.Unmarshal(rec.body.Bytes(), &ans) == nil && ans.Code != nil && *ans.Code == 0 {
			if tn := trackingRE.Find(body); tn != nil {
				p.mu.Lock()
				p.accepted[string(tn)]++
				p.mu.Unlock()
			}
		}
	}
}

// captureWriter keeps a copy of the status and body written.
type captureWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

// WriteHeader records the status.
func (c *captureWriter) WriteHeader(code int) {
	c.status = code
	c.ResponseWriter.WriteHeader(code)
}

// Write copies the body.
func (c *captureWriter) Write(b []byte) (int, error) {
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

// produce writes one transaction of intents and records its commit time.
func (p *phase) produce(ctx context.Context, k int) {
	nos := make([]string, k)
	intents := make([]models.Intent, k)
	for i := range k {
		n := p.seq.Add(1)
		nos[i] = fmt.Sprintf("NB%s%07d", p.letter, n)
		person := p.env.people[int(n)%len(p.env.people)]
		payload, _ := json.Marshal(models.Notice{TrackingNo: nos[i], CaseKind: models.KindComplaint,
			Matter: "违法占道经营", State: models.StateDispatched})
		intents[i] = models.Intent{RecipientID: person.ID, Channel: models.ChannelWeChat, Kind: models.NoticeStatus,
			DedupKey: "bench:" + p.env.runID + ":" + nos[i], Payload: payload}
	}
	var err error
	for try := 1; ; try++ {
		err = p.env.store.InTx(ctx, func(tx *store.Store) error { return tx.AddIntents(ctx, intents) })
		if err == nil || models.ErrorCodeOf(err) != models.EConflict || try == 5 {
			break
		}
		// a deadlock with the dispatcher's claim (MariaDB error 1213): counted, then retried as
		// a caller of the workflow would have to
		if p.conflicts.Add(1) == 1 {
			p.firstConflict.Store(err.Error())
		}
	}
	at := time.Now()
	if err != nil {
		if p.prodErrs.Add(1) == 1 {
			p.firstErr.Store(err.Error())
		}
		return
	}
	p.mu.Lock()
	for _, no := range nos {
		p.commits[no] = at
	}
	p.mu.Unlock()
	if p.env.cfg.Wake {
		p.disp.Wake()
	}
}

// produceN writes n intents as fast as the producers can, returning when all are committed.
func (p *phase) produceN(ctx context.Context, n int) {
	per := p.env.cfg.PerTx
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range p.env.cfg.Producers {
		wg.Go(func() {
			for k := range jobs {
				p.produce(ctx, k)
			}
		})
	}
	for left := n; left > 0 && ctx.Err() == nil; left -= per {
		jobs <- min(per, left)
	}
	close(jobs)
	wg.Wait()
}

// produceAt writes n intents at rate per second (open loop: each transaction has a scheduled
// time; late producers catch up). It returns when all are committed.
func (p *phase) produceAt(ctx context.Context, n int, rate float64) {
	per := p.env.cfg.PerTx
	jobs := make(chan int, 1024)
	var wg sync.WaitGroup
	for range p.env.cfg.Producers {
		wg.Go(func() {
			for k := range jobs {
				p.produce(ctx, k)
			}
		})
	}
	start := time.Now()
	for i := 0; i < n && ctx.Err() == nil; i += per {
		sleepUntil(ctx, start.Add(time.Duration(float64(i)/rate*float64(time.Second))))
		jobs <- min(per, n-i)
	}
	close(jobs)
	wg.Wait()
}

// waitDelivered waits until the fake API has shown want messages, ctx ends or timeout passes.
func (p *phase) waitDelivered(ctx context.Context, want int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for p.api.SentCount() < want {
		if ctx.Err() != nil || time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// Tally is what the fake API saw, by tracking number.
type Tally struct {
	Produced     int      `json:"produced"`            // intents committed
	ProduceErrs  int64    `json:"produce_errors"`      // failed transactions
	Deadlocks    int64    `json:"producer_deadlocks"`  // producer transactions that deadlocked with the claim and were retried
	Shown        int      `json:"shown"`               // messages the fake API recorded (what users would see)
	Distinct     int      `json:"distinct"`            // intents shown at least once
	Twice        int      `json:"shown_twice"`         // intents shown more than once
	Lost         int      `json:"lost"`                // intents never shown
	Unknown      int      `json:"unknown"`             // messages without a tracking number of this phase
	Custom       int      `json:"customer_service"`    // shown as customer-service texts
	Template     int      `json:"template"`            // shown as template messages
	Resent       int      `json:"resent_deduplicated"` // template sends accepted again, shown once thanks to client_msg_id
	ClientMsgIDs bool     `json:"client_msg_ids_ok"`   // every template carried client_msg_id "intent-<id>"
	Samples      []string `json:"samples,omitempty"`
}

// tally counts the fake API's record against the commits; lat gets commit-to-delivery latencies.
func (p *phase) tally() (Tally, []time.Duration, time.Time, time.Time) {
	sent := p.api.Sent()
	p.mu.Lock()
	defer p.mu.Unlock()
	t := Tally{Produced: len(p.commits), ProduceErrs: p.prodErrs.Load(), Deadlocks: p.conflicts.Load(), Shown: len(sent),
		ClientMsgIDs: true}
	if v := p.firstErr.Load(); v != nil {
		t.Samples = append(t.Samples, "produce: "+v.(string))
	}
	if v := p.firstConflict.Load(); v != nil {
		t.Samples = append(t.Samples, "producer deadlock (retried): "+v.(string))
	}
	seen := map[string]int{}
	var lat []time.Duration
	var first, last time.Time
	for _, m := range sent {
		tn := string(trackingRE.Find(m.Body))
		commit, ok := p.commits[tn]
		if !ok {
			t.Unknown++
			if len(t.Samples) < 5 {
				t.Samples = append(t.Samples, fmt.Sprintf("%s message for %q at %s: not produced in this phase (an earlier phase's intent delivered again?)",
					m.Kind, tn, m.At.Format("15:04:05.000")))
			}
			continue
		}
		seen[tn]++
		if seen[tn] == 1 {
			lat = append(lat, m.At.Sub(commit))
		}
		if first.IsZero() || m.At.Before(first) {
			first = m.At
		}
		if m.At.After(last) {
			last = m.At
		}
		switch m.Kind {
		case wechatsim.KindCustom:
			t.Custom++
		case wechatsim.KindTemplate:
			t.Template++
			if len(m.ClientMsgID) < len("intent-1") || m.ClientMsgID[:7] != "intent-" {
				t.ClientMsgIDs = false
			}
		}
	}
	for tn := range p.commits {
		switch n := seen[tn]; {
		case n == 0:
			t.Lost++
			if len(t.Samples) < 5 {
				t.Samples = append(t.Samples, "lost "+tn)
			}
		case n > 1:
			t.Twice++
			if len(t.Samples) < 5 {
				t.Samples = append(t.Samples, fmt.Sprintf("%s shown %d times", tn, n))
			}
		}
		if a := p.accepted[tn]; a > 1 {
			t.Resent += a - 1
		}
	}
	t.Distinct = len(seen)
	return t, lat, first, last
}

// OK reports every intent shown exactly once.
func (t Tally) OK() bool {
	return t.ProduceErrs == 0 && t.Lost == 0 && t.Twice == 0 && t.Unknown == 0 && t.Distinct == t.Produced && t.ClientMsgIDs
}

// intentStates counts the outbox by state.
func (e *NotifyEnv) intentStates(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	for _, st := range []models.IntentState{models.IntentPending, models.IntentSending, models.IntentSent, models.IntentFailed} {
		in, err := e.store.Intents(ctx, store.IntentFilter{State: st})
		if err != nil {
			return nil, err
		}
		if len(in) > 0 {
			counts[string(st)] = len(in)
		}
	}
	return counts, nil
}

// ThroughputResult is the maximum delivery rate: n intents committed first, then delivered.
type ThroughputResult struct {
	Intents         int            `json:"intents"`
	ProduceSeconds  float64        `json:"produce_seconds"`
	ProducedPerSec  float64        `json:"produced_per_sec"`
	DeliverSeconds  float64        `json:"deliver_seconds"` // from Start to the last delivery
	DeliveredPerSec float64        `json:"delivered_per_sec"`
	Complete        bool           `json:"complete"`
	Tally           Tally          `json:"tally"`
	States          map[string]int `json:"outbox_states"`
}

// Throughput commits n intents with the dispatcher stopped, starts it and measures until all
// are delivered (at most timeout).
func (e *NotifyEnv) Throughput(ctx context.Context, n int, timeout time.Duration) (ThroughputResult, error) {
	p, err := e.newPhase("T")
	if err != nil {
		return ThroughputResult{}, err
	}
	res := ThroughputResult{Intents: n}
	t0 := time.Now()
	p.produceN(ctx, n)
	res.ProduceSeconds = time.Since(t0).Seconds()
	res.ProducedPerSec = float64(n) / res.ProduceSeconds
	start := time.Now()
	p.disp.Start(ctx)
	res.Complete = p.waitDelivered(ctx, n, timeout)
	cerr := p.disp.Close(30 * time.Second)
	tally, _, _, last := p.tally()
	res.Tally = tally
	if !last.IsZero() {
		res.DeliverSeconds = last.Sub(start).Seconds()
		res.DeliveredPerSec = float64(tally.Distinct) / res.DeliverSeconds
	}
	res.States, err = e.intentStates(ctx)
	return res, errors.Join(cerr, err)
}

// LatencyResult is commit-to-delivery latency at a fixed rate of intents.
type LatencyResult struct {
	Rate            float64        `json:"rate"`
	Seconds         float64        `json:"seconds"`
	OfferedPerSec   float64        `json:"produced_per_sec"` // achieved
	DeliveredPerSec float64        `json:"delivered_per_sec"`
	Latency         Latency        `json:"commit_to_delivery_ms"`
	Complete        bool           `json:"complete"`
	Tally           Tally          `json:"tally"`
	States          map[string]int `json:"outbox_states"`
}

// Latency produces intents at rate per second for d with the dispatcher running, waits for
// them all and reports commit-to-delivery latency (delivery time as recorded by the fake API).
func (e *NotifyEnv) Latency(ctx context.Context, rate float64, d time.Duration) (LatencyResult, error) {
	p, err := e.newPhase("L")
	if err != nil {
		return LatencyResult{}, err
	}
	n := int(rate * d.Seconds())
	res := LatencyResult{Rate: rate, Seconds: d.Seconds()}
	p.disp.Start(ctx)
	t0 := time.Now()
	p.produceAt(ctx, n, rate)
	res.OfferedPerSec = float64(n) / time.Since(t0).Seconds()
	res.Complete = p.waitDelivered(ctx, n, 2*time.Minute)
	cerr := p.disp.Close(30 * time.Second)
	tally, lat, first, last := p.tally()
	res.Tally, res.Latency = tally, summarise(lat)
	if last.After(first) {
		res.DeliveredPerSec = float64(tally.Distinct) / last.Sub(first).Seconds()
	}
	res.States, err = e.intentStates(ctx)
	return res, errors.Join(cerr, err)
}

// OutageResult is the outage run's outcome.
type OutageResult struct {
	Intents            int            `json:"intents"`
	OutageSeconds      float64        `json:"outage_seconds"`
	FaultCalls         int            `json:"failed_send_calls"`    // send calls answered with a fault (500, -1, 45009)
	RecoverySeconds    float64        `json:"recovery_seconds"`     // from the end of the outage to the last delivery
	TokenFetchesBefore int            `json:"token_fetches_before"` // just before the tokens were invalidated
	TokenFetchesAfter  int            `json:"token_fetches_after"`
	Complete           bool           `json:"complete"`
	Tally              Tally          `json:"tally"`
	States             map[string]int `json:"outbox_states"`
	Latency            Latency        `json:"commit_to_delivery_ms"`
}

// Outage makes the fake API fail for outage (HTTP 500, errcode -1 and 45009 in turn, a mode
// every outage/12) while n intents are produced evenly over it, invalidates the access tokens
// half-way, and waits (at most wait after the outage) until every intent is shown.
func (e *NotifyEnv) Outage(ctx context.Context, n int, outage, wait time.Duration) (OutageResult, error) {
	p, err := e.newPhase("O")
	if err != nil {
		return OutageResult{}, err
	}
	res := OutageResult{Intents: n, OutageSeconds: outage.Seconds()}
	p.disp.Start(ctx)
	// a first delivery fetches the token before the outage, as in a running instance
	p.produce(ctx, 1)
	if !p.waitDelivered(ctx, 1, 30*time.Second) {
		p.disp.Close(30 * time.Second)
		return res, errors.New("outage run: the first intent was not delivered before the outage")
	}
	sendCalls := func() int {
		return p.api.Calls("/cgi-bin/message/custom/send") + p.api.Calls("/cgi-bin/message/template/send")
	}
	start := time.Now()
	end := start.Add(outage)
	modes := []wechatsim.FaultMode{wechatsim.FaultHTTP500, wechatsim.FaultSystemBusy, wechatsim.FaultFreqLimit}
	slice := outage / 12
	faultDone := make(chan int)
	go func() {
		okBefore := p.api.SentCount()
		callsBefore := sendCalls()
		for i := 0; ; i++ {
			from := start.Add(time.Duration(i) * slice)
			if !from.Before(end) {
				break
			}
			sleepUntil(ctx, from)
			until := from.Add(slice)
			if i == 11 || until.After(end) {
				until = end
			}
			p.api.SetFault(wechatsim.Fault{Mode: modes[i%len(modes)], Until: until})
		}
		sleepUntil(ctx, end)
		p.api.ClearFault()
		faultDone <- sendCalls() - callsBefore - (p.api.SentCount() - okBefore)
	}()
	invalidated := make(chan struct{})
	go func() {
		sleepUntil(ctx, start.Add(outage/2))
		res.TokenFetchesBefore = p.api.TokenFetches(wechatsim.Official)
		p.api.InvalidateTokens()
		close(invalidated)
	}()
	p.produceAt(ctx, n, float64(n)/outage.Seconds())
	res.FaultCalls = <-faultDone
	<-invalidated
	res.Complete = p.waitDelivered(ctx, n+1, wait)
	time.Sleep(min(2*time.Second, outage/4)) // a duplicate would show up now
	cerr := p.disp.Close(30 * time.Second)
	res.TokenFetchesAfter = p.api.TokenFetches(wechatsim.Official)
	tally, lat, _, last := p.tally()
	res.Tally, res.Latency = tally, summarise(lat)
	if last.After(end) {
		res.RecoverySeconds = last.Sub(end).Seconds()
	}
	res.States, err = e.intentStates(ctx)
	return res, errors.Join(cerr, err)
}
