//! Trading rules: signal generators with declared, validated parameters.
//!
//! A rule turns a series into one [`Signal`] per bar, decided on that bar's
//! close. Rules never see position state; the engine applies signals.
//! Indicators are fetched through a [`RuleContext`], whose cache lets the
//! optimizer compute each distinct indicator once per grid.

mod atr_breakout;
mod bollinger;
mod breakout;
mod common;
mod composite;
mod context;
mod ma_cross;
mod macd;
mod mean_reversion;
mod momentum;
mod rsi;
mod rsi_macd;
mod trend;
mod volume;

pub use atr_breakout::{AtrBreakoutParams, AtrBreakoutRule};
pub use bollinger::{BollingerParams, BollingerRule};
pub use breakout::{BreakoutParams, BreakoutRule};
pub use composite::{CompositeOp, CompositeParams, CompositeRule, RuleSpec};
pub use context::{IndicatorCache, IndicatorKey, IndicatorOutput, MaKind, RuleContext, Source};
pub use ma_cross::{MaCrossParams, MaCrossRule};
pub use macd::{MacdParams, MacdRule};
pub use mean_reversion::{MeanReversionParams, MeanReversionRule};
pub use momentum::{MomentumParams, MomentumRule};
pub use rsi::{RsiParams, RsiRule};
pub use rsi_macd::{RsiMacdParams, RsiMacdRule};
pub use trend::{TrendParams, TrendRule};
pub use volume::{VolumeParams, VolumeRule};

use std::fmt::Debug;

use serde::Serialize;
use serde_json::Value;

use crate::params::RuleParams;
use crate::{CoreError, OhlcvSeries, ParamSpec, Result, Signal};

/// A trading rule.
pub trait Rule: Send + Sync + Debug {
    /// Registry name, e.g. `"RSI"`.
    fn rule_type(&self) -> &'static str;

    /// Tracking slug derived from type and parameters, e.g. `"RSI_14_30_70"`.
    fn rule_id(&self) -> String;

    /// The validated parameters, defaults filled in.
    fn params(&self) -> Value;

    /// One signal per bar of `ctx.series()`.
    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal>;
}

/// Signals of `rule` on `series` with a fresh cache.
#[must_use]
pub fn signals_for(rule: &dyn Rule, series: &OhlcvSeries) -> Vec<Signal> {
    let cache = IndicatorCache::new();
    rule.signals(&RuleContext::new(series, &cache))
}

/// A rule type with its description and parameter metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RuleInfo {
    /// Registry name, e.g. `"RSI"`.
    pub rule_type: &'static str,
    /// What the rule does, in one sentence.
    pub description: &'static str,
    /// Declared parameters.
    pub params: Vec<ParamSpec>,
}

/// Builds a rule from JSON params; `prefix` names nested params in errors.
type Builder = fn(&Value, &str, usize) -> Result<Box<dyn Rule>>;

struct Entry {
    rule_type: &'static str,
    description: &'static str,
    params: fn() -> Vec<ParamSpec>,
    build: Builder,
    /// Typed grid expansion; `None` where params are not a flat struct.
    grid: Option<GridBuilder>,
}

/// Builds one rule per grid point from typed params (no JSON per point).
pub(crate) type GridBuilder = fn(&Value, &[GridAxis]) -> Result<GridRules>;

/// One grid axis: a parameter name and its values.
pub(crate) type GridAxis = (String, Vec<Value>);

/// Rules built for a grid, in grid order.
#[derive(Debug, Default)]
pub(crate) struct GridRules {
    pub(crate) rules: Vec<Box<dyn Rule>>,
    pub(crate) skipped: usize,
    pub(crate) first_error: Option<CoreError>,
}

fn build_typed<P: RuleParams>(
    params: &Value,
    prefix: &str,
    _depth: usize,
) -> Result<Box<dyn Rule>> {
    Ok(Box::new(P::from_json(params, prefix)?.into_rule()))
}

/// Builds the rule at every point of the product of `axes` over `base`:
/// the base is checked once, each axis value once, and each point is a copy
/// of the typed base with the axis fields set.
fn grid_typed<P: RuleParams>(base: &Value, axes: &[GridAxis]) -> Result<GridRules> {
    let specs = P::specs();
    // Axis values override the base, so only the other base values must be valid.
    let base = match base {
        Value::Object(map) => {
            let mut rest = map.clone();
            rest.retain(|k, _| !axes.iter().any(|(name, _)| name == k));
            P::from_json_unconstrained(&Value::Object(rest), "")?
        }
        other => P::from_json_unconstrained(other, "")?,
    };
    // Each axis value checked once; an invalid value skips its points.
    let mut checked: Vec<(&str, Vec<Result<Value>>)> = Vec::with_capacity(axes.len());
    for (name, values) in axes {
        let spec = specs
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| crate::params::unknown_param(specs, "", name))?;
        checked.push((name, values.iter().map(|v| spec.check(v, "")).collect()));
    }
    let total: usize = checked.iter().map(|(_, v)| v.len()).product();
    let mut out = GridRules {
        rules: Vec::with_capacity(total),
        ..GridRules::default()
    };
    // Odometer over the product; the last axis varies fastest.
    let mut index = vec![0usize; checked.len()];
    for _ in 0..total {
        let mut point = base.clone();
        let mut error = None;
        for ((name, values), &i) in checked.iter().zip(&index) {
            match &values[i] {
                Ok(v) => {
                    point.set(name, v);
                }
                Err(e) => {
                    error.get_or_insert_with(|| e.clone());
                }
            }
        }
        match error.map_or_else(|| point.validate_at(""), Err) {
            Ok(()) => out.rules.push(Box::new(point.into_rule())),
            Err(e) => {
                out.skipped += 1;
                out.first_error.get_or_insert(e);
            }
        }
        for (slot, (_, values)) in index.iter_mut().zip(&checked).rev() {
            *slot += 1;
            if *slot < values.len() {
                break;
            }
            *slot = 0;
        }
    }
    Ok(out)
}

