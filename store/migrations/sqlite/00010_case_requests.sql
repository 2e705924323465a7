-- A team's transfer (移送) or joint enforcement (联合执法) request waits on the case for the
-- receiving teams' decision: its kind, the teams still to decide (",code,code," so that a team's
-- cases are found with LIKE), the requesting team and person, and the state the case had (where
-- a refused transfer returns). The teams that agreed to joint enforcement are kept the same way.
-- A reporter who is not confidential may leave a mobile number for the team that has the case.

-- +goose Up
ALTER TABLE cases ADD COLUMN request_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN request_teams TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN request_from_team TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN request_from_state TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN request_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN joint_teams TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE cases DROP COLUMN request_kind;
ALTER TABLE cases DROP COLUMN request_teams;
ALTER TABLE cases DROP COLUMN request_from_team;
ALTER TABLE cases DROP COLUMN request_from_state;
ALTER TABLE cases DROP COLUMN request_by;
ALTER TABLE cases DROP COLUMN joint_teams;
ALTER TABLE cases DROP COLUMN contact_phone;
