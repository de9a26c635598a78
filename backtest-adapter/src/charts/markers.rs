//! Order markers: green ▲ for buys, red ▼ for sells.

use plotters::backend::DrawingBackend;
use plotters::element::{Drawable, PointCollection, Polygon};
use plotters::style::Color;
use plotters_backend::{BackendCoord, DrawingErrorKind};

use super::theme::{GREEN, RED};

/// Half-width of a marker in pixels.
const HALF: i32 = 6;
/// Height of a marker in pixels.
const TALL: i32 = 11;

/// Pixel offsets of a marker's triangle relative to its anchor: an upward
/// triangle whose tip is `gap` pixels below the anchor (buys), or a downward
/// one whose tip is `gap` pixels above it (sells). `gap` 0 centres the
/// triangle on the anchor.
fn triangle(buy: bool, gap: i32) -> [(i32, i32); 3] {
    if gap == 0 {
        let h = TALL / 2;
        return if buy {
            [(0, -h), (-HALF, TALL - h), (HALF, TALL - h)]
        } else {
            [(0, h), (-HALF, h - TALL), (HALF, h - TALL)]
        };
    }
    if buy {
        [(0, gap), (-HALF, gap + TALL), (HALF, gap + TALL)]
    } else {
        [(0, -gap), (-HALF, -gap - TALL), (HALF, -gap - TALL)]
    }
}

/// A filled triangle marker anchored at a data point.
#[derive(Debug, Clone, Copy)]
pub(super) struct Marker {
    at: (f64, f64),
    buy: bool,
    gap: i32,
}

impl Marker {
    /// A buy (▲) or sell (▼) marker at `at`, `gap` pixels away from it (0:
    /// centred on it; see [`triangle`]).
    pub(super) fn new(at: (f64, f64), buy: bool, gap: i32) -> Self {
        Self { at, buy, gap }
    }
}

impl<'a> PointCollection<'a, (f64, f64)> for &'a Marker {
    type Point = &'a (f64, f64);
    type IntoIter = std::iter::Once<&'a (f64, f64)>;

    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Marker {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _parent_dim: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        if let Some((x, y)) = pos.next() {
            let color = if self.buy { GREEN } else { RED };
            let points = triangle(self.buy, self.gap).map(|(dx, dy)| (x + dx, y + dy));
            backend.fill_polygon(points, &color.filled())?;
        }
        Ok(())
    }
}

/// The legend glyph of a marker, drawn at pixel `(x, y)`.
pub(super) fn legend_glyph(buy: bool) -> impl Fn((i32, i32)) -> Polygon<(i32, i32)> {
    move |(x, y)| {
        let color = if buy { GREEN } else { RED };
        let points: Vec<(i32, i32)> = triangle(buy, 0)
            .iter()
            .map(|(dx, dy)| (x + 8 + dx, y + dy))
            .collect();
        Polygon::new(points, color.filled())
    }
}
