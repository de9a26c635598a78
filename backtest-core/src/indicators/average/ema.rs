//! Exponential moving average.

use crate::indicators::undefined;

/// Exponential moving average over `period` bars (TA-Lib `EMA`).
///
/// Smoothing factor `k = 2 / (period + 1)`. As in TA-Lib, the average is
/// seeded with the SMA of the first `period` values at bar `period - 1`,
/// then `ema[i] = ema[i - 1] + k * (values[i] - ema[i - 1])`. The first
/// `period - 1` values are `NaN`; `period == 0` or `period > values.len()`
/// gives an all-`NaN` column.
///
/// ```
/// use backtest_core::indicators::ema;
///
/// // period 3: k = 0.5, seed = mean(1, 2, 3) = 2
/// let out = ema(&[1.0, 2.0, 3.0, 6.0, 2.0], 3);
/// assert!(out[0].is_nan() && out[1].is_nan());
/// assert_eq!(&out[2..], &[2.0, 4.0, 3.0]);
/// ```
#[must_use]
pub fn ema(values: &[f64], period: usize) -> Vec<f64> {
    let mut out = undefined(values.len());
    ema_into(values, 0, period, &mut out);
    out
}

/// Writes the EMA of `values[start..]`, seeded with the SMA of
/// `values[start..start + period]`, into `out[start + period - 1..]`,
/// leaving every other slot of `out` untouched. Does nothing when the
/// period is 0 or the seed window does not fit.
pub(crate) fn ema_into(values: &[f64], start: usize, period: usize, out: &mut [f64]) {
    let n = values.len().min(out.len());
    if period == 0 || start >= n || n - start < period {
        return;
    }
    let k = 2.0 / (period as f64 + 1.0);
    let first = start + period - 1;
    let mut prev = values[start..=first].iter().sum::<f64>() / period as f64;
    out[first] = prev;
    for i in first + 1..n {
        prev += (values[i] - prev) * k;
        out[i] = prev;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked_values() {
        // period 4: k = 0.4, seed = mean(2, 4, 6, 8) = 5
        let out = ema(&[2.0, 4.0, 6.0, 8.0, 10.0, 0.0], 4);
        assert!(out[..3].iter().all(|v| v.is_nan()));
        assert!((out[3] - 5.0).abs() < 1e-12);
        assert!((out[4] - 7.0).abs() < 1e-12); // 5 + 0.4 * 5
        assert!((out[5] - 4.2).abs() < 1e-12); // 7 + 0.4 * -7
    }

    #[test]
    fn constant_input_is_constant() {
        let out = ema(&[3.0; 10], 4);
        assert!(out[3..].iter().all(|v| (*v - 3.0).abs() < 1e-12));
    }

    #[test]
    fn period_one_is_identity() {
        assert_eq!(ema(&[1.0, 5.0, 2.0], 1), vec![1.0, 5.0, 2.0]);
    }

    #[test]
    fn invalid_periods_give_all_nan() {
        for period in [0, 4] {
            let out = ema(&[1.0, 2.0, 3.0], period);
            assert_eq!(out.len(), 3);
            assert!(out.iter().all(|v| v.is_nan()), "period {period}");
        }
        assert!(ema(&[], 1).is_empty());
    }
}
