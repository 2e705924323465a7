-- A team's transfer (移送) or joint enforcement (联合执法) request waits on the case for the
-- receiving teams' decision: its kind, the teams still to decide (",code,code," so that a team's
-- cases are found with LIKE), the requesting team and person, and the state the case had (where
-- a refused transfer returns). The teams that agreed to joint enforcement are kept the same way.
-- A reporter who is not confidential may leave a mobile number for the team that has the case.

-- +goose Up
ALTER TABLE cases
    ADD COLUMN request_kind VARCHAR(32) NOT NULL DEFAULT '',
    ADD COLUMN request_teams VARCHAR(1000) NOT NULL DEFAULT '',
    ADD COLUMN request_from_team VARCHAR(64) NOT NULL DEFAULT '',
    ADD COLUMN request_from_state VARCHAR(32) NOT NULL DEFAULT '',
    ADD COLUMN request_by BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN joint_teams VARCHAR(1000) NOT NULL DEFAULT '',
    ADD COLUMN contact_phone VARCHAR(20) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE cases
    DROP COLUMN request_kind,
    DROP COLUMN request_teams,
    DROP COLUMN request_from_team,
    DROP COLUMN request_from_state,
    DROP COLUMN request_by,
    DROP COLUMN joint_teams,
    DROP COLUMN contact_phone;
