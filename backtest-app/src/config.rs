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
        }
    }
}

/// Environment variables read into [`AppConfig`] (upper-case of the field names).
const ENV_KEYS: [&str; 12] = [
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
        Backend::from_url(&self.database_url)?;
        anyhow::ensure!(
            self.max_concurrent_workers >= 1,
            "MAX_CONCURRENT_WORKERS must be at least 1"
        );
        anyhow::ensure!(
            self.max_sync_runs != Some(0),
            "MAX_SYNC_RUNS must be at least 1"
        );
        anyhow::ensure!(
            self.worker_timeout_secs >= 1,
            "WORKER_TIMEOUT_SECS must be at least 1"
        );
        Ok(())
    }

    /// The database backend.
    pub fn backend(&self) -> Backend {
        Backend::from_url(&self.database_url).unwrap_or(Backend::Sqlite)
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
            .unwrap_or(self.backend() == Backend::Sqlite)
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
            assert_eq!(config.backend(), Backend::MySql);
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
            assert_eq!(config.backend(), Backend::Sqlite);
            assert!(config.auto_migrate());
            assert_eq!(config.data_dir, PathBuf::from("data"));
            Ok(())
        });
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
            jail.set_env("MAX_SYNC_RUNS", "3");
            assert_eq!(AppConfig::load().map(|c| c.sync_run_limit()).ok(), Some(3));
            Ok(())
        });
    }
}
