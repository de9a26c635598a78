-- Parameter sweeps (issue 12): one row per sweep, one per shard, one per
-- evaluated combination. The database is the source of truth between the
-- web and the shard workers, as for single runs.
CREATE TABLE sweeps (
    sweep_id VARCHAR(64) PRIMARY KEY,
    ticker VARCHAR(16) NOT NULL,
    rule_type VARCHAR(32) NOT NULL,
    objective VARCHAR(32) NOT NULL,
    status VARCHAR(16) NOT NULL,
    -- The validated sweep request: what every shard rebuilds its plan from.
    request_json TEXT NOT NULL,
    -- Combinations to evaluate (folds x plan size for a walk-forward).
    total BIGINT NOT NULL,
    shards INTEGER NOT NULL,
    -- Walk-forward folds, out-of-sample curve and efficiency, once completed.
    result_json TEXT,
    error_message VARCHAR(1000),
    created_at VARCHAR(40) NOT NULL,
    started_at VARCHAR(40),
    finished_at VARCHAR(40)
);

CREATE INDEX idx_sweeps_created ON sweeps (created_at);
CREATE INDEX idx_sweeps_status ON sweeps (status);

-- Progress and retries per shard; `done` moves in the transaction that
-- stores the shard's batch.
CREATE TABLE sweep_shards (
    sweep_id VARCHAR(64) NOT NULL,
    shard INTEGER NOT NULL,
    status VARCHAR(16) NOT NULL,
    done BIGINT NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    worker VARCHAR(255),
    error_message VARCHAR(1000),
    started_at VARCHAR(40),
    finished_at VARCHAR(40),
    PRIMARY KEY (sweep_id, shard)
);

-- One row per combination (and fold). The primary key makes a second
-- write of a combination (a resumed or duplicate shard) a no-op. The
-- metric columns order the top-N queries; metrics_json is the exact value.
CREATE TABLE sweep_results (
    sweep_id VARCHAR(64) NOT NULL,
    combo_index BIGINT NOT NULL,
    fold INTEGER NOT NULL,
    grid_index BIGINT NOT NULL,
    outcome VARCHAR(16) NOT NULL,
    rule_id VARCHAR(128),
    params_json TEXT NOT NULL,
    metrics_json TEXT,
    skip_reason VARCHAR(1000),
    total_return_pct DOUBLE,
    sharpe_ratio DOUBLE,
    max_drawdown_pct DOUBLE,
    profit_factor DOUBLE,
    num_trades BIGINT,
    PRIMARY KEY (sweep_id, combo_index)
);

CREATE INDEX idx_sweep_results_sharpe ON sweep_results (sweep_id, fold, sharpe_ratio);
CREATE INDEX idx_sweep_results_return ON sweep_results (sweep_id, fold, total_return_pct);
CREATE INDEX idx_sweep_results_drawdown ON sweep_results (sweep_id, fold, max_drawdown_pct);
CREATE INDEX idx_sweep_results_pf ON sweep_results (sweep_id, fold, profit_factor);
CREATE INDEX idx_sweep_results_grid ON sweep_results (sweep_id, fold, grid_index);
