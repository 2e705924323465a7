-- The county's colloquial and dialect words (逐暝 → 每晚) that matter suggestion reads as their
-- standard wording. An import replaces the whole list; position keeps the file's order.

-- +goose Up
CREATE TABLE colloquial (
    position INT NOT NULL PRIMARY KEY,
    say VARCHAR(64) NOT NULL,
    means VARCHAR(200) NOT NULL
) DEFAULT CHARSET=utf8mb4;

-- +goose Down
DROP TABLE colloquial;
