package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"gridbot/models"
)

//go:embed migrations
var migrationFiles embed.FS

// SchemaStatus says how the database's schema stands against the migrations this binary carries.
type SchemaStatus struct {
	Current int64 // the highest version applied to the database, 0 when empty
	Latest  int64 // the newest version this binary knows
}

// provider builds a goose provider for the store's dialect over its embedded migrations.
func (s *Store) provider(log *slog.Logger) (*goose.Provider, error) {
	return s.newProvider(log, true)
}

// newProvider builds a goose provider; locking takes MySQL's migration lock around its work.
func (s *Store) newProvider(log *slog.Logger, locking bool) (*goose.Provider, error) {
	dialect, dir := goose.DialectSQLite3, "migrations/sqlite"
	var opts []goose.ProviderOption
	if s.driver == DriverMySQL {
		dialect, dir = goose.DialectMySQL, "migrations/mysql"
	}
	if s.driver == DriverMySQL && locking {
		locker, err := lock.NewMySQLTableLocker()
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithLocker(locker))
	}
	if log != nil {
		opts = append(opts, goose.WithSlog(log))
	}
	sub, err := fs.Sub(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	opts = append(opts, goose.WithDisableGlobalRegistry(true))
	return goose.NewProvider(dialect, sqlDB, sub, opts...)
}

// Migrate applies every pending migration and returns the status afterwards. Several instances
// may call it at once on MySQL: a lock table serialises them.
func (s *Store) Migrate(ctx context.Context, log *slog.Logger) (SchemaStatus, error) {
	p, err := s.provider(log)
	if err != nil {
		return SchemaStatus{}, err
	}
	if _, err := p.Up(ctx); err != nil {
		return SchemaStatus{}, fmt.Errorf("migrate: %w", err)
	}
	return s.schemaStatus(ctx, p)
}

// Schema reports the applied and the newest known schema version without changing anything.
func (s *Store) Schema(ctx context.Context) (SchemaStatus, error) {
	p, err := s.provider(nil)
	if err != nil {
		return SchemaStatus{}, err
	}
	return s.schemaStatus(ctx, p)
}

// schemaStatus reads the versions from a provider.
func (s *Store) schemaStatus(ctx context.Context, p *goose.Provider) (SchemaStatus, error) {
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return SchemaStatus{}, fmt.Errorf("schema version: %w", err)
	}
	srcs := p.ListSources()
	var latest int64
	if len(srcs) > 0 {
		latest = srcs[len(srcs)-1].Version
	}
	return SchemaStatus{Current: cur, Latest: latest}, nil
}

// CheckSchema refuses a schema this binary does not know: newer than its newest migration
// (an older binary on an upgraded database) or not yet migrated to it.
func (st SchemaStatus) CheckSchema() error {
	switch {
	case st.Current > st.Latest:
		return models.Errorf(models.EInvalid, "database schema version %d is newer than this binary knows (%d): run a newer gridbot", st.Current, st.Latest)
	case st.Current < st.Latest:
		return models.Errorf(models.EInvalid, "database schema version %d is behind this binary (%d): run `gridbot migrate` first", st.Current, st.Latest)
	}
	return nil
}

// PeekSchema reports how the schema stands, like Schema, but writes nothing: it creates no
// version table and takes no migration lock (which is a row written on MySQL). migrated is
// false when the database has no schema at all.
func (s *Store) PeekSchema(ctx context.Context) (st SchemaStatus, migrated bool, err error) {
	p, err := s.newProvider(nil, false)
	if err != nil {
		return SchemaStatus{}, false, err
	}
	if srcs := p.ListSources(); len(srcs) > 0 {
		st.Latest = srcs[len(srcs)-1].Version
	}
	q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
	if s.driver == DriverMySQL {
		q = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
	}
	var n int64
	if err := s.conn(ctx).Raw(q, goose.DefaultTablename).Scan(&n).Error; err != nil {
		return SchemaStatus{}, false, translate(err, "schema")
	}
	if n == 0 {
		return st, false, nil
	}
	if err := s.conn(ctx).Raw("SELECT COALESCE(MAX(version_id), 0) FROM " + goose.DefaultTablename).Scan(&st.Current).Error; err != nil {
		return SchemaStatus{}, false, translate(err, "schema version")
	}
	return st, true, nil
}
