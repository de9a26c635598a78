//! The sweep plan: validated grid axes, the combinations to evaluate and
//! how they split into shards.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::random::sample_indices;
use super::SweepError;
use crate::engine::TradingSettings;
use crate::optimizer::{axis_values, SettingAxis};
use crate::rules::describe_rules;
use crate::{CoreError, ParamSpec};

/// Seeded random search over a grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RandomSearch {
    /// Distinct combinations to draw.
    pub samples: u64,
    /// PRNG seed: the same seed draws the same combinations.
    pub seed: u64,
}

/// A validated sweep: the rule, its fixed parameters, one axis per grid
/// parameter and the combinations to evaluate.
///
/// Combinations are numbered by their **grid index**, their position in
/// the enumeration order of [`crate::optimizer::expand_grid`]: parameters
/// in the grid's key order, the last varying fastest. That index is stable:
/// it depends only on the grid, never on shards or sampling.
///
/// Grid axes name rule parameters or the setting axes `stop_loss_pct`,
/// `take_profit_pct` and `trailing_stop_pct`
/// ([`SettingAxis`]: percents in (0, 100) exclusive, or `null` for off),
/// which override the run's settings at their combinations
/// ([`SweepPlan::settings_at`]).
///
/// ```
/// use backtest_core::sweep::SweepPlan;
/// use serde_json::json;
/// let grid = json!({"oversold": [25, 30], "period": {"start": 10, "stop": 14, "step": 2}});
/// let plan = SweepPlan::new("RSI", &json!({}), &grid, None, 100_000).unwrap();
/// assert_eq!(plan.len(), 6);
/// assert_eq!(plan.params_at(1), json!({"oversold": 25, "period": 12}));
/// assert_eq!(plan.params_at(5), json!({"oversold": 30, "period": 14}));
/// let err = SweepPlan::new("RSI", &json!({}), &json!({"period": [1]}), None, 100).unwrap_err();
/// assert_eq!(err.field().as_deref(), Some("grid.period"));
///
/// let stops = json!({"period": [14], "stop_loss_pct": [2, 5]});
/// let plan = SweepPlan::new("RSI", &json!({}), &stops, None, 100).unwrap();
/// assert_eq!(plan.rule_params_at(1), json!({"period": 14}));
/// let settings = plan.settings_at(1, &Default::default());
/// assert_eq!(settings.stop_loss_pct, Some(5.0));
/// let err = SweepPlan::new("RSI", &json!({}), &json!({"stop_loss_pct": [0]}), None, 100).unwrap_err();
/// assert_eq!(err.field().as_deref(), Some("grid.stop_loss_pct"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPlan {
    rule_type: &'static str,
    base: Map<String, Value>,
    axes: Vec<(String, Vec<Value>)>,
    grid_size: u64,
    /// Grid indices to evaluate, ascending; `None` for the whole grid.
    sample: Option<Vec<u64>>,
}

