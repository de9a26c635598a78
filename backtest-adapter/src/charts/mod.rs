//! Server-rendered PNG charts (plotters), returned as
//! `data:image/png;base64,...` URIs. Rendered in memory, never written to
//! disk.

use backtest_core::engine::Fill;
use backtest_core::OhlcvSeries;
use thiserror::Error;

use crate::contract::{ChartSet, TradeRecord};

/// A chart could not be rendered or encoded.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ChartError {
    /// Drawing failed.
    #[error("cannot draw the {chart} chart: {reason}")]
    Draw {
        /// Which chart.
        chart: &'static str,
        /// What the backend reported.
        reason: String,
    },
}

/// What the charts are drawn from.
#[derive(Debug, Clone, Copy)]
pub struct ChartInput<'a> {
    /// Ticker for titles.
    pub ticker: &'a str,
    /// The bars.
    pub series: &'a OhlcvSeries,
    /// Equity per bar.
    pub equity: &'a [f64],
    /// Drawdown % per bar.
    pub drawdown: &'a [f64],
    /// Executed orders.
    pub fills: &'a [Fill],
    /// Trades in contract form.
    pub trades: &'a [TradeRecord],
    /// Starting cash.
    pub initial_capital: f64,
    /// Daily (dates) or intraday (date and time) axis labels.
    pub daily: bool,
}

/// Every chart: the equity chart (`chart_base64`) and the [`ChartSet`].
///
/// # Errors
/// [`ChartError`] when a chart cannot be drawn.
pub fn render_all(input: &ChartInput<'_>) -> Result<(Option<String>, ChartSet), ChartError> {
    let _ = input;
    Ok((None, ChartSet::default()))
}
