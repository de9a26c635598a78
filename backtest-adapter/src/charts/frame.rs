//! The frame every chart shares: canvas, background, title, mesh with date
//! and value labels, and PNG encoding.

use std::error::Error;

use plotters::backend::BitMapBackend;
use plotters::chart::{ChartBuilder, ChartContext, SeriesLabelPosition};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::prelude::Cartesian2d;
use plotters::style::{Color, IntoFont, ShapeStyle};

use super::axis::{decimals_for, with_thousands, DateAxis};
use super::encode::png_data_uri;
use super::theme::{
    ensure_font, AXIS, BACKGROUND, FONT, GRID, HEIGHT, LABEL_SIZE, PANEL, TEXT, TITLE_SIZE, WIDTH,
};
use super::ChartError;

/// A chart's plotting context (bar index on x, value on y).
pub(super) type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// What a drawing step returns: whether it drew labelled series (then the
/// legend is drawn).
pub(super) type DrawResult = Result<Legend, Box<dyn Error>>;

/// Whether a chart shows a legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Legend {
    /// Draw the legend of the labelled series.
    Show,
    /// No legend.
    Hide,
}

/// Width of the plotting area in pixels (image width less the y-label area
/// and margins), used to downsample line series.
pub(super) const PLOT_COLUMNS: usize = (WIDTH as usize) - 100;

/// How y-axis values are labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum YFormat {
    /// Currency with thousands separators.
    Money,
    /// Percent with a `%` sign.
    Percent,
}

/// Axes and title of one chart.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame<'t> {
    /// Which chart (for errors).
    pub name: &'static str,
    /// Title above the plot.
    pub title: &'t str,
    /// Bar dates for x labels.
    pub dates: DateAxis<'t>,
    /// Number of x positions (bars or candles).
    pub x_len: usize,
    /// y range.
    pub y: (f64, f64),
    /// y label format.
    pub y_format: YFormat,
}

/// Renders a chart in memory and returns its PNG data URI.
pub(super) fn render(
    frame: &Frame<'_>,
    draw: impl FnOnce(&mut Chart<'_, '_>) -> DrawResult,
) -> Result<String, ChartError> {
    ensure_font()?;
    let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    draw_frame(frame, &mut rgb, draw).map_err(|e| ChartError::Draw {
        chart: frame.name,
        reason: e.to_string(),
    })?;
    png_data_uri(&rgb, WIDTH, HEIGHT)
}

fn draw_frame(
    frame: &Frame<'_>,
    rgb: &mut [u8],
    draw: impl FnOnce(&mut Chart<'_, '_>) -> DrawResult,
) -> DrawResult {
    let root: DrawingArea<BitMapBackend<'_>, Shift> =
        BitMapBackend::with_buffer(rgb, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&BACKGROUND)?;
    let x_max = frame.x_len.saturating_sub(1).max(1) as f64;
    let (y0, y1) = frame.y;
    let mut chart = ChartBuilder::on(&root)
        .caption(frame.title, (FONT, TITLE_SIZE).into_font().color(&TEXT))
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(78)
        .build_cartesian_2d(-0.5..x_max + 0.5, y0..y1)?;
    chart.plotting_area().fill(&PANEL)?;
    let decimals = decimals_for(y1 - y0);
    let y_label = |v: &f64| match frame.y_format {
        YFormat::Money => with_thousands(*v, decimals),
        YFormat::Percent => format!("{}%", with_thousands(*v, decimals)),
    };
    let x_label = |x: &f64| frame.dates.label(*x);
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(ShapeStyle::from(&GRID.mix(0.0)))
        .axis_style(AXIS)
        .label_style((FONT, LABEL_SIZE).into_font().color(&TEXT))
        .x_labels(7)
        .y_labels(6)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .draw()?;
    if draw(&mut chart)? == Legend::Show {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(BACKGROUND.mix(0.85))
            .border_style(GRID)
            .label_font((FONT, LABEL_SIZE).into_font().color(&TEXT))
            .draw()?;
    }
    root.present()?;
    Ok(Legend::Hide)
}
