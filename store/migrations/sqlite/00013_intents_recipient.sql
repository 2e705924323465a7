-- A staff member's "1" acts on the last card delivered to them: the newest sent intent of a
-- recipient is found through this index instead of a scan of the outbox.

-- +goose Up
CREATE INDEX idx_intents_recipient ON intents (recipient_id, id);

-- +goose Down
DROP INDEX idx_intents_recipient;
