-- The county's colloquial and dialect words (逐暝 → 每晚) that matter suggestion reads as their
-- standard wording. An import replaces the whole list; position keeps the file's order.

-- +goose Up
CREATE TABLE colloquial (
    position INT NOT NULL PRIMARY KEY,
    say TEXT NOT NULL,
    means TEXT NOT NULL
);

-- +goose Down
DROP TABLE colloquial;
