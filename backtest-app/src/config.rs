//! Configuration: defaults, then `Backtest.toml` (optional), then the
//! environment (`DATABASE_URL`, `DATA_DIR`, `JOB_LAUNCHER_MODE`, ...).
//! Rocket's own settings (`ROCKET_ADDRESS`, `ROCKET_PORT`, limits) come from
//! `Rocket.toml` and `ROCKET_*` as usual. Secrets only ever come from the
//! environment.

use std::path::PathBuf;

use anyhow::Context;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::db::Backend;

/// How workers are started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LauncherMode {
    /// A subprocess of this binary (embedded default).
    #[default]
    Local,
    /// A Kubernetes `batch/v1` Job per run.
    K8s,
}

/// Who may use the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// No authentication: everyone is the anonymous owner and sees
    /// everything (the embedded quick start; a warning says so at start-up).
    #[default]
    Off,
    /// Every API request needs `Authorization: Bearer TOKEN`, a token made
    /// by `backtest token create`.
    Token,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One JSON object per line (containers).
    #[default]
    Json,
    /// Human-readable.
    Pretty,
}

/// Application settings shared by `serve`, `worker` and `db migrate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppConfig {
    /// `sqlite://path?mode=rwc` or `mysql://user:pass@host:3306/db`.
    pub database_url: String,
    /// Directory of `<TICKER>.csv` files.
    pub data_dir: PathBuf,
    /// `local` or `k8s`.
    pub job_launcher_mode: LauncherMode,
    /// `error`, `warn`, `info`, `debug`, `trace` or a tracing filter.
    pub log_level: String,
    /// `json` or `pretty`.
    pub log_format: LogFormat,
    /// Migrate at web start-up. Unset: yes for SQLite (embedded default),
    /// no for MySQL (run `backtest db migrate`).
    pub db_auto_migrate: Option<bool>,
    /// Most local workers running at once; more runs wait in `queued`.
    pub max_concurrent_workers: usize,
    /// A worker running longer is killed and its run marked failed.
    pub worker_timeout_secs: u64,
    /// Worker Job template (YAML) for the k8s launcher; built-in when unset.
    pub job_template_path: Option<PathBuf>,
    /// Image of worker Jobs (k8s launcher).
    pub worker_image: Option<String>,
    /// Namespace of worker Jobs; from the service account when unset.
    pub k8s_namespace: Option<String>,
    /// Most synchronous `/run_backtest` runs computing at once (more get 503
    /// with `Retry-After`); the number of cores when unset.
    pub max_sync_runs: Option<usize>,
    /// Period (seconds) of the local launcher's sweep for lost runs.
    pub backtest_sweep_interval_secs: u64,
    /// Test hook: a worker waits this long (ms) before computing.
    pub backtest_worker_delay_ms: Option<u64>,
    /// This machine's name (the pod name on Kubernetes), stored with a run.
    pub hostname: Option<String>,
    /// How long (seconds) the k8s launcher waits for a succeeded Job's result
    /// to show in the database.
    pub k8s_result_wait_secs: u64,
    /// Pause (seconds) before the k8s launcher watches again after an error.
    pub k8s_retry_delay_secs: u64,
    /// Period (seconds) of the k8s launcher's sweep for unwatched runs.
    pub k8s_sweep_interval_secs: u64,
    /// `off` or `token`.
    pub auth_mode: AuthMode,
    /// In `token` mode, whether `/metrics` needs a token too (scrapers
    /// inside the cluster usually have none, so it is off by default).
    pub metrics_require_token: bool,
    /// Most `queued` or `running` runs of one token (`token` mode).
    pub quota_max_active_runs: u32,
    /// Most `queued` or `running` sweeps of one token (`token` mode).
    pub quota_max_active_sweeps: u32,
    /// Most submissions (stored or synchronous runs) of one token per minute
    /// (`token` mode); bursts up to this many.
    pub quota_submits_per_minute: u32,
    /// Most `queued` runs in the database, all owners together; a submission
    /// beyond it is 503 with `Retry-After`, so the launcher is never handed
    /// more than it can work through.
    pub max_queued_runs: u32,
    /// Server-side timeout (seconds) of one watch of a worker Job; the
    /// watcher then watches again from the last version seen.
    pub k8s_watch_timeout_secs: u32,
    /// Most combinations one parameter sweep may evaluate (`POST
    /// /api/sweeps` answers 400 above it).
    pub sweep_max_combinations: u64,
    /// Shards of a parameter sweep whose request names none.
    pub sweep_default_shards: u64,
    /// Pods of a sweep's Indexed Job running at once (k8s launcher).
    pub sweep_parallelism: u32,
    /// Combinations per stored batch of a sweep shard; unset: sized so a
    /// batch computes for about a quarter of a second.
    pub sweep_batch_size: Option<usize>,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            database_url: "sqlite://backtest.db?mode=rwc".to_owned(),
            data_dir: PathBuf::from("data"),
            job_launcher_mode: LauncherMode::Local,
            log_level: "info".to_owned(),
            log_format: LogFormat::Json,
            db_auto_migrate: None,
            max_concurrent_workers: 2,
            worker_timeout_secs: 300,
            job_template_path: None,
            worker_image: None,
            k8s_namespace: None,
            max_sync_runs: None,
            backtest_sweep_interval_secs: 30,
            backtest_worker_delay_ms: None,
            hostname: None,
            k8s_result_wait_secs: 30,
            k8s_retry_delay_secs: 2,
            k8s_sweep_interval_secs: 60,
            auth_mode: AuthMode::Off,
            metrics_require_token: false,
            quota_max_active_runs: 20,
            quota_max_active_sweeps: 2,
            quota_submits_per_minute: 60,
            max_queued_runs: 1000,
            k8s_watch_timeout_secs: 290,
            sweep_max_combinations: 100_000,
            sweep_default_shards: 2,
            sweep_parallelism: 4,
            sweep_batch_size: None,
        }
    }
}

