//! Candlestick chart with signal markers (`charts.candles_base64`).
//!
//! At 900 pixels wide a candle needs a few pixels to be readable, so a long
//! series is aggregated: with `n` bars and at most [`MAX_CANDLES`] candles,
//! each candle covers `k = ceil(n / MAX_CANDLES)` consecutive bars (open of
//! the first, highest high, lowest low, close of the last), like a weekly or
//! monthly chart, and the whole range stays visible. The title says how many
//! bars a candle holds. Markers sit below the low (▲ buy) or above the high
//! (▼ sell) of the candle that holds the fill.

use backtest_core::Signal;
use plotters::element::{PathElement, Rectangle};
use plotters::style::Color;

use super::axis::{padded_range, DateAxis};
use super::frame::{render, Frame, Legend, YFormat};
use super::markers::{legend_glyph, Marker};
use super::theme::{GREEN, MUTED, RED};
use super::{ChartError, ChartInput};

/// Most candles drawn.
pub const MAX_CANDLES: usize = 150;

/// One aggregated candle.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ohlc {
    ts: i64,
    open: f64,
    high: f64,
    low: f64,
    close: f64,
}

/// OHLC candles with buy/sell markers.
///
/// # Errors
/// [`ChartError`] when drawing or encoding fails.
pub fn candles_chart(input: &ChartInput<'_>) -> Result<String, ChartError> {
    let s = input.series;
    let n = s.len();
    let per = n.div_ceil(MAX_CANDLES).max(1);
    let candles: Vec<Ohlc> = (0..n)
        .step_by(per)
        .map(|start| {
            let end = (start + per).min(n);
            Ohlc {
                ts: s.timestamps()[start],
                open: s.open()[start],
                high: s.high()[start..end]
                    .iter()
                    .copied()
                    .fold(f64::MIN, f64::max),
                low: s.low()[start..end].iter().copied().fold(f64::MAX, f64::min),
                close: s.close()[end - 1],
            }
        })
        .collect();
    let stamps: Vec<i64> = candles.iter().map(|c| c.ts).collect();
    let title = if per > 1 {
        format!("{} · Candles ({per} bars per candle)", input.ticker)
    } else {
        format!("{} · Candles", input.ticker)
    };
    let (lo, hi) = padded_range(candles.iter().flat_map(|c| [c.low, c.high]));
    let extra = (hi - lo) * 0.06;
    let frame = Frame {
        name: "candles",
        title: &title,
        dates: DateAxis::new(&stamps, input.daily),
        x_len: candles.len(),
        y: (lo - extra, hi + extra),
        y_format: YFormat::Money,
    };
    render(&frame, |chart| {
        let half = 0.35;
        chart.draw_series(candles.iter().enumerate().map(|(i, c)| {
            let x = i as f64;
            PathElement::new([(x, c.low), (x, c.high)], MUTED)
        }))?;
        chart.draw_series(candles.iter().enumerate().map(|(i, c)| {
            let x = i as f64;
            let color = if c.close >= c.open { GREEN } else { RED };
            Rectangle::new([(x - half, c.open), (x + half, c.close)], color.filled())
        }))?;
        for (buy, label) in [(true, "Buy"), (false, "Sell")] {
            let wanted = if buy { Signal::Buy } else { Signal::Sell };
            let markers: Vec<Marker> = input
                .fills
                .iter()
                .filter(|f| f.action == wanted)
                .filter_map(|f| {
                    let i = f.index / per;
                    let c = candles.get(i)?;
                    let y = if buy { c.low } else { c.high };
                    Some(Marker::new((i as f64, y), buy, 4))
                })
                .collect();
            if !markers.is_empty() {
                chart
                    .draw_series(markers)?
                    .label(label)
                    .legend(legend_glyph(buy));
            }
        }
        Ok(Legend::Show)
    })
}