macro_rules! typed_entry {
    ($name:literal, $params:ty, $description:literal) => {
        Entry {
            rule_type: $name,
            description: $description,
            params: || <$params>::specs().to_vec(),
            build: build_typed::<$params>,
            grid: Some(grid_typed::<$params>),
        }
    };
}

const REGISTRY: &[Entry] = &[
    typed_entry!(
        "RSI",
        RsiParams,
        "Buy when RSI falls below oversold, sell when it rises above overbought"
    ),
    typed_entry!(
        "MACD",
        MacdParams,
        "Buy when the MACD line crosses above its signal line, sell on the cross below"
    ),
    typed_entry!(
        "RSI_MACD",
        RsiMacdParams,
        "Buy on RSI weakness while MACD is above its signal; sell when overbought or on a bearish MACD cross"
    ),
    typed_entry!(
        "MA_CROSS",
        MaCrossParams,
        "Buy when the fast moving average crosses above the slow one, sell on the cross below"
    ),
    typed_entry!(
        "BOLLINGER",
        BollingerParams,
        "Buy below the lower Bollinger Band, sell above the upper band"
    ),
    typed_entry!(
        "VOLUME",
        VolumeParams,
        "Buy an up-close on a volume spike, sell a down-close on a volume spike"
    ),
    typed_entry!(
        "TREND",
        TrendParams,
        "Hold while the close is above its long-term moving average"
    ),
    typed_entry!(
        "ATR_BREAKOUT",
        AtrBreakoutParams,
        "Buy a close above EMA + k*ATR, sell a close below EMA - k*ATR"
    ),
    typed_entry!(
        "MOMENTUM",
        MomentumParams,
        "Buy when the rate of change exceeds the threshold, sell when it falls below its negative"
    ),
    typed_entry!(
        "MEAN_REVERSION",
        MeanReversionParams,
        "Buy when the close's z-score is far below its mean, sell when it reverts"
    ),
    typed_entry!(
        "BREAKOUT",
        BreakoutParams,
        "Buy a close above the Donchian high, sell a close below the exit channel's low"
    ),
    Entry {
        rule_type: "COMPOSITE",
        description: "Combine rules with AND / OR",
        params: composite::params,
        build: |p, prefix, depth| Ok(Box::new(CompositeRule::from_json(p, prefix, depth)?)),
        grid: None,
    },
];

/// Every rule type the registry knows, in a stable order.
pub fn rule_types() -> impl Iterator<Item = &'static str> {
    REGISTRY.iter().map(|e| e.rule_type)
}

/// Every rule with its parameter metadata (for UIs and API validation).
#[must_use]
pub fn describe_rules() -> Vec<RuleInfo> {
    REGISTRY
        .iter()
        .map(|e| RuleInfo {
            rule_type: e.rule_type,
            description: e.description,
            params: (e.params)(),
        })
        .collect()
}

/// Builds a rule from its type and a JSON `params` object (`null` for all
/// defaults). Types are matched case-insensitively.
///
/// ```
/// use backtest_core::rules::build_rule;
/// use serde_json::json;
/// let rule = build_rule("RSI", &json!({"period": 10})).unwrap();
/// assert_eq!(rule.rule_id(), "RSI_10_30_70");
/// let err = build_rule("RSI", &json!({"period": 1})).unwrap_err();
/// assert!(err.to_string().contains("period"));
/// assert!(build_rule("NOPE", &json!({})).is_err());
/// ```
///
/// # Errors
/// [`CoreError::UnknownRule`] listing the valid types, or
/// [`CoreError::InvalidParam`] naming the parameter and its valid range.
pub fn build_rule(rule_type: &str, params: &Value) -> Result<Box<dyn Rule>> {
    build_nested(rule_type, params, "", 0)
}

fn find_entry(rule_type: &str) -> Result<&'static Entry> {
    REGISTRY
        .iter()
        .find(|e| e.rule_type.eq_ignore_ascii_case(rule_type))
        .ok_or_else(|| CoreError::UnknownRule {
            rule_type: rule_type.to_owned(),
            valid: rule_types().collect::<Vec<_>>().join(", "),
        })
}

fn build_nested(
    rule_type: &str,
    params: &Value,
    prefix: &str,
    depth: usize,
) -> Result<Box<dyn Rule>> {
    (find_entry(rule_type)?.build)(params, prefix, depth)
}

/// The typed grid builder of `rule_type`, if it has one.
pub(crate) fn grid_builder(rule_type: &str) -> Result<Option<GridBuilder>> {
    Ok(find_entry(rule_type)?.grid)
}
