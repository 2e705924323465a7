-- Finding open cases of a matter near a new report (duplicates) by township and matter.

-- +goose Up
CREATE INDEX idx_cases_township_matter_state ON cases (township_code, matter_code, state);

-- +goose Down
DROP INDEX idx_cases_township_matter_state;
