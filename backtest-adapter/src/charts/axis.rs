//! Axis helpers: value ranges, label formats and downsampling.

use crate::derive::time::{format_date, format_iso};

/// `[min, max]` of the finite values, padded by 5 % of the span (or by 1 %
/// of the value, at least 1e-9, for a flat series); `(-1, 1)` when there is
/// no finite value.
#[must_use]
pub fn padded_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (-1.0, 1.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.05
    } else {
        (lo.abs() * 0.01).max(1e-9)
    };
    (lo - pad, hi + pad)
}

/// `v` with `decimals` decimals and `,` thousands separators
/// (`1234567.8` -> `1,234,568` with 0 decimals).
#[must_use]
pub fn with_thousands(v: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), ""), |(i, f)| (i, f));
    let mut out = String::with_capacity(text.len() + int.len() / 3 + 1);
    if v < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// Decimals that make ticks over `span` readable.
#[must_use]
pub fn decimals_for(span: f64) -> usize {
    match span.abs() {
        s if s >= 50.0 => 0,
        s if s >= 5.0 => 1,
        s if s >= 0.05 => 2,
        _ => 4,
    }
}

/// Formats bar indices as dates: `YYYY-MM` over long daily ranges,
/// `YYYY-MM-DD` over short ones, `MM-DD HH:MM` for intraday bars.
#[derive(Debug, Clone, Copy)]
pub struct DateAxis<'a> {
    timestamps: &'a [i64],
    daily: bool,
    long: bool,
}

impl<'a> DateAxis<'a> {
    /// An axis over `timestamps` (bar index `i` is `timestamps[i]`).
    #[must_use]
    pub fn new(timestamps: &'a [i64], daily: bool) -> Self {
        let span = match (timestamps.first(), timestamps.last()) {
            (Some(a), Some(b)) => b - a,
            _ => 0,
        };
        Self {
            timestamps,
            daily,
            long: span > 240 * 86_400,
        }
    }

    /// The label of (fractional) bar index `x`.
    #[must_use]
    pub fn label(&self, x: f64) -> String {
        if self.timestamps.is_empty() || !x.is_finite() {
            return String::new();
        }
        let last = self.timestamps.len() - 1;
        let i = (x.round().max(0.0) as usize).min(last);
        let ts = self.timestamps[i];
        if self.daily {
            let date = format_date(ts);
            if self.long {
                date[..7].to_owned()
            } else {
                date
            }
        } else {
            let iso = format_iso(ts);
            format!("{} {}", &iso[5..10], &iso[11..16])
        }
    }
}

/// Points `(index, value)` of `values`, reduced to at most about
/// `2 * columns` points by keeping the minimum and the maximum of each of
/// `columns` equal slices of the index range (in their original order), so
/// the drawn shape is the same at that pixel width.
#[must_use]
pub fn downsample(values: &[f64], columns: usize) -> Vec<(f64, f64)> {
    let n = values.len();
    if columns == 0 || n <= columns * 2 {
        return values
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as f64, v))
            .collect();
    }
    let mut out = Vec::with_capacity(columns * 2 + 2);
    for c in 0..columns {
        let start = c * n / columns;
        let end = ((c + 1) * n / columns).max(start + 1).min(n);
        let (mut lo, mut hi) = (start, start);
        for i in start..end {
            if values[i] < values[lo] {
                lo = i;
            }
            if values[i] > values[hi] {
                hi = i;
            }
        }
        let (a, b) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        out.push((a as f64, values[a]));
        if b != a {
            out.push((b as f64, values[b]));
        }
    }
    if let Some(&(x, _)) = out.last() {
        if (x as usize) != n - 1 {
            out.push(((n - 1) as f64, values[n - 1]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands() {
        assert_eq!(with_thousands(1_234_567.8, 0), "1,234,568");
        assert_eq!(with_thousands(-100_000.0, 0), "-100,000");
        assert_eq!(with_thousands(999.5, 2), "999.50");
        assert_eq!(with_thousands(-0.001, 2), "0.00");
        assert_eq!(with_thousands(1.0842, 4), "1.0842");
    }

    #[test]
    fn downsample_keeps_extremes_and_ends() {
        let values: Vec<f64> = (0..10_000).map(|i| ((i * 7919) % 1000) as f64).collect();
        let pts = downsample(&values, 100);
        assert!(pts.len() <= 202);
        assert_eq!(pts[0].0, 0.0);
        assert_eq!(pts.last().map(|p| p.0), Some(9_999.0));
        assert!(pts.iter().any(|p| p.1 == 999.0) && pts.iter().any(|p| p.1 == 0.0));
        assert!(pts.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(downsample(&[1.0, 2.0], 100).len(), 2);
    }
}
