//! Parallel grid search over a rule's parameters.
//!
//! Every grid point shares one [`IndicatorCache`], so each distinct
//! indicator (say `RSI(14)`) is computed once per grid, not once per
//! combination; points then run in parallel (rayon) through the lean engine
//! path that keeps only metrics.

use std::cmp::Ordering;
use std::str::FromStr;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::engine::{self, TradingSettings};
use crate::rules::{build_rule, grid_builder, GridAxis, GridRules};
use crate::{CoreError, EngineMetrics, IndicatorCache, OhlcvSeries, Result, RuleContext};

/// Most grid points one search may have.
pub const MAX_COMBINATIONS: usize = 1_000_000;

/// What the grid is ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Highest Sharpe ratio first (undefined last).
    #[default]
    Sharpe,
    /// Highest total return first.
    TotalReturn,
    /// Smallest maximum drawdown first.
    MaxDrawdown,
    /// Highest profit factor first (undefined last).
    ProfitFactor,
}

impl FromStr for Objective {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "sharpe" => Ok(Self::Sharpe),
            "total_return" => Ok(Self::TotalReturn),
            "max_drawdown" => Ok(Self::MaxDrawdown),
            "profit_factor" => Ok(Self::ProfitFactor),
            other => Err(CoreError::InvalidSetting {
                field: "objective",
                reason: format!(
                    "`{other}` is not one of sharpe, total_return, max_drawdown, profit_factor"
                ),
            }),
        }
    }
}

impl Objective {
    /// Orders `a` before `b` when `a` is better; undefined values sort last.
    pub(crate) fn compare(self, a: &EngineMetrics, b: &EngineMetrics) -> Ordering {
        let desc = |x: Option<f64>, y: Option<f64>| match (x, y) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        match self {
            Self::Sharpe => desc(a.sharpe_ratio, b.sharpe_ratio),
            Self::TotalReturn => desc(Some(a.total_return_pct), Some(b.total_return_pct)),
            Self::MaxDrawdown => a.max_drawdown_pct.total_cmp(&b.max_drawdown_pct),
            Self::ProfitFactor => desc(a.profit_factor, b.profit_factor),
        }
    }
}

/// One evaluated grid point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GridResult {
    /// The rule's full parameters at this point (defaults filled in).
    pub params: Value,
    /// Tracking slug of the rule at this point.
    pub rule_id: String,
    /// Engine metrics of the run.
    pub metrics: EngineMetrics,
}

/// The whole search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GridSearch {
    /// Points evaluated.
    pub combinations: usize,
    /// Points skipped because the rule rejected them (e.g. `fast >= slow`).
    pub skipped: usize,
    /// Distinct indicator columns computed.
    pub indicators_computed: usize,
    /// Every evaluated point, best first by the objective (ties keep grid order).
    pub results: Vec<GridResult>,
}

/// Expands a grid: each parameter maps to a list of values or to
/// `{"start": a, "stop": b, "step": s}` (inclusive of `stop`).
///
/// ```
/// use backtest_core::optimizer::expand_grid;
/// use serde_json::json;
/// let points = expand_grid(&json!({"period": {"start": 10, "stop": 14, "step": 2}, "kind": ["sma", "ema"]})).unwrap();
/// assert_eq!(points.len(), 6);
/// assert_eq!(points[0], json!({"kind": "sma", "period": 10}));
/// ```
///
/// # Errors
/// [`CoreError::InvalidGrid`] for a malformed grid, an empty list, a
/// non-positive step, or more than [`MAX_COMBINATIONS`] points.
pub fn expand_grid(grid: &Value) -> Result<Vec<Value>> {
    let columns = grid_axes(grid)?;
    // Cartesian product; the first parameter (in key order) varies slowest.
    let mut points = vec![Map::new()];
    for (name, values) in &columns {
        points = points
            .iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut next = p.clone();
                    next.insert(name.clone(), v.clone());
                    next
                })
            })
            .collect();
    }
    Ok(points.into_iter().map(Value::Object).collect())
}

/// The grid's axes in key order, each with its values.
fn grid_axes(grid: &Value) -> Result<Vec<GridAxis>> {
    let Value::Object(axes) = grid else {
        return Err(CoreError::InvalidGrid(
            "the grid must be a JSON object of parameter -> values".into(),
        ));
    };
    if axes.is_empty() {
        return Err(CoreError::InvalidGrid("the grid has no parameters".into()));
    }
    let mut columns = Vec::with_capacity(axes.len());
    let mut total: usize = 1;
    for (name, spec) in axes {
        let values = axis_values(name, spec)?;
        total = total.saturating_mul(values.len());
        if total > MAX_COMBINATIONS {
            return Err(CoreError::InvalidGrid(format!(
                "more than {MAX_COMBINATIONS} combinations"
            )));
        }
        columns.push((name.clone(), values));
    }
    Ok(columns)
}

