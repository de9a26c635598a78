//! A parameter sweep's heatmap (`GET /api/sweeps/<id>/heatmap.png`): one
//! cell per (x, y) parameter pair coloured by the metric, missing cells in
//! the panel colour, a colour bar with the range on the right.

use plotters::backend::BitMapBackend;
use plotters::chart::ChartBuilder;
use plotters::coord::ranged1d::{IntoSegmentedCoord, SegmentValue};
use plotters::drawing::IntoDrawingArea;
use plotters::element::{Rectangle, Text};
use plotters::style::{Color, IntoFont, RGBColor};

use super::axis::with_thousands;
use super::encode::png_bytes;
use super::theme::{
    ensure_font, AXIS, BACKGROUND, FONT, GRID, HEIGHT, LABEL_SIZE, PANEL, TEXT, TITLE_SIZE, WIDTH,
};
use super::ChartError;

/// Low, middle and high colours of the scale (dark blue, blue, amber).
const SCALE: [RGBColor; 3] = [
    RGBColor(0x1f, 0x2a, 0x44),
    RGBColor(0x58, 0xa6, 0xff),
    RGBColor(0xd2, 0x99, 0x22),
];

/// Width of the colour bar area in pixels.
const BAR: u32 = 110;

fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let c = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    RGBColor(c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
}

/// The scale's colour at `t` in [0, 1].
fn colour(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    if t < 0.5 {
        mix(SCALE[0], SCALE[1], t * 2.0)
    } else {
        mix(SCALE[1], SCALE[2], (t - 0.5) * 2.0)
    }
}

/// Draws `z[row for y][column for x]` as a PNG (900 x 400, dark theme).
///
/// # Errors
/// [`ChartError`] when drawing or encoding fails.
pub fn heatmap_png(
    title: &str,
    x_name: &str,
    y_name: &str,
    xs: &[String],
    ys: &[String],
    z: &[Vec<Option<f64>>],
) -> Result<Vec<u8>, ChartError> {
    ensure_font()?;
    let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    draw(title, x_name, y_name, xs, ys, z, &mut rgb).map_err(|e| ChartError::Draw {
        chart: "heatmap",
        reason: e.to_string(),
    })?;
    png_bytes(&rgb, WIDTH, HEIGHT)
}

fn draw(
    title: &str,
    x_name: &str,
    y_name: &str,
    xs: &[String],
    ys: &[String],
    z: &[Vec<Option<f64>>],
    rgb: &mut [u8],
) -> Result<(), Box<dyn std::error::Error>> {
    let root = BitMapBackend::with_buffer(rgb, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&BACKGROUND)?;
    let (main, bar) = root.split_horizontally(WIDTH - BAR);
    let values: Vec<f64> = z
        .iter()
        .flatten()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let (nx, ny) = (xs.len().max(1), ys.len().max(1));
    let label_font = (FONT, LABEL_SIZE).into_font().color(&TEXT);
    let mut chart = ChartBuilder::on(&main)
        .caption(title, (FONT, TITLE_SIZE).into_font().color(&TEXT))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(70)
        .build_cartesian_2d((0..nx).into_segmented(), (0..ny).into_segmented())?;
    chart.plotting_area().fill(&PANEL)?;
    let name_of = |names: &[String], v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
            names.get(*i).cloned().unwrap_or_default()
        }
        SegmentValue::Last => String::new(),
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(AXIS)
        .label_style(label_font.clone())
        .x_labels(nx.min(16))
        .y_labels(ny.min(16))
        .x_desc(x_name)
        .y_desc(y_name)
        .x_label_formatter(&|v| name_of(xs, v))
        .y_label_formatter(&|v| name_of(ys, v))
        .draw()?;
    let cells = z.iter().enumerate().flat_map(|(row, line)| {
        line.iter().enumerate().map(move |(column, value)| {
            let fill = match value {
                Some(v) if v.is_finite() => colour((v - lo) / span).filled(),
                _ => PANEL.filled(),
            };
            Rectangle::new(
                [
                    (SegmentValue::Exact(column), SegmentValue::Exact(row)),
                    (
                        SegmentValue::Exact(column + 1),
                        SegmentValue::Exact(row + 1),
                    ),
                ],
                fill,
            )
        })
    });
    chart.draw_series(cells)?;
    // Cell borders keep neighbouring equal values apart.
    let borders = (0..ny).flat_map(|row| {
        (0..nx).map(move |column| {
            Rectangle::new(
                [
                    (SegmentValue::Exact(column), SegmentValue::Exact(row)),
                    (
                        SegmentValue::Exact(column + 1),
                        SegmentValue::Exact(row + 1),
                    ),
                ],
                BACKGROUND.mix(0.6).stroke_width(1),
            )
        })
    });
    if nx * ny <= 2_500 {
        chart.draw_series(borders)?;
    }
    // The colour bar: high at the top.
    let (top, bottom, left) = (60i32, HEIGHT as i32 - 60, 20i32);
    let steps = 64;
    for i in 0..steps {
        let t = 1.0 - f64::from(i) / f64::from(steps);
        let y0 = top + (bottom - top) * i / steps;
        let y1 = top + (bottom - top) * (i + 1) / steps;
        bar.draw(&Rectangle::new(
            [(left, y0), (left + 18, y1)],
            colour(t).filled(),
        ))?;
    }
    bar.draw(&Rectangle::new(
        [(left, top), (left + 18, bottom)],
        GRID.stroke_width(1),
    ))?;
    if !values.is_empty() {
        let decimals = if span >= 100.0 {
            0
        } else if span >= 1.0 {
            2
        } else {
            4
        };
        bar.draw(&Text::new(
            with_thousands(hi, decimals),
            (left + 22, top - 6),
            label_font.clone(),
        ))?;
        bar.draw(&Text::new(
            with_thousands(lo, decimals),
            (left + 22, bottom - 6),
            label_font,
        ))?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_png_with_missing_cells() {
        let xs: Vec<String> = ["25", "30"].iter().map(|s| (*s).to_owned()).collect();
        let ys: Vec<String> = ["10", "14", "20"].iter().map(|s| (*s).to_owned()).collect();
        let z = vec![
            vec![Some(1.0), Some(2.0)],
            vec![None, Some(-1.5)],
            vec![Some(0.5), Some(f64::NAN)],
        ];
        let png = heatmap_png("T", "oversold", "period", &xs, &ys, &z).expect("renders");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let image = image::load_from_memory(&png).expect("decodes").to_rgb8();
        assert_eq!(image.dimensions(), (WIDTH, HEIGHT));
    }

    #[test]
    fn the_scale_runs_from_dark_to_amber() {
        assert_eq!(colour(0.0), SCALE[0]);
        assert_eq!(colour(0.5), SCALE[1]);
        assert_eq!(colour(1.0), SCALE[2]);
        assert_eq!(colour(f64::NAN), SCALE[0]);
    }
}
