-- A case filed from a chat keeps the dedup key of the inbox entry whose processing filed it, under
-- a unique index, in the case's own transaction: an entry processed again after a crash (the case
-- committed, the reply lost) finds its case instead of filing a second one. Cases not filed from
-- a chat (the API, 12345, Open311) have NULL, which the unique index allows many times.

-- +goose Up
ALTER TABLE cases ADD COLUMN inbox_key TEXT NULL;
CREATE UNIQUE INDEX uq_cases_inbox_key ON cases (inbox_key);

-- +goose Down
DROP INDEX uq_cases_inbox_key;
ALTER TABLE cases DROP COLUMN inbox_key;
