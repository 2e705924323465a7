package bench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// GridbotOptions say how to start gridbot serve for a run.
type GridbotOptions struct {
	Root     string // the repository (module root): built from, and examples/jinjiang.yaml read from
	Dir      string // a scratch folder for the binary, logs and the embedded mode's data
	Embedded bool   // SQLite and the in-process Redis instead of MariaDB and Redis
	MySQL    string // admin DSN of the MySQL/MariaDB server, e.g. root@tcp(127.0.0.1:3306)/
	Redis    string // Redis URL, e.g. redis://127.0.0.1:6379/0
	Env      map[string]string
	RunID    string
	Log      func(format string, args ...any) // progress lines
}

// Gridbot is gridbot serve started for one run on a database and Redis key prefix of its own.
type Gridbot struct {
	*Process
	opts   GridbotOptions
	db     *mysqlDatabase // nil when embedded
	prefix string
	sqlite string // the embedded mode's database file
}

// SpawnGridbot builds gridbot, prepares its database (MySQL: create, migrate, import the
// sample county), starts gridbot serve in sandbox mode and waits until it is ready.
func SpawnGridbot(ctx context.Context, o GridbotOptions) (g *Gridbot, err error) {
	g = &Gridbot{opts: o, prefix: "gridbench:" + o.RunID + ":", sqlite: filepath.Join(o.Dir, "data", "gridbot.db")}
	defer func() {
		if err != nil {
			g.cleanup(context.WithoutCancel(ctx))
		}
	}()
	o.Log("building gridbot from %s", o.Root)
	bin, err := BuildGridbot(ctx, o.Root, o.Dir)
	if err != nil {
		return g, err
	}
	addr, err := FreeAddr()
	if err != nil {
		return g, err
	}
	env, err := g.environment(ctx, addr)
	if err != nil {
		return g, err
	}
	if !o.Embedded {
		if err := g.importCounty(ctx, bin, env); err != nil {
			return g, err
		}
	}
	g.Process, err = StartProcess("gridbot", bin, []string{"serve"}, env, addr, filepath.Join(o.Dir, "gridbot.log"))
	if err != nil {
		return g, err
	}
	o.Log("gridbot serve (pid %d) on %s, %s", g.Pid(), addr, g.Storage())
	return g, g.WaitReady(ctx, "/readyz", 60*time.Second)
}

// environment returns the child's settings; with MySQL it creates the run's database first.
func (g *Gridbot) environment(ctx context.Context, addr string) ([]string, error) {
	env := map[string]string{
		"GRIDBOT_HTTP_ADDR":  addr,
		"GRIDBOT_LOG_LEVEL":  "warn",
		"GRIDBOT_DATA_DIR":   filepath.Join(g.opts.Dir, "data"),
		"GRIDBOT_DB_MIGRATE": "apply",
	}
	if g.opts.Embedded {
		env["GRIDBOT_DB_DRIVER"] = "sqlite"
	} else {
		db, err := createMySQLDatabase(ctx, g.opts.MySQL, g.opts.RunID)
		if err != nil {
			return nil, err
		}
		g.db = db
		env["GRIDBOT_DB_DRIVER"] = "mysql"
		env["GRIDBOT_DB_DSN"] = db.dsn
		env["GRIDBOT_REDIS_URL"] = g.opts.Redis
		env["GRIDBOT_REDIS_KEY_PREFIX"] = g.prefix
	}
	for k, v := range g.opts.Env {
		env[k] = v
	}
	return childEnv(env), nil
}

// importCounty migrates the new database and imports the sample county, which serve does
// not do on MySQL.
func (g *Gridbot) importCounty(ctx context.Context, bin string, env []string) error {
	g.opts.Log("gridbot import examples/jinjiang.yaml into database %s", g.db.name)
	_, err := runOnce(ctx, g.opts.Root, bin, []string{"import", "examples/jinjiang.yaml"}, env)
	return err
}

// Storage describes where this gridbot keeps its data.
func (g *Gridbot) Storage() string {
	if g.opts.Embedded {
		return "embedded (SQLite " + g.sqlite + ", in-process Redis)"
	}
	return "MariaDB database " + g.db.name + ", Redis " + g.opts.Redis + " prefix " + g.prefix
}

// Database is the driver and DSN of this gridbot's database, to read it from outside.
func (g *Gridbot) Database() (driver, dsn string) {
	if g.opts.Embedded {
		return "sqlite", g.sqlite
	}
	return "mysql", g.db.dsn
}

// Finish stops gridbot (a graceful drain), counts the cases it created, then drops the run's
// database and Redis keys.
func (g *Gridbot) Finish(ctx context.Context) (int64, error) {
	stopErr := g.Stop(30 * time.Second)
	cases, countErr := g.countCases(ctx)
	cleanErr := g.cleanup(ctx)
	return cases, errors.Join(stopErr, countErr, cleanErr)
}

// countCases counts the rows of the cases table.
func (g *Gridbot) countCases(ctx context.Context) (int64, error) {
	if g.opts.Embedded {
		return CountCases(ctx, "sqlite", g.sqlite)
	}
	return CountCases(ctx, "mysql", g.db.dsn)
}

// cleanup drops the run's database and Redis keys (MySQL mode); the scratch folder is the caller's.
func (g *Gridbot) cleanup(ctx context.Context) error {
	if g.Process != nil {
		select {
		case <-g.exited:
		default:
			if err := g.Stop(10 * time.Second); err != nil {
				g.opts.Log("%v", err)
			}
		}
	}
	if g.db == nil {
		return nil
	}
	var errs []error
	if err := g.db.drop(ctx); err != nil {
		errs = append(errs, err)
	}
	g.db = nil
	if _, err := dropRedisKeys(ctx, g.opts.Redis, g.prefix); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// ParseEnv turns KEY=VALUE settings into a map; only GRIDBOT_ settings are accepted.
func ParseEnv(kvs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, "GRIDBOT_") {
			return nil, fmt.Errorf("server setting %q: want GRIDBOT_NAME=value", kv)
		}
		out[k] = v
	}
	return out, nil
}
