-- A notice takes its turn under its recipient's rate limit once: when it is written (the
-- workflow books it and writes the intent due at that turn), or when it is first claimed. A
-- paced intent is not booked again, so a flood of notices to one person is written once, due
-- at its turn, instead of being claimed and deferred.

-- +goose Up
ALTER TABLE intents ADD COLUMN paced BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE intents DROP COLUMN paced;