impl SweepPlan {
    /// Validates `grid` (each parameter: a list, or `{"start", "stop",
    /// "step"}` with `stop` inclusive) against `rule_type`'s declared
    /// parameters, over fixed `base` params, and plans either the whole
    /// grid or a seeded random sample of it. At most `max_combinations`
    /// combinations may be evaluated.
    ///
    /// # Errors
    /// [`SweepError`] naming the parameter or setting at fault.
    pub fn new(
        rule_type: &str,
        base: &Value,
        grid: &Value,
        random: Option<RandomSearch>,
        max_combinations: u64,
    ) -> Result<Self, SweepError> {
        let info = describe_rules()
            .into_iter()
            .find(|r| r.rule_type.eq_ignore_ascii_case(rule_type))
            .ok_or_else(|| CoreError::UnknownRule {
                rule_type: rule_type.to_owned(),
                valid: crate::rules::rule_types().collect::<Vec<_>>().join(", "),
            })?;
        let Value::Object(grid) = grid else {
            return Err(SweepError::EmptyGrid(
                "expected an object of parameter -> values".into(),
            ));
        };
        if grid.is_empty() {
            return Err(SweepError::EmptyGrid("the grid has no parameters".into()));
        }
        let base = check_base(&info.params, base, grid)?;
        let mut axes = Vec::with_capacity(grid.len());
        let mut grid_size: u64 = 1;
        for (name, spec) in grid {
            if let Some(setting) = SettingAxis::from_name(name) {
                let values = axis(name, spec)?;
                for v in &values {
                    setting.check(v).map_err(|e| SweepError::OutOfRange {
                        param: name.clone(),
                        reason: match e {
                            CoreError::InvalidSetting { reason, .. } => reason,
                            other => other.to_string(),
                        },
                    })?;
                }
                grid_size = grid_size.saturating_mul(values.len() as u64);
                axes.push((name.clone(), values));
                continue;
            }
            let param = info.params.iter().find(|s| s.name == name).ok_or_else(|| {
                SweepError::UnknownParam {
                    param: name.clone(),
                    valid: info
                        .params
                        .iter()
                        .map(|s| s.name)
                        .chain(SettingAxis::ALL.iter().map(|a| a.name()))
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?;
            let values = axis(name, spec)?;
            for v in &values {
                param.check(v, "").map_err(|e| SweepError::OutOfRange {
                    param: name.clone(),
                    reason: match e {
                        CoreError::InvalidParam { reason, .. } => reason,
                        other => other.to_string(),
                    },
                })?;
            }
            grid_size = grid_size.saturating_mul(values.len() as u64);
            axes.push((name.clone(), values));
        }
        let sample = match random {
            None => {
                if grid_size > max_combinations {
                    return Err(SweepError::TooManyCombinations {
                        count: grid_size,
                        max: max_combinations,
                    });
                }
                None
            }
            Some(RandomSearch { samples, seed }) => {
                if samples == 0 || samples > grid_size {
                    return Err(SweepError::InvalidSetting {
                        field: "search.random.samples",
                        reason: format!(
                            "must be between 1 and the grid's {grid_size} combinations, got {samples}"
                        ),
                    });
                }
                if samples > max_combinations {
                    return Err(SweepError::TooManyCombinations {
                        count: samples,
                        max: max_combinations,
                    });
                }
                Some(sample_indices(grid_size, samples, seed))
            }
        };
        Ok(Self {
            rule_type: info.rule_type,
            base,
            axes,
            grid_size,
            sample,
        })
    }

    /// The rule type, as the registry spells it.
    #[must_use]
    pub fn rule_type(&self) -> &'static str {
        self.rule_type
    }

    /// The axes in enumeration order (the last varies fastest).
    #[must_use]
    pub fn axes(&self) -> &[(String, Vec<Value>)] {
        &self.axes
    }

    /// Combinations in the whole grid.
    #[must_use]
    pub fn grid_size(&self) -> u64 {
        self.grid_size
    }

    /// Combinations this plan evaluates (the sample size for a random search).
    #[must_use]
    pub fn len(&self) -> u64 {
        self.sample
            .as_ref()
            .map_or(self.grid_size, |s| s.len() as u64)
    }

    /// Whether the plan evaluates nothing (never true for a validated plan).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The grid index of the plan's `position`-th combination
    /// (`position < len()`).
    #[must_use]
    pub fn grid_index(&self, position: u64) -> u64 {
        self.sample.as_ref().map_or(position, |s| {
            s[usize::try_from(position).unwrap_or(usize::MAX)]
        })
    }

    /// The grid values at `grid_index` (axis parameters only, setting axes
    /// included).
    #[must_use]
    pub fn params_at(&self, grid_index: u64) -> Value {
        let mut rest = grid_index;
        let mut point = Map::new();
        for (name, values) in self.axes.iter().rev() {
            let len = values.len() as u64;
            let at = usize::try_from(rest % len).unwrap_or(0);
            point.insert(name.clone(), values[at].clone());
            rest /= len;
        }
        Value::Object(point)
    }

    /// The full rule parameters at `grid_index`: the fixed ones overlaid
    /// with the grid values of the rule's axes (setting axes left out).
    #[must_use]
    pub fn rule_params_at(&self, grid_index: u64) -> Value {
        let mut params = self.base.clone();
        if let Value::Object(point) = self.params_at(grid_index) {
            params.extend(
                point
                    .into_iter()
                    .filter(|(name, _)| SettingAxis::from_name(name).is_none()),
            );
        }
        Value::Object(params)
    }

    /// `settings` with the setting axes' values at `grid_index` applied
    /// (unchanged without setting axes).
    #[must_use]
    pub fn settings_at(&self, grid_index: u64, settings: &TradingSettings) -> TradingSettings {
        let Value::Object(point) = self.params_at(grid_index) else {
            return *settings;
        };
        point.iter().fold(*settings, |s, (name, value)| {
            match SettingAxis::from_name(name) {
                // Checked by `new`; an unreadable value cannot occur.
                Some(axis) => axis.apply(s, axis.check(value).unwrap_or(None)),
                None => s,
            }
        })
    }

    /// The fixed rule parameters.
    pub(crate) fn base(&self) -> &Map<String, Value> {
        &self.base
    }

    /// The positions (into the plan, not grid indices) shard `shard` of
    /// `shards` evaluates: contiguous blocks, as even as possible, so the
    /// shards are disjoint, cover the plan and keep neighbouring
    /// combinations (which share indicators) together.
    ///
    /// # Errors
    /// [`SweepError::InvalidSetting`] for zero shards or `shard >= shards`.
    pub fn shard(&self, shard: u64, shards: u64) -> Result<Range<u64>, SweepError> {
        if shards == 0 {
            return Err(SweepError::InvalidSetting {
                field: "shards",
                reason: "must be at least 1".into(),
            });
        }
        if shard >= shards {
            return Err(SweepError::InvalidSetting {
                field: "shard",
                reason: format!("must be below the shard count {shards}, got {shard}"),
            });
        }
        let n = u128::from(self.len());
        let bound =
            |k: u64| u64::try_from(n * u128::from(k) / u128::from(shards)).unwrap_or(u64::MAX);
        Ok(bound(shard)..bound(shard + 1))
    }
}

/// Checks the fixed parameters (those not on an axis) by the rule's specs.
fn check_base(
    specs: &[ParamSpec],
    base: &Value,
    grid: &Map<String, Value>,
) -> Result<Map<String, Value>, SweepError> {
    let base = match base {
        Value::Null => Map::new(),
        Value::Object(m) => m.clone(),
        other => {
            return Err(CoreError::InvalidParam {
                param: "params".into(),
                reason: format!("expected a JSON object, got {other}"),
            }
            .into())
        }
    };
    for (name, value) in &base {
        let spec = specs
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| crate::params::unknown_param(specs, "", name))?;
        if !grid.contains_key(name) {
            spec.check(value, "")?;
        }
    }
    Ok(base)
}

/// One axis's values, with the grid's typed errors.
fn axis(name: &str, spec: &Value) -> Result<Vec<Value>, SweepError> {
    let invalid = |reason: String| SweepError::InvalidAxis {
        param: name.to_owned(),
        reason,
    };
    match spec {
        Value::Array(values) if values.is_empty() => Err(invalid("empty list".into())),
        Value::Object(range) => {
            if let Some(step) = range.get("step").and_then(Value::as_f64) {
                if step <= 0.0 {
                    return Err(SweepError::NonPositiveStep {
                        param: name.to_owned(),
                        step,
                    });
                }
            }
            if let Some(key) = range
                .keys()
                .find(|k| !["start", "stop", "step"].contains(&k.as_str()))
            {
                return Err(invalid(format!(
                    "unknown key `{key}`; expected start, stop, step"
                )));
            }
            values_of(name, spec)
        }
        _ => values_of(name, spec),
    }
}

/// The optimizer's own expansion, so both enumerate identical values.
fn values_of(name: &str, spec: &Value) -> Result<Vec<Value>, SweepError> {
    axis_values(name, spec).map_err(|e| {
        let text = match e {
            CoreError::InvalidGrid(text) => text,
            other => other.to_string(),
        };
        let prefix = format!("parameter `{name}`: ");
        SweepError::InvalidAxis {
            param: name.to_owned(),
            reason: text.strip_prefix(&prefix).unwrap_or(&text).to_owned(),
        }
    })
}
