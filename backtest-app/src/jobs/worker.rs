//! `backtest worker --run-id ID`: one run, from the database to the database.
//!
//! 1. Load the run; claim it (`queued`/`running` -> `running`). A run that is
//!    already final (a retried or duplicate worker) is left alone: exit 0.
//! 2. Run engine + adapter (charts included) on the data file (and the
//!    benchmark's) under `DATA_DIR`, hashing the very bytes it loads for the
//!    fingerprint.
//! 3. Store result, metrics, fingerprint and `completed` in one transaction
//!    ([`db::runs::complete`] is idempotent), exit 0.
//!
//! On any failure the run is marked `failed` with a short `error_message` and
//! the worker exits non-zero. If the database itself is unreachable nothing
//! can be recorded here; the launcher then fails the run from the worker's
//! exit (local) or the Job's status (Kubernetes).
//!
//! Every log line carries the `run_id` (a span entered for the whole run).
//!
//! Test hook: `BACKTEST_WORKER_DELAY_MS=<ms>` makes the worker sleep that
//! long after claiming the run, so tests can kill it or restart the web
//! while it is `running`. Unset in production.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use backtest_adapter::contract::BacktestRequest;
use backtest_adapter::data::DataDir;
use backtest_adapter::pipeline::RunError;
use sqlx::AnyPool;
use tracing::Instrument;

use super::fingerprint::{canonical_request, fingerprint};
use super::short;
use crate::config::AppConfig;
use crate::db::{self, runs};
use crate::runner::{self, DataCache};

/// Longest `error_message` the worker writes.
const MAX_MESSAGE: usize = 300;

/// What a successful run stores.
#[derive(Debug)]
pub struct Outcome {
    /// The rule id the run used.
    pub rule_id: Option<String>,
    /// The KPIs as JSON.
    pub metrics_json: String,
    /// The full SPEC §4 result JSON.
    pub result_json: String,
    /// The fingerprint of the request and the data actually loaded.
    pub fingerprint: String,
}

/// Runs the backtest stored under `run_id` and persists its result.
///
/// # Errors
/// When the run failed (it is then marked `failed` if the database is
/// reachable) or is unknown.
pub async fn run(config: &AppConfig, run_id: &str) -> anyhow::Result<()> {
    let span = tracing::info_span!("worker", run_id = %run_id);
    execute(config, run_id).instrument(span).await
}

async fn execute(config: &AppConfig, run_id: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let pool = db::connect(&config.database_url, 2).await.map_err(|e| {
        tracing::error!(error = %format!("{e:#}"), "worker cannot reach the database");
        e
    })?;
    let Some(run) = runs::get(&pool, run_id)
        .await
        .context("cannot load the run")?
    else {
        tracing::error!("unknown run");
        bail!("unknown run {run_id}");
    };
    if run.status.is_final() {
        tracing::info!(status = %run.status, "run already final; nothing to do");
        return Ok(());
    }
    let worker = worker_name(config);
    if !runs::mark_running(&pool, run_id, &worker)
        .await
        .context("cannot claim the run")?
    {
        tracing::info!("run already final; nothing to do");
        return Ok(());
    }
    tracing::info!(worker = %worker, attempt = run.attempts + 1, "run started");
    if let Some(delay) = config
        .backtest_worker_delay_ms
        .filter(|&ms| ms > 0)
        .map(Duration::from_millis)
    {
        tokio::time::sleep(delay).await;
    }

    let data_dir = DataDir::new(&config.data_dir);
    let request_json = run.request_json.clone();
    let id = run_id.to_owned();
    let outcome = tokio::task::spawn_blocking(move || compute(&request_json, &id, &data_dir))
        .await
        .map_err(|e| anyhow!("the backtest task panicked: {e}"))
        .and_then(|r| r);
    match outcome {
        Ok(outcome) => store(&pool, run_id, &outcome, started).await,
        Err(err) => {
            let message = short(&format!("{err:#}"), MAX_MESSAGE);
            tracing::error!(error = %message, "run failed");
            match runs::fail(&pool, run_id, &message).await {
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "cannot record the failure"),
            }
            Err(anyhow!(message))
        }
    }
}

async fn store(
    pool: &AnyPool,
    run_id: &str,
    outcome: &Outcome,
    started: Instant,
) -> anyhow::Result<()> {
    let stored = runs::complete(
        pool,
        run_id,
        outcome.rule_id.as_deref(),
        &outcome.metrics_json,
        &outcome.result_json,
        &outcome.fingerprint,
    )
    .await;
    match stored {
        Ok(true) => {
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                fingerprint = %outcome.fingerprint,
                "run completed"
            );
            Ok(())
        }
        Ok(false) => {
            tracing::warn!("run became final meanwhile; result not stored");
            Ok(())
        }
        Err(e) => {
            let message = short(&format!("cannot store the result: {e}"), MAX_MESSAGE);
            tracing::error!(error = %message, "run failed");
            if let Err(e) = runs::fail(pool, run_id, &message).await {
                tracing::error!(error = %e, "cannot record the failure");
            }
            Err(anyhow!(message))
        }
    }
}

/// Runs the stored request (blocking: engine, charts, file I/O).
///
/// # Errors
/// A malformed stored request, an invalid request, unreadable data, or an
/// engine or chart failure.
pub fn compute(request_json: &str, run_id: &str, data_dir: &DataDir) -> anyhow::Result<Outcome> {
    let mut request = BacktestRequest::from_json(request_json)
        .map_err(|e| anyhow!("stored request is invalid: {}: {}", e.field, e.message))?;
    request.run_id = Some(run_id.to_owned());
    let valid = request.into_validated().map_err(|e| invalid(&e.into()))?;
    // A cache of its own: the worker loads the file once, and hashes the
    // very bytes it parses.
    let (result, files) =
        runner::run(&valid, data_dir, &DataCache::default()).map_err(|e| invalid(&e))?;
    Ok(Outcome {
        rule_id: result.rule_id.clone(),
        metrics_json: serde_json::to_string(&result.metrics).context("cannot serialise metrics")?,
        result_json: result.to_json().context("cannot serialise the result")?,
        fingerprint: fingerprint(&canonical_request(&valid), &files.data_sha256()),
    })
}

/// A pipeline error as a message (the field is named for input errors).
fn invalid(err: &RunError) -> anyhow::Error {
    match err.field() {
        Some(field) => anyhow!("invalid request ({field}): {err}"),
        None => anyhow!("{err}"),
    }
}

/// `host/pid`, stored in the `worker` column.
pub(crate) fn worker_name(config: &AppConfig) -> String {
    let host = config
        .hostname
        .clone()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
        })
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{host}/{}", std::process::id())
}
