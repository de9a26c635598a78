//! Trade statistics: win rate, mean and extreme returns, expectancy, SQN,
//! profit factor.

use serde::{Deserialize, Serialize};

use super::returns::{mean, sample_std};
use super::{finite, has_spread, RunRecord, Statistic};

/// Statistics over the closed trades of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TradeStatistics {
    /// Number of round-trip trades.
    pub count: usize,
    /// Percent of trades with `pnl_abs > 0`.
    pub win_rate_pct: Option<f64>,
    /// Mean `pnl_pct`.
    pub avg_return_pct: Option<f64>,
    /// Largest `pnl_pct`.
    pub best_pct: Option<f64>,
    /// Smallest `pnl_pct`.
    pub worst_pct: Option<f64>,
    /// Mean `pnl_abs`.
    pub expectancy: Option<f64>,
    /// `sqrt(n) * mean(pnl_abs) / std(pnl_abs)` (sample std).
    pub sqn: Option<f64>,
    /// Gross profit / |gross loss|; `None` without a loss.
    pub profit_factor: Option<f64>,
}

/// Computes [`TradeStatistics`].
#[derive(Debug, Clone, Copy, Default)]
pub struct TradeStats;

impl Statistic for TradeStats {
    type Value = TradeStatistics;
    fn compute(&self, run: &RunRecord<'_>) -> TradeStatistics {
        let pnl_abs: Vec<f64> = run.trades.iter().map(|t| t.pnl_abs).collect();
        let pnl_pct: Vec<f64> = run.trades.iter().map(|t| t.pnl_pct).collect();
        let mut pf = ProfitFactorAccumulator::default();
        pnl_abs.iter().for_each(|&p| pf.push(p));
        TradeStatistics {
            count: run.trades.len(),
            win_rate_pct: win_rate(&pnl_abs),
            avg_return_pct: mean(&pnl_pct).and_then(finite),
            best_pct: pnl_pct.iter().copied().reduce(f64::max).and_then(finite),
            worst_pct: pnl_pct.iter().copied().reduce(f64::min).and_then(finite),
            expectancy: mean(&pnl_abs).and_then(finite),
            sqn: sqn(&pnl_abs),
            profit_factor: pf.finish(),
        }
    }
}

/// Percent of trades with a positive PnL.
#[must_use]
pub fn win_rate(pnl_abs: &[f64]) -> Option<f64> {
    (!pnl_abs.is_empty())
        .then(|| pnl_abs.iter().filter(|&&p| p > 0.0).count() as f64 / pnl_abs.len() as f64 * 100.0)
}

/// `sqrt(n) * mean(pnl) / std(pnl)` (sample std); `None` with fewer than
/// two trades or no spread ([`super::has_spread`]).
#[must_use]
pub fn sqn(pnl_abs: &[f64]) -> Option<f64> {
    let s = sample_std(pnl_abs)?;
    let m = mean(pnl_abs)?;
    if has_spread(s, m) {
        finite((pnl_abs.len() as f64).sqrt() * m / s)
    } else {
        None
    }
}

/// Gross profit and gross loss, fed trade by trade (the engine streams its
/// trades through one).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProfitFactorAccumulator {
    gross_profit: f64,
    gross_loss: f64,
}

impl ProfitFactorAccumulator {
    /// Adds one trade's PnL.
    #[inline]
    pub fn push(&mut self, pnl: f64) {
        if pnl > 0.0 {
            self.gross_profit += pnl;
        } else if pnl < 0.0 {
            self.gross_loss -= pnl;
        }
    }

    /// Gross profit / |gross loss|; `None` without a loss.
    #[must_use]
    pub fn finish(&self) -> Option<f64> {
        (self.gross_loss > 0.0)
            .then(|| self.gross_profit / self.gross_loss)
            .and_then(finite)
    }
}
