//! Compound annual growth rate.

use super::{finite, RunRecord, Statistic, DAY_SECONDS};

/// Days per year for CAGR (Julian year).
pub const DAYS_PER_YEAR: f64 = 365.25;

/// `((final / initial)^(1 / years) - 1) * 100`, years from the first to the
/// last bar; `None` for zero years or a non-positive final equity.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cagr;

impl Statistic for Cagr {
    type Value = Option<f64>;
    fn compute(&self, run: &RunRecord<'_>) -> Option<f64> {
        let last = run.equity.last().copied().unwrap_or(run.initial_capital);
        cagr(run.initial_capital, last, years_between(run.timestamps))
    }
}

/// Years from the first to the last timestamp (365.25-day years).
#[must_use]
pub fn years_between(timestamps: &[i64]) -> f64 {
    match (timestamps.first(), timestamps.last()) {
        (Some(a), Some(b)) => (b - a) as f64 / DAY_SECONDS as f64 / DAYS_PER_YEAR,
        _ => 0.0,
    }
}

/// `((final / initial)^(1 / years) - 1) * 100`.
#[must_use]
pub fn cagr(initial: f64, final_equity: f64, years: f64) -> Option<f64> {
    if years <= 0.0 || initial <= 0.0 || final_equity <= 0.0 {
        return None;
    }
    finite(((final_equity / initial).powf(1.0 / years) - 1.0) * 100.0)
}