/// Environment variables read into [`AppConfig`] (upper-case of the field names).
const ENV_KEYS: [&str; 29] = [
    "DATABASE_URL",
    "DATA_DIR",
    "JOB_LAUNCHER_MODE",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "DB_AUTO_MIGRATE",
    "MAX_CONCURRENT_WORKERS",
    "WORKER_TIMEOUT_SECS",
    "JOB_TEMPLATE_PATH",
    "WORKER_IMAGE",
    "K8S_NAMESPACE",
    "MAX_SYNC_RUNS",
    "BACKTEST_SWEEP_INTERVAL_SECS",
    "BACKTEST_WORKER_DELAY_MS",
    "HOSTNAME",
    "K8S_RESULT_WAIT_SECS",
    "K8S_RETRY_DELAY_SECS",
    "K8S_SWEEP_INTERVAL_SECS",
    "AUTH_MODE",
    "METRICS_REQUIRE_TOKEN",
    "QUOTA_MAX_ACTIVE_RUNS",
    "QUOTA_MAX_ACTIVE_SWEEPS",
    "QUOTA_SUBMITS_PER_MINUTE",
    "MAX_QUEUED_RUNS",
    "K8S_WATCH_TIMEOUT_SECS",
    "SWEEP_MAX_COMBINATIONS",
    "SWEEP_DEFAULT_SHARDS",
    "SWEEP_PARALLELISM",
    "SWEEP_BATCH_SIZE",
];

impl AppConfig {
    /// The layered configuration sources.
    pub fn figment() -> Figment {
        Figment::from(Serialized::defaults(Self::default()))
            .merge(Toml::file("Backtest.toml"))
            .merge(
                Env::raw()
                    .only(&ENV_KEYS)
                    .map(|k| k.as_str().to_ascii_lowercase().into()),
            )
    }

    /// Loads and checks the configuration.
    pub fn load() -> anyhow::Result<Self> {
        let config: Self = Self::figment().extract().context("invalid configuration")?;
        config.check()?;
        Ok(config)
    }

    /// Checks values that cannot be expressed in types.
    pub fn check(&self) -> anyhow::Result<()> {
        self.backend()?;
        for (name, secs) in [
            (
                "BACKTEST_SWEEP_INTERVAL_SECS",
                self.backtest_sweep_interval_secs,
            ),
            ("K8S_RESULT_WAIT_SECS", self.k8s_result_wait_secs),
            ("K8S_RETRY_DELAY_SECS", self.k8s_retry_delay_secs),
            ("K8S_SWEEP_INTERVAL_SECS", self.k8s_sweep_interval_secs),
            (
                "K8S_WATCH_TIMEOUT_SECS",
                u64::from(self.k8s_watch_timeout_secs),
            ),
        ] {
            anyhow::ensure!(secs >= 1, "{name} must be at least 1");
        }
        anyhow::ensure!(
            self.max_concurrent_workers >= 1,
            "MAX_CONCURRENT_WORKERS must be at least 1"
        );
        anyhow::ensure!(
            self.max_sync_runs != Some(0),
            "MAX_SYNC_RUNS must be at least 1"
        );
        anyhow::ensure!(
            self.sweep_max_combinations >= 1,
            "SWEEP_MAX_COMBINATIONS must be at least 1"
        );
        anyhow::ensure!(
            (1..=crate::sweeps::spec::MAX_SHARDS).contains(&self.sweep_default_shards),
            "SWEEP_DEFAULT_SHARDS must be from 1 to {}",
            crate::sweeps::spec::MAX_SHARDS
        );
        anyhow::ensure!(
            self.sweep_parallelism >= 1,
            "SWEEP_PARALLELISM must be at least 1"
        );
        anyhow::ensure!(
            self.sweep_batch_size != Some(0),
            "SWEEP_BATCH_SIZE must be at least 1"
        );
        anyhow::ensure!(
            self.worker_timeout_secs >= 1,
            "WORKER_TIMEOUT_SECS must be at least 1"
        );
        for (name, value) in [
            ("QUOTA_MAX_ACTIVE_RUNS", self.quota_max_active_runs),
            ("QUOTA_SUBMITS_PER_MINUTE", self.quota_submits_per_minute),
            ("MAX_QUEUED_RUNS", self.max_queued_runs),
        ] {
            anyhow::ensure!(value >= 1, "{name} must be at least 1");
        }
        Ok(())
    }

