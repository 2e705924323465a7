-- Foundation: places, catalogue, people, cases with their hash-chained history, attachments, outbox.

-- +goose Up
CREATE TABLE counties (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE townships (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE villages (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    township_code TEXT NOT NULL,
    center_lat DOUBLE NULL,
    center_lng DOUBLE NULL
);
CREATE INDEX idx_villages_township ON villages (township_code);

CREATE TABLE grids (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    village_code TEXT NOT NULL,
    boundary TEXT NULL
);
CREATE INDEX idx_grids_village ON grids (village_code);

CREATE TABLE departments (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE matters (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    department_code TEXT NOT NULL,
    keywords TEXT NOT NULL,
    synonyms TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    urgency TEXT NOT NULL,
    sign_limit TEXT NOT NULL,
    handle_limit TEXT NOT NULL
);
CREATE INDEX idx_matters_department ON matters (department_code);

CREATE TABLE delegations (
    township_code TEXT NOT NULL,
    matter_code TEXT NOT NULL,
    situation TEXT NOT NULL,
    delegated BOOLEAN NOT NULL,
    batch INT NOT NULL,
    effective DATETIME NULL,
    retained_by TEXT NOT NULL,
    PRIMARY KEY (township_code, matter_code)
);
CREATE INDEX idx_delegations_matter ON delegations (matter_code);

CREATE TABLE teams (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    township_code TEXT NOT NULL,
    department_code TEXT NOT NULL
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    role TEXT NOT NULL,
    team_code TEXT NOT NULL,
    grid_codes TEXT NOT NULL,
    openid TEXT NULL,
    wecom_userid TEXT NULL,
    preferred_channel TEXT NOT NULL,
    unreachable BOOLEAN NOT NULL,
    last_inbound_at DATETIME NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_people_code ON people (code);
CREATE UNIQUE INDEX uq_people_openid ON people (openid);
CREATE UNIQUE INDEX uq_people_wecom ON people (wecom_userid);
CREATE INDEX idx_people_team ON people (team_code);

CREATE TABLE binding_codes (
    code_hash TEXT NOT NULL PRIMARY KEY,
    person_id BIGINT NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at DATETIME NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX idx_binding_codes_person ON binding_codes (person_id);

CREATE TABLE counters (
    name TEXT NOT NULL PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tracking_no TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    description TEXT NOT NULL,
    lat DOUBLE NULL,
    lng DOUBLE NULL,
    address TEXT NOT NULL,
    grid_code TEXT NOT NULL,
    village_code TEXT NOT NULL,
    township_code TEXT NOT NULL,
    matter_code TEXT NOT NULL,
    urgency TEXT NOT NULL,
    confidential BOOLEAN NOT NULL,
    reporter_id BIGINT NOT NULL,
    team_code TEXT NOT NULL,
    assignee_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    route_reason TEXT NOT NULL,
    sign_deadline DATETIME NULL,
    handle_deadline DATETIME NULL,
    merged_into BIGINT NOT NULL,
    return_count INT NOT NULL,
    rework_count INT NOT NULL,
    rating INT NOT NULL,
    version BIGINT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_cases_tracking_no ON cases (tracking_no);
CREATE INDEX idx_cases_team_state ON cases (team_code, state);
CREATE INDEX idx_cases_state_handle_deadline ON cases (state, handle_deadline);
CREATE INDEX idx_cases_state_sign_deadline ON cases (state, sign_deadline);
CREATE INDEX idx_cases_reporter ON cases (reporter_id);

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL,
    seq INT NOT NULL,
    actor_id BIGINT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL,
    attachment_ids TEXT NOT NULL,
    at DATETIME NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE UNIQUE INDEX uq_case_events_seq ON case_events (case_id, seq);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL,
    event_id BIGINT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    media_id TEXT NOT NULL,
    fetch_error TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX idx_attachments_case ON attachments (case_id);

CREATE TABLE intents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_id BIGINT NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    case_id BIGINT NOT NULL,
    dedup_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INT NOT NULL,
    next_attempt_at DATETIME NOT NULL,
    last_error TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    sent_at DATETIME NULL
);
CREATE UNIQUE INDEX uq_intents_dedup ON intents (dedup_key);
CREATE INDEX idx_intents_due ON intents (state, next_attempt_at);
CREATE INDEX idx_intents_case ON intents (case_id);

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
