//! Equity curve chart (`chart_base64`).

use plotters::element::PathElement;
use plotters::series::LineSeries;
use plotters::style::Color;

use super::axis::{downsample, padded_range, DateAxis};
use super::frame::{render, Frame, Legend, YFormat, PLOT_COLUMNS};
use super::theme::{BLUE, MUTED};
use super::{ChartError, ChartInput};

/// Equity over time with the initial capital as a reference line.
///
/// # Errors
/// [`ChartError`] when drawing or encoding fails.
pub fn equity_chart(input: &ChartInput<'_>) -> Result<String, ChartError> {
    let title = format!("{} · Equity", input.ticker);
    let n = input.equity.len();
    let capital = input.initial_capital;
    let frame = Frame {
        name: "equity",
        title: &title,
        dates: DateAxis::new(input.series.timestamps(), input.daily),
        x_len: n,
        y: padded_range(input.equity.iter().copied().chain([capital])),
        y_format: YFormat::Money,
    };
    render(&frame, |chart| {
        let x_end = n.saturating_sub(1) as f64;
        chart
            .draw_series(LineSeries::new([(0.0, capital), (x_end, capital)], MUTED))?
            .label("Initial capital")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], MUTED));
        chart
            .draw_series(LineSeries::new(
                downsample(input.equity, PLOT_COLUMNS),
                BLUE.stroke_width(2),
            ))?
            .label("Equity")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLUE.stroke_width(2)));
        Ok(Legend::Show)
    })
}
