//! Orders chart (`charts.portfolio_orders_base64`): the close with the
//! executed buys and sells, exits by a stop labelled with their reason.

use backtest_core::engine::{ExitReason, Side};
use backtest_core::Signal;
use plotters::element::{EmptyElement, PathElement, Text};
use plotters::series::LineSeries;
use plotters::style::{Color, IntoFont, RGBColor};

use super::axis::{downsample, padded_range, DateAxis};
use super::frame::{render, Frame, Legend, YFormat, PLOT_COLUMNS};
use super::markers::{legend_glyph, Marker};
use super::theme::{AMBER, BLUE, FONT, GREEN, LABEL_SIZE, RED};
use super::{ChartError, ChartInput};

/// The label drawn beside an exit marker, its colour and the legend text,
/// for the exits a stop made (a signal's or the last bar's exit has none).
fn reason_label(reason: ExitReason) -> Option<(&'static str, RGBColor, &'static str)> {
    match reason {
        ExitReason::StopLoss => Some(("SL", RED, "SL: stop-loss exit")),
        ExitReason::TakeProfit => Some(("TP", GREEN, "TP: take-profit exit")),
        ExitReason::TrailingStop => Some(("TS", AMBER, "TS: trailing-stop exit")),
        ExitReason::Signal | ExitReason::EndOfData => None,
    }
}

/// Close price line with a green ▲ at each buy and a red ▼ at each sell,
/// placed at the fill price; an exit by a stop carries `SL`, `TP` or `TS`
/// beside its marker (above a sell, below a buy).
///
/// # Errors
/// [`ChartError`] when drawing or encoding fails.
pub fn orders_chart(input: &ChartInput<'_>) -> Result<String, ChartError> {
    let title = format!("{} · Close and orders", input.ticker);
    let close = input.series.close();
    let frame = Frame {
        name: "orders",
        title: &title,
        dates: DateAxis::new(input.series.timestamps(), input.daily),
        x_len: close.len(),
        y: padded_range(
            close
                .iter()
                .copied()
                .chain(input.fills.iter().map(|f| f.price)),
        ),
        y_format: YFormat::Money,
    };
    render(&frame, |chart| {
        chart
            .draw_series(LineSeries::new(
                downsample(close, PLOT_COLUMNS),
                BLUE.stroke_width(1),
            ))?
            .label("Close")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLUE.stroke_width(2)));
        for (buy, label) in [(true, "Buy"), (false, "Sell")] {
            let wanted = if buy { Signal::Buy } else { Signal::Sell };
            let markers: Vec<Marker> = input
                .fills
                .iter()
                .filter(|f| f.action == wanted)
                .map(|f| Marker::new((f.index as f64, f.price), buy, 0))
                .collect();
            if !markers.is_empty() {
                chart
                    .draw_series(markers)?
                    .label(label)
                    .legend(legend_glyph(buy));
            }
        }
        for reason in [
            ExitReason::StopLoss,
            ExitReason::TakeProfit,
            ExitReason::TrailingStop,
        ] {
            let Some((text, color, legend)) = reason_label(reason) else {
                continue;
            };
            let font = (FONT, LABEL_SIZE).into_font().color(&color);
            let labels: Vec<_> = input
                .trades
                .iter()
                .filter(|t| t.exit_reason == reason)
                .map(|t| {
                    // A long exits with a sell (▼ on the price), a short with a buy (▲).
                    let dy = if t.side == Side::Long { -22 } else { 9 };
                    EmptyElement::at((t.exit_index as f64, t.exit_price))
                        + Text::new(text, (-8, dy), font.clone())
                })
                .collect();
            if !labels.is_empty() {
                let glyph = font.clone();
                chart
                    .draw_series(labels)?
                    .label(legend)
                    .legend(move |(x, y)| Text::new(text, (x, y - 7), glyph.clone()));
            }
        }
        Ok(Legend::Show)
    })
}
