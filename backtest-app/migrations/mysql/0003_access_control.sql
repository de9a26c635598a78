-- Access control (issue 13): API tokens, and the owner of every run and
-- preset. The owner is the token's name; '' is the anonymous owner of
-- AUTH_MODE=off (not NULL, so that the per-owner unique key on preset
-- names also holds for anonymous presets). Owners compare byte for byte
-- (utf8mb4_bin): `Alice` must never see the runs of `alice`.

-- Only the SHA-256 of a token is stored; the token itself is shown once.
CREATE TABLE api_tokens (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    token_hash CHAR(64) NOT NULL,
    is_admin INT NOT NULL DEFAULT 0,
    created_at VARCHAR(40) NOT NULL,
    revoked_at VARCHAR(40),
    UNIQUE KEY uq_api_tokens_name (name),
    UNIQUE KEY uq_api_tokens_hash (token_hash)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

ALTER TABLE backtest_results
    ADD COLUMN owner VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '',
    -- Quota counts: a token's queued and running runs.
    ADD KEY idx_backtest_results_owner_status (owner, status);

ALTER TABLE strategy_presets
    ADD COLUMN owner VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '' AFTER id,
    DROP INDEX uq_strategy_presets_name,
    ADD UNIQUE KEY uq_strategy_presets_owner_name (owner, name);

-- One row, updated by every submission before it counts and inserts: the
-- row lock that makes "count the active work, then insert" atomic, so that
-- concurrent submissions cannot race past a quota.
CREATE TABLE work_admission (
    id INT NOT NULL PRIMARY KEY,
    admitted BIGINT NOT NULL DEFAULT 0
) ENGINE = InnoDB;
INSERT INTO work_admission (id, admitted) VALUES (1, 0);
