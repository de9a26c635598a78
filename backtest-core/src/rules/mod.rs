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
mod ma_cross;
mod macd;
mod mean_reversion;
mod momentum;
mod rsi;
mod rsi_macd;
mod trend;
mod volume;

pub use atr_breakout::AtrBreakoutRule;
pub use bollinger::BollingerRule;
pub use breakout::BreakoutRule;
pub use composite::CompositeRule;
pub use ma_cross::MaCrossRule;
pub use macd::MacdRule;
pub use mean_reversion::MeanReversionRule;
pub use momentum::MomentumRule;
pub use rsi::RsiRule;
pub use rsi_macd::RsiMacdRule;
pub use trend::TrendRule;
pub use volume::VolumeRule;

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde::Serialize;
use serde_json::Value;

use crate::{CoreError, OhlcvSeries, ParamSpec, Params, Result, Signal};

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

/// A lazily computed indicator column.
type Column = OnceLock<Arc<Vec<f64>>>;

/// Shared, thread-safe memo of indicator columns keyed by name and parameters
/// (e.g. `"rsi:14"`). One cache belongs to one series.
#[derive(Debug, Default)]
pub struct IndicatorCache {
    columns: Mutex<HashMap<String, Arc<Column>>>,
}

impl IndicatorCache {
    /// An empty cache.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The column for `key`, computing it with `compute` on first use.
    /// Concurrent callers for the same key wait for one computation.
    pub fn get_or_compute(&self, key: &str, compute: impl FnOnce() -> Vec<f64>) -> Arc<Vec<f64>> {
        let cell = {
            let mut columns = self.columns.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(columns.entry(key.to_owned()).or_default())
        };
        Arc::clone(cell.get_or_init(|| Arc::new(compute())))
    }

    /// Number of distinct columns computed so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.columns
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether nothing has been computed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a rule sees: the series and an indicator cache for it.
#[derive(Debug)]
pub struct RuleContext<'a> {
    series: &'a OhlcvSeries,
    cache: &'a IndicatorCache,
}

impl<'a> RuleContext<'a> {
    /// A context over `series` sharing `cache` (which must belong to `series`).
    #[must_use]
    pub fn new(series: &'a OhlcvSeries, cache: &'a IndicatorCache) -> Self {
        Self { series, cache }
    }

    /// The series being evaluated.
    #[must_use]
    pub fn series(&self) -> &'a OhlcvSeries {
        self.series
    }

    /// A cached indicator column.
    pub fn indicator(
        &self,
        key: &str,
        compute: impl FnOnce(&OhlcvSeries) -> Vec<f64>,
    ) -> Arc<Vec<f64>> {
        self.cache.get_or_compute(key, || compute(self.series))
    }
}

/// Signals of `rule` on `series` with a fresh cache.
#[must_use]
pub fn signals_for(rule: &dyn Rule, series: &OhlcvSeries) -> Vec<Signal> {
    let cache = IndicatorCache::new();
    rule.signals(&RuleContext::new(series, &cache))
}

/// A rule type with its description and parameter metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleInfo {
    /// Registry name, e.g. `"RSI"`.
    pub rule_type: &'static str,
    /// What the rule does, in one sentence.
    pub description: &'static str,
    /// Declared parameters.
    pub params: Vec<ParamSpec>,
}

type Builder = fn(&Params, usize) -> Result<Box<dyn Rule>>;

struct Entry {
    rule_type: &'static str,
    description: &'static str,
    params: fn() -> Vec<ParamSpec>,
    build: Builder,
}

fn boxed<R: Rule + 'static>(rule: Result<R>) -> Result<Box<dyn Rule>> {
    rule.map(|r| Box::new(r) as Box<dyn Rule>)
}

const REGISTRY: &[Entry] = &[
    Entry {
        rule_type: "RSI",
        description: "Buy when RSI falls below oversold, sell when it rises above overbought",
        params: rsi::params,
        build: |p, _| boxed(RsiRule::from_params(p)),
    },
    Entry {
        rule_type: "MACD",
        description: "Buy when the MACD line crosses above its signal line, sell on the cross below",
        params: macd::params,
        build: |p, _| boxed(MacdRule::from_params(p)),
    },
    Entry {
        rule_type: "RSI_MACD",
        description: "Buy on RSI weakness while MACD is above its signal; sell when overbought or on a bearish MACD cross",
        params: rsi_macd::params,
        build: |p, _| boxed(RsiMacdRule::from_params(p)),
    },
    Entry {
        rule_type: "MA_CROSS",
        description: "Buy when the fast moving average crosses above the slow one, sell on the cross below",
        params: ma_cross::params,
        build: |p, _| boxed(MaCrossRule::from_params(p)),
    },
    Entry {
        rule_type: "BOLLINGER",
        description: "Buy below the lower Bollinger Band, sell above the upper band",
        params: bollinger::params,
        build: |p, _| boxed(BollingerRule::from_params(p)),
    },
    Entry {
        rule_type: "VOLUME",
        description: "Buy an up-close on a volume spike, sell a down-close on a volume spike",
        params: volume::params,
        build: |p, _| boxed(VolumeRule::from_params(p)),
    },
    Entry {
        rule_type: "TREND",
        description: "Hold while the close is above its long-term moving average",
        params: trend::params,
        build: |p, _| boxed(TrendRule::from_params(p)),
    },
    Entry {
        rule_type: "ATR_BREAKOUT",
        description: "Buy a close above EMA + k*ATR, sell a close below EMA - k*ATR",
        params: atr_breakout::params,
        build: |p, _| boxed(AtrBreakoutRule::from_params(p)),
    },
    Entry {
        rule_type: "MOMENTUM",
        description: "Buy when the rate of change exceeds the threshold, sell when it falls below its negative",
        params: momentum::params,
        build: |p, _| boxed(MomentumRule::from_params(p)),
    },
    Entry {
        rule_type: "MEAN_REVERSION",
        description: "Buy when the close's z-score is far below its mean, sell when it reverts",
        params: mean_reversion::params,
        build: |p, _| boxed(MeanReversionRule::from_params(p)),
    },
    Entry {
        rule_type: "BREAKOUT",
        description: "Buy a close above the Donchian high, sell a close below the exit channel's low",
        params: breakout::params,
        build: |p, _| boxed(BreakoutRule::from_params(p)),
    },
    Entry {
        rule_type: "COMPOSITE",
        description: "Combine rules with AND / OR",
        params: composite::params,
        build: |p, depth| boxed(CompositeRule::from_params(p, depth)),
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

fn build_nested(
    rule_type: &str,
    params: &Value,
    prefix: &str,
    depth: usize,
) -> Result<Box<dyn Rule>> {
    let entry = REGISTRY
        .iter()
        .find(|e| e.rule_type.eq_ignore_ascii_case(rule_type))
        .ok_or_else(|| CoreError::UnknownRule {
            rule_type: rule_type.to_owned(),
            valid: rule_types().collect::<Vec<_>>().join(", "),
        })?;
    let parsed = Params::parse(&(entry.params)(), params, prefix)?;
    (entry.build)(&parsed, depth)
}
