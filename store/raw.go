package store

import (
	"context"
	"database/sql"
	"errors"

	"gorm.io/gorm"
)

// The hot paths (a query or two per inbound message) read and write with plain SQL on the
// connection gorm holds, which costs a fraction of gorm's statement building and reflection.

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

// pool returns the connection (or transaction) behind the store, for plain SQL.
func (s *Store) pool(ctx context.Context) gorm.ConnPool {
	return s.conn(ctx).Statement.ConnPool
}

// notFound turns database/sql's no-rows error into gorm's, which translate knows.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return gorm.ErrRecordNotFound
	}
	return err
}

// personColumns are the columns scanPerson reads, in its order.
const personColumns = "id, code, name, phone, role, team_code, grid_codes, openid, wecom_userid, " +
	"preferred_channel, unreachable, last_inbound_at, created_at, updated_at"

// scanPerson reads a row of personColumns.
func scanPerson(sc rowScanner) (personRow, error) {
	var r personRow
	err := sc.Scan(&r.ID, &r.Code, &r.Name, &r.Phone, &r.Role, &r.TeamCode, &r.GridCodes, &r.OpenID,
		&r.WeComUserID, &r.PreferredChannel, &r.Unreachable, &r.LastInboundAt, &r.CreatedAt, &r.UpdatedAt)
	return r, err
}
