package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"gridbot/blob"
	"gridbot/config"
	"gridbot/deployment"
	"gridbot/examples"
	"gridbot/handlers"
	"gridbot/shared"
	"gridbot/store"
)

// App is the running service: its stores and its HTTP server. Tests start one on port 0.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	store    *store.Store
	redis    *shared.Redis
	blobs    blob.Store // the bytes of photos and voice
	server   *http.Server
	listener net.Listener
	gateway  *gateway
	registry *prometheus.Registry // metrics of every part, served at /metrics
	ctx      context.Context      // the App's own context: cancelled by Close, ends background loops
	cancel   context.CancelFunc
	out      io.Writer // where the sample county's generated binding codes are printed, once
}

// serveUsage is printed for `gridbot serve --help`.
const serveUsage = `usage: gridbot [serve]
  run the service until SIGINT or SIGTERM; settings come from GRIDBOT_* variables and -config FILE.
  On an empty embedded database it imports the sample county and prints the binding codes it generated.
`

// serve runs the service until ctx is cancelled (SIGINT/SIGTERM): `gridbot serve`.
func (e *environment) serve(ctx context.Context, args []string) error {
	fs := newFlags("serve", serveUsage)
	if err := parseFlags(fs, args, e.stdout, e.stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("serve takes no arguments")
	}
	cfg, log, err := e.load()
	if err != nil {
		return err
	}
	tuneGC(e.getenv, log)
	app, err := newApp(ctx, cfg, log, e.stdout)
	if err != nil {
		return err
	}
	return app.Run(ctx)
}

// The garbage collector's settings for serve unless GOGC or GOMEMLIMIT say otherwise: the
// service's live heap is small (tens of MiB), so collecting less often buys throughput, and a
// soft limit keeps the heap well inside a small container when load grows.
const (
	gcPercent   = 400
	memoryLimit = 200 << 20
)

// tuneGC applies the defaults above where the environment sets nothing.
func tuneGC(getenv func(string) string, log *slog.Logger) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
		log.Debug("garbage collector: GOGC is unset, using the service's default", "gogc", gcPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
		log.Debug("garbage collector: GOMEMLIMIT is unset, using the service's default", "bytes", memoryLimit)
	}
}

// NewApp opens the database (migrating and importing the sample county as configured), Redis,
// and binds the listener; it serves nothing until Run. The sample's binding codes are not shown.
func NewApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	return newApp(ctx, cfg, log, io.Discard)
}

// newApp is NewApp printing the binding codes the sample county's import generates to out.
func newApp(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer) (*App, error) {
	log.Info("starting gridbot", "version", version, "config", cfg)
	a := &App{cfg: cfg, log: log, out: out}
	a.ctx, a.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if err := a.open(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// keepConversations keeps the embedded server's conversations, staff focus and confirmations in
// the data directory, so that a restart of a trial instance loses no draft.
func (a *App) keepConversations() error {
	prefix := a.cfg.RedisKeyPrefix
	a.redis.OnPersistError(func(err error) { a.log.Warn("saving conversations failed", "err", err) })
	path := filepath.Join(a.cfg.DataDir, "conversations.json")
	prefixes := []string{prefix + "conv:", prefix + "focus:", prefix + "confirm:", prefix + "attach:"}
	err := a.redis.Persist(path, prefixes...)
	if err == nil {
		return nil
	}
	// An unreadable file is set aside, not written over, and the service starts without it.
	a.log.Warn("the conversations kept at the last stop could not be read; they are set aside", "err", err,
		"file", path+".unreadable")
	if err := os.Rename(path, path+".unreadable"); err != nil {
		return fmt.Errorf("set aside %s: %w", path, err)
	}
	return a.redis.Persist(path, prefixes...)
}

// open brings up each dependency in order: database, schema, sample county, Redis, media store, HTTP.
func (a *App) open(ctx context.Context) error {
	var err error
	if a.store, err = openStore(ctx, a.cfg); err != nil {
		return err
	}
	if err := prepareSchema(ctx, a.cfg, a.store, a.log); err != nil {
		return err
	}
	if err := a.importSample(ctx); err != nil {
		return err
	}
	if a.redis, err = shared.OpenRedis(ctx, a.cfg.RedisURL); err != nil {
		return err
	}
	if a.blobs, err = openBlobs(ctx, a.cfg, a.log); err != nil {
		return err
	}
	// People may have changed while no instance ran (an import, a database restored).
	if err := shared.ForgetPeople(ctx, a.redis.Client, a.cfg.RedisKeyPrefix); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	if a.redis.Embedded() {
		a.log.Info("using the embedded Redis-compatible server (GRIDBOT_REDIS_URL is empty)")
		if err := a.keepConversations(); err != nil {
			return err
		}
	}
	a.registry = prometheus.NewRegistry()
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if a.listener, err = net.Listen("tcp", a.cfg.HTTPAddr); err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.HTTPAddr, err)
	}
	if err := a.openGateway(ctx); err != nil {
		return err
	}
	a.routes()
	return nil
}

