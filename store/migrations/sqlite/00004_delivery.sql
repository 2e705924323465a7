-- Delivery of the outbox: which worker holds an intent being sent, and until when.

-- +goose Up
ALTER TABLE intents ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE intents ADD COLUMN claimed_until DATETIME NULL;
CREATE INDEX idx_intents_lease ON intents (state, claimed_until);

-- +goose Down
DROP INDEX idx_intents_lease;
ALTER TABLE intents DROP COLUMN claimed_until;
ALTER TABLE intents DROP COLUMN claimed_by;
