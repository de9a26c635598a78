//! Cumulative return chart (`charts.cumulative_return_base64`).

use plotters::element::PathElement;
use plotters::series::LineSeries;
use plotters::style::Color;

use super::axis::{downsample, padded_range, DateAxis};
use super::frame::{render, Frame, Legend, YFormat, PLOT_COLUMNS};
use super::theme::{AMBER, BLUE, MUTED};
use super::{ChartError, ChartInput};

/// Cumulative return % of the strategy (`equity / initial_capital - 1`) and
/// of buy & hold over the same bars (`close / first close - 1`).
///
/// # Errors
/// [`ChartError`] when drawing or encoding fails.
pub fn cumulative_return_chart(input: &ChartInput<'_>) -> Result<String, ChartError> {
    let title = format!("{} · Cumulative return", input.ticker);
    let capital = input.initial_capital;
    let strategy: Vec<f64> = input
        .equity
        .iter()
        .map(|e| (e / capital - 1.0) * 100.0)
        .collect();
    let close = input.series.close();
    let first = close.first().copied().unwrap_or(1.0);
    let hold: Vec<f64> = close.iter().map(|c| (c / first - 1.0) * 100.0).collect();
    let n = strategy.len();
    let frame = Frame {
        name: "cumulative_return",
        title: &title,
        dates: DateAxis::new(input.series.timestamps(), input.daily),
        x_len: n,
        y: padded_range(strategy.iter().chain(&hold).copied().chain([0.0])),
        y_format: YFormat::Percent,
    };
    render(&frame, |chart| {
        let x_end = n.saturating_sub(1) as f64;
        chart.draw_series(LineSeries::new([(0.0, 0.0), (x_end, 0.0)], MUTED))?;
        chart
            .draw_series(LineSeries::new(
                downsample(&hold, PLOT_COLUMNS),
                AMBER.stroke_width(1),
            ))?
            .label("Buy & hold")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], AMBER.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(
                downsample(&strategy, PLOT_COLUMNS),
                BLUE.stroke_width(2),
            ))?
            .label("Strategy")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLUE.stroke_width(2)));
        Ok(Legend::Show)
    })
}
