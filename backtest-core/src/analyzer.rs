//! Rule validator and signal analyzer.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::rules::{build_rule, signals_for};
use crate::{OhlcvSeries, Result, Signal};

/// Statistics of a rule's signals on a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalReport {
    /// Tracking slug of the validated rule.
    pub rule_id: String,
    /// Validated parameters, defaults filled in.
    pub params: Value,
    /// Bars in the series.
    pub bars: usize,
    /// Bars with a `Buy` signal.
    pub buy_signals: usize,
    /// Bars with a `Sell` signal.
    pub sell_signals: usize,
    /// Signals a long-only engine would act on (entries while flat, exits while long).
    pub actionable_signals: usize,
    /// Index of the first non-hold bar.
    pub first_signal: Option<usize>,
    /// Index of the last non-hold bar.
    pub last_signal: Option<usize>,
    /// Mean number of bars between consecutive non-hold bars.
    pub average_spacing_bars: Option<f64>,
}

/// Validates `rule_type` + `params` and describes the rule's signals on `series`.
///
/// ```
/// use backtest_core::{analyzer::analyze, OhlcvSeries};
/// use serde_json::json;
/// let close: Vec<f64> = (0..200).map(|i| 100.0 + (i as f64 / 5.0).sin() * 10.0).collect();
/// let series = OhlcvSeries::new((0..200).map(|d| d * 86_400).collect(), close.clone(), close.clone(), close.clone(), close, vec![1e6; 200]).unwrap();
/// let report = analyze(&series, "MA_CROSS", &json!({"fast": 5, "slow": 20})).unwrap();
/// assert!(report.buy_signals > 0 && report.sell_signals > 0);
/// assert!(analyze(&series, "MA_CROSS", &json!({"fast": 30, "slow": 20})).is_err());
/// ```
///
/// # Errors
/// The registry's errors for an unknown rule or an invalid parameter.
pub fn analyze(series: &OhlcvSeries, rule_type: &str, params: &Value) -> Result<SignalReport> {
    let rule = build_rule(rule_type, params)?;
    let signals = signals_for(rule.as_ref(), series);
    let active: Vec<usize> = signals
        .iter()
        .enumerate()
        .filter(|(_, s)| **s != Signal::Hold)
        .map(|(i, _)| i)
        .collect();
    let mut long = false;
    let actionable_signals = signals
        .iter()
        .filter(|s| match (**s, long) {
            (Signal::Buy, false) | (Signal::Sell, true) => {
                long = !long;
                true
            }
            _ => false,
        })
        .count();
    let average_spacing_bars = match (active.first(), active.last()) {
        (Some(first), Some(last)) if active.len() > 1 => {
            Some((last - first) as f64 / (active.len() - 1) as f64)
        }
        _ => None,
    };
    Ok(SignalReport {
        rule_id: rule.rule_id(),
        params: rule.params(),
        bars: series.len(),
        buy_signals: signals.iter().filter(|s| **s == Signal::Buy).count(),
        sell_signals: signals.iter().filter(|s| **s == Signal::Sell).count(),
        actionable_signals,
        first_signal: active.first().copied(),
        last_signal: active.last().copied(),
        average_spacing_bars,
    })
}
