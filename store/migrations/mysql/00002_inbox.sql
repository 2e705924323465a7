-- The durable inbox: every inbound WeChat/WeCom message is stored here before it is acknowledged.

-- +goose Up
CREATE TABLE inbox (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    dedup_key VARCHAR(191) NOT NULL,
    channel VARCHAR(16) NOT NULL,
    openid VARCHAR(64) NOT NULL,
    msg_type VARCHAR(32) NOT NULL,
    payload MEDIUMTEXT NOT NULL,
    state VARCHAR(16) NOT NULL,
    attempts INT NOT NULL,
    reply MEDIUMTEXT NOT NULL,
    received_at DATETIME(6) NOT NULL,
    done_at DATETIME(6) NULL,
    UNIQUE KEY uq_inbox_dedup (dedup_key),
    INDEX idx_inbox_state (state, received_at)
) DEFAULT CHARSET=utf8mb4;

-- +goose Down
DROP TABLE inbox;
