//! Equity curve chart (`chart_base64`).

use plotters::element::PathElement;
use plotters::series::LineSeries;
use plotters::style::Color;

use super::axis::{downsample, padded_range, DateAxis};
use super::frame::{render, Frame, Legend, YFormat, PLOT_COLUMNS};
use super::theme::{AMBER, BLUE, MUTED};
use super::{ChartError, ChartInput};

/// Equity over time with the initial capital as a reference line and the
/// benchmark, scaled to the initial capital, overlaid.
///
/// # Errors
/// [`ChartError`] when drawing or encoding fails.
pub fn equity_chart(input: &ChartInput<'_>) -> Result<String, ChartError> {
    let title = format!("{} · Equity", input.ticker);
    let n = input.equity.len();
    let capital = input.initial_capital;
    let (offset, bench) = held_line(input.benchmark);
    let frame = Frame {
        name: "equity",
        title: &title,
        dates: DateAxis::new(input.series.timestamps(), input.daily),
        x_len: n,
        y: padded_range(input.equity.iter().chain(&bench).copied().chain([capital])),
        y_format: YFormat::Money,
    };
    render(&frame, |chart| {
        let x_end = n.saturating_sub(1) as f64;
        chart
            .draw_series(LineSeries::new([(0.0, capital), (x_end, capital)], MUTED))?
            .label("Initial capital")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], MUTED));
        if !bench.is_empty() {
            let points = downsample(&bench, PLOT_COLUMNS)
                .into_iter()
                .map(|(x, y)| (x + offset as f64, y));
            chart
                .draw_series(LineSeries::new(points, AMBER.stroke_width(1)))?
                .label(format!("Benchmark {} (held)", input.benchmark_label))
                .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], AMBER.stroke_width(2)));
        }
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

/// The benchmark as one line from its first value on: bars where it has no
/// value carry the last one (it did not trade, so it did not move). Returns
/// the index of the first value and the line.
fn held_line(values: &[Option<f64>]) -> (usize, Vec<f64>) {
    let Some(first) = values.iter().position(Option::is_some) else {
        return (0, Vec::new());
    };
    let mut last = 0.0;
    let line = values[first..]
        .iter()
        .map(|v| {
            if let Some(v) = v {
                last = *v;
            }
            last
        })
        .collect();
    (first, line)
}
