//! Trade PnL scatter (`charts.trade_pnl_base64`).

use plotters::element::{Circle, Text};
use plotters::series::LineSeries;
use plotters::style::{Color, IntoFont};

use super::axis::{padded_range, DateAxis};
use super::frame::{render, Frame, Legend, YFormat};
use super::theme::{FONT, GREEN, MUTED, RED};
use super::{ChartError, ChartInput};

/// Each trade's `pnl_pct` at its exit bar: green for a profit, red for a
/// loss (or break-even), with a zero line. The legend appears only when
/// there are points; without trades the chart says so.
///
/// # Errors
/// [`ChartError`] when drawing or encoding fails.
pub fn trade_pnl_chart(input: &ChartInput<'_>) -> Result<String, ChartError> {
    let title = format!("{} · Trade PnL %", input.ticker);
    let n = input.series.len();
    let y = if input.trades.is_empty() {
        (-1.0, 1.0)
    } else {
        padded_range(input.trades.iter().map(|t| t.pnl_pct).chain([0.0]))
    };
    let frame = Frame {
        name: "trade_pnl",
        title: &title,
        dates: DateAxis::new(input.series.timestamps(), input.daily),
        x_len: n,
        y,
        y_format: YFormat::Percent,
    };
    render(&frame, |chart| {
        let x_end = n.saturating_sub(1) as f64;
        chart.draw_series(LineSeries::new([(-0.5, 0.0), (x_end + 0.5, 0.0)], MUTED))?;
        if input.trades.is_empty() {
            let style = (FONT, 16).into_font().color(&MUTED);
            chart.draw_series(std::iter::once(Text::new(
                "No trades",
                (x_end * 0.45, 0.5),
                style,
            )))?;
            return Ok(Legend::Hide);
        }
        for (profit, label, color) in [(true, "Profit", GREEN), (false, "Loss", RED)] {
            let points: Vec<Circle<(f64, f64), i32>> = input
                .trades
                .iter()
                .filter(|t| (t.pnl_abs > 0.0) == profit)
                .map(|t| Circle::new((t.exit_index as f64, t.pnl_pct), 4, color.filled()))
                .collect();
            if !points.is_empty() {
                chart
                    .draw_series(points)?
                    .label(label)
                    .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
            }
        }
        Ok(Legend::Show)
    })
}
