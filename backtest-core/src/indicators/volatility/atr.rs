//! Average true range (Wilder).

use crate::indicators::{common_len, undefined};

/// True range of a bar given the previous close: the largest of
/// `high - low`, `|high - prev_close|` and `|low - prev_close|`.
#[inline]
pub(crate) fn true_range(high: f64, low: f64, prev_close: f64) -> f64 {
    let mut range = high - low;
    let up = (high - prev_close).abs();
    if up > range {
        range = up;
    }
    let down = (low - prev_close).abs();
    if down > range {
        range = down;
    }
    range
}

/// Average true range over `period` bars with Wilder smoothing (TA-Lib
/// `ATR`).
///
/// The true range needs the previous close, so it starts at bar 1. The
/// first ATR, at bar `period`, is the mean of the true ranges of bars
/// `1..=period`; after that `atr[i] = (atr[i-1] * (period - 1) + tr[i]) /
/// period`. The first `period` values are `NaN`. `period == 0` or
/// `period >= len` gives all `NaN`; columns of different lengths are cut to
/// the shortest.
///
/// ```
/// use backtest_core::indicators::atr;
///
/// let high = [10.0, 11.0, 12.0, 12.0];
/// let low = [9.0, 10.0, 10.0, 11.0];
/// let close = [9.5, 10.5, 11.0, 11.5];
/// // true ranges from bar 1: 1.5, 2.0, 1.0
/// let out = atr(&high, &low, &close, 2);
/// assert!(out[0].is_nan() && out[1].is_nan());
/// assert_eq!(out[2], 1.75); // (1.5 + 2.0) / 2
/// assert_eq!(out[3], 1.375); // (1.75 * 1 + 1.0) / 2
/// ```
#[must_use]
pub fn atr(high: &[f64], low: &[f64], close: &[f64], period: usize) -> Vec<f64> {
    let n = common_len(&[high, low, close]);
    let mut out = undefined(n);
    if period == 0 || period >= n {
        return out;
    }
    let p = period as f64;
    let mut total = 0.0;
    for i in 1..=period {
        total += true_range(high[i], low[i], close[i - 1]);
    }
    let mut prev = total / p;
    out[period] = prev;
    let keep = (p - 1.0) / p;
    let add = 1.0 / p;
    for i in period + 1..n {
        prev = prev * keep + true_range(high[i], low[i], close[i - 1]) * add;
        out[i] = prev;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn true_range_takes_gaps_into_account() {
        assert_eq!(true_range(11.0, 10.0, 10.5), 1.0);
        assert_eq!(true_range(11.0, 10.0, 8.0), 3.0); // gap up
        assert_eq!(true_range(11.0, 10.0, 13.0), 3.0); // gap down
    }

    #[test]
    fn period_one_is_true_range() {
        let high = [10.0, 12.0, 11.0];
        let low = [9.0, 11.0, 8.0];
        let close = [9.5, 11.5, 9.0];
        let out = atr(&high, &low, &close, 1);
        assert!(out[0].is_nan());
        assert_eq!(&out[1..], &[2.5, 3.5]);
    }

    #[test]
    fn invalid_inputs_do_not_panic() {
        let x = [1.0, 2.0, 3.0];
        assert!(atr(&x, &x, &x, 0).iter().all(|v| v.is_nan()));
        assert!(atr(&x, &x, &x, 3).iter().all(|v| v.is_nan()));
        assert!(atr(&[], &[], &[], 2).is_empty());
        let out = atr(&x, &x[..2], &x, 1);
        assert_eq!(out.len(), 2);
    }
}
