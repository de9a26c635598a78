//! Run statistics: every figure computed once, here, one statistic per file.
//!
//! A [`RunRecord`] is what the engine's recorder keeps of a run (bars,
//! equity, position, trades). Each statistic implements [`Statistic`] over
//! it; [`Statistics::compute`] evaluates them all. The engine's own
//! [`EngineMetrics`](crate::EngineMetrics) are streamed through the same
//! accumulators ([`sharpe::SharpeAccumulator`], [`drawdown::DrawdownTracker`],
//! [`trades::ProfitFactorAccumulator`]), so the lean optimizer path and a
//! full run agree bit for bit.
//!
//! | statistic | definition | `None` when |
//! |---|---|---|
//! | [`TotalReturn`] | `(final / initial - 1) * 100` | never |
//! | bar returns | `r_t = equity_t / equity_{t-1} - 1`, `equity_{-1}` = initial capital; a zero previous equity gives 0 | — |
//! | [`Volatility`] | `std(r) * sqrt(bars_per_year) * 100`, sample std (two-pass) | fewer than two bars |
//! | [`Sharpe`] | `mean(r) / std(r) * sqrt(bars_per_year)`, sample std, risk-free 0 | fewer than two bars, or flat (below) |
//! | [`Sortino`] | `mean(r) / dd * sqrt(bars_per_year)`, `dd = sqrt(sum(min(r, 0)^2) / n)` | fewer than two bars, or no downside (flat) |
//! | [`Cagr`] | `((final / initial)^(1 / years) - 1) * 100`, years = calendar time first to last bar / 365.25 days | zero years or a non-positive final equity |
//! | [`MaxDrawdown`] | largest `(running_peak - equity) / running_peak * 100` | never (0 without one) |
//! | [`Calmar`] | `cagr / max_drawdown_pct` | no CAGR or no drawdown |
//! | [`DrawdownDurations`] | mean and longest drawdown period in calendar days ([`drawdown::drawdown_periods`]) | mean: no drawdown |
//! | [`Exposure`] | percent of bars ending with a non-zero position | never (0 for no bars) |
//! | [`BuyHold`] | `(last close / first close - 1) * 100` | no bars |
//! | [`TradeStats`] | win rate, mean `pnl_pct`, best / worst `pnl_pct`, expectancy (mean `pnl_abs`), SQN `sqrt(n) * mean(pnl) / std(pnl)`, profit factor | no trades (SQN: fewer than two or flat; profit factor: no loss) |
//!
//! **The flat-curve guard** (one rule for every ratio over a spread: Sharpe,
//! Sortino, SQN): a spread (standard or downside deviation) that is zero,
//! not finite, or not above `1e-9 × |mean|` — rounding noise of the mean —
//! is no spread, and the ratio is `None`. See [`has_spread`]. Values are
//! never NaN or infinite: undefined is `None`.

pub mod benchmark;
pub mod cagr;
pub mod drawdown;
pub mod exposure;
pub mod returns;
pub mod sharpe;
pub mod sortino;
pub mod trades;
pub mod volatility;

pub use benchmark::{benchmark_stats, BenchmarkStats};
pub use cagr::{years_between, Cagr, DAYS_PER_YEAR};
pub use drawdown::{
    drawdown_curve, drawdown_periods, Calmar, DrawdownDurations, DrawdownPeriod, MaxDrawdown,
};
pub use exposure::{BuyHold, Exposure};
pub use returns::{bar_returns, TotalReturn};
pub use sharpe::Sharpe;
pub use sortino::Sortino;
pub use trades::{TradeStatistics, TradeStats};
pub use volatility::Volatility;

use serde::{Deserialize, Serialize};

use crate::engine::Trade;

/// Seconds per calendar day.
pub const DAY_SECONDS: i64 = 86_400;

/// What a run leaves to compute statistics from (one entry per bar in the
/// per-bar slices).
#[derive(Debug, Clone, Copy)]
pub struct RunRecord<'a> {
    /// Bar timestamps, Unix seconds.
    pub timestamps: &'a [i64],
    /// Bar closes.
    pub close: &'a [f64],
    /// Equity per bar.
    pub equity: &'a [f64],
    /// Signed position in shares per bar.
    pub position: &'a [f64],
    /// Closed trades, in time order.
    pub trades: &'a [Trade],
    /// Starting cash.
    pub initial_capital: f64,
    /// Annualisation factor ([`Timeframe::bars_per_year`](crate::Timeframe::bars_per_year)).
    pub bars_per_year: f64,
}

/// One statistic of a run.
pub trait Statistic {
    /// What it computes.
    type Value;
    /// Computes it from the record.
    fn compute(&self, run: &RunRecord<'_>) -> Self::Value;
}

/// Every statistic of a run (see the module table for definitions).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Statistics {
    /// Total return, percent.
    pub total_return_pct: f64,
    /// Compound annual growth rate, percent.
    pub cagr_pct: Option<f64>,
    /// Annualised volatility of bar returns, percent.
    pub volatility_pct: Option<f64>,
    /// Annualised Sharpe ratio.
    pub sharpe_ratio: Option<f64>,
    /// Annualised Sortino ratio.
    pub sortino_ratio: Option<f64>,
    /// CAGR / max drawdown.
    pub calmar_ratio: Option<f64>,
    /// Maximum drawdown, percent (positive).
    pub max_drawdown_pct: f64,
    /// Mean drawdown period, calendar days.
    pub avg_drawdown_duration_days: Option<f64>,
    /// Longest drawdown period, calendar days.
    pub max_drawdown_duration_days: f64,
    /// Percent of bars in the market.
    pub exposure_pct: f64,
    /// Buy-and-hold return over the same bars, percent.
    pub buy_hold_return_pct: Option<f64>,
    /// Trade statistics.
    pub trades: TradeStatistics,
}

impl Statistics {
    /// Computes every statistic of `run`.
    #[must_use]
    pub fn compute(run: &RunRecord<'_>) -> Self {
        let cagr_pct = Cagr.compute(run);
        let max_drawdown_pct = MaxDrawdown.compute(run);
        let (avg_dd, max_dd) = DrawdownDurations.compute(run);
        Self {
            total_return_pct: TotalReturn.compute(run),
            cagr_pct,
            volatility_pct: Volatility.compute(run),
            sharpe_ratio: Sharpe.compute(run),
            sortino_ratio: Sortino.compute(run),
            calmar_ratio: drawdown::calmar(cagr_pct, max_drawdown_pct),
            max_drawdown_pct,
            avg_drawdown_duration_days: avg_dd,
            max_drawdown_duration_days: max_dd,
            exposure_pct: Exposure.compute(run),
            buy_hold_return_pct: BuyHold.compute(run),
            trades: TradeStats.compute(run),
        }
    }
}

/// The flat-curve guard: whether `spread` (a standard or downside
/// deviation) is a real spread around `level` (the mean), not zero,
/// infinity or rounding noise (`<= 1e-9 × |level|`).
#[inline]
#[must_use]
pub fn has_spread(spread: f64, level: f64) -> bool {
    spread > 0.0 && spread.is_finite() && spread > level.abs() * 1e-9
}

/// `Some(x)` when `x` is finite.
#[inline]
#[must_use]
pub fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
