//! KPIs beyond the engine's (SPEC §4), one function per figure.
//!
//! `total_return_pct`, `sharpe_ratio`, `max_drawdown_pct`, `num_trades` and
//! `profit_factor` are the engine's values and are passed through unchanged.
//! Everything else is defined here:
//!
//! | KPI | definition | `null` when |
//! |---|---|---|
//! | `cagr` | `((final / initial)^(1 / years) - 1) * 100`, `years` = calendar time from the first to the last bar / 365.25 days | one bar (zero years) or a non-positive final equity |
//! | `volatility` | `std(r) * sqrt(bars_per_year) * 100`, sample std of the bar returns `r` (below) | fewer than two bars |
//! | `win_rate` | percent of trades with `pnl_abs > 0` | no trades |
//! | `avg_trade_return` | mean `pnl_pct` | no trades |
//! | `exposure_pct` | percent of bars that end with a non-zero position | never (0 for no bars) |
//! | `sortino` | `mean(r) / dd * sqrt(bars_per_year)`, `dd = sqrt(sum(min(r, 0)^2) / n)` (target 0, over all `n` returns) | fewer than two bars or no negative return |
//! | `calmar` | `cagr / max_drawdown_pct` | no CAGR or no drawdown |
//! | `best_trade_pct` / `worst_trade_pct` | max / min `pnl_pct` | no trades |
//! | `avg_drawdown_duration_days` | mean duration of the drawdown periods (see [`super::drawdown_periods`]) | no drawdown |
//! | `max_drawdown_duration_days` | longest drawdown period | never (0 without one) |
//! | `buy_hold_return_pct` | `(last close / first close - 1) * 100` over the same bars | never |
//! | `expectancy` | mean `pnl_abs` | no trades |
//! | `sqn` | `sqrt(n) * mean(pnl_abs) / std(pnl_abs)`, sample std | fewer than two trades or zero std |
//!
//! Bar returns are the engine's: `r_t = equity_t / equity_{t-1} - 1` with
//! `equity_{-1}` the initial capital. `bars_per_year` is 252 for daily bars
//! (see `Timeframe::bars_per_year`). Undefined values are `None`, never NaN
//! or infinity.

use backtest_core::engine::Trade;
use backtest_core::EngineMetrics;

use super::drawdown::drawdown_periods;
use super::returns::{bar_returns, finite, mean, sample_std};
use super::time::DAY_SECONDS;
use crate::contract::Metrics;

/// Days per year for CAGR (Julian year).
pub const DAYS_PER_YEAR: f64 = 365.25;

/// Everything the KPIs are computed from.
#[derive(Debug, Clone, Copy)]
pub struct KpiInput<'a> {
    /// Bar timestamps, Unix seconds.
    pub timestamps: &'a [i64],
    /// Bar closes (for buy & hold).
    pub close: &'a [f64],
    /// Equity per bar.
    pub equity: &'a [f64],
    /// Signed position in shares per bar.
    pub position: &'a [f64],
    /// Closed trades.
    pub trades: &'a [Trade],
    /// Starting cash.
    pub initial_capital: f64,
    /// Annualisation factor (252 for daily bars).
    pub bars_per_year: f64,
    /// The engine's metrics, passed through.
    pub engine: EngineMetrics,
}

