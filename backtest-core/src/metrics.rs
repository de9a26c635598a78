//! Engine-level metrics, accumulated in one pass over the equity curve
//! through the [`stats`](crate::stats) accumulators.
//!
//! Definitions (the adapter reports these values and never recomputes them):
//! - total return % = `(final_equity / initial_capital - 1) * 100`;
//! - bar returns `r_t = equity_t / equity_{t-1} - 1`, with `equity_{-1}` the
//!   initial capital (as vectorbt does);
//! - Sharpe = `mean(r) / std(r) * sqrt(bars_per_year)`, risk-free rate 0,
//!   sample standard deviation (n - 1); undefined (`None`) with fewer than
//!   two returns or zero variance;
//! - max drawdown % = the largest `(running_peak - equity) / running_peak * 100`
//!   over the curve, a positive magnitude;
//! - profit factor = gross profit / |gross loss| over closed trades, `None`
//!   without a losing trade.

use serde::{Deserialize, Serialize};

use crate::stats::drawdown::DrawdownTracker;
use crate::stats::returns::bar_return;
use crate::stats::sharpe::SharpeAccumulator;
use crate::stats::trades::ProfitFactorAccumulator;

/// Metrics the engine computes for every run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EngineMetrics {
    /// Total return in percent.
    pub total_return_pct: f64,
    /// Annualised Sharpe ratio, `None` when undefined.
    pub sharpe_ratio: Option<f64>,
    /// Maximum drawdown in percent (positive).
    pub max_drawdown_pct: f64,
    /// Number of round-trip trades.
    pub num_trades: usize,
    /// Gross profit / |gross loss|, `None` without a loss.
    pub profit_factor: Option<f64>,
}

/// Streaming accumulator behind [`EngineMetrics`]; O(1) memory. It feeds
/// the statistics module's accumulators, so these figures are defined once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MetricsAccumulator {
    initial: f64,
    previous: f64,
    count: usize,
    returns: SharpeAccumulator,
    drawdown: DrawdownTracker,
    trades: usize,
    profit_factor: ProfitFactorAccumulator,
}

impl MetricsAccumulator {
    pub(crate) fn new(initial_capital: f64) -> Self {
        Self {
            initial: initial_capital,
            previous: initial_capital,
            count: 0,
            returns: SharpeAccumulator::default(),
            drawdown: DrawdownTracker::default(),
            trades: 0,
            profit_factor: ProfitFactorAccumulator::default(),
        }
    }

    #[inline]
    pub(crate) fn push_equity(&mut self, equity: f64) {
        // Flat bars are common; an unchanged equity is an exact zero return.
        if equity == self.previous {
            self.returns.push_zeros(1);
        } else {
            self.returns.push(bar_return(self.previous, equity));
        }
        self.previous = equity;
        self.count += 1;
        self.drawdown.push(equity);
    }

    /// Same as `push_equity` for each of `equities`, in order.
    #[inline]
    pub(crate) fn push_equities(&mut self, equities: &[f64]) {
        for &e in equities {
            self.push_equity(e);
        }
    }

    /// Same as `count` calls of `push_equity(equity)` when `equity` is
    /// unchanged or rises from the previous bar, in O(1).
    pub(crate) fn push_flat(&mut self, count: usize, equity: f64) {
        if count > 0 {
            self.push_equity(equity);
            // Later bars repeat the equity: zero returns, no new peak or drawdown.
            self.count += count - 1;
            self.returns.push_zeros(count - 1);
        }
    }

    #[inline]
    pub(crate) fn push_trade(&mut self, pnl: f64) {
        self.trades += 1;
        self.profit_factor.push(pnl);
    }

    pub(crate) fn finish(&self, bars_per_year: f64) -> EngineMetrics {
        let final_equity = if self.count == 0 {
            self.initial
        } else {
            self.previous
        };
        EngineMetrics {
            total_return_pct: (final_equity / self.initial - 1.0) * 100.0,
            sharpe_ratio: self.returns.finish(bars_per_year),
            max_drawdown_pct: self.drawdown.max_drawdown_pct(),
            num_trades: self.trades,
            profit_factor: self.profit_factor.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics(equity: &[f64], initial: f64) -> EngineMetrics {
        let mut acc = MetricsAccumulator::new(initial);
        for &e in equity {
            acc.push_equity(e);
        }
        acc.finish(252.0)
    }

    #[test]
    fn total_return_and_drawdown_by_hand() {
        // Peak 120, trough 90: drawdown 25 %.
        let m = metrics(&[100.0, 120.0, 90.0, 110.0], 100.0);
        assert!((m.total_return_pct - 10.0).abs() < 1e-12);
        assert!((m.max_drawdown_pct - 25.0).abs() < 1e-12);
    }

    #[test]
    fn sharpe_matches_two_pass_formula() {
        let equity = [101.0, 99.0, 102.0, 104.0, 103.0];
        let mut prev = 100.0;
        let returns: Vec<f64> = equity
            .iter()
            .map(|&e| {
                let r = e / prev - 1.0;
                prev = e;
                r
            })
            .collect();
        let n = returns.len() as f64;
        let mean = returns.iter().sum::<f64>() / n;
        let var = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let expected = mean / var.sqrt() * 252f64.sqrt();
        let got = metrics(&equity, 100.0).sharpe_ratio.expect("defined");
        assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
    }

    #[test]
    fn flat_curve_has_undefined_sharpe() {
        assert_eq!(metrics(&[100.0; 5], 100.0).sharpe_ratio, None);
        assert_eq!(metrics(&[], 100.0).total_return_pct, 0.0);
    }

    #[test]
    fn profit_factor_needs_a_loss() {
        let mut acc = MetricsAccumulator::new(100.0);
        acc.push_trade(30.0);
        assert_eq!(acc.finish(252.0).profit_factor, None);
        acc.push_trade(-10.0);
        acc.push_trade(0.0);
        let m = acc.finish(252.0);
        assert_eq!(m.profit_factor, Some(3.0));
        assert_eq!(m.num_trades, 3);
    }
}
