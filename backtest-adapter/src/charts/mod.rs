//! Server-rendered PNG charts (plotters), returned as
//! `data:image/png;base64,...` URIs.
//!
//! - Rendered in memory into an RGB buffer and PNG-encoded (image crate);
//!   nothing is written to disk.
//! - 900 x 400 pixels, dark theme matching the Bootstrap 5 dark dashboard
//!   (background `#0d1117`, plot area `#161b22`, text `#c9d1d9`; see
//!   [`theme`]).
//! - The font (DejaVu Sans) is embedded and registered with plotters, so no
//!   system font library is needed.
//! - x axes show dates (bar index on the axis, so weekends leave no gaps);
//!   money axes use thousands separators, percent axes a `%` sign.
//! - Line series longer than the plot's pixel width are reduced to the
//!   minimum and maximum of each pixel column ([`axis::downsample`]), which
//!   draws the same shape; long series of candles are aggregated (see
//!   [`candles`]).
//!
//! One chart per file: [`equity`], [`drawdown`], [`orders`], [`trade_pnl`],
//! [`cumulative`], [`candles`]; and a sweep's [`heatmap`] (raw PNG bytes).

pub mod axis;
pub mod candles;
pub mod cumulative;
pub mod drawdown;
pub mod encode;
pub mod equity;
mod frame;
pub mod heatmap;
mod markers;
pub mod orders;
pub mod theme;
pub mod trade_pnl;

use backtest_core::engine::{Fill, Trade};
use backtest_core::OhlcvSeries;
use thiserror::Error;

use crate::contract::ChartSet;

pub use candles::candles_chart;
pub use cumulative::cumulative_return_chart;
pub use drawdown::drawdown_chart;
pub use encode::DATA_URI_PREFIX;
pub use equity::equity_chart;
pub use heatmap::heatmap_png;
pub use orders::orders_chart;
pub use theme::{HEIGHT, WIDTH};
pub use trade_pnl::trade_pnl_chart;

/// A chart could not be rendered or encoded.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ChartError {
    /// The embedded font could not be registered.
    #[error("the embedded chart font could not be loaded")]
    Font,
    /// Drawing failed.
    #[error("cannot draw the {chart} chart: {reason}")]
    Draw {
        /// Which chart.
        chart: &'static str,
        /// What the backend reported.
        reason: String,
    },
    /// PNG encoding failed.
    #[error("cannot encode a chart as PNG: {0}")]
    Encode(String),
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
    /// Drawdown % per bar (`<= 0`).
    pub drawdown: &'a [f64],
    /// Executed orders.
    pub fills: &'a [Fill],
    /// Closed trades.
    pub trades: &'a [Trade],
    /// Starting cash.
    pub initial_capital: f64,
    /// Daily bars (dates on the x axis) or intraday (date and time).
    pub daily: bool,
    /// The benchmark scaled to the initial capital on each bar (`None`
    /// where it has no bar; empty for no overlay), drawn on the equity chart.
    pub benchmark: &'a [Option<f64>],
    /// The benchmark's name for the legend.
    pub benchmark_label: &'a str,
}

/// Every chart: the equity chart (for `chart_base64`) and the [`ChartSet`].
///
/// # Errors
/// [`ChartError`] when a chart cannot be drawn or encoded.
pub fn render_all(input: &ChartInput<'_>) -> Result<(String, ChartSet), ChartError> {
    Ok((
        equity_chart(input)?,
        ChartSet {
            drawdown_curve_base64: Some(drawdown_chart(input)?),
            portfolio_orders_base64: Some(orders_chart(input)?),
            trade_pnl_base64: Some(trade_pnl_chart(input)?),
            cumulative_return_base64: Some(cumulative_return_chart(input)?),
            candles_base64: Some(candles_chart(input)?),
        },
    ))
}
