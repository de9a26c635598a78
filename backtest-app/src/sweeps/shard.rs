//! `backtest worker --sweep-id ID --shard K`: one shard of a sweep, from the
//! database to the database.
//!
//! 1. Claim the shard (and the sweep: `queued` -> `running`); a final sweep
//!    or a completed shard means nothing to do (exit 0).
//! 2. Load the data once, rebuild the plan from the stored request.
//! 3. Skip the combinations already stored (a retried shard resumes where
//!    the killed one stopped), evaluate the rest in batches with the core's
//!    sweep code, and store each batch with the shard's progress in one
//!    transaction. Between batches, stop if the sweep is no longer
//!    `running` (cancelled, or failed by another shard).
//! 4. Mark the shard `completed`; the last shard to complete completes the
//!    sweep ([`super::finalize`]).
//!
//! A failure marks the shard attempt `failed` with its reason and exits
//! non-zero; the launcher retries it or fails the sweep. Every log line
//! carries `sweep_id` and `shard`.
//!
//! Batches aim at [`BATCH_TARGET`] of computing each, so progress moves at
//! least a few times a second whatever a combination costs;
//! `SWEEP_BATCH_SIZE` fixes the size instead.

use std::collections::HashSet;
use std::ops::Range;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use backtest_adapter::data::DataDir;
use backtest_core::sweep::{evaluate_with_cache, window_series, Outcome, SweepPlan, SweepRow};
use backtest_core::IndicatorCache;
use sqlx::AnyPool;
use tracing::Instrument;

use super::finalize::try_finalize;
use super::spec::SweepSpec;
use crate::config::AppConfig;
use crate::db::sweep_results::{self, NewResult, StoredMetrics};
use crate::db::sweeps::{self, SweepState};
use crate::db::{self, Backend};
use crate::jobs::short;
use crate::jobs::worker::worker_name;

/// Computing time one batch aims at.
pub const BATCH_TARGET: Duration = Duration::from_millis(250);
/// The first batch's size, before the cost of a combination is known.
const FIRST_BATCH: u64 = 32;
/// Largest adaptive batch.
const MAX_BATCH: u64 = 5_000;
/// Longest `error_message` a shard writes.
const MAX_MESSAGE: usize = 300;

/// Runs shard `shard` of `sweep_id`.
///
/// # Errors
/// When the shard failed (it is then marked so if the database is
/// reachable) or the sweep is unknown.
pub async fn run(config: &AppConfig, sweep_id: &str, shard: u64) -> anyhow::Result<()> {
    let span = tracing::info_span!("shard", sweep_id = %sweep_id, shard);
    execute(config, sweep_id, shard).instrument(span).await
}

/// Where a shard's time went (logged when it completes).
#[derive(Debug, Default)]
struct Stats {
    /// Combinations computed by this attempt.
    computed: u64,
    /// Batches stored.
    batches: u64,
    /// Time in the core's evaluation.
    compute: Duration,
    /// Time in the database (batch transactions and status checks).
    database: Duration,
}

/// How a shard's loop ended without error.
enum Ended {
    /// Every combination of the shard is stored.
    Done(Stats),
    /// The sweep left `running` (cancelled or failed elsewhere).
    Stopped(Option<SweepState>),
}

