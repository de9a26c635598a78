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
mod grid;
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

pub(crate) use grid::{digits as grid_digits, GridAxis, GridPreparer, RuleGrid};

use crate::params::RuleParams;
use crate::{CoreError, OhlcvSeries, ParamSpec, Result, Signal};

/// Longest [`Rule::rule_id`], in characters: runs and sweep results store
/// it in a `VARCHAR(128)` column.
pub const MAX_RULE_ID_LEN: usize = 128;

/// A trading rule.
pub trait Rule: Send + Sync + Debug {
    /// Registry name, e.g. `"RSI"`.
    fn rule_type(&self) -> &'static str;

    /// Tracking slug derived from type and parameters, e.g. `"RSI_14_30_70"`;
    /// at most [`MAX_RULE_ID_LEN`] characters.
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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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
    /// Prepares a grid over the rule's parameters (no JSON per point).
    grid: GridPreparer,
}

fn build_typed<P: RuleParams>(
    params: &Value,
    prefix: &str,
    _depth: usize,
) -> Result<Box<dyn Rule>> {
    Ok(Box::new(P::from_json(params, prefix)?.into_rule()))
}

macro_rules! typed_entry {
    ($name:literal, $params:ty, $description:literal) => {
        Entry {
            rule_type: $name,
            description: $description,
            params: || <$params>::specs().to_vec(),
            build: build_typed::<$params>,
            grid: grid::typed::<$params>,
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
        grid: composite::grid,
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

/// `rule_type`'s parameter grid over `base` (a JSON object or `null`) with
/// `axes` (names of its parameters, each with its values), prepared once:
/// the base and every axis value are checked here, and each point's rule is
/// then built from typed values ([`RuleGrid::rule_at`]).
///
/// # Errors
/// An unknown rule type, an invalid base parameter or an unknown axis name.
pub(crate) fn prepare_grid(
    rule_type: &str,
    base: &Value,
    axes: &[GridAxis],
) -> Result<Box<dyn RuleGrid>> {
    (find_entry(rule_type)?.grid)(base, axes)
}
