//! Evaluating a plan's combinations (all, or one shard's) and ranking them.

use std::ops::Range;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{SweepError, SweepPlan};
use crate::engine::{self, TradingSettings};
use crate::optimizer::{GridResult, Objective, SplitGrid};
use crate::rules::prepare_grid;
use crate::{CoreError, IndicatorCache, OhlcvSeries, RuleContext};

/// What became of one combination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It ran.
    Evaluated(GridResult),
    /// The rule rejected it (a cross-parameter constraint such as `fast < slow`).
    Skipped(String),
}

/// One combination's outcome, under its stable grid index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    /// Position in the full grid's enumeration.
    pub grid_index: u64,
    /// Result or reason it was skipped.
    pub outcome: Outcome,
}

/// Evaluates the plan's combinations at `positions` (e.g. from
/// [`SweepPlan::shard`]) on `series`, in parallel, calling `progress` once
/// per combination. Rows come back in position order.
///
/// Each combination runs exactly as [`crate::optimizer::grid_search`] runs
/// it (same rule, same indicators, same lean engine path), so its metrics
/// are bit-identical whichever shard computes it.
///
/// # Errors
/// Invalid settings, an empty series, or positions outside the plan.
pub fn evaluate(
    series: &OhlcvSeries,
    plan: &SweepPlan,
    positions: Range<u64>,
    settings: &TradingSettings,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<SweepRow>, SweepError> {
    evaluate_with_cache(
        series,
        &IndicatorCache::new(),
        plan,
        positions,
        settings,
        progress,
    )
}

/// [`evaluate`] with a caller's indicator cache (to report how many
/// distinct indicators were computed, or to share them between calls on
/// the same series).
///
/// # Errors
/// As [`evaluate`].
pub fn evaluate_with_cache(
    series: &OhlcvSeries,
    cache: &IndicatorCache,
    plan: &SweepPlan,
    positions: Range<u64>,
    settings: &TradingSettings,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<SweepRow>, SweepError> {
    settings.validate()?;
    if series.is_empty() {
        return Err(CoreError::EmptySeries.into());
    }
    if positions.end > plan.len() {
        return Err(SweepError::InvalidSetting {
            field: "shard",
            reason: format!(
                "positions up to {} exceed the plan's {}",
                positions.end,
                plan.len()
            ),
        });
    }
    let ctx = RuleContext::new(series, cache);
    // Prepared once: each combination's rule is built from typed values.
    let split = SplitGrid::new(plan.axes())?;
    let rules = prepare_grid(
        plan.rule_type(),
        &Value::Object(plan.base().clone()),
        &split.rule_axes,
    )?;
    let rows: Vec<Result<SweepRow, SweepError>> = positions
        .into_par_iter()
        .map(|position| {
            let grid_index = plan.grid_index(position);
            let (rule_point, settings_point) =
                split.locate(usize::try_from(grid_index).unwrap_or(usize::MAX));
            let outcome = match rules.rule_at(rule_point) {
                Ok(rule) => {
                    let signals = rule.signals(&ctx);
                    let point_settings = split.settings_at(settings, settings_point);
                    Outcome::Evaluated(GridResult {
                        metrics: engine::run_metrics(series, &signals, &point_settings)?,
                        params: split.params_with(rule.params(), settings_point),
                        rule_id: rule.rule_id(),
                    })
                }
                Err(e @ CoreError::InvalidParam { .. }) => Outcome::Skipped(e.to_string()),
                Err(e) => return Err(e.into()),
            };
            progress();
            Ok(SweepRow {
                grid_index,
                outcome,
            })
        })
        .collect();
    rows.into_iter().collect()
}

/// An evaluated combination with its grid index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedResult {
    /// Position in the full grid's enumeration.
    pub grid_index: u64,
    /// Parameters, rule id and metrics.
    #[serde(flatten)]
    pub result: GridResult,
}

/// Rows of any number of shards, merged and ranked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    /// Combinations evaluated.
    pub evaluated: usize,
    /// Combinations the rule rejected.
    pub skipped: usize,
    /// Evaluated combinations, best first; ties in grid order, which is
    /// the order [`crate::optimizer::grid_search`] gives.
    pub results: Vec<RankedResult>,
}

/// Merges rows (from any shards, in any order) and ranks them by `objective`.
///
/// # Errors
/// When no combination could be evaluated: the first rejection's reason.
pub fn rank(rows: Vec<SweepRow>, objective: Objective) -> Result<Ranking, SweepError> {
    let mut results = Vec::with_capacity(rows.len());
    let mut skipped = Vec::new();
    for row in rows {
        match row.outcome {
            Outcome::Evaluated(result) => results.push(RankedResult {
                grid_index: row.grid_index,
                result,
            }),
            Outcome::Skipped(reason) => skipped.push((row.grid_index, reason)),
        }
    }
    if results.is_empty() {
        skipped.sort_unstable_by_key(|(i, _)| *i);
        let reason = skipped
            .into_iter()
            .next()
            .map_or_else(|| "no combinations".to_owned(), |(_, r)| r);
        return Err(SweepError::EmptyGrid(format!(
            "no combination is valid: {reason}"
        )));
    }
    results.sort_by(|a, b| {
        objective
            .compare(&a.result.metrics, &b.result.metrics)
            .then(a.grid_index.cmp(&b.grid_index))
    });
    Ok(Ranking {
        evaluated: results.len(),
        skipped: skipped.len(),
        results,
    })
}

/// The objective's value for `metrics` (`None` when undefined), the
/// number walk-forward efficiency divides.
#[must_use]
pub fn objective_value(objective: Objective, metrics: &crate::EngineMetrics) -> Option<f64> {
    match objective {
        Objective::Sharpe => metrics.sharpe_ratio,
        Objective::TotalReturn => Some(metrics.total_return_pct),
        Objective::MaxDrawdown => Some(metrics.max_drawdown_pct),
        Objective::ProfitFactor => metrics.profit_factor,
    }
}
