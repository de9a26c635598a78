//! Relative strength index (Wilder).

use crate::indicators::{is_zero, undefined};

/// Relative strength index over `period` bars with Wilder smoothing
/// (TA-Lib `RSI`).
///
/// The average gain and loss start as plain means of the first `period`
/// close-to-close changes and are then smoothed with
/// `avg = (avg * (period - 1) + change) / period`;
/// `rsi = 100 * avg_gain / (avg_gain + avg_loss)`. The first `period`
/// values are `NaN`. As in TA-Lib, a window without movement
/// (`avg_gain + avg_loss` within `1e-8` of zero) gives `0`.
/// `period == 0` or `period >= len` gives all `NaN`.
///
/// ```
/// use backtest_core::indicators::rsi;
///
/// let out = rsi(&[10.0, 11.0, 10.0, 12.0, 12.0], 2);
/// assert!(out[1].is_nan());
/// assert_eq!(out[2], 50.0); // avg gain 0.5, avg loss 0.5
/// // +2: avg gain (0.5 + 2) / 2 = 1.25, avg loss 0.25, RSI = 100 * 1.25 / 1.5
/// assert!((out[3] - 250.0 / 3.0).abs() < 1e-9);
/// assert!((out[4] - out[3]).abs() < 1e-9); // no change: both halve
/// ```
#[must_use]
pub fn rsi(close: &[f64], period: usize) -> Vec<f64> {
    let n = close.len();
    if period == 0 || period >= n {
        return undefined(n);
    }
    let p = period as f64;
    let mut gain = 0.0;
    let mut loss = 0.0;
    for pair in close[..=period].windows(2) {
        let change = pair[1] - pair[0];
        gain += change.max(0.0);
        loss += (-change).max(0.0);
    }
    gain /= p;
    loss /= p;
    // Each value written once: the warm-up, the seed, then the smoothed rest.
    let mut out = Vec::with_capacity(n);
    out.resize(period, f64::NAN);
    out.push(value(gain, loss));
    // Wilder smoothing `(avg * (p - 1) + x) / p`, written with constant
    // factors and no branch so the loop-carried chain is a multiply-add.
    let keep = (p - 1.0) / p;
    let add = 1.0 / p;
    out.extend(close[period..n].windows(2).map(|pair| {
        let change = pair[1] - pair[0];
        gain = gain * keep + change.max(0.0) * add;
        loss = loss * keep + (-change).max(0.0) * add;
        value(gain, loss)
    }));
    out
}

#[inline]
pub(crate) fn value(gain: f64, loss: f64) -> f64 {
    let total = gain + loss;
    if is_zero(total) {
        0.0
    } else {
        100.0 * (gain / total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotonic_series_hit_the_bounds() {
        let up: Vec<f64> = (0..10).map(f64::from).collect();
        let down: Vec<f64> = up.iter().rev().copied().collect();
        assert!(rsi(&up, 3)[3..].iter().all(|v| *v == 100.0));
        assert!(rsi(&down, 3)[3..].iter().all(|v| *v == 0.0));
    }

    #[test]
    fn flat_series_is_zero_like_talib() {
        let out = rsi(&[5.0; 6], 3);
        assert!(out[..3].iter().all(|v| v.is_nan()));
        assert!(out[3..].iter().all(|v| *v == 0.0));
    }

    #[test]
    fn invalid_periods_give_all_nan() {
        for period in [0, 3, 4] {
            let out = rsi(&[1.0, 2.0, 3.0], period);
            assert_eq!(out.len(), 3);
            assert!(out.iter().all(|v| v.is_nan()), "period {period}");
        }
        assert!(rsi(&[], 14).is_empty());
    }
}
