//! The dark theme (GitHub-dark palette, matching the Bootstrap 5 dark
//! dashboard), chart size and the embedded font.

use std::sync::OnceLock;

use plotters::style::{FontStyle, RGBColor};

use super::ChartError;

/// Chart width in pixels.
pub const WIDTH: u32 = 900;
/// Chart height in pixels.
pub const HEIGHT: u32 = 400;

/// Image background (`#0d1117`).
pub const BACKGROUND: RGBColor = RGBColor(0x0d, 0x11, 0x17);
/// Plot-area background (`#161b22`).
pub const PANEL: RGBColor = RGBColor(0x16, 0x1b, 0x22);
/// Grid lines (`#30363d`).
pub const GRID: RGBColor = RGBColor(0x30, 0x36, 0x3d);
/// Axis lines (`#484f58`).
pub const AXIS: RGBColor = RGBColor(0x48, 0x4f, 0x58);
/// Text (`#c9d1d9`).
pub const TEXT: RGBColor = RGBColor(0xc9, 0xd1, 0xd9);
/// Muted text and secondary lines (`#8b949e`).
pub const MUTED: RGBColor = RGBColor(0x8b, 0x94, 0x9e);
/// Primary series (`#58a6ff`).
pub const BLUE: RGBColor = RGBColor(0x58, 0xa6, 0xff);
/// Gains and buys (`#3fb950`).
pub const GREEN: RGBColor = RGBColor(0x3f, 0xb9, 0x50);
/// Losses and sells (`#f85149`).
pub const RED: RGBColor = RGBColor(0xf8, 0x51, 0x49);
/// Secondary series (`#d29922`).
pub const AMBER: RGBColor = RGBColor(0xd2, 0x99, 0x22);

/// Font family name every chart uses.
pub const FONT: &str = "sans-serif";
/// Title size in pixels.
pub const TITLE_SIZE: u32 = 18;
/// Axis label size in pixels.
pub const LABEL_SIZE: u32 = 13;

/// DejaVu Sans (see `assets/fonts/README.md` for provenance and license).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the embedded font with plotters once per process.
///
/// # Errors
/// [`ChartError::Font`] if the embedded font cannot be parsed.
pub fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        [FontStyle::Normal, FontStyle::Bold]
            .into_iter()
            .all(|style| plotters::style::register_font(FONT, style, FONT_BYTES).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}
