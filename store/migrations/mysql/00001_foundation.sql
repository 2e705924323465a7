-- Foundation: places, catalogue, people, cases with their hash-chained history, attachments, outbox.

-- +goose Up
CREATE TABLE counties (
    code VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(100) NOT NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE townships (
    code VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(100) NOT NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE villages (
    code VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    township_code VARCHAR(64) NOT NULL,
    center_lat DOUBLE NULL,
    center_lng DOUBLE NULL,
    INDEX idx_villages_township (township_code)
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE grids (
    code VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    village_code VARCHAR(64) NOT NULL,
    boundary MEDIUMTEXT NULL,
    INDEX idx_grids_village (village_code)
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE departments (
    code VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(100) NOT NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE matters (
    code VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    department_code VARCHAR(64) NOT NULL,
    keywords TEXT NOT NULL,
    synonyms TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    urgency VARCHAR(16) NOT NULL,
    sign_limit VARCHAR(16) NOT NULL,
    handle_limit VARCHAR(16) NOT NULL,
    INDEX idx_matters_department (department_code)
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE delegations (
    township_code VARCHAR(64) NOT NULL,
    matter_code VARCHAR(64) NOT NULL,
    situation VARCHAR(16) NOT NULL,
    delegated BOOLEAN NOT NULL,
    batch INT NOT NULL,
    effective DATETIME(6) NULL,
    retained_by VARCHAR(200) NOT NULL,
    PRIMARY KEY (township_code, matter_code),
    INDEX idx_delegations_matter (matter_code)
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE teams (
    code VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    township_code VARCHAR(64) NOT NULL,
    department_code VARCHAR(64) NOT NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE people (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    code VARCHAR(64) NULL,
    name VARCHAR(100) NOT NULL,
    phone VARCHAR(32) NOT NULL,
    role VARCHAR(32) NOT NULL,
    team_code VARCHAR(64) NOT NULL,
    grid_codes TEXT NOT NULL,
    openid VARCHAR(64) NULL,
    wecom_userid VARCHAR(64) NULL,
    preferred_channel VARCHAR(16) NOT NULL,
    unreachable BOOLEAN NOT NULL,
    last_inbound_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY uq_people_code (code),
    UNIQUE KEY uq_people_openid (openid),
    UNIQUE KEY uq_people_wecom (wecom_userid),
    INDEX idx_people_team (team_code)
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE binding_codes (
    code_hash CHAR(64) NOT NULL PRIMARY KEY,
    person_id BIGINT NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    used_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    INDEX idx_binding_codes_person (person_id)
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE counters (
    name VARCHAR(64) NOT NULL PRIMARY KEY,
    value BIGINT NOT NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE cases (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tracking_no VARCHAR(20) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    source VARCHAR(16) NOT NULL,
    description TEXT NOT NULL,
    lat DOUBLE NULL,
    lng DOUBLE NULL,
    address VARCHAR(500) NOT NULL,
    grid_code VARCHAR(64) NOT NULL,
    village_code VARCHAR(64) NOT NULL,
    township_code VARCHAR(64) NOT NULL,
    matter_code VARCHAR(64) NOT NULL,
    urgency VARCHAR(16) NOT NULL,
    confidential BOOLEAN NOT NULL,
    reporter_id BIGINT NOT NULL,
    team_code VARCHAR(64) NOT NULL,
    assignee_id BIGINT NOT NULL,
    state VARCHAR(32) NOT NULL,
    route_reason TEXT NOT NULL,
    sign_deadline DATETIME(6) NULL,
    handle_deadline DATETIME(6) NULL,
    merged_into BIGINT NOT NULL,
    return_count INT NOT NULL,
    rework_count INT NOT NULL,
    rating INT NOT NULL,
    version BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY uq_cases_tracking_no (tracking_no),
    INDEX idx_cases_team_state (team_code, state),
    INDEX idx_cases_state_handle_deadline (state, handle_deadline),
    INDEX idx_cases_state_sign_deadline (state, sign_deadline),
    INDEX idx_cases_reporter (reporter_id)
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE case_events (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    case_id BIGINT NOT NULL,
    seq INT NOT NULL,
    actor_id BIGINT NOT NULL,
    actor_role VARCHAR(32) NOT NULL,
    action VARCHAR(32) NOT NULL,
    from_state VARCHAR(32) NOT NULL,
    to_state VARCHAR(32) NOT NULL,
    note TEXT NOT NULL,
    attachment_ids TEXT NOT NULL,
    at DATETIME(6) NOT NULL,
    prev_hash CHAR(64) NOT NULL,
    hash CHAR(64) NOT NULL,
    UNIQUE KEY uq_case_events_seq (case_id, seq)
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE attachments (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    case_id BIGINT NOT NULL,
    event_id BIGINT NOT NULL,
    path VARCHAR(500) NOT NULL,
    sha256 CHAR(64) NOT NULL,
    mime_type VARCHAR(100) NOT NULL,
    size BIGINT NOT NULL,
    media_id VARCHAR(200) NOT NULL,
    fetch_error TEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    INDEX idx_attachments_case (case_id)
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE intents (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    recipient_id BIGINT NOT NULL,
    channel VARCHAR(16) NOT NULL,
    kind VARCHAR(64) NOT NULL,
    case_id BIGINT NOT NULL,
    dedup_key VARCHAR(191) NOT NULL,
    payload MEDIUMTEXT NOT NULL,
    state VARCHAR(16) NOT NULL,
    attempts INT NOT NULL,
    next_attempt_at DATETIME(6) NOT NULL,
    last_error TEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    sent_at DATETIME(6) NULL,
    UNIQUE KEY uq_intents_dedup (dedup_key),
    INDEX idx_intents_due (state, next_attempt_at),
    INDEX idx_intents_case (case_id)
) DEFAULT CHARSET=utf8mb4;

-- +goose Down
DROP TABLE intents;
DROP TABLE attachments;
DROP TABLE case_events;
DROP TABLE cases;
DROP TABLE counters;
DROP TABLE binding_codes;
DROP TABLE people;
DROP TABLE teams;
DROP TABLE delegations;
DROP TABLE matters;
DROP TABLE departments;
DROP TABLE grids;
DROP TABLE villages;
DROP TABLE townships;
DROP TABLE counties;
