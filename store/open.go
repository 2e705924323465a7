package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"gridbot/models"
)

// The database drivers gridbot supports.
const (
	DriverSQLite = "sqlite"
	DriverMySQL  = "mysql"
)

// Options configure Open.
type Options struct {
	Driver       string // DriverSQLite or DriverMySQL
	DSN          string // a file path for SQLite, a go-sql-driver DSN for MySQL
	MaxOpenConns int    // MySQL only; SQLite always uses one connection
	// NoSkipLocked makes claims never read with SKIP LOCKED, whatever the server says it is
	// (GRIDBOT_DB_SKIP_LOCKED=off): for an engine that accepts it without taking the lock.
	NoSkipLocked bool
}

// Store is gridbot's database: every read and write of domain data goes through it.
type Store struct {
	db      *gorm.DB
	driver  string
	numbers *numberBlock // this process's tracking numbers, shared by its transactions
	multi   *sql.DB      // MySQL: connections that take several statements at once (casebatch.go)
	hot     *prepared    // MySQL: the hot statements, prepared (prepared.go)
	inTx    bool         // a Store bound to a transaction (InTx)
	// returning is set when INSERT … RETURNING is understood (SQLite, MariaDB 10.5+; not MySQL):
	// a batch of new inbox entries learns their ids in the same statement.
	returning bool
	// afterCommit is called after a new case committed (OnCaseCommitted: fault injection).
	afterCommit atomic.Pointer[func(models.Case)]
	// skipLocked is set when claims read FOR UPDATE SKIP LOCKED (engine.go): MySQL 8, MariaDB
	// 10.6+, not TiDB, unless Options.NoSkipLocked.
	skipLocked bool
}

// Open connects to the database; it does not migrate.
func Open(ctx context.Context, o Options) (*Store, error) {
	var (
		db  *gorm.DB
		err error
	)
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		SkipDefaultTransaction: true,
		TranslateError:         false,
	}
	switch o.Driver {
	case DriverSQLite:
		db, err = openSQLite(o.DSN, cfg)
	case DriverMySQL:
		db, err = openMySQL(o.DSN, o.MaxOpenConns, cfg)
	default:
		return nil, fmt.Errorf("open store: unknown driver %q", o.Driver)
	}
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, driver: o.Driver, numbers: &numberBlock{}}
	if o.Driver == DriverMySQL {
		dsn, err := NormalizeMySQLDSN(o.DSN)
		if err == nil {
			s.multi, err = openMultiStatement(dsn)
		}
		var sqlDB *sql.DB
		if err == nil {
			sqlDB, err = db.DB()
		}
		if err == nil {
			s.hot = newPrepared(sqlDB)
		}
		if err != nil {
			s.Close()
			return nil, err
		}
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	v := s.serverVersion(ctx)
	s.returning = o.Driver == DriverSQLite || returningVersion(v)
	s.skipLocked = o.Driver == DriverMySQL && !o.NoSkipLocked && skipLockedVersion(v)
	return s, nil
}

// returningVersion reads a server version string: MariaDB from 10.5 on has INSERT … RETURNING.
func returningVersion(v string) bool {
	if !strings.Contains(v, "MariaDB") {
		return false
	}
	var major, minor int
	if _, err := fmt.Sscanf(v, "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major > 10 || (major == 10 && minor >= 5)
}

// openSQLite opens the embedded database file, creating its folder, with one connection so
// that writers never meet SQLITE_BUSY.
func openSQLite(path string, cfg *gorm.Config) (*gorm.DB, error) {
	if path != ":memory:" && !strings.HasPrefix(path, "file:") {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
	}
	dsn := path + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	if strings.Contains(path, "?") {
		dsn = path
	}
	db, err := gorm.Open(sqlite.Open(dsn), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	sqlDB.SetMaxOpenConns(1)
	return db, nil
}

// openMySQL opens a MySQL/MariaDB pool; times are read and written in UTC.
func openMySQL(dsn string, maxOpen int, cfg *gorm.Config) (*gorm.DB, error) {
	mc, err := NormalizeMySQLDSN(dsn)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(mysql.Open(mc), cfg)
	if err != nil {
		return nil, fmt.Errorf("open mysql: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open mysql: %w", err)
	}
	if maxOpen < 1 {
		maxOpen = 20
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxOpen)
	sqlDB.SetConnMaxLifetime(30 * time.Minute)
	return db, nil
}

// strictSQLMode is the sql_mode of every MySQL connection: a value a column cannot hold is an
// error, never cut or zeroed with a warning. It is MariaDB's default set without
// NO_AUTO_CREATE_USER (gone in MySQL 8), with STRICT_ALL_TABLES and the zero-date checks; it
// replaces any sql_mode the DSN sets. INSERT IGNORE still turns these errors into
// warnings, so the inbox checks its values before it inserts (inboxbatch.go).
const strictSQLMode = "'STRICT_ALL_TABLES,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE," +
	"ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'"

// NormalizeMySQLDSN forces the settings gridbot relies on: parseTime, UTC, utf8mb4, strict mode.
func NormalizeMySQLDSN(dsn string) (string, error) {
	c, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("mysql dsn: %w", err)
	}
	c.ParseTime = true
	c.ClientFoundRows = true   // RowsAffected counts matched rows, as on SQLite
	c.InterpolateParams = true // one round trip per statement instead of prepare, execute, close
	c.Loc = time.UTC
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	if _, ok := c.Params["charset"]; !ok {
		c.Params["charset"] = "utf8mb4"
	}
	if c.Params["time_zone"] == "" {
		c.Params["time_zone"] = "'+00:00'"
	}
	c.Params["sql_mode"] = strictSQLMode
	return c.FormatDSN(), nil
}

// Driver returns the name of the database driver in use.
func (s *Store) Driver() string { return s.driver }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Close closes the database connections.
func (s *Store) Close() error {
	if s.multi != nil {
		s.multi.Close()
	}
	if s.hot != nil {
		s.hot.close()
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return sqlDB.Close()
}

// InTx runs fn inside one transaction; fn receives a Store bound to it. An error rolls back.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(s.bound(tx))
	})
}

// bound is the Store of a transaction of s's pool: the same settings, bound to tx.
func (s *Store) bound(tx *gorm.DB) *Store {
	return &Store{db: tx, driver: s.driver, numbers: s.numbers, inTx: true, returning: s.returning,
		skipLocked: s.skipLocked}
}

// conn returns the gorm handle for one call with the caller's context.
func (s *Store) conn(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }
