//! Orders chart (`charts.portfolio_orders_base64`): the close with the
//! executed buys and sells.

use backtest_core::Signal;
use plotters::element::PathElement;
use plotters::series::LineSeries;
use plotters::style::Color;

use super::axis::{downsample, padded_range, DateAxis};
use super::frame::{render, Frame, Legend, YFormat, PLOT_COLUMNS};
use super::markers::{legend_glyph, Marker};
use super::theme::BLUE;
use super::{ChartError, ChartInput};

/// Close price line with a green ▲ at each buy and a red ▼ at each sell,
/// placed at the fill price.
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
        Ok(Legend::Show)
    })
}
