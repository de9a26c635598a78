-- The owner of every sweep (issue 13), as for runs and presets: the token's
-- name, '' for the anonymous owner of AUTH_MODE=off (compared byte for byte).
ALTER TABLE sweeps
    ADD COLUMN owner VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '',
    ADD KEY idx_sweeps_owner_status (owner, status);
