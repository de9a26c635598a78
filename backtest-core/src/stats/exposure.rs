//! Market exposure and the buy-and-hold benchmark return.

use super::{finite, RunRecord, Statistic};

/// Percent of bars that end with a non-zero position (0 for no bars).
#[derive(Debug, Clone, Copy, Default)]
pub struct Exposure;

impl Statistic for Exposure {
    type Value = f64;
    fn compute(&self, run: &RunRecord<'_>) -> f64 {
        exposure_pct(run.position)
    }
}

/// Percent of bars with a non-zero position.
#[must_use]
pub fn exposure_pct(position: &[f64]) -> f64 {
    if position.is_empty() {
        return 0.0;
    }
    position.iter().filter(|&&p| p != 0.0).count() as f64 / position.len() as f64 * 100.0
}

/// `(last close / first close - 1) * 100` over the run's bars.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuyHold;

impl Statistic for BuyHold {
    type Value = Option<f64>;
    fn compute(&self, run: &RunRecord<'_>) -> Option<f64> {
        buy_hold_return_pct(run.close)
    }
}

/// `(last / first - 1) * 100` of `close`.
#[must_use]
pub fn buy_hold_return_pct(close: &[f64]) -> Option<f64> {
    let (first, last) = (close.first()?, close.last()?);
    finite((last / first - 1.0) * 100.0)
}
