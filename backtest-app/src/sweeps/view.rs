//! The JSON of the sweep API: a sweep with its progress and best row, pages
//! of results, and heatmaps. Parameters and metrics go out exactly as
//! stored (the core's values, bit for bit).

use std::collections::HashMap;

use backtest_adapter::contract::{BacktestRequest, ContractError};
use backtest_core::sweep::WalkForwardResult;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::AnyPool;

use super::spec::{Search, SweepSpec};
use crate::commands::optimize_output::walk_forward_parts;
use crate::db::sweep_results::{self, SortKey, StoredResult};
use crate::db::sweeps::{self, Sweep, SweepState};

/// Why a view could not be built.
#[derive(Debug)]
pub enum ViewError {
    /// A bad query parameter (400 naming it).
    Input(ContractError),
    /// The database failed.
    Database(sqlx::Error),
    /// A stored value cannot be read back (a system fault).
    Stored(String),
}

impl From<sqlx::Error> for ViewError {
    fn from(e: sqlx::Error) -> Self {
        Self::Database(e)
    }
}

fn stored_json(text: &str, what: &str) -> Result<Value, ViewError> {
    serde_json::from_str(text).map_err(|e| ViewError::Stored(format!("stored {what}: {e}")))
}

/// One evaluated combination.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ResultRow {
    /// Position in the expanded grid (absent for a walk-forward's best,
    /// which is a fold's choice).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grid_index: Option<i64>,
    /// The rule parameters, as stored.
    pub params: Value,
    /// The rule's tracking slug.
    pub rule_id: Option<String>,
    /// The metrics, as stored (the core's values, bit for bit).
    pub metrics: Value,
}

/// `{"grid_index", "params", "rule_id", "metrics"}` of a stored row.
pub fn result_json(row: &StoredResult) -> Result<ResultRow, ViewError> {
    Ok(ResultRow {
        grid_index: Some(row.grid_index),
        params: stored_json(&row.params_json, "params")?,
        rule_id: row.rule_id.clone(),
        metrics: stored_json(&row.metrics_json, "metrics")?,
    })
}

/// How far a sweep is.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Progress {
    /// Combinations evaluated.
    pub done: i64,
    /// Combinations in all.
    pub total: i64,
    /// Shards completed.
    pub shards_done: usize,
    /// Shards in all.
    pub shards: i64,
}

/// A sweep as `GET /api/sweeps` lists it: identity, status, progress.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SweepSummary {
    /// The sweep's id (a UUID).
    pub sweep_id: String,
    /// Where the sweep is.
    pub status: SweepState,
    /// The ticker every combination runs on.
    pub ticker: String,
    /// The rule type swept.
    pub rule_type: String,
    /// What ranks the combinations.
    pub objective: String,
    /// How far it is.
    pub progress: Progress,
    /// When it was accepted.
    pub created_at: String,
    /// When its first shard started.
    pub started_at: Option<String>,
    /// When it completed, failed or was cancelled.
    pub finished_at: Option<String>,
    /// Why it failed.
    pub error_message: Option<String>,
}

/// A page of `GET /api/sweeps`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SweepsPage {
    /// The sweeps, newest first.
    pub sweeps: Vec<SweepSummary>,
    /// Page number, from 1.
    pub page: i64,
    /// Page size.
    pub limit: i64,
    /// Sweeps the caller may see.
    pub total: i64,
}

/// A walk-forward's windows, in bars, as run.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct WalkForwardView {
    /// Bars each fold optimises on.
    pub train_bars: usize,
    /// Bars each fold tests its winner on.
    pub test_bars: usize,
    /// Bars between folds.
    pub step_bars: usize,
    /// Whether training always starts at the first bar.
    pub anchored: bool,
}

/// A walk-forward's outcome (`null`s until it completed).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct WalkForwardOutcome {
    /// Per fold: the windows' dates, the winner and its in- and
    /// out-of-sample metrics.
    pub folds: Vec<Value>,
    /// The out-of-sample equity, fold after fold.
    pub oos_equity_curve: Vec<Value>,
    /// Out-of-sample over in-sample performance.
    pub efficiency: Option<f64>,
}

