-- The index of leases (state, claimed_until) goes: every notice written paid for it, while the
-- query of expired leases reads few rows (those being sent) through idx_intents_due, whose first
-- column is the state too.

-- +goose Up
DROP INDEX idx_intents_lease ON intents;

-- +goose Down
CREATE INDEX idx_intents_lease ON intents (state, claimed_until);