/// Every KPI of the result contract.
#[must_use]
pub fn compute(input: &KpiInput<'_>) -> Metrics {
    let returns = bar_returns(input.equity, input.initial_capital);
    let pnl_abs: Vec<f64> = input.trades.iter().map(|t| t.pnl_abs).collect();
    let pnl_pct: Vec<f64> = input.trades.iter().map(|t| t.pnl_pct).collect();
    let final_equity = input
        .equity
        .last()
        .copied()
        .unwrap_or(input.initial_capital);
    let years = years_between(input.timestamps);
    let cagr_pct = cagr(input.initial_capital, final_equity, years);
    let periods = drawdown_periods(input.timestamps, input.equity);
    let durations: Vec<f64> = periods.iter().map(|p| p.duration_days).collect();
    let e = input.engine;
    Metrics {
        total_return_pct: e.total_return_pct,
        sharpe_ratio: e.sharpe_ratio.and_then(finite),
        max_drawdown_pct: e.max_drawdown_pct,
        num_trades: e.num_trades as u64,
        cagr: cagr_pct,
        volatility: volatility(&returns, input.bars_per_year),
        win_rate: win_rate(&pnl_abs),
        avg_trade_return: mean(&pnl_pct).and_then(finite),
        exposure_pct: exposure_pct(input.position),
        profit_factor: e.profit_factor.and_then(finite),
        sortino: sortino(&returns, input.bars_per_year),
        calmar: calmar(cagr_pct, e.max_drawdown_pct),
        best_trade_pct: pnl_pct.iter().copied().reduce(f64::max).and_then(finite),
        worst_trade_pct: pnl_pct.iter().copied().reduce(f64::min).and_then(finite),
        avg_drawdown_duration_days: mean(&durations),
        max_drawdown_duration_days: durations.iter().copied().fold(0.0, f64::max),
        buy_hold_return_pct: buy_hold_return_pct(input.close).unwrap_or(0.0),
        expectancy: mean(&pnl_abs).and_then(finite),
        sqn: sqn(&pnl_abs),
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

/// `std(returns) * sqrt(bars_per_year) * 100` (sample std).
#[must_use]
pub fn volatility(returns: &[f64], bars_per_year: f64) -> Option<f64> {
    sample_std(returns)
        .map(|s| s * bars_per_year.sqrt() * 100.0)
        .and_then(finite)
}

/// `mean(r) / sqrt(sum(min(r, 0)^2) / n) * sqrt(bars_per_year)`.
#[must_use]
pub fn sortino(returns: &[f64], bars_per_year: f64) -> Option<f64> {
    if returns.len() < 2 {
        return None;
    }
    let m = mean(returns)?;
    let downside: f64 = returns.iter().map(|r| r.min(0.0).powi(2)).sum();
    let dd = (downside / returns.len() as f64).sqrt();
    if dd > 0.0 {
        finite(m / dd * bars_per_year.sqrt())
    } else {
        None
    }
}

/// `cagr / max_drawdown_pct`.
#[must_use]
pub fn calmar(cagr_pct: Option<f64>, max_drawdown_pct: f64) -> Option<f64> {
    let c = cagr_pct?;
    (max_drawdown_pct > 0.0)
        .then(|| c / max_drawdown_pct)
        .and_then(finite)
}

/// Percent of trades with a positive PnL.
#[must_use]
pub fn win_rate(pnl_abs: &[f64]) -> Option<f64> {
    (!pnl_abs.is_empty())
        .then(|| pnl_abs.iter().filter(|&&p| p > 0.0).count() as f64 / pnl_abs.len() as f64 * 100.0)
}

/// Percent of bars with a non-zero position.
#[must_use]
pub fn exposure_pct(position: &[f64]) -> f64 {
    if position.is_empty() {
        return 0.0;
    }
    position.iter().filter(|&&p| p != 0.0).count() as f64 / position.len() as f64 * 100.0
}

/// `(last close / first close - 1) * 100`.
#[must_use]
pub fn buy_hold_return_pct(close: &[f64]) -> Option<f64> {
    let (first, last) = (close.first()?, close.last()?);
    finite((last / first - 1.0) * 100.0)
}

/// `sqrt(n) * mean(pnl) / std(pnl)` (sample std).
#[must_use]
pub fn sqn(pnl_abs: &[f64]) -> Option<f64> {
    let s = sample_std(pnl_abs)?;
    if s > 0.0 {
        finite((pnl_abs.len() as f64).sqrt() * mean(pnl_abs)? / s)
    } else {
        None
    }
}
