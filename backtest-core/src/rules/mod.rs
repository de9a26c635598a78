//! Trading rules: signal generators with declared, validated parameters.
//!
//! A rule turns a series into one [`Signal`] per bar, decided on that bar's
//! close. Rules never see position state; the engine applies signals.
//! Indicators are fetched through a [`RuleContext`], whose cache lets the
//! optimizer compute each distinct indicator once per grid.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde_json::Value;

use crate::{OhlcvSeries, Signal};

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

/// Shared, thread-safe memo of indicator columns keyed by name and parameters
/// (e.g. `"rsi:14"`). One cache belongs to one series.
#[derive(Debug, Default)]
pub struct IndicatorCache {
    columns: Mutex<HashMap<String, Arc<OnceLock<Arc<Vec<f64>>>>>>,
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
        self.columns.lock().unwrap_or_else(PoisonError::into_inner).len()
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
    pub fn indicator(&self, key: &str, compute: impl FnOnce(&OhlcvSeries) -> Vec<f64>) -> Arc<Vec<f64>> {
        self.cache.get_or_compute(key, || compute(self.series))
    }
}

/// Signals of `rule` on `series` with a fresh cache.
#[must_use]
pub fn signals_for(rule: &dyn Rule, series: &OhlcvSeries) -> Vec<Signal> {
    let cache = IndicatorCache::new();
    rule.signals(&RuleContext::new(series, &cache))
}
