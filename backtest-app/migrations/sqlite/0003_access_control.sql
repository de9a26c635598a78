-- Access control (issue 13): API tokens, and the owner of every run and
-- preset. The owner is the token's name; '' is the anonymous owner of
-- AUTH_MODE=off (not NULL, so that the per-owner unique key on preset
-- names also holds for anonymous presets).

-- Only the SHA-256 of a token is stored; the token itself is shown once.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name VARCHAR(100) NOT NULL UNIQUE,
    token_hash CHAR(64) NOT NULL UNIQUE,
    is_admin INTEGER NOT NULL DEFAULT 0,
    created_at VARCHAR(40) NOT NULL,
    revoked_at VARCHAR(40)
);

ALTER TABLE backtest_results ADD COLUMN owner VARCHAR(100) NOT NULL DEFAULT '';
-- Quota counts: a token's queued and running runs.
CREATE INDEX idx_backtest_results_owner_status ON backtest_results (owner, status);

-- SQLite cannot drop the column's UNIQUE constraint on name: rebuild the
-- table with the unique key on (owner, name), keeping ids.
CREATE TABLE strategy_presets_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner VARCHAR(100) NOT NULL DEFAULT '',
    name VARCHAR(100) NOT NULL,
    ticker VARCHAR(16) NOT NULL,
    rule_type VARCHAR(32) NOT NULL,
    config_json TEXT NOT NULL,
    created_at VARCHAR(40) NOT NULL,
    UNIQUE (owner, name)
);
INSERT INTO strategy_presets_new (id, owner, name, ticker, rule_type, config_json, created_at)
    SELECT id, '', name, ticker, rule_type, config_json, created_at FROM strategy_presets;
DROP TABLE strategy_presets;
ALTER TABLE strategy_presets_new RENAME TO strategy_presets;

-- One row, updated by every submission before it counts and inserts: the
-- lock that makes "count the active work, then insert" atomic, so that
-- concurrent submissions cannot race past a quota.
CREATE TABLE work_admission (
    id INTEGER PRIMARY KEY,
    admitted BIGINT NOT NULL DEFAULT 0
);
INSERT INTO work_admission (id, admitted) VALUES (1, 0);
