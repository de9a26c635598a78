//! Everything derived from the engine's output without changing it
//! (SPEC §4): curves, trades in the contract schema, executed orders,
//! candles and KPIs. One concept per file:
//!
//! - [`time`]: bar dates and trade timestamps (daily bars at 21:00 UTC);
//! - [`returns`]: bar returns as the engine defines them, mean and std;
//! - [`drawdown`]: the drawdown curve and drawdown periods;
//! - [`portfolio`]: cash / position value / total per bar;
//! - [`trades`]: trade normalisation;
//! - [`signals`]: executed orders;
//! - [`candles`]: price candles;
//! - [`kpi`]: every KPI, with its definition;
//! - [`benchmark`]: the benchmark's closes on the run's bars and its curve.
//!
//! [`derive()`] runs them all ([`derive_against`] with another benchmark).

pub mod benchmark;
pub mod candles;
pub mod drawdown;
pub mod kpi;
pub mod portfolio;
pub mod returns;
pub mod signals;
pub mod time;
pub mod trades;

use backtest_core::engine::{BacktestOutput, TradingSettings};
use backtest_core::OhlcvSeries;

use crate::contract::{
    Candle, DrawdownPoint, EquityPoint, Metrics, PortfolioPoint, SignalRecord, TradeRecord,
};

pub use benchmark::BenchmarkSeries;
pub use drawdown::{drawdown_curve, drawdown_periods, DrawdownPeriod};
pub use kpi::KpiInput;
pub use portfolio::{portfolio_values, PortfolioValues};
pub use trades::normalise_trades;

/// The derived outputs of one run, in contract form, plus the numeric
/// drawdown curve the charts draw.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Derived {
    /// All KPIs.
    pub metrics: Metrics,
    /// Drawdown % per bar (`<= 0`).
    pub drawdown: Vec<f64>,
    /// Equity per bar.
    pub equity_curve: Vec<EquityPoint>,
    /// Drawdown per bar.
    pub drawdown_curve: Vec<DrawdownPoint>,
    /// Cash, position value and total per bar.
    pub portfolio_curve: Vec<PortfolioPoint>,
    /// Trades in the contract schema.
    pub trades: Vec<TradeRecord>,
    /// The bars.
    pub price_candles: Vec<Candle>,
    /// Executed orders.
    pub signals: Vec<SignalRecord>,
    /// The benchmark scaled to the initial capital on each bar (`None`
    /// where the benchmark has no bar), for the equity chart.
    pub benchmark: Vec<Option<f64>>,
    /// The same on the bars both series have, in contract form.
    pub benchmark_curve: Vec<EquityPoint>,
}

/// Derives every output of a run of `settings` on `series` that produced
/// `output`, with the run's own bars as the benchmark. Daily or intraday
/// formatting follows `settings.timeframe`.
#[must_use]
pub fn derive(
    series: &OhlcvSeries,
    output: &BacktestOutput,
    settings: &TradingSettings,
) -> Derived {
    derive_against(series, output, settings, None)
}

/// [`derive()`] against `benchmark` (`None`: the run's own bars held
/// throughout).
#[must_use]
pub fn derive_against(
    series: &OhlcvSeries,
    output: &BacktestOutput,
    settings: &TradingSettings,
    benchmark: Option<BenchmarkSeries<'_>>,
) -> Derived {
    let daily = !settings.timeframe.is_intraday();
    let ts = series.timestamps();
    let labels: Vec<String> = ts.iter().map(|&t| time::bar_label(t, daily)).collect();
    let drawdown = drawdown_curve(&output.equity);
    let metrics = kpi::compute_against(
        &KpiInput {
            timestamps: ts,
            close: series.close(),
            equity: &output.equity,
            position: &output.position,
            trades: &output.trades,
            initial_capital: settings.initial_capital,
            bars_per_year: settings.timeframe.bars_per_year(),
            engine: output.metrics,
        },
        benchmark,
    );
    let bench = benchmark.unwrap_or(BenchmarkSeries {
        timestamps: ts,
        close: series.close(),
    });
    let benchmark_values = benchmark::scaled_curve(
        &benchmark::aligned_close(ts, bench),
        settings.initial_capital,
    );
    let benchmark_curve = labels
        .iter()
        .zip(&benchmark_values)
        .filter_map(|(date, v)| {
            v.map(|equity| EquityPoint {
                date: date.clone(),
                equity,
            })
        })
        .collect();
    let equity_curve = labels
        .iter()
        .zip(&output.equity)
        .map(|(date, &equity)| EquityPoint {
            date: date.clone(),
            equity,
        })
        .collect();
    let drawdown_points = labels
        .iter()
        .zip(&drawdown)
        .map(|(date, &drawdown_pct)| DrawdownPoint {
            date: date.clone(),
            drawdown_pct,
        })
        .collect();
    let portfolio_curve = portfolio_values(
        &output.cash,
        &output.position,
        series.close(),
        &output.equity,
    )
    .into_iter()
    .zip(&labels)
    .map(|(v, date)| PortfolioPoint {
        date: date.clone(),
        cash: v.cash,
        position: v.position,
        total: v.total,
    })
    .collect();
    Derived {
        metrics,
        equity_curve,
        drawdown_curve: drawdown_points,
        portfolio_curve,
        trades: normalise_trades(&output.trades, ts, daily),
        signals: signals::executed_signals(&output.fills, &output.trades, &labels),
        price_candles: candles::price_candles(series, &labels),
        drawdown,
        benchmark: benchmark_values,
        benchmark_curve,
    }
}
