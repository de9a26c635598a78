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
use crate::rules::{prepare_grid, GridAxis};
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

/// A trading setting a grid can vary like a rule parameter: a grid key
/// `stop_loss_pct`, `take_profit_pct` or `trailing_stop_pct` is a setting
/// axis, whose values are percents in (0, 100) exclusive or `null` (off),
/// and which overrides that setting of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SettingAxis {
    /// [`TradingSettings::stop_loss_pct`].
    StopLossPct,
    /// [`TradingSettings::take_profit_pct`].
    TakeProfitPct,
    /// [`TradingSettings::trailing_stop_pct`].
    TrailingStopPct,
}

impl SettingAxis {
    /// Every setting axis.
    pub const ALL: [Self; 3] = [
        Self::StopLossPct,
        Self::TakeProfitPct,
        Self::TrailingStopPct,
    ];

    /// The grid key (the request field's name).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::StopLossPct => "stop_loss_pct",
            Self::TakeProfitPct => "take_profit_pct",
            Self::TrailingStopPct => "trailing_stop_pct",
        }
    }

    /// The setting axis a grid key names, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Checks one grid value: a percent in (0, 100) exclusive, or `null`
    /// for the setting off.
    ///
    /// ```
    /// use backtest_core::optimizer::SettingAxis;
    /// use serde_json::json;
    /// assert_eq!(SettingAxis::StopLossPct.check(&json!(5)).unwrap(), Some(5.0));
    /// assert_eq!(SettingAxis::StopLossPct.check(&json!(null)).unwrap(), None);
    /// let err = SettingAxis::TrailingStopPct.check(&json!(100)).unwrap_err();
    /// assert!(err.to_string().contains("trailing_stop_pct"));
    /// ```
    ///
    /// # Errors
    /// [`CoreError::InvalidSetting`] naming the setting.
    pub fn check(self, value: &Value) -> Result<Option<f64>> {
        if value.is_null() {
            return Ok(None);
        }
        value
            .as_f64()
            .filter(|v| v.is_finite() && *v > 0.0 && *v < 100.0)
            .map(Some)
            .ok_or_else(|| CoreError::InvalidSetting {
                field: self.name(),
                reason: format!("must be a percent in (0, 100) or null, got {value}"),
            })
    }

    /// `settings` with this setting set to `value`.
    #[must_use]
    pub fn apply(self, settings: TradingSettings, value: Option<f64>) -> TradingSettings {
        match self {
            Self::StopLossPct => settings.with_stop_loss_pct(value),
            Self::TakeProfitPct => settings.with_take_profit_pct(value),
            Self::TrailingStopPct => settings.with_trailing_stop_pct(value),
        }
    }
}

/// A grid's axes split into rule parameters and trading settings, with the
/// mapping from a grid index (all axes in key order, the last fastest) to
/// its rule point and its settings point.
#[derive(Debug, Clone)]
pub(crate) struct SplitGrid {
    /// The rule's axes, in key order.
    pub(crate) rule_axes: Vec<GridAxis>,
    /// The setting axes, in key order, each value checked.
    setting_axes: Vec<(SettingAxis, Vec<Option<f64>>, Vec<Value>)>,
    /// For each axis in key order: whether it is a setting axis, and its length.
    order: Vec<(bool, usize)>,
}

impl SplitGrid {
    /// Splits `axes` (in key order); a setting value out of range is an
    /// error naming the setting.
    pub(crate) fn new(axes: &[GridAxis]) -> Result<Self> {
        let mut split = Self {
            rule_axes: Vec::new(),
            setting_axes: Vec::new(),
            order: Vec::with_capacity(axes.len()),
        };
        for (name, values) in axes {
            match SettingAxis::from_name(name) {
                Some(axis) => {
                    let checked = values
                        .iter()
                        .map(|v| axis.check(v))
                        .collect::<Result<Vec<_>>>()?;
                    let shown = checked
                        .iter()
                        .map(|v| v.map_or(Value::Null, Value::from))
                        .collect();
                    split.order.push((true, values.len()));
                    split.setting_axes.push((axis, checked, shown));
                }
                None => {
                    split.order.push((false, values.len()));
                    split.rule_axes.push((name.clone(), values.clone()));
                }
            }
        }
        Ok(split)
    }

    /// Settings points: the product of the setting axes (1 without any).
    pub(crate) fn settings_len(&self) -> usize {
        self.setting_axes.iter().map(|(_, v, _)| v.len()).product()
    }

    /// `(rule point, settings point)` of grid index `index`.
    pub(crate) fn locate(&self, index: usize) -> (usize, usize) {
        let digits = crate::rules::grid_digits(index, self.order.iter().map(|&(_, len)| len));
        let (mut rule, mut setting) = (0, 0);
        for (&(is_setting, len), d) in self.order.iter().zip(digits) {
            if is_setting {
                setting = setting * len + d;
            } else {
                rule = rule * len + d;
            }
        }
        (rule, setting)
    }

