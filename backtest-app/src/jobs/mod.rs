//! Asynchronous runs: the launcher (local subprocess or Kubernetes Job) and
//! the worker that runs exactly one backtest and persists it (SPEC §6).
//!
//! The database is the source of truth. The web inserts a `queued` row and
//! asks a [`JobLauncher`] for a worker; the worker claims the run
//! (`running`), stores the result and `completed` in one transaction, or
//! `failed` with a short message. The launcher watches its workers and fails
//! any run whose worker vanished without writing, so no run stays `queued` or
//! `running` forever:
//!
//! - [`local::LocalLauncher`] spawns `backtest worker --run-id ID`
//!   subprocesses, at most `MAX_CONCURRENT_WORKERS` at once (the rest wait
//!   in an in-process FIFO), kills a worker after `WORKER_TIMEOUT_SECS`, and
//!   at start-up fails the runs a previous web left `running` and relaunches
//!   the `queued` ones;
//! - [`k8s::K8sLauncher`] creates one `batch/v1` Job per run, watches it,
//!   deletes it (propagation Background) once the run is `completed`, and
//!   keeps a failed Job (its TTL cleans it) after failing the run with the
//!   reason from the Job's conditions.
//!
//! Parameter sweeps (issue 12, [`crate::sweeps`]) run through the same
//! launchers: [`JobLauncher::launch_sweep`] starts one `backtest worker
//! --sweep-id ID --shard K` per shard, locally as queued subprocesses (one
//! retry each), on Kubernetes as the pods of one Indexed Job
//! (`backoffLimitPerIndex: 1`).

pub mod fingerprint;
pub mod k8s;
pub mod local;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::AnyPool;

use crate::config::{AppConfig, LauncherMode};

/// Starts workers for runs already stored as `queued`.
#[rocket::async_trait]
pub trait JobLauncher: Send + Sync + std::fmt::Debug {
    /// Starts (or queues) a worker for `run_id`. An error means no worker
    /// will run it; the caller then fails the run.
    async fn launch(&self, run_id: &str) -> anyhow::Result<()>;

    /// Starts (or queues) the `shards` workers of a sweep stored as
    /// `queued`. An error means they will not run; the caller then fails
    /// the sweep.
    async fn launch_sweep(&self, sweep_id: &str, shards: u64) -> anyhow::Result<()>;

    /// Brings the runs left unfinished by a previous web process to an end
    /// (relaunch or fail) and starts background supervision. Called once,
    /// when the web starts serving.
    async fn recover(&self) -> anyhow::Result<()>;

    /// Stops the background work (sweeps, watches, the dispatcher) and
    /// drains: waits up to `drain` for the workers this process supervises.
    /// A run not finished by then is left retryable, never lost. Called once,
    /// when the web shuts down.
    async fn shutdown(&self, drain: Duration);

    /// `local` or `k8s`, for logs.
    fn mode(&self) -> &'static str;
}

/// Builds the launcher selected by `JOB_LAUNCHER_MODE`.
pub async fn launcher(config: &AppConfig, pool: AnyPool) -> anyhow::Result<Arc<dyn JobLauncher>> {
    Ok(match config.job_launcher_mode {
        LauncherMode::Local => Arc::new(local::LocalLauncher::start(
            local::LocalSettings::from_config(config)?,
            pool,
        )),
        LauncherMode::K8s => {
            let client = kube::Client::try_default()
                .await
                .context("cannot reach the Kubernetes API (JOB_LAUNCHER_MODE=k8s)")?;
            let settings = k8s::K8sSettings::from_config(config)?;
            Arc::new(k8s::K8sLauncher::new(client, settings, pool))
        }
    })
}

/// A message cut to `max` characters for `error_message`.
pub(crate) fn short(message: &str, max: usize) -> String {
    let mut out: String = message.chars().take(max).collect();
    if message.chars().count() > max {
        out.push('…');
    }
    out
}
