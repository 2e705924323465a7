-- Inbound messages are stored in batches (one commit for many requests). Each batch writes a
-- receipt of its own, so that a request can tell its own new entry from one stored before.

-- +goose Up
ALTER TABLE inbox ADD COLUMN receipt VARCHAR(32) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE inbox DROP COLUMN receipt;
