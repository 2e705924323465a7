-- The durable inbox: every inbound WeChat/WeCom message is stored here before it is acknowledged.

-- +goose Up
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    openid TEXT NOT NULL,
    msg_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INT NOT NULL,
    reply TEXT NOT NULL,
    received_at DATETIME NOT NULL,
    done_at DATETIME NULL
);
CREATE UNIQUE INDEX uq_inbox_dedup ON inbox (dedup_key);
CREATE INDEX idx_inbox_state ON inbox (state, received_at);

-- +goose Down
DROP TABLE inbox;