async fn execute(config: &AppConfig, sweep_id: &str, shard: u64) -> anyhow::Result<()> {
    let started = Instant::now();
    let backend = config.backend()?;
    let pool = db::connect(&config.database_url, 2).await.map_err(|e| {
        tracing::error!(error = %format!("{e:#}"), "shard cannot reach the database");
        e
    })?;
    let Some(sweep) = sweeps::get(&pool, sweep_id)
        .await
        .context("cannot load the sweep")?
    else {
        tracing::error!("unknown sweep");
        bail!("unknown sweep {sweep_id}");
    };
    let shard_no = i64::try_from(shard).unwrap_or(i64::MAX);
    if shard_no >= sweep.shards {
        bail!(
            "shard {shard} does not exist: the sweep has {} shards",
            sweep.shards
        );
    }
    if sweep.status.is_final() {
        tracing::info!(status = %sweep.status, "sweep already final; nothing to do");
        return Ok(());
    }
    let worker = worker_name(config);
    if !sweeps::claim_shard(&pool, sweep_id, shard_no, &worker)
        .await
        .context("cannot claim the shard")?
    {
        tracing::info!("shard already completed or sweep final; nothing to do");
        return Ok(());
    }
    tracing::info!(worker = %worker, "shard started");
    match work(&pool, backend, config, &sweep.request_json, sweep_id, shard).await {
        Ok(Ended::Done(stats)) => {
            sweeps::complete_shard(&pool, sweep_id, shard_no)
                .await
                .context("cannot mark the shard completed")?;
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                computed = stats.computed,
                batches = stats.batches,
                compute_ms = stats.compute.as_millis() as u64,
                db_ms = stats.database.as_millis() as u64,
                "shard completed"
            );
            match try_finalize(&pool, &config.data_dir, sweep_id).await {
                Ok(true) => tracing::info!("sweep completed"),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "cannot complete the sweep"),
            }
            Ok(())
        }
        Ok(Ended::Stopped(state)) => {
            tracing::info!(status = ?state, "sweep no longer running; shard stopped");
            Ok(())
        }
        Err(err) => {
            let message = short(&format!("{err:#}"), MAX_MESSAGE);
            tracing::error!(error = %message, "shard failed");
            if let Err(e) = sweeps::fail_shard(&pool, sweep_id, shard_no, &message).await {
                tracing::error!(error = %e, "cannot record the shard's failure");
            }
            Err(anyhow!(message))
        }
    }
}

async fn work(
    pool: &AnyPool,
    backend: Backend,
    config: &AppConfig,
    request_json: &str,
    sweep_id: &str,
    shard: u64,
) -> anyhow::Result<Ended> {
    let spec = SweepSpec::from_stored(request_json)?;
    let data_dir = DataDir::new(&config.data_dir);
    let series = tokio::task::block_in_place(|| spec.load(&data_dir))
        .map_err(|e| anyhow!("cannot load the data: {e}"))?;
    let plan = spec.plan(u64::MAX).map_err(|e| anyhow!("{e}"))?;
    let settings = spec.settings();
    let positions = plan.shard(shard, spec.shards).map_err(|e| anyhow!("{e}"))?;
    let folds = spec.folds(series.len()).map_err(|e| anyhow!("{e}"))?;
    let shard_no = i64::try_from(shard).unwrap_or(i64::MAX);
    let delay = config
        .backtest_worker_delay_ms
        .filter(|&ms| ms > 0)
        .map(Duration::from_millis);
    let mut batch = Batcher::new(config.sweep_batch_size);
    let mut stats = Stats::default();
    let fold_count = folds.as_ref().map_or(1, Vec::len);
    for fold in 0..fold_count {
        let window;
        let bars = match &folds {
            Some(folds) => {
                window = window_series(&series, &folds[fold].train);
                &window
            }
            None => &series,
        };
        let base = fold as u64 * plan.len();
        let combo = |position: u64| i64::try_from(base + position).unwrap_or(i64::MAX);
        let stored: HashSet<i64> = sweep_results::stored_indices(
            pool,
            sweep_id,
            combo(positions.start),
            combo(positions.end),
        )
        .await
        .context("cannot read the stored combinations")?
        .into_iter()
        .collect();
        if !stored.is_empty() {
            tracing::info!(
                fold,
                stored = stored.len(),
                "resuming after stored combinations"
            );
        }
        let cache = IndicatorCache::new();
        for run in pending_runs(positions.clone(), |p| stored.contains(&combo(p))) {
            let mut start = run.start;
            while start < run.end {
                let clock = Instant::now();
                let state = sweeps::status(pool, sweep_id).await?;
                stats.database += clock.elapsed();
                match state {
                    Some(SweepState::Running) => {}
                    other => return Ok(Ended::Stopped(other)),
                }
                if let Some(delay) = delay {
                    tokio::time::sleep(delay).await;
                }
                let end = (start + batch.size()).min(run.end);
                let clock = Instant::now();
                let rows = tokio::task::block_in_place(|| {
                    evaluate_with_cache(bars, &cache, &plan, start..end, &settings, &|| ())
                })
                .map_err(|e| anyhow!("{e}"))?;
                let took = clock.elapsed();
                batch.observe(end - start, took);
                stats.compute += took;
                stats.computed += end - start;
                let new: Vec<NewResult> = rows
                    .into_iter()
                    .zip(start..end)
                    .map(|(row, p)| to_new(&plan, row, fold as i64, combo(p)))
                    .collect::<anyhow::Result<_>>()?;
                let clock = Instant::now();
                sweep_results::insert_batch(pool, backend, sweep_id, shard_no, &new)
                    .await
                    .context("cannot store a batch")?;
                stats.database += clock.elapsed();
                stats.batches += 1;
                start = end;
            }
        }
    }
    Ok(Ended::Done(stats))
}

