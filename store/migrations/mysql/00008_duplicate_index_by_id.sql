-- Finding open cases of a matter near a new report (duplicates) reads the newest first, a page
-- at a time. With the id after township and matter the index gives them in that order, and
-- holds the state for the check, so the query reads no other index nor sorts anything.

-- +goose Up
DROP INDEX idx_cases_township_matter_state ON cases;
CREATE INDEX idx_cases_township_matter_id ON cases (township_code, matter_code, id, state);

-- +goose Down
DROP INDEX idx_cases_township_matter_id ON cases;
CREATE INDEX idx_cases_township_matter_state ON cases (township_code, matter_code, state);