pub(crate) fn axis_values(name: &str, spec: &Value) -> Result<Vec<Value>> {
    let invalid = |why: &str| CoreError::InvalidGrid(format!("parameter `{name}`: {why}"));
    match spec {
        Value::Array(values) if values.is_empty() => Err(invalid("empty list")),
        Value::Array(values) => Ok(values.clone()),
        Value::Object(range) => {
            let get = |k: &str| {
                range
                    .get(k)
                    .and_then(Value::as_f64)
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| invalid(&format!("`{k}` must be a number")))
            };
            let (start, stop, step) = (get("start")?, get("stop")?, get("step")?);
            if step <= 0.0 {
                return Err(invalid("`step` must be positive"));
            }
            if stop < start {
                return Err(invalid("`stop` is below `start`"));
            }
            let count = ((stop - start) / step + 1e-9).floor() + 1.0;
            if count > MAX_COMBINATIONS as f64 {
                return Err(invalid("too many values"));
            }
            let integral = [start, step].iter().all(|x| x.fract() == 0.0);
            Ok((0..count as usize)
                .map(|i| {
                    let x = start + step * i as f64;
                    if integral {
                        Value::from(x as i64)
                    } else {
                        Value::from(x)
                    }
                })
                .collect())
        }
        _ => Err(invalid(
            "expected a list or {\"start\", \"stop\", \"step\"}",
        )),
    }
}

/// Runs `rule_type` at every grid point (merged over `base_params`) on
/// `series`, in parallel, ranked by `objective`.
///
/// ```
/// use backtest_core::{optimizer::{grid_search, Objective}, engine::TradingSettings, OhlcvSeries};
/// use serde_json::json;
/// let close: Vec<f64> = (0..300).map(|i| 100.0 + (i as f64 / 7.0).sin() * 10.0).collect();
/// let series = OhlcvSeries::new((0..300).map(|d| d * 86_400).collect(), close.clone(), close.clone(), close.clone(), close, vec![1e6; 300]).unwrap();
/// let grid = json!({"period": [7, 14], "oversold": [25, 30]});
/// let search = grid_search(&series, "RSI", &json!({}), &grid, &TradingSettings::default(), Objective::Sharpe).unwrap();
/// assert_eq!(search.combinations, 4);
/// assert_eq!(search.indicators_computed, 2); // RSI(7) and RSI(14), once each
/// ```
///
/// # Errors
/// An invalid grid, unknown rule, invalid settings, or a parameter that is
/// invalid at every point (its message is returned).
pub fn grid_search(
    series: &OhlcvSeries,
    rule_type: &str,
    base_params: &Value,
    grid: &Value,
    settings: &TradingSettings,
    objective: Objective,
) -> Result<GridSearch> {
    settings.validate()?;
    if series.is_empty() {
        return Err(CoreError::EmptySeries);
    }
    let base = match base_params {
        Value::Null => Map::new(),
        Value::Object(m) => m.clone(),
        _ => {
            return Err(CoreError::InvalidGrid(
                "base params must be a JSON object".into(),
            ))
        }
    };
    let built = match grid_builder(rule_type)? {
        Some(build) => build(&Value::Object(base), &grid_axes(grid)?)?,
        None => build_through_json(rule_type, &base, grid)?,
    };
    let GridRules {
        rules,
        skipped,
        first_error,
    } = built;
    if rules.is_empty() {
        return Err(first_error.unwrap_or_else(|| CoreError::InvalidGrid("no grid points".into())));
    }
    let cache = IndicatorCache::new();
    let ctx = RuleContext::new(series, &cache);
    let evaluated: Vec<Result<GridResult>> = rules
        .par_iter()
        .map(|rule| {
            let signals = rule.signals(&ctx);
            let metrics = engine::run_metrics(series, &signals, settings)?;
            Ok(GridResult {
                params: rule.params(),
                rule_id: rule.rule_id(),
                metrics,
            })
        })
        .collect();
    let mut results = evaluated.into_iter().collect::<Result<Vec<_>>>()?;
    // Stable sort: equal scores keep grid order, so output is deterministic.
    results.sort_by(|a, b| objective.compare(&a.metrics, &b.metrics));
    Ok(GridSearch {
        combinations: results.len(),
        skipped,
        indicators_computed: cache.len(),
        results,
    })
}

/// Grid points of rules without typed params (composites): one JSON build each.
fn build_through_json(
    rule_type: &str,
    base: &Map<String, Value>,
    grid: &Value,
) -> Result<GridRules> {
    let mut out = GridRules::default();
    for point in expand_grid(grid)? {
        let mut params = base.clone();
        if let Value::Object(p) = point {
            params.extend(p);
        }
        match build_rule(rule_type, &Value::Object(params)) {
            Ok(rule) => out.rules.push(rule),
            Err(e @ CoreError::UnknownRule { .. }) => return Err(e),
            Err(e) => {
                out.skipped += 1;
                out.first_error.get_or_insert(e);
            }
        }
    }
    Ok(out)
}
