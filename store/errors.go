package store

import (
	"errors"
	"strings"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"gridbot/models"
)

// translate turns a database error into a models.Error at the store's edge: not found, conflict
// (duplicate key, lock wait, deadlock) or unavailable; what is meant names the thing sought.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var me *models.Error
	if errors.As(err, &me) {
		return err
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.WrapError(models.ENotFound, err, "%s not found", what)
	}
	var my *mysqldriver.MySQLError
	if errors.As(err, &my) {
		switch my.Number {
		case 1062:
			return models.WrapError(models.EConflict, err, "%s already exists", what)
		case 1205, 1213:
			return models.WrapError(models.EConflict, err, "%s is being changed by someone else; try again", what)
		case 1406, 1366, 1264:
			return models.WrapError(models.EInvalid, err, "%s has a value the database cannot hold", what)
		}
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"):
		return models.WrapError(models.EConflict, err, "%s already exists", what)
	case strings.Contains(msg, "database is locked"), strings.Contains(msg, "SQLITE_BUSY"):
		return models.WrapError(models.EConflict, err, "%s is being changed by someone else; try again", what)
	case errors.Is(err, mysqldriver.ErrInvalidConn), strings.Contains(msg, "connection refused"),
		strings.Contains(msg, "bad connection"), strings.Contains(msg, "sql: database is closed"):
		return models.WrapError(models.EUnavailable, err, "database unavailable")
	}
	return models.WrapError(models.EInternal, err, "database error on %s", what)
}
