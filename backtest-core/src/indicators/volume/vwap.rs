//! Cumulative volume-weighted average price.

use crate::indicators::common_len;

/// Cumulative volume-weighted average price from the first bar, using the
/// typical price `(high + low + close) / 3`.
///
/// `vwap[i] = Σ tp[j] * volume[j] / Σ volume[j]` over bars `0..=i`. There is
/// no warm-up; a bar is `NaN` only while the cumulative volume is still
/// zero. TA-Lib has no VWAP: the reference test compares this with an
/// independent pandas computation. Columns of different lengths are cut to
/// the shortest.
///
/// ```
/// use backtest_core::indicators::vwap;
///
/// let high = [11.0, 13.0];
/// let low = [9.0, 11.0];
/// let close = [10.0, 12.0];
/// let volume = [100.0, 300.0];
/// // typical prices 10 and 12, weighted 1:3
/// assert_eq!(vwap(&high, &low, &close, &volume), vec![10.0, 11.5]);
/// ```
#[must_use]
pub fn vwap(high: &[f64], low: &[f64], close: &[f64], volume: &[f64]) -> Vec<f64> {
    let n = common_len(&[high, low, close, volume]);
    let mut out = Vec::with_capacity(n);
    let mut value = 0.0;
    let mut shares = 0.0;
    let bars = high[..n]
        .iter()
        .zip(&low[..n])
        .zip(&close[..n])
        .zip(&volume[..n]);
    for (((&h, &l), &c), &v) in bars {
        let typical = (h + l + c) / 3.0;
        value += typical * v;
        shares += v;
        out.push(if shares == 0.0 {
            f64::NAN
        } else {
            value / shares
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_volume_prefix_is_undefined() {
        let p = [3.0, 6.0, 9.0];
        let out = vwap(&p, &p, &p, &[0.0, 2.0, 1.0]);
        assert!(out[0].is_nan());
        assert_eq!(&out[1..], &[6.0, 7.0]);
    }

    #[test]
    fn mismatched_lengths_use_common_prefix() {
        let p = [1.0, 2.0, 3.0];
        assert_eq!(vwap(&p, &p[..2], &p, &p).len(), 2);
        assert!(vwap(&[], &[], &[], &[]).is_empty());
    }
}