/// `GET /api/sweeps/<id>`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SweepDetail {
    /// Identity, status and progress.
    #[serde(flatten)]
    pub summary: SweepSummary,
    /// The settings every combination runs with, so that a client can run
    /// one combination again as a full backtest.
    pub request: BacktestRequest,
    /// The grid as submitted.
    pub grid: Value,
    /// The expanded axes: parameter -> values.
    pub axes: Map<String, Value>,
    /// The random search, if any.
    pub search: Option<Search>,
    /// The walk-forward windows, if any.
    pub walk_forward: Option<WalkForwardView>,
    /// The best combination so far (a walk-forward's: the last fold's).
    pub best: Option<ResultRow>,
    /// A walk-forward's folds, curve and efficiency.
    #[serde(flatten)]
    pub outcome: Option<WalkForwardOutcome>,
}

fn spec_of(sweep: &Sweep) -> Result<SweepSpec, ViewError> {
    SweepSpec::from_stored(&sweep.request_json).map_err(|e| ViewError::Stored(format!("{e:#}")))
}

/// A sweep as `GET /api/sweeps` lists it: identity, status, progress.
pub async fn summary(pool: &AnyPool, sweep: &Sweep) -> Result<SweepSummary, ViewError> {
    let shards = sweeps::shards(pool, &sweep.sweep_id).await?;
    Ok(SweepSummary {
        sweep_id: sweep.sweep_id.clone(),
        status: sweep.status,
        ticker: sweep.ticker.clone(),
        rule_type: sweep.rule_type.clone(),
        objective: sweep.objective.clone(),
        progress: progress(sweep, &shards),
        created_at: sweep.created_at.clone(),
        started_at: sweep.started_at.clone(),
        finished_at: sweep.finished_at.clone(),
        error_message: sweep.error_message.clone(),
    })
}

fn progress(sweep: &Sweep, shards: &[sweeps::Shard]) -> Progress {
    Progress {
        done: shards.iter().map(|s| s.done).sum::<i64>(),
        total: sweep.total,
        shards_done: shards.iter().filter(|s| s.is_completed()).count(),
        shards: sweep.shards,
    }
}

/// `GET /api/sweeps/<id>`: the summary plus the request (the backtest
/// `request` every combination runs, the grid and its expanded `axes`,
/// search, walk-forward), the best combination so far
/// and, for a walk-forward,
/// the folds, the out-of-sample equity curve and the efficiency (`null`
/// until completed).
pub async fn detail(pool: &AnyPool, sweep: &Sweep) -> Result<SweepDetail, ViewError> {
    let spec = spec_of(sweep)?;
    let summary = summary(pool, sweep).await?;
    let wf: Option<WalkForwardResult> = sweep
        .result_json
        .as_deref()
        .map(|text| {
            serde_json::from_str(text)
                .map_err(|e| ViewError::Stored(format!("stored walk-forward: {e}")))
        })
        .transpose()?;
    let best = match (&spec.walk_forward, &wf) {
        // A walk-forward's parameters to trade now: the last fold's choice.
        (Some(_), Some(result)) => match result.folds.last() {
            Some(f) => Some(ResultRow {
                grid_index: None,
                params: to_value(&f.best_params)?,
                rule_id: Some(f.rule_id.clone()),
                metrics: to_value(&f.in_sample)?,
            }),
            None => None,
        },
        (Some(_), None) => None,
        (None, _) => match sweep_results::best(pool, &sweep.sweep_id, 0, spec.objective).await? {
            Some(row) => Some(result_json(&row)?),
            None => None,
        },
    };
    // The expanded axes, for choosing a heatmap's x and y.
    let axes: serde_json::Map<String, Value> = spec
        .plan(u64::MAX)
        .map(|plan| {
            plan.axes()
                .iter()
                .map(|(name, values)| (name.clone(), Value::Array(values.clone())))
                .collect()
        })
        .unwrap_or_default();
    let outcome = spec.walk_forward.map(|_| {
        let (folds, oos_equity_curve) = wf.as_ref().map(walk_forward_parts).unwrap_or_default();
        WalkForwardOutcome {
            folds,
            oos_equity_curve,
            efficiency: wf.as_ref().and_then(|r| r.efficiency),
        }
    });
    Ok(SweepDetail {
        summary,
        request: spec.request.clone(),
        grid: spec.grid.clone(),
        axes,
        search: spec.search,
        walk_forward: spec.walk_forward.map(|w| WalkForwardView {
            train_bars: w.train_bars,
            test_bars: w.test_bars,
            step_bars: w.step_bars.unwrap_or(w.test_bars),
            anchored: w.anchored,
        }),
        best,
        outcome,
    })
}

