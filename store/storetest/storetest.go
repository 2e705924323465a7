// Package storetest gives tests a real, migrated database of their own: SQLite always and
// MySQL/MariaDB when GRIDBOT_TEST_MYSQL_DSN is set, each dropped at cleanup; and Redis, real
// when GRIDBOT_TEST_REDIS_URL is set. With GRIDBOT_TEST_REQUIRE_SERVERS=1 (as in CI) a missing
// server fails the test instead of skipping it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	mysqldriver "github.com/go-sql-driver/mysql"

	"gridbot/shared"
	"gridbot/shared/sharedtest"
	"gridbot/store"
)

// The environment variables that point tests at real servers.
const (
	EnvMySQLDSN       = "GRIDBOT_TEST_MYSQL_DSN"
	EnvRedisURL       = sharedtest.EnvRedisURL
	EnvRequireServers = sharedtest.EnvRequireServers
)

// Each runs fn as a subtest on a fresh SQLite database and on a fresh MySQL database.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("mysql", func(t *testing.T) { fn(t, MySQL(t)) })
}

// SQLite returns a migrated SQLite store in a temporary folder.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "gridbot.db")})
}

// MySQL returns a migrated store on a new database with a random name on the server of
// GRIDBOT_TEST_MYSQL_DSN; the database is dropped at cleanup.
func MySQL(t testing.TB) *store.Store {
	t.Helper()
	return open(t, store.Options{Driver: store.DriverMySQL, DSN: NewMySQLDatabase(t), MaxOpenConns: 16})
}

// MySQLInstances returns n migrated stores on one new MySQL database, each with connections of
// its own as n instances of gridbot have; o sets their options beyond the driver and the DSN.
func MySQLInstances(t testing.TB, n int, o store.Options) []*store.Store {
	t.Helper()
	o.Driver, o.DSN = store.DriverMySQL, NewMySQLDatabase(t)
	out := make([]*store.Store, n)
	for i := range out {
		out[i] = open(t, o)
	}
	return out
}

// NewMySQLDatabase creates an empty database with a random name and returns its DSN.
func NewMySQLDatabase(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvMySQLDSN)
	if dsn == "" {
		Unavailable(t, EnvMySQLDSN+" is not set: MySQL tests skipped")
	}
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("%s: %v", EnvMySQLDSN, err)
	}
	name := "gridbot_t_" + randomHex(t, 6)
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("connect mysql: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

// Unavailable skips the test because a server is not configured, or fails it when
// GRIDBOT_TEST_REQUIRE_SERVERS=1.
func Unavailable(t testing.TB, why string) {
	t.Helper()
	sharedtest.Unavailable(t, why)
}

// open opens and migrates a store and closes it at cleanup.
func open(t testing.TB, o store.Options) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, o)
	if err != nil {
		t.Fatalf("open %s store: %v", o.Driver, err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate %s store: %v", o.Driver, err)
	}
	return s
}

// randomHex returns n random bytes as hex.
func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random: %v", err)
	}
	return hex.EncodeToString(b)
}

// Redis returns a Redis connection and a key prefix of the test's own; see sharedtest.Redis.
func Redis(t testing.TB) (*shared.Redis, string) {
	t.Helper()
	return sharedtest.Redis(t)
}

// RealRedis is Redis on the real server only; see sharedtest.RealRedis.
func RealRedis(t testing.TB) (*shared.Redis, string) {
	t.Helper()
	return sharedtest.RealRedis(t)
}
