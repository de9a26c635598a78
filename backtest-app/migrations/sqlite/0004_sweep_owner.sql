-- The owner of every sweep (issue 13), as for runs and presets: the token's
-- name, '' for the anonymous owner of AUTH_MODE=off.
ALTER TABLE sweeps ADD COLUMN owner VARCHAR(100) NOT NULL DEFAULT '';
CREATE INDEX idx_sweeps_owner_status ON sweeps (owner, status);