    /// `base` with settings point `point` applied.
    pub(crate) fn settings_at(&self, base: &TradingSettings, point: usize) -> TradingSettings {
        let digits =
            crate::rules::grid_digits(point, self.setting_axes.iter().map(|(_, v, _)| v.len()));
        self.setting_axes
            .iter()
            .zip(digits)
            .fold(*base, |s, ((axis, values, _), d)| axis.apply(s, values[d]))
    }

    /// A result's parameters: the rule's, then the settings point's values.
    pub(crate) fn params_with(&self, mut params: Value, point: usize) -> Value {
        if self.setting_axes.is_empty() {
            return params;
        }
        if let Value::Object(map) = &mut params {
            let digits =
                crate::rules::grid_digits(point, self.setting_axes.iter().map(|(_, v, _)| v.len()));
            for ((axis, _, shown), d) in self.setting_axes.iter().zip(digits) {
                map.insert(axis.name().to_owned(), shown[d].clone());
            }
        }
        params
    }
}

/// Runs `rule_type` at every grid point (merged over `base_params`) on
/// `series`, in parallel, ranked by `objective`.
///
/// Grid keys name the rule's parameters or the setting axes
/// `stop_loss_pct`, `take_profit_pct`, `trailing_stop_pct` (see
/// [`SettingAxis`]), which override `settings` at their points; results
/// carry them in `params`. Each rule point's signals are computed once
/// and run with each settings point.
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
///
/// let stops = json!({"period": [14], "stop_loss_pct": [null, 2, 5]});
/// let search = grid_search(&series, "RSI", &json!({}), &stops, &TradingSettings::default(), Objective::Sharpe).unwrap();
/// assert_eq!(search.combinations, 3);
/// assert!(search.results.iter().any(|r| r.params["stop_loss_pct"] == json!(2.0)));
/// ```
///
/// # Errors
/// An invalid grid (a setting axis value out of range is
/// [`CoreError::InvalidSetting`] naming the setting), unknown rule, invalid
/// settings, or a parameter that is invalid at every point (its message is
/// returned).
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
    if !matches!(base_params, Value::Null | Value::Object(_)) {
        return Err(CoreError::InvalidGrid(
            "base params must be a JSON object".into(),
        ));
    }
    let axes = grid_axes(grid)?;
    let split = SplitGrid::new(&axes)?;
    let rules = prepare_grid(rule_type, base_params, &split.rule_axes)?;
    let settings_points: Vec<TradingSettings> = (0..split.settings_len())
        .map(|p| split.settings_at(settings, p))
        .collect();
    let cache = IndicatorCache::new();
    let ctx = RuleContext::new(series, &cache);
    // Per rule point: its results at every settings point, or why the rule
    // rejected the point.
    let per_rule: Vec<std::result::Result<Vec<GridResult>, CoreError>> = (0..rules.len())
        .into_par_iter()
        .map(|r| {
            let rule = match rules.rule_at(r) {
                Ok(rule) => rule,
                Err(e) => return Ok(Err(e)),
            };
            let signals = rule.signals(&ctx);
            let (params, rule_id) = (rule.params(), rule.rule_id());
            if let [only] = settings_points.as_slice() {
                return Ok(Ok(vec![GridResult {
                    metrics: engine::run_metrics(series, &signals, only)?,
                    params: split.params_with(params, 0),
                    rule_id,
                }]));
            }
            let results: Result<Vec<GridResult>> = settings_points
                .par_iter()
                .enumerate()
                .map(|(p, s)| {
                    Ok(GridResult {
                        metrics: engine::run_metrics(series, &signals, s)?,
                        params: split.params_with(params.clone(), p),
                        rule_id: rule_id.clone(),
                    })
                })
                .collect();
            results.map(Ok)
        })
        .collect::<Result<Vec<_>>>()?;
    let skipped_rules = per_rule.iter().filter(|r| r.is_err()).count();
    let mut table: Vec<Vec<Option<GridResult>>> = Vec::with_capacity(per_rule.len());
    let mut first_error = None;
    for point in per_rule {
        match point {
            Ok(results) => table.push(results.into_iter().map(Some).collect()),
            Err(e) => {
                // Rule points in index order: the first is the grid's first.
                first_error.get_or_insert(e);
                table.push(Vec::new());
            }
        }
    }
    let total = rules.len() * settings_points.len();
    let mut results = Vec::with_capacity(total - skipped_rules * settings_points.len());
    for index in 0..total {
        let (r, p) = split.locate(index);
        if let Some(result) = table[r].get_mut(p).and_then(Option::take) {
            results.push(result);
        }
    }
    if results.is_empty() {
        return Err(first_error.unwrap_or_else(|| CoreError::InvalidGrid("no grid points".into())));
    }
    // Stable sort: equal scores keep grid order, so output is deterministic.
    results.sort_by(|a, b| objective.compare(&a.metrics, &b.metrics));
    Ok(GridSearch {
        combinations: results.len(),
        skipped: skipped_rules * settings_points.len(),
        indicators_computed: cache.len(),
        results,
    })
}
