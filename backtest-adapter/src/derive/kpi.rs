//! KPIs of the result contract (SPEC §4). Every figure is computed once, in
//! `backtest_core::stats` (one statistic per file, one flat-curve guard);
//! this module only maps them into the contract and re-exports the
//! functions under their KPI names.
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
//! | `sortino` | `mean(r) / dd * sqrt(bars_per_year)`, `dd = sqrt(sum(min(r, 0)^2) / n)` (target 0, over all `n` returns) | fewer than two bars or no downside spread |
//! | `calmar` | `cagr / max_drawdown_pct` | no CAGR or no drawdown |
//! | `best_trade_pct` / `worst_trade_pct` | max / min `pnl_pct` | no trades |
//! | `avg_drawdown_duration_days` | mean duration of the drawdown periods (see [`super::drawdown_periods`]) | no drawdown |
//! | `max_drawdown_duration_days` | longest drawdown period | never (0 without one) |
//! | `buy_hold_return_pct` | `(last close / first close - 1) * 100` over the same bars | never |
//! | `expectancy` | mean `pnl_abs` | no trades |
//! | `sqn` | `sqrt(n) * mean(pnl_abs) / std(pnl_abs)`, sample std | fewer than two trades or no spread |
//! | `beta`, `correlation`, `alpha_pct`, `information_ratio`, `tracking_error_pct`, `excess_return_pct`, `benchmark_return_pct` | against the benchmark (the request's `benchmark`, by default the run's own closes) on the bars both have, see `backtest_core::stats::benchmark` | no common bar; for the ratios also fewer than three common bars or no spread |
//!
//! "No spread" is the core's one flat-curve guard
//! (`backtest_core::stats::has_spread`): a deviation that is zero, not
//! finite, or not above `1e-9 × |mean|` is rounding noise, and the ratio is
//! `null`, for Sharpe, Sortino and SQN alike.
//!
//! Bar returns are the engine's: `r_t = equity_t / equity_{t-1} - 1` with
//! `equity_{-1}` the initial capital. `bars_per_year` is 252 for daily bars
//! (see `Timeframe::bars_per_year`). Undefined values are `None`, never NaN
//! or infinity.

use backtest_core::engine::Trade;
use backtest_core::stats::{self, RunRecord, Statistics};
use backtest_core::EngineMetrics;

use super::benchmark::BenchmarkSeries;
use crate::contract::Metrics;

pub use backtest_core::stats::cagr::{cagr, years_between, DAYS_PER_YEAR};
pub use backtest_core::stats::drawdown::calmar;
pub use backtest_core::stats::exposure::{buy_hold_return_pct, exposure_pct};
pub use backtest_core::stats::sortino::sortino;
pub use backtest_core::stats::trades::{sqn, win_rate};
pub use backtest_core::stats::volatility::volatility;

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

/// Every KPI of the result contract: the core's statistics, formatted into
/// the contract (the engine's own five figures passed through unchanged).
/// The benchmark is the run's own bars held throughout.
#[must_use]
pub fn compute(input: &KpiInput<'_>) -> Metrics {
    compute_against(input, None)
}

/// [`compute`] with the benchmark statistics against `benchmark` (`None`:
/// the run's own bars held throughout).
#[must_use]
pub fn compute_against(input: &KpiInput<'_>, benchmark: Option<BenchmarkSeries<'_>>) -> Metrics {
    let s = Statistics::compute(&RunRecord {
        timestamps: input.timestamps,
        close: input.close,
        equity: input.equity,
        position: input.position,
        trades: input.trades,
        initial_capital: input.initial_capital,
        bars_per_year: input.bars_per_year,
    });
    let e = input.engine;
    let bench = benchmark.unwrap_or(BenchmarkSeries {
        timestamps: input.timestamps,
        close: input.close,
    });
    let b = stats::benchmark_stats(
        input.timestamps,
        input.equity,
        bench.timestamps,
        bench.close,
        input.bars_per_year,
    );
    Metrics {
        total_return_pct: e.total_return_pct,
        sharpe_ratio: e.sharpe_ratio.and_then(stats::finite),
        max_drawdown_pct: e.max_drawdown_pct,
        num_trades: e.num_trades as u64,
        cagr: s.cagr_pct,
        volatility: s.volatility_pct,
        win_rate: s.trades.win_rate_pct,
        avg_trade_return: s.trades.avg_return_pct,
        exposure_pct: s.exposure_pct,
        profit_factor: e.profit_factor.and_then(stats::finite),
        sortino: s.sortino_ratio,
        // From the engine's drawdown, as before (the core's equals it).
        calmar: calmar(s.cagr_pct, e.max_drawdown_pct),
        best_trade_pct: s.trades.best_pct,
        worst_trade_pct: s.trades.worst_pct,
        avg_drawdown_duration_days: s.avg_drawdown_duration_days,
        max_drawdown_duration_days: s.max_drawdown_duration_days,
        buy_hold_return_pct: s.buy_hold_return_pct.unwrap_or(0.0),
        expectancy: s.trades.expectancy,
        sqn: s.trades.sqn,
        beta: b.beta,
        correlation: b.correlation,
        alpha_pct: b.alpha_pct,
        information_ratio: b.information_ratio,
        tracking_error_pct: b.tracking_error_pct,
        excess_return_pct: b.excess_return_pct,
        benchmark_return_pct: b.benchmark_return_pct,
    }
}
