package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"gridbot/config"
	"gridbot/store"
)

// environment is what every command starts from: where the settings come from and where to write.
type environment struct {
	configFile string
	getenv     func(string) string
	stdin      io.Reader // sim chat's lines
	stdout     io.Writer
	stderr     io.Writer
}

// load reads and validates the configuration and builds the service's logger.
func (e *environment) load() (config.Config, *slog.Logger, error) {
	return e.loadAt(config.Config.SlogLevel)
}

// loadAdmin is load for an administrative command, whose logger is quiet (see adminLevel).
func (e *environment) loadAdmin() (config.Config, *slog.Logger, error) {
	return e.loadAt(adminLevel)
}

// adminLevel is the lowest level an administrative command logs: its results go to stdout, so
// start-up news ("database schema ready", migrations applied) would only clutter them. It logs
// warnings and errors, and everything when GRIDBOT_LOG_LEVEL=debug asks for it.
func adminLevel(c config.Config) slog.Level {
	if c.SlogLevel() == slog.LevelDebug {
		return slog.LevelDebug
	}
	return max(c.SlogLevel(), slog.LevelWarn)
}

// loadAt reads and validates the configuration and builds a logger at the level level gives.
func (e *environment) loadAt(level func(config.Config) slog.Level) (config.Config, *slog.Logger, error) {
	cfg, err := config.Load(e.configFile, e.getenv)
	if err != nil {
		return config.Config{}, nil, err
	}
	opts := &slog.HandlerOptions{Level: level(cfg)}
	var h slog.Handler = slog.NewJSONHandler(e.stderr, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(e.stderr, opts)
	}
	return cfg, slog.New(h), nil
}

// openStore opens the configured database.
func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	s, err := store.Open(ctx, store.Options{Driver: cfg.DBDriver, DSN: cfg.DBDSN, MaxOpenConns: cfg.DBMaxOpenConns,
		NoSkipLocked: cfg.DBSkipLocked == config.SkipLockedOff})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return s, nil
}

// prepareSchema migrates when the configuration says so and refuses a schema this binary does not know.
func prepareSchema(ctx context.Context, cfg config.Config, s *store.Store, log *slog.Logger) error {
	var (
		st  store.SchemaStatus
		err error
	)
	if cfg.ApplyMigrations() {
		st, err = s.Migrate(ctx, log)
	} else {
		st, err = s.Schema(ctx)
	}
	if err != nil {
		return err
	}
	if err := st.CheckSchema(); err != nil {
		return err
	}
	log.Info("database schema ready", "driver", s.Driver(), "version", st.Current, "skip_locked", s.SkipsLocked())
	return nil
}

// migrateUsage is printed for `gridbot migrate --help`.
const migrateUsage = `usage: gridbot migrate
  apply the pending database migrations (GRIDBOT_DB_DRIVER, GRIDBOT_DB_DSN) and print the schema versions
`

// migrate applies pending migrations: `gridbot migrate`.
func (e *environment) migrate(ctx context.Context, args []string) error {
	fs := newFlags("migrate", migrateUsage)
	if err := parseFlags(fs, args, e.stdout, e.stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("migrate takes no arguments")
	}
	_, log, s, err := e.openConfigured(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	before, err := s.Schema(ctx)
	if err != nil {
		return err
	}
	if before.Current > before.Latest {
		return before.CheckSchema()
	}
	after, err := s.Migrate(ctx, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "schema version %d -> %d (%s)\n", before.Current, after.Current, s.Driver())
	return nil
}

// withStore opens the configured database with a current schema for one administration command.
func (e *environment) withStore(ctx context.Context, fn func(cfg config.Config, s *store.Store) error) error {
	cfg, log, s, err := e.openConfigured(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := prepareSchema(ctx, cfg, s, log); err != nil {
		return err
	}
	return fn(cfg, s)
}

// openConfigured loads the configuration and opens its database for an administrative command,
// schema untouched.
func (e *environment) openConfigured(ctx context.Context) (config.Config, *slog.Logger, *store.Store, error) {
	cfg, log, err := e.loadAdmin()
	if err != nil {
		return config.Config{}, nil, nil, err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return config.Config{}, nil, nil, err
	}
	return cfg, log, s, nil
}
