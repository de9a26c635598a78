//! PNG encoding of an RGB buffer into a `data:image/png;base64,...` URI.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};

use super::ChartError;

/// Prefix of every chart URI.
pub const DATA_URI_PREFIX: &str = "data:image/png;base64,";

/// Encodes `rgb` (`width * height * 3` bytes) as PNG.
///
/// # Errors
/// [`ChartError::Encode`] if the PNG encoder fails.
pub fn png_bytes(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let mut png = Vec::with_capacity(64 * 1024);
    PngEncoder::new_with_quality(&mut png, CompressionType::Fast, FilterType::Sub)
        .write_image(rgb, width, height, ExtendedColorType::Rgb8)
        .map_err(|e| ChartError::Encode(e.to_string()))?;
    Ok(png)
}

/// Encodes `rgb` (`width * height * 3` bytes) as a PNG data URI.
///
/// # Errors
/// [`ChartError::Encode`] if the PNG encoder fails.
pub fn png_data_uri(rgb: &[u8], width: u32, height: u32) -> Result<String, ChartError> {
    let png = png_bytes(rgb, width, height)?;
    let mut uri = String::with_capacity(DATA_URI_PREFIX.len() + png.len() * 4 / 3 + 4);
    uri.push_str(DATA_URI_PREFIX);
    STANDARD.encode_string(&png, &mut uri);
    Ok(uri)
}
