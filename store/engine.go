package store

import (
	"context"
	"fmt"
	"strings"
)

// serverVersion returns what SELECT VERSION() says on MySQL-family servers, such as
// "10.11.19-MariaDB-0+deb12u1", "8.0.36" or "8.0.11-TiDB-v7.5.0"; "" on SQLite or when it
// cannot be read (then no optional construct is used).
func (s *Store) serverVersion(ctx context.Context) string {
	if s.driver != DriverMySQL {
		return ""
	}
	var v string
	if err := s.db.WithContext(ctx).Raw("SELECT VERSION()").Scan(&v).Error; err != nil {
		return ""
	}
	return v
}

// skipLockedVersion reads a server version string: SKIP LOCKED is taken to lock what it reads
// on MySQL from 8.0.1 and MariaDB from 10.6. TiDB accepts the words and takes no lock
// (pingcap/tidb#18207), older servers refuse them, and an unknown version is taken not to
// have them.
func skipLockedVersion(v string) bool {
	if v == "" || strings.Contains(strings.ToLower(v), "tidb") {
		return false
	}
	var major, minor, patch int
	if n, _ := fmt.Sscanf(v, "%d.%d.%d", &major, &minor, &patch); n < 2 {
		return false
	}
	if strings.Contains(v, "MariaDB") {
		return major > 10 || (major == 10 && minor >= 6)
	}
	return major > 8 || (major == 8 && (minor > 0 || patch >= 1))
}

// SkipsLocked reports whether claims read FOR UPDATE SKIP LOCKED (MySQL 8, MariaDB 10.6+, not
// TiDB, not turned off); without it a claim's guarded UPDATE alone keeps two claimers apart.
func (s *Store) SkipsLocked() bool { return s.skipLocked }
