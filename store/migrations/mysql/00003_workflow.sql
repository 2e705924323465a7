-- The case workflow: final rulings, extensions, closure, supervision steps, followers, API tokens.

-- +goose Up
ALTER TABLE cases
    ADD COLUMN final_ruling BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN extension_days INT NOT NULL DEFAULT 0,
    ADD COLUMN dispatched_at DATETIME(6) NULL,
    ADD COLUMN closed_at DATETIME(6) NULL,
    ADD COLUMN chased_at DATETIME(6) NULL,
    ADD COLUMN overdue_at DATETIME(6) NULL,
    ADD COLUMN escalation_level INT NOT NULL DEFAULT 0,
    ADD COLUMN escalated_at DATETIME(6) NULL;

CREATE TABLE case_followers (
    case_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (case_id, person_id),
    INDEX idx_case_followers_person (person_id)
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE api_tokens (
    token_hash CHAR(64) NOT NULL PRIMARY KEY,
    person_id BIGINT NOT NULL,
    name VARCHAR(100) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    last_used_at DATETIME(6) NULL,
    revoked_at DATETIME(6) NULL,
    INDEX idx_api_tokens_person (person_id)
) DEFAULT CHARSET=utf8mb4;

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE case_followers;
ALTER TABLE cases
    DROP COLUMN final_ruling,
    DROP COLUMN extension_days,
    DROP COLUMN dispatched_at,
    DROP COLUMN closed_at,
    DROP COLUMN chased_at,
    DROP COLUMN overdue_at,
    DROP COLUMN escalation_level,
    DROP COLUMN escalated_at;
