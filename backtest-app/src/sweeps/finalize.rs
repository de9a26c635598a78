//! Completing a sweep once every shard is done.
//!
//! Called by each shard after it completes (the last one to commit sees
//! every shard completed) and by the launchers as a safety net; the
//! `WHERE status IN ('queued', 'running')` of the final update makes it
//! happen once. A walk-forward sweep is assembled here: each fold's best
//! training row (by the objective, ties in grid order, exactly the core's
//! ranking) runs on the fold's test bars with the core's
//! [`backtest_core::sweep::test_folds`].

use std::path::Path;

use anyhow::{anyhow, Context};
use backtest_adapter::data::DataDir;
use backtest_core::optimizer::GridResult;
use backtest_core::sweep::test_folds;
use serde_json::json;
use sqlx::AnyPool;

use super::spec::SweepSpec;
use crate::db::sweep_results::{self, StoredResult};
use crate::db::sweeps;

/// Completes `sweep_id` if every shard is done; true when this call did.
///
/// # Errors
/// Database errors, or a stored row that cannot be read back.
pub async fn try_finalize(pool: &AnyPool, data_dir: &Path, sweep_id: &str) -> anyhow::Result<bool> {
    let shards = sweeps::shards(pool, sweep_id).await?;
    if shards.is_empty() || !shards.iter().all(sweeps::Shard::is_completed) {
        return Ok(false);
    }
    let Some(sweep) = sweeps::get(pool, sweep_id).await? else {
        return Ok(false);
    };
    if sweep.status.is_final() {
        return Ok(false);
    }
    let spec = SweepSpec::from_stored(&sweep.request_json)?;
    let Some(windows) = spec.windows() else {
        if sweep_results::evaluated(pool, sweep_id, 0).await? == 0 {
            let message = "no combination is valid: the rule rejected every one";
            return Ok(sweeps::fail(pool, sweep_id, message).await?);
        }
        return Ok(sweeps::complete(pool, sweep_id, None).await?);
    };
    let series = {
        let spec = spec.clone();
        let dir = DataDir::new(data_dir);
        tokio::task::spawn_blocking(move || spec.load(&dir))
            .await
            .map_err(|e| anyhow!("the data task failed: {e}"))?
            .map_err(|e| anyhow!("cannot load the data: {e}"))?
    };
    let folds = windows.folds(series.len()).map_err(|e| anyhow!("{e}"))?;
    let mut best = Vec::with_capacity(folds.len());
    for fold in 0..folds.len() {
        let fold_no = i64::try_from(fold).unwrap_or(i64::MAX);
        match sweep_results::best(pool, sweep_id, fold_no, spec.objective).await? {
            Some(row) => best.push((
                u64::try_from(row.grid_index).context("stored grid index is negative")?,
                grid_result(&row)?,
            )),
            None => {
                let message = format!(
                    "no combination is valid on the training window of fold {}",
                    fold + 1
                );
                return Ok(sweeps::fail(pool, sweep_id, &message).await?);
            }
        }
    }
    let plan = spec.plan(u64::MAX).map_err(|e| anyhow!("{e}"))?;
    let settings = spec.settings();
    let objective = spec.objective;
    let result = tokio::task::spawn_blocking(move || {
        test_folds(&series, &plan, &windows, best, &settings, objective)
    })
    .await
    .map_err(|e| anyhow!("the walk-forward task failed: {e}"))?
    .map_err(|e| anyhow!("walk-forward test windows: {e}"))?;
    let text = serde_json::to_string(&result).context("cannot encode the walk-forward")?;
    Ok(sweeps::complete(pool, sweep_id, Some(&text)).await?)
}

/// A stored row as the core's result type.
pub fn grid_result(row: &StoredResult) -> anyhow::Result<GridResult> {
    let params: serde_json::Value =
        serde_json::from_str(&row.params_json).context("stored params are not JSON")?;
    let metrics: serde_json::Value =
        serde_json::from_str(&row.metrics_json).context("stored metrics are not JSON")?;
    serde_json::from_value(json!({
        "params": params,
        "rule_id": row.rule_id.clone().unwrap_or_default(),
        "metrics": metrics,
    }))
    .context("stored row is not a grid result")
}