/// The contiguous runs of `positions` not yet stored.
fn pending_runs(positions: Range<u64>, stored: impl Fn(u64) -> bool) -> Vec<Range<u64>> {
    let mut runs = Vec::new();
    let mut open: Option<u64> = None;
    for p in positions.clone() {
        match (stored(p), open) {
            (false, None) => open = Some(p),
            (true, Some(s)) => {
                runs.push(s..p);
                open = None;
            }
            _ => {}
        }
    }
    if let Some(s) = open {
        runs.push(s..positions.end);
    }
    runs
}

/// A row as stored.
fn to_new(
    plan: &SweepPlan,
    row: SweepRow,
    fold: i64,
    combo_index: i64,
) -> anyhow::Result<NewResult> {
    let grid_index = i64::try_from(row.grid_index).unwrap_or(i64::MAX);
    Ok(match row.outcome {
        Outcome::Evaluated(result) => {
            let m = &result.metrics;
            NewResult {
                combo_index,
                fold,
                grid_index,
                params_json: serde_json::to_string(&result.params)?,
                rule_id: Some(result.rule_id.clone()),
                metrics: Some(StoredMetrics {
                    json: serde_json::to_string(m)?,
                    total_return_pct: m.total_return_pct,
                    sharpe_ratio: m.sharpe_ratio,
                    max_drawdown_pct: m.max_drawdown_pct,
                    profit_factor: m.profit_factor,
                    num_trades: i64::try_from(m.num_trades).unwrap_or(i64::MAX),
                }),
                skip_reason: None,
            }
        }
        Outcome::Skipped(reason) => NewResult {
            combo_index,
            fold,
            grid_index,
            params_json: serde_json::to_string(&plan.rule_params_at(row.grid_index))?,
            rule_id: None,
            metrics: None,
            skip_reason: Some(short(&reason, 900)),
        },
    })
}

/// Batch sizes: fixed, or adapted so one batch computes for about
/// [`BATCH_TARGET`].
struct Batcher {
    fixed: Option<u64>,
    next: u64,
}

impl Batcher {
    fn new(fixed: Option<usize>) -> Self {
        Self {
            fixed: fixed.map(|n| n.max(1) as u64),
            next: FIRST_BATCH,
        }
    }

    fn size(&self) -> u64 {
        self.fixed.unwrap_or(self.next)
    }

    fn observe(&mut self, combinations: u64, took: Duration) {
        let per = took.as_secs_f64() / combinations.max(1) as f64;
        if per > 0.0 {
            let ideal = BATCH_TARGET.as_secs_f64() / per;
            self.next = (ideal as u64).clamp(1, MAX_BATCH);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_runs_skip_stored_positions() {
        let stored = [3u64, 4, 8];
        assert_eq!(
            pending_runs(2..10, |p| stored.contains(&p)),
            vec![2..3, 5..8, 9..10]
        );
        assert_eq!(pending_runs(0..3, |_| true), Vec::<Range<u64>>::new());
        assert_eq!(pending_runs(0..3, |_| false), vec![0..3]);
    }

    #[test]
    fn batches_aim_at_the_target_time() {
        let mut b = Batcher::new(None);
        assert_eq!(b.size(), FIRST_BATCH);
        b.observe(100, Duration::from_millis(50));
        assert_eq!(b.size(), 500);
        assert_eq!(Batcher::new(Some(7)).size(), 7);
    }
}