fn to_value(value: &impl Serialize) -> Result<Value, ViewError> {
    serde_json::to_value(value).map_err(|e| ViewError::Stored(format!("encode: {e}")))
}

/// Query parameters of a results page.
#[derive(Debug, Clone, Default)]
pub struct PageQuery<'a> {
    pub sort: Option<&'a str>,
    pub order: Option<&'a str>,
    pub page: Option<&'a str>,
    pub limit: Option<&'a str>,
    pub fold: Option<&'a str>,
}

/// Default page size of results.
pub const DEFAULT_RESULTS_LIMIT: i64 = 50;

fn input(field: &str, message: impl Into<String>) -> ViewError {
    ViewError::Input(ContractError::new(field, message))
}

/// The walk-forward fold a query addresses (0 for a plain sweep).
fn fold_of(spec: &SweepSpec, sweep: &Sweep, fold: Option<&str>) -> Result<i64, ViewError> {
    let Some(text) = fold else { return Ok(0) };
    let folds = if spec.walk_forward.is_some() {
        let per_fold = spec.plan(u64::MAX).map(|p| p.len()).unwrap_or(1).max(1);
        sweep.total / i64::try_from(per_fold).unwrap_or(i64::MAX).max(1)
    } else {
        1
    };
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|f| (0..folds).contains(f))
        .ok_or_else(|| {
            input(
                "fold",
                format!("must be an integer from 0 to {}", folds - 1),
            )
        })
}

/// `GET /api/sweeps/<id>/results`: `{"results", "total", "page", "limit",
/// "sort", "order"}`; by default best first by the sweep's objective.
pub async fn results(
    pool: &AnyPool,
    sweep: &Sweep,
    query: &PageQuery<'_>,
) -> Result<ResultsPage, ViewError> {
    let spec = spec_of(sweep)?;
    let key = match query.sort {
        None => SortKey::of(spec.objective),
        Some(name) => SortKey::parse(name.trim()).ok_or_else(|| {
            let valid: Vec<&str> = SortKey::ALL.iter().map(|k| k.column()).collect();
            input(
                "sort",
                format!("`{name}` is not one of {}", valid.join(", ")),
            )
        })?,
    };
    let descending = match query.order.map(str::trim) {
        None => key.descending_by_default(),
        Some("desc") => true,
        Some("asc") => false,
        Some(other) => return Err(input("order", format!("`{other}` is not asc or desc"))),
    };
    let page = match query.page {
        None => 1,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| input("page", "must be an integer from 1"))?,
    };
    let max_limit = sweep.total.max(1);
    let limit = match query.limit {
        None => DEFAULT_RESULTS_LIMIT.min(max_limit),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=max_limit).contains(l))
            .ok_or_else(|| {
                input(
                    "limit",
                    format!("must be an integer from 1 to the sweep's {max_limit} combinations"),
                )
            })?,
    };
    let fold = fold_of(&spec, sweep, query.fold)?;
    let offset = (page - 1).saturating_mul(limit);
    let (rows, total) =
        sweep_results::page(pool, &sweep.sweep_id, fold, key, descending, limit, offset).await?;
    let results = rows
        .iter()
        .map(result_json)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ResultsPage {
        results,
        total,
        page,
        limit,
        sort: key.column(),
        order: if descending { "desc" } else { "asc" },
        fold,
    })
}

/// A page of `GET /api/sweeps/<id>/results`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ResultsPage {
    /// The combinations of the page.
    pub results: Vec<ResultRow>,
    /// Combinations evaluated (in the fold).
    pub total: i64,
    /// Page number, from 1.
    pub page: i64,
    /// Page size.
    pub limit: i64,
    /// The metric (or `grid_index`) the page is sorted by.
    pub sort: &'static str,
    /// `asc` or `desc`.
    pub order: &'static str,
    /// The walk-forward fold (0 for a plain sweep).
    pub fold: i64,
}

