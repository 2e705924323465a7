-- The case workflow: final rulings, extensions, closure, supervision steps, followers, API tokens.

-- +goose Up
ALTER TABLE cases ADD COLUMN final_ruling BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN extension_days INT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN dispatched_at DATETIME NULL;
ALTER TABLE cases ADD COLUMN closed_at DATETIME NULL;
ALTER TABLE cases ADD COLUMN chased_at DATETIME NULL;
ALTER TABLE cases ADD COLUMN overdue_at DATETIME NULL;
ALTER TABLE cases ADD COLUMN escalation_level INT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN escalated_at DATETIME NULL;

CREATE TABLE case_followers (
    case_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX idx_case_followers_person ON case_followers (person_id);

CREATE TABLE api_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    person_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    last_used_at DATETIME NULL,
    revoked_at DATETIME NULL
);
CREATE INDEX idx_api_tokens_person ON api_tokens (person_id);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE case_followers;
ALTER TABLE cases DROP COLUMN final_ruling;
ALTER TABLE cases DROP COLUMN extension_days;
ALTER TABLE cases DROP COLUMN dispatched_at;
ALTER TABLE cases DROP COLUMN closed_at;
ALTER TABLE cases DROP COLUMN chased_at;
ALTER TABLE cases DROP COLUMN overdue_at;
ALTER TABLE cases DROP COLUMN escalation_level;
ALTER TABLE cases DROP COLUMN escalated_at;
