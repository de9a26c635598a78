//! The JSON of the sweep API: a sweep with its progress and best row, pages
//! of results, and heatmaps. Parameters and metrics go out exactly as
//! stored (the core's values, bit for bit).

use std::collections::HashMap;

use backtest_adapter::contract::ContractError;
use backtest_core::sweep::WalkForwardResult;
use serde_json::{json, Value};
use sqlx::AnyPool;

use super::spec::SweepSpec;
use crate::commands::optimize_output::walk_forward_parts;
use crate::db::sweep_results::{self, SortKey, StoredResult};
use crate::db::sweeps::{self, Sweep};

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

/// `{"grid_index", "params", "rule_id", "metrics"}` of a stored row.
pub fn result_json(row: &StoredResult) -> Result<Value, ViewError> {
    Ok(json!({
        "grid_index": row.grid_index,
        "params": stored_json(&row.params_json, "params")?,
        "rule_id": row.rule_id,
        "metrics": stored_json(&row.metrics_json, "metrics")?,
    }))
}

fn spec_of(sweep: &Sweep) -> Result<SweepSpec, ViewError> {
    SweepSpec::from_stored(&sweep.request_json).map_err(|e| ViewError::Stored(format!("{e:#}")))
}

/// A sweep as `GET /api/sweeps` lists it: identity, status, progress.
pub async fn summary(pool: &AnyPool, sweep: &Sweep) -> Result<Value, ViewError> {
    let shards = sweeps::shards(pool, &sweep.sweep_id).await?;
    Ok(json!({
        "sweep_id": sweep.sweep_id,
        "status": sweep.status,
        "ticker": sweep.ticker,
        "rule_type": sweep.rule_type,
        "objective": sweep.objective,
        "progress": progress(sweep, &shards),
        "created_at": sweep.created_at,
        "started_at": sweep.started_at,
        "finished_at": sweep.finished_at,
        "error_message": sweep.error_message,
    }))
}

fn progress(sweep: &Sweep, shards: &[sweeps::Shard]) -> Value {
    json!({
        "done": shards.iter().map(|s| s.done).sum::<i64>(),
        "total": sweep.total,
        "shards_done": shards.iter().filter(|s| s.is_completed()).count(),
        "shards": sweep.shards,
    })
}

/// `GET /api/sweeps/<id>`: the summary plus the request (the backtest
/// `request` every combination runs, the grid and its expanded `axes`,
/// search, walk-forward), the best combination so far
/// and, for a walk-forward,
/// the folds, the out-of-sample equity curve and the efficiency (`null`
/// until completed).
pub async fn detail(pool: &AnyPool, sweep: &Sweep) -> Result<Value, ViewError> {
    let spec = spec_of(sweep)?;
    let mut out = summary(pool, sweep).await?;
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
        (Some(_), Some(result)) => result.folds.last().map(
            |f| json!({"params": f.best_params, "rule_id": f.rule_id, "metrics": f.in_sample}),
        ),
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
    if let Value::Object(map) = &mut out {
        // The settings every combination runs with, so that a client can
        // run one combination again as a full backtest.
        map.insert("request".into(), json!(spec.request));
        map.insert("grid".into(), spec.grid.clone());
        map.insert("axes".into(), Value::Object(axes));
        map.insert("search".into(), json!(spec.search));
        map.insert(
            "walk_forward".into(),
            json!(spec.walk_forward.map(|w| json!({
                "train_bars": w.train_bars,
                "test_bars": w.test_bars,
                "step_bars": w.step_bars.unwrap_or(w.test_bars),
                "anchored": w.anchored,
            }))),
        );
        map.insert("best".into(), json!(best));
        if spec.walk_forward.is_some() {
            let (folds, curve) = wf.as_ref().map(walk_forward_parts).unwrap_or_default();
            map.insert("folds".into(), json!(folds));
            map.insert("oos_equity_curve".into(), json!(curve));
            map.insert("efficiency".into(), json!(wf.and_then(|r| r.efficiency)));
        }
    }
    Ok(out)
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
) -> Result<Value, ViewError> {
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
    Ok(json!({
        "results": results,
        "total": total,
        "page": page,
        "limit": limit,
        "sort": key.column(),
        "order": if descending { "desc" } else { "asc" },
        "fold": fold,
    }))
}

/// A heatmap: `z[row for y][column for x]`, the other parameters at the
/// best row's values; `null` where no evaluated combination exists.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    pub x_name: String,
    pub y_name: String,
    pub metric: &'static str,
    pub x: Vec<Value>,
    pub y: Vec<Value>,
    pub z: Vec<Vec<Option<f64>>>,
    /// The best row's parameters (where the other axes are held).
    pub fixed: Value,
}

impl Heatmap {
    /// `{"x", "y", "z", "x_param", "y_param", "metric", "fixed"}`.
    pub fn to_json(&self) -> Value {
        json!({
            "x": self.x,
            "y": self.y,
            "z": self.z,
            "x_param": self.x_name,
            "y_param": self.y_name,
            "metric": self.metric,
            "fixed": self.fixed,
        })
    }
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