/// A heatmap: `z[row for y][column for x]`, the other parameters at the
/// best row's values; `null` where no evaluated combination exists.
///
/// Served as `{"x", "y", "z", "x_param", "y_param", "metric", "fixed"}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Heatmap {
    /// The parameter along x.
    #[serde(rename = "x_param")]
    pub x_name: String,
    /// The parameter along y.
    #[serde(rename = "y_param")]
    pub y_name: String,
    /// The metric drawn.
    pub metric: &'static str,
    /// The x values.
    pub x: Vec<Value>,
    /// The y values.
    pub y: Vec<Value>,
    /// `z[row for y][column for x]`, `null` where nothing was evaluated.
    pub z: Vec<Vec<Option<f64>>>,
    /// The best row's parameters (where the other axes are held).
    pub fixed: Value,
}

/// `GET /api/sweeps/<id>/heatmap?x=&y=&metric=&fold=`.
pub async fn heatmap(
    pool: &AnyPool,
    sweep: &Sweep,
    x: Option<&str>,
    y: Option<&str>,
    metric: Option<&str>,
    fold: Option<&str>,
) -> Result<Heatmap, ViewError> {
    let spec = spec_of(sweep)?;
    let plan = spec
        .plan(u64::MAX)
        .map_err(|e| ViewError::Stored(e.to_string()))?;
    let axes = plan.axes();
    let names: Vec<&str> = axes.iter().map(|(n, _)| n.as_str()).collect();
    let find = |field: &str, value: Option<&str>| -> Result<usize, ViewError> {
        let name = value
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                input(
                    field,
                    format!("missing; one of the grid parameters {}", names.join(", ")),
                )
            })?;
        names.iter().position(|n| *n == name).ok_or_else(|| {
            input(
                field,
                format!(
                    "`{name}` is not a grid parameter; one of {}",
                    names.join(", ")
                ),
            )
        })
    };
    let (xi, yi) = (find("x", x)?, find("y", y)?);
    if xi == yi {
        return Err(input("y", "must differ from x"));
    }
    let key = match metric {
        None => SortKey::of(spec.objective),
        Some(name) => SortKey::parse(name.trim())
            .filter(|k| *k != SortKey::GridIndex)
            .ok_or_else(|| {
                let valid: Vec<&str> = SortKey::ALL[..5].iter().map(|k| k.column()).collect();
                input(
                    "metric",
                    format!("`{name}` is not one of {}", valid.join(", ")),
                )
            })?,
    };
    let fold = fold_of(&spec, sweep, fold)?;
    let (xs, ys) = (axes[xi].1.clone(), axes[yi].1.clone());
    let mut z = vec![vec![None; xs.len()]; ys.len()];
    let best = sweep_results::best(pool, &sweep.sweep_id, fold, spec.objective).await?;
    let Some(best) = best else {
        return Ok(Heatmap {
            x_name: names[xi].to_owned(),
            y_name: names[yi].to_owned(),
            metric: key.column(),
            x: xs,
            y: ys,
            z,
            fixed: Value::Null,
        });
    };
    // Axis positions of the best row (mixed radix, the last axis fastest).
    let lens: Vec<u64> = axes.iter().map(|(_, v)| v.len() as u64).collect();
    let mut positions = vec![0u64; lens.len()];
    let mut rest = u64::try_from(best.grid_index).unwrap_or(0);
    for (i, len) in lens.iter().enumerate().rev() {
        positions[i] = rest % len;
        rest /= len;
    }
    let index_of = |positions: &[u64]| -> i64 {
        let index = positions
            .iter()
            .zip(&lens)
            .fold(0u64, |acc, (p, len)| acc * len + p);
        i64::try_from(index).unwrap_or(i64::MAX)
    };
    let mut cells: HashMap<i64, (usize, usize)> = HashMap::new();
    for (row, _) in ys.iter().enumerate() {
        for (column, _) in xs.iter().enumerate() {
            let mut at = positions.clone();
            at[xi] = column as u64;
            at[yi] = row as u64;
            cells.insert(index_of(&at), (row, column));
        }
    }
    let wanted: Vec<i64> = cells.keys().copied().collect();
    for found in sweep_results::at_grid_indices(pool, &sweep.sweep_id, fold, &wanted).await? {
        if let Some(&(row, column)) = cells.get(&found.grid_index) {
            let metrics = stored_json(&found.metrics_json, "metrics")?;
            z[row][column] = metrics[key.column()].as_f64();
        }
    }
    Ok(Heatmap {
        x_name: names[xi].to_owned(),
        y_name: names[yi].to_owned(),
        metric: key.column(),
        x: xs,
        y: ys,
        z,
        fixed: stored_json(&best.params_json, "params")?,
    })
}
