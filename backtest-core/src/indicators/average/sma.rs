//! Simple moving average.

use crate::indicators::undefined;

/// Simple moving average over `period` bars (TA-Lib `SMA`).
///
/// `out[i]` is the mean of `values[i + 1 - period ..= i]`. The first
/// `period - 1` values are `NaN`; `period == 0` or `period > values.len()`
/// gives an all-`NaN` column. Computed with one running sum, O(n).
///
/// ```
/// use backtest_core::indicators::sma;
///
/// let out = sma(&[1.0, 2.0, 3.0, 4.0, 5.0], 3);
/// assert!(out[0].is_nan() && out[1].is_nan());
/// assert_eq!(&out[2..], &[2.0, 3.0, 4.0]);
/// ```
#[must_use]
pub fn sma(values: &[f64], period: usize) -> Vec<f64> {
    let mut out = undefined(values.len());
    sma_into(values, 0, period, &mut out);
    out
}

/// Writes the SMA of `values[start..]` into `out[start + period - 1..]`,
/// leaving every other slot of `out` untouched. Does nothing when the
/// period is 0 or the first window does not fit.
pub(crate) fn sma_into(values: &[f64], start: usize, period: usize, out: &mut [f64]) {
    let n = values.len().min(out.len());
    if period == 0 || start >= n || n - start < period {
        return;
    }
    let div = period as f64;
    let first = start + period - 1;
    let mut total: f64 = values[start..first].iter().sum();
    for i in first..n {
        total += values[i];
        out[i] = total / div;
        total -= values[i + 1 - period];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked_values() {
        let out = sma(&[2.0, 4.0, 6.0, 8.0], 2);
        assert!(out[0].is_nan());
        assert_eq!(&out[1..], &[3.0, 5.0, 7.0]);
    }

    #[test]
    fn period_one_is_identity() {
        assert_eq!(sma(&[1.5, -2.0, 3.0], 1), vec![1.5, -2.0, 3.0]);
    }

    #[test]
    fn period_equal_to_length_defines_last_bar_only() {
        let out = sma(&[1.0, 2.0, 3.0], 3);
        assert!(out[0].is_nan() && out[1].is_nan());
        assert_eq!(out[2], 2.0);
    }

    #[test]
    fn invalid_periods_give_all_nan() {
        for period in [0, 4, usize::MAX] {
            let out = sma(&[1.0, 2.0, 3.0], period);
            assert_eq!(out.len(), 3);
            assert!(out.iter().all(|v| v.is_nan()), "period {period}");
        }
        assert!(sma(&[], 3).is_empty());
    }

    #[test]
    fn into_with_offset_starts_late() {
        let values = [9.0, 9.0, 1.0, 2.0, 3.0];
        let mut out = vec![f64::NAN; 5];
        sma_into(&values, 2, 2, &mut out);
        assert!(out[..3].iter().all(|v| v.is_nan()));
        assert_eq!(&out[3..], &[1.5, 2.5]);
    }
}
