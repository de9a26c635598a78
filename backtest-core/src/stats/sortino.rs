//! Annualised Sortino ratio.

use super::returns::{bar_returns, mean};
use super::{finite, has_spread, RunRecord, Statistic};

/// `mean(r) / dd * sqrt(bars_per_year)`, `dd = sqrt(sum(min(r, 0)^2) / n)`
/// (target 0, over all `n` returns); `None` with fewer than two returns or
/// no downside spread ([`super::has_spread`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sortino;

impl Statistic for Sortino {
    type Value = Option<f64>;
    fn compute(&self, run: &RunRecord<'_>) -> Option<f64> {
        sortino(
            &bar_returns(run.equity, run.initial_capital),
            run.bars_per_year,
        )
    }
}

/// Sortino ratio of `returns`.
#[must_use]
pub fn sortino(returns: &[f64], bars_per_year: f64) -> Option<f64> {
    if returns.len() < 2 {
        return None;
    }
    let m = mean(returns)?;
    let downside: f64 = returns.iter().map(|r| r.min(0.0).powi(2)).sum();
    let dd = (downside / returns.len() as f64).sqrt();
    if has_spread(dd, m) {
        finite(m / dd * bars_per_year.sqrt())
    } else {
        None
    }
}
