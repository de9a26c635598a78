-- Strategy presets: saved UI settings, never trading logic.
CREATE TABLE strategy_presets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name VARCHAR(100) NOT NULL UNIQUE,
    ticker VARCHAR(16) NOT NULL,
    rule_type VARCHAR(32) NOT NULL,
    config_json TEXT NOT NULL,
    created_at VARCHAR(40) NOT NULL
);

-- One row per run; the database is the source of truth between web and worker.
CREATE TABLE backtest_results (
    run_id VARCHAR(64) PRIMARY KEY,
    ticker VARCHAR(16) NOT NULL,
    rule_type VARCHAR(32) NOT NULL,
    rule_id VARCHAR(128),
    status VARCHAR(16) NOT NULL,
    request_json TEXT NOT NULL,
    params_json TEXT NOT NULL,
    metrics_json TEXT,
    result_json TEXT,
    error_message VARCHAR(1000),
    fingerprint VARCHAR(64),
    worker VARCHAR(255),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at VARCHAR(40) NOT NULL,
    started_at VARCHAR(40),
    finished_at VARCHAR(40)
);

CREATE INDEX idx_backtest_results_status ON backtest_results (status);
CREATE INDEX idx_backtest_results_created ON backtest_results (created_at);
