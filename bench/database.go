package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"

	_ "github.com/glebarez/go-sqlite" // the "sqlite" driver, to count the embedded mode's cases
	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"
)

// mysqlDatabase is a database the benchmark created for one run and drops afterwards.
type mysqlDatabase struct {
	admin *sql.DB
	name  string
	dsn   string // for gridbot: the admin DSN naming the new database
}

// createMySQLDatabase creates an empty utf8mb4 database with a random name on the server of adminDSN.
func createMySQLDatabase(ctx context.Context, adminDSN, runID string) (*mysqlDatabase, error) {
	cfg, err := mysqldriver.ParseDSN(adminDSN)
	if err != nil {
		return nil, fmt.Errorf("mysql dsn: %w", err)
	}
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("connect mysql: %w", err)
	}
	name := "gridbench_" + runID
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		admin.Close()
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	cfg.DBName = name
	return &mysqlDatabase{admin: admin, name: name, dsn: cfg.FormatDSN()}, nil
}

// drop deletes the database and closes the admin connection.
func (d *mysqlDatabase) drop(ctx context.Context) error {
	defer d.admin.Close()
	if _, err := d.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+d.name); err != nil {
		return fmt.Errorf("drop database %s: %w", d.name, err)
	}
	return nil
}

// CountCases returns how many rows the cases table of a database holds; driver is "mysql"
// (dsn a go-sql-driver DSN) or "sqlite" (dsn the file).
func CountCases(ctx context.Context, driver, dsn string) (int64, error) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return 0, fmt.Errorf("count cases: %w", err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM cases").Scan(&n); err != nil {
		return 0, fmt.Errorf("count cases: %w", err)
	}
	return n, nil
}

// dropRedisKeys deletes every key under prefix in the Redis of url.
func dropRedisKeys(ctx context.Context, url, prefix string) (int, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return 0, fmt.Errorf("redis url: %w", err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	n := 0
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 1000 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				return n, fmt.Errorf("redis unlink: %w", err)
			}
			n, batch = n+len(batch), batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return n, fmt.Errorf("redis scan: %w", err)
	}
	if len(batch) > 0 {
		if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
			return n, fmt.Errorf("redis unlink: %w", err)
		}
		n += len(batch)
	}
	return n, nil
}

// NewRunID returns 12 random hex digits naming one run's database, Redis keys and openids.
func NewRunID() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b[:])
}

// ServerPorts names the local ports of the database of a MySQL DSN and of a Redis URL (either
// may be empty), for a Sampler.
func ServerPorts(mysqlDSN, redisURL string) map[string]int {
	out := map[string]int{}
	if cfg, err := mysqldriver.ParseDSN(mysqlDSN); err == nil && mysqlDSN != "" {
		if port := portOf(cfg.Addr); port != 0 {
			out["mariadbd"] = port
		}
	}
	if opt, err := redis.ParseURL(redisURL); err == nil && redisURL != "" {
		if port := portOf(opt.Addr); port != 0 {
			out["redis-server"] = port
		}
	}
	return out
}

// portOf returns the port of host:port, or 0.
func portOf(addr string) int {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return 0
	}
	return port
}
