//! Annualised Sharpe ratio, streamed (one pass, O(1) memory).

use super::returns::bar_return;
use super::{has_spread, RunRecord, Statistic};

/// `mean(r) / std(r) * sqrt(bars_per_year)`: sample std, risk-free rate 0,
/// `None` with fewer than two returns or without a spread ([`super::has_spread`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sharpe;

impl Statistic for Sharpe {
    type Value = Option<f64>;
    fn compute(&self, run: &RunRecord<'_>) -> Option<f64> {
        let mut acc = SharpeAccumulator::default();
        let mut previous = run.initial_capital;
        for &e in run.equity {
            // As the engine does: an unchanged equity is an exact zero return.
            if e == previous {
                acc.push_zeros(1);
            } else {
                acc.push(bar_return(previous, e));
            }
            previous = e;
        }
        acc.finish(run.bars_per_year)
    }
}

/// Running count, sum and sum of squares of returns: what the engine feeds
/// bar by bar, and what [`Sharpe`] folds over a recorded curve.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SharpeAccumulator {
    count: usize,
    sum: f64,
    sum_sq: f64,
}

impl SharpeAccumulator {
    /// Adds one return.
    #[inline]
    pub fn push(&mut self, ret: f64) {
        self.count += 1;
        self.sum += ret;
        self.sum_sq += ret * ret;
    }

    /// Adds `count` zero returns (bars with unchanged equity) in O(1).
    #[inline]
    pub fn push_zeros(&mut self, count: usize) {
        self.count += count;
    }

    /// The annualised ratio.
    #[must_use]
    pub fn finish(&self, bars_per_year: f64) -> Option<f64> {
        if self.count < 2 {
            return None;
        }
        let n = self.count as f64;
        let mean = self.sum / n;
        // Returns are small and centred near zero, so the one-pass
        // sum-of-squares variance loses no meaningful precision here.
        let variance = ((self.sum_sq - self.sum * mean) / (n - 1.0)).max(0.0);
        let std = variance.sqrt();
        has_spread(std, mean).then(|| mean / std * bars_per_year.sqrt())
    }
}