    /// The database backend.
    ///
    /// # Errors
    /// A `DATABASE_URL` of another scheme (never a silent SQLite fallback).
    pub fn backend(&self) -> anyhow::Result<Backend> {
        Backend::from_url(&self.database_url)
    }

    /// Most synchronous runs computing at once: `MAX_SYNC_RUNS`, else the
    /// number of cores.
    pub fn sync_run_limit(&self) -> usize {
        self.max_sync_runs.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        })
    }

    /// Whether the web migrates the schema at start-up.
    pub fn auto_migrate(&self) -> bool {
        self.db_auto_migrate
            .unwrap_or(matches!(self.backend(), Ok(Backend::Sqlite)))
    }
}

#[cfg(test)]
#[allow(
    clippy::result_large_err,
    reason = "figment's Jail closures must return figment::Error"
)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("DATABASE_URL", "mysql://u:p@127.0.0.1:3306/db");
            jail.set_env("JOB_LAUNCHER_MODE", "k8s");
            jail.set_env("MAX_CONCURRENT_WORKERS", "4");
            let config = AppConfig::load().expect("valid");
            assert_eq!(config.backend().ok(), Some(Backend::MySql));
            assert_eq!(config.job_launcher_mode, LauncherMode::K8s);
            assert_eq!(config.max_concurrent_workers, 4);
            assert!(!config.auto_migrate(), "MySQL migrates explicitly");
            Ok(())
        });
    }

    #[test]
    fn defaults_are_the_embedded_platform() {
        figment::Jail::expect_with(|_| {
            let config = AppConfig::load().expect("valid");
            assert_eq!(config.backend().ok(), Some(Backend::Sqlite));
            assert!(config.auto_migrate());
            assert_eq!(config.data_dir, PathBuf::from("data"));
            assert_eq!(config.auth_mode, AuthMode::Off, "the quick start is open");
            assert_eq!(config.quota_max_active_runs, 20);
            Ok(())
        });
    }

    #[test]
    fn unknown_database_scheme_is_an_error_not_sqlite() {
        let config = AppConfig {
            database_url: "postgres://u@h/db".to_owned(),
            ..AppConfig::default()
        };
        assert!(config.backend().is_err());
        assert!(!config.auto_migrate());
    }

    #[test]
    fn rejects_unknown_database_and_mode() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("DATABASE_URL", "postgres://x");
            assert!(AppConfig::load().is_err());
            jail.set_env("DATABASE_URL", "sqlite://x.db");
            jail.set_env("JOB_LAUNCHER_MODE", "docker");
            assert!(AppConfig::load().is_err());
            jail.set_env("JOB_LAUNCHER_MODE", "local");
            jail.set_env("MAX_SYNC_RUNS", "0");
            assert!(AppConfig::load().is_err());
            jail.set_env("K8S_RESULT_WAIT_SECS", "0");
            assert!(AppConfig::load().is_err());
            jail.set_env("K8S_RESULT_WAIT_SECS", "5");
            jail.set_env("MAX_SYNC_RUNS", "3");
            assert_eq!(AppConfig::load().map(|c| c.sync_run_limit()).ok(), Some(3));
            jail.set_env("AUTH_MODE", "password");
            assert!(AppConfig::load().is_err(), "only off and token exist");
            jail.set_env("AUTH_MODE", "token");
            jail.set_env("QUOTA_MAX_ACTIVE_RUNS", "0");
            assert!(AppConfig::load().is_err());
            jail.set_env("QUOTA_MAX_ACTIVE_RUNS", "5");
            jail.set_env("METRICS_REQUIRE_TOKEN", "true");
            let config = AppConfig::load().expect("valid");
            assert_eq!(config.auth_mode, AuthMode::Token);
            assert_eq!(config.quota_max_active_runs, 5);
            assert!(config.metrics_require_token);
            Ok(())
        });
    }
}
