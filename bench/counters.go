package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// mysqlCounters are the MariaDB/MySQL global status counters the report divides per message.
func mysqlCounters() []string {
	return []string{"Questions", "Com_select", "Com_insert", "Com_update", "Com_delete", "Com_begin", "Com_commit",
		"Com_rollback", "Innodb_os_log_fsyncs", "Innodb_data_fsyncs", "Innodb_row_lock_waits", "Innodb_row_lock_time",
		"Com_stmt_prepare", "Com_stmt_execute", "Com_stmt_close"}
}

// Counters are what the database and Redis servers counted during the measured window: server-wide
// deltas, so other clients of the same servers add to them.
type Counters struct {
	MySQL map[string]int64 `json:"mysql,omitempty"`
	Redis map[string]int64 `json:"redis,omitempty"` // calls by command
}

// Probe reads the database's and Redis's counters as the window opens and closes.
type Probe struct {
	mysqlDSN string // "" for none
	redisURL string // "" for none
	mu       sync.Mutex
	start    Counters
	delta    Counters
	errs     []error
}

// NewProbe watches the MySQL server of dsn and the Redis of url; either may be empty.
func NewProbe(dsn, url string) *Probe { return &Probe{mysqlDSN: dsn, redisURL: url} }

// MySQLDSN is the database server watched ("" for none).
func (p *Probe) MySQLDSN() string { return p.mysqlDSN }

// RedisURL is the Redis watched ("" for none).
func (p *Probe) RedisURL() string { return p.redisURL }

// Window snapshots the counters; pass it (with the sampler's) as LoadConfig.Window.
func (p *Probe) Window(open bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := p.read(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	if open {
		p.start = now
		return
	}
	p.delta = Counters{MySQL: plus(p.delta.MySQL, minus(now.MySQL, p.start.MySQL)),
		Redis: plus(p.delta.Redis, minus(now.Redis, p.start.Redis))}
}

// plus adds counters b to a (either may be nil) and returns the sum.
func plus(a, b map[string]int64) map[string]int64 {
	if a == nil {
		return b
	}
	for k, v := range b {
		a[k] += v
	}
	return a
}

// Result returns the deltas of every window so far, together, and any read failure.
func (p *Probe) Result() (Counters, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.delta, errors.Join(p.errs...)
}

// read takes one snapshot of both servers.
func (p *Probe) read(ctx context.Context) Counters {
	var c Counters
	var err error
	if p.mysqlDSN != "" {
		if c.MySQL, err = mysqlStatus(ctx, p.mysqlDSN); err != nil {
			p.fail(err)
		}
	}
	if p.redisURL != "" {
		if c.Redis, err = redisCommandStats(ctx, p.redisURL); err != nil {
			p.fail(err)
		}
	}
	return c
}

// fail records a read failure.
func (p *Probe) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errs = append(p.errs, err)
}

// mysqlStatus reads the global status counters.
func mysqlStatus(ctx context.Context, dsn string) (map[string]int64, error) {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return nil, fmt.Errorf("mysql status: %w", err)
	}
	defer db.Close()
	names := mysqlCounters()
	rows, err := db.QueryContext(ctx, "SHOW GLOBAL STATUS WHERE Variable_name IN ('"+strings.Join(names, "','")+"')")
	if err != nil {
		return nil, fmt.Errorf("mysql status: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, fmt.Errorf("mysql status: %w", err)
		}
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			out[name] = n
		}
	}
	return out, rows.Err()
}

// redisCommandStats reads INFO commandstats: calls by command.
func redisCommandStats(ctx context.Context, url string) (map[string]int64, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	info, err := rdb.Info(ctx, "commandstats").Result()
	if err != nil {
		return nil, fmt.Errorf("redis commandstats: %w", err)
	}
	out := map[string]int64{}
	for _, line := range strings.Split(info, "\n") {
		// cmdstat_set:calls=12,usec=34,usec_per_call=2.83,...
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		calls, _, _ := strings.Cut(strings.TrimPrefix(rest, "calls="), ",")
		if n, err := strconv.ParseInt(calls, 10, 64); err == nil {
			out[strings.TrimPrefix(name, "cmdstat_")] = n
		}
	}
	return out, nil
}

// minus returns a-b by key, keeping only keys that changed.
func minus(a, b map[string]int64) map[string]int64 {
	if a == nil {
		return nil
	}
	out := map[string]int64{}
	for k, v := range a {
		if d := v - b[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}