// importSample loads the bundled sample county into an empty embedded database.
func (a *App) importSample(ctx context.Context) error {
	if !a.cfg.ImportSampleCounty() {
		return nil
	}
	empty, err := a.store.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	d, res, err := importDeployment(ctx, a.cfg, a.store, examples.SampleCounty(), examples.SampleCountyName)
	if err != nil {
		return fmt.Errorf("import sample county: %w", err)
	}
	a.log.Info("empty embedded database: imported the sample county 晋江市 (set GRIDBOT_SAMPLE_COUNTY=false to start empty); its generated binding codes are printed on stdout",
		"townships", res.Counts["townships"], "matters", res.Counts["matters"], "people", res.Counts["people"],
		"binding_codes_issued", len(res.IssuedCodes))
	logWarnings(a.log, deployment.Staffing(d))
	printIssuedCodes(a.out, res.IssuedCodes, d)
	return nil
}

// routes builds the HTTP server with every surface.
func (a *App) routes() {
	mode := "embedded"
	if a.cfg.DBDriver == store.DriverMySQL {
		mode = "mysql"
	}
	engine := handlers.New(handlers.Deps{
		Log:          a.log,
		Registry:     a.registry,
		Ready:        a.readiness(),
		MaxBodyBytes: a.cfg.HTTPMaxBodyBytes,
		Info:         map[string]string{"version": version, "storage": mode, "wechat": a.gateway.mode()},
	})
	a.gateway.register(a, engine)
	handlers.RegisterAPI(engine, handlers.APIDeps{Store: a.gateway.cases, Workflow: a.gateway.cases, Media: a.blobs, Log: a.log,
		Location: a.cfg.Location(), UnratedAfterDays: a.cfg.UnratedAfterDays})
	a.server = &http.Server{
		Handler:           engine,
		ReadTimeout:       a.cfg.HTTPReadTimeout,
		ReadHeaderTimeout: a.cfg.HTTPReadTimeout,
		WriteTimeout:      a.cfg.HTTPWriteTimeout,
		IdleTimeout:       a.cfg.HTTPIdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
}

// serveDebug serves Go's profiler on the debug address until the process ends.
func (a *App) serveDebug() {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	a.log.Warn("serving the profiler", "addr", a.cfg.DebugAddr)
	srv := &http.Server{Addr: a.cfg.DebugAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		a.log.Error("the profiler's server stopped", "err", err)
	}
}

// Addr returns the address the server listens on (useful with port 0).
func (a *App) Addr() string { return a.listener.Addr().String() }

// Run serves until ctx is done, then stops accepting, drains requests within the shutdown
// timeout and closes Redis and the database.
func (a *App) Run(ctx context.Context) error {
	defer a.Close()
	a.gateway.start(a.ctx) // before serving: the inbox's pool and batchers take the first request
	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(a.listener) }()
	if a.cfg.DebugAddr != "" {
		go a.serveDebug()
	}
	a.log.Info("serving", "addr", a.Addr())
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "timeout", a.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := a.server.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	a.log.Info("stopped")
	return nil
}

// Close stops the background work and releases Redis and the database; safe to call on a
// partly opened App.
func (a *App) Close() {
	if a.listener != nil && a.server == nil {
		a.listener.Close()
	}
	a.cancel()
	if a.gateway != nil {
		a.gateway.close(a.cfg.ShutdownTimeout)
		a.gateway = nil
	}
	if a.redis != nil {
		a.redis.Close()
		a.redis = nil
	}
	if a.store != nil {
		a.store.Close()
		a.store = nil
	}
}

// healthcheck asks the local service's /healthz: `gridbot healthcheck`.
func (e *environment) healthcheck(ctx context.Context) error {
	cfg, err := config.Load(e.configFile, e.getenv)
	if err != nil {
		return err
	}
	_, port, err := net.SplitHostPort(cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+"/healthz", nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /healthz answered %d", resp.StatusCode)
	}
	fmt.Fprintln(e.stdout, "ok")
	return nil
}
