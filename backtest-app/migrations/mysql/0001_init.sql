-- Strategy presets: saved UI settings, never trading logic.
CREATE TABLE strategy_presets (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    ticker VARCHAR(16) NOT NULL,
    rule_type VARCHAR(32) NOT NULL,
    config_json MEDIUMTEXT NOT NULL,
    created_at VARCHAR(40) NOT NULL,
    UNIQUE KEY uq_strategy_presets_name (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- One row per run; the database is the source of truth between web and worker.
-- A result with charts is hundreds of KB: LONGTEXT.
CREATE TABLE backtest_results (
    run_id VARCHAR(64) NOT NULL PRIMARY KEY,
    ticker VARCHAR(16) NOT NULL,
    rule_type VARCHAR(32) NOT NULL,
    rule_id VARCHAR(128),
    status VARCHAR(16) NOT NULL,
    request_json MEDIUMTEXT NOT NULL,
    params_json MEDIUMTEXT NOT NULL,
    metrics_json MEDIUMTEXT,
    result_json LONGTEXT,
    error_message VARCHAR(1000),
    fingerprint VARCHAR(64),
    worker VARCHAR(255),
    attempts INT NOT NULL DEFAULT 0,
    created_at VARCHAR(40) NOT NULL,
    started_at VARCHAR(40),
    finished_at VARCHAR(40),
    KEY idx_backtest_results_status (status),
    KEY idx_backtest_results_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
