// Package store keeps gridbot's data in MySQL/MariaDB or in the embedded SQLite database through
// gorm, with versioned migrations. Row structs stay private here; callers see the models types and
// models.Error codes.
package store
