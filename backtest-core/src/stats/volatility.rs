//! Annualised volatility of bar returns.

use super::returns::{bar_returns, sample_std};
use super::{finite, RunRecord, Statistic};

/// `std(r) * sqrt(bars_per_year) * 100` (sample std of the bar returns).
/// A flat curve has volatility 0: a defined value, not a ratio.
#[derive(Debug, Clone, Copy, Default)]
pub struct Volatility;

impl Statistic for Volatility {
    type Value = Option<f64>;
    fn compute(&self, run: &RunRecord<'_>) -> Option<f64> {
        volatility(
            &bar_returns(run.equity, run.initial_capital),
            run.bars_per_year,
        )
    }
}

/// Volatility of `returns`, percent, annualised.
#[must_use]
pub fn volatility(returns: &[f64], bars_per_year: f64) -> Option<f64> {
    sample_std(returns)
        .map(|s| s * bars_per_year.sqrt() * 100.0)
        .and_then(finite)
}
