//! Drawdown chart (`charts.drawdown_curve_base64`).

use plotters::element::Polygon;
use plotters::series::LineSeries;
use plotters::style::Color;

use super::axis::{downsample, padded_range, DateAxis};
use super::frame::{render, Frame, Legend, YFormat, PLOT_COLUMNS};
use super::theme::RED;
use super::{ChartError, ChartInput};

/// Drawdown % below the running peak, as a filled area under zero.
///
/// # Errors
/// [`ChartError`] when drawing or encoding fails.
pub fn drawdown_chart(input: &ChartInput<'_>) -> Result<String, ChartError> {
    let title = format!("{} · Drawdown", input.ticker);
    let n = input.drawdown.len();
    let (lo, _) = padded_range(input.drawdown.iter().copied().chain([0.0]));
    let frame = Frame {
        name: "drawdown",
        title: &title,
        dates: DateAxis::new(input.series.timestamps(), input.daily),
        x_len: n,
        y: (lo.min(-1.0), (-lo * 0.03).max(0.05)),
        y_format: YFormat::Percent,
    };
    render(&frame, |chart| {
        let line = downsample(input.drawdown, PLOT_COLUMNS);
        if let (Some(&(first, _)), Some(&(last, _))) = (line.first(), line.last()) {
            let mut area = Vec::with_capacity(line.len() + 2);
            area.push((first, 0.0));
            area.extend_from_slice(&line);
            area.push((last, 0.0));
            chart.draw_series(std::iter::once(Polygon::new(area, RED.mix(0.35).filled())))?;
        }
        chart.draw_series(LineSeries::new(line, RED.stroke_width(1)))?;
        Ok(Legend::Hide)
    })
}
