//! Rolling-window statistics: population standard deviation, maximum and
//! minimum. The window of bar `i` is `values[i + 1 - period ..= i]`, i.e.
//! it includes the current bar.

use std::collections::VecDeque;

use crate::indicators::undefined;

/// TA-Lib's `TA_IS_ZERO_OR_NEG`, used to clamp variances.
#[inline]
pub(crate) fn std_from_variance(variance: f64) -> f64 {
    if variance < 1e-8 {
        0.0
    } else {
        variance.sqrt()
    }
}

/// Rolling population standard deviation over `period` bars (TA-Lib
/// `STDDEV` with `nbdev = 1`).
///
/// Computed from running sums of the values and their squares as
/// `sqrt(mean(x²) - mean(x)²)`, exactly like TA-Lib; a variance below
/// `1e-8` (including a slightly negative one from rounding on a flat
/// window) is reported as a standard deviation of exactly `0`. The first
/// `period - 1` values are `NaN`; `period == 0` or `period > len` gives
/// all `NaN`.
///
/// ```
/// use backtest_core::indicators::rolling_std;
///
/// let out = rolling_std(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 8);
/// assert!(out[6].is_nan());
/// assert!((out[7] - 2.0).abs() < 1e-12);
/// ```
#[must_use]
pub fn rolling_std(values: &[f64], period: usize) -> Vec<f64> {
    let n = values.len();
    let mut out = undefined(n);
    if period == 0 || period > n {
        return out;
    }
    let p = period as f64;
    let mut total = 0.0;
    let mut total_sq = 0.0;
    for &x in &values[..period - 1] {
        total += x;
        total_sq += x * x;
    }
    for i in period - 1..n {
        let x = values[i];
        total += x;
        total_sq += x * x;
        let mean = total / p;
        out[i] = std_from_variance(total_sq / p - mean * mean);
        let old = values[i + 1 - period];
        total -= old;
        total_sq -= old * old;
    }
    out
}

/// Rolling maximum over `period` bars, current bar included (TA-Lib `MAX`).
///
/// O(n) with a monotonic deque whose capacity is fixed at `period`. The
/// first `period - 1` values are `NaN`; `period == 0` or `period > len`
/// gives all `NaN`.
///
/// ```
/// use backtest_core::indicators::rolling_max;
///
/// let out = rolling_max(&[1.0, 3.0, 2.0, 0.0, 0.5], 3);
/// assert!(out[1].is_nan());
/// assert_eq!(&out[2..], &[3.0, 3.0, 2.0]);
/// ```
#[must_use]
pub fn rolling_max(values: &[f64], period: usize) -> Vec<f64> {
    rolling_extreme(values, period, |kept, new| kept <= new)
}

/// Rolling minimum over `period` bars, current bar included (TA-Lib `MIN`).
///
/// O(n) with a monotonic deque whose capacity is fixed at `period`. The
/// first `period - 1` values are `NaN`; `period == 0` or `period > len`
/// gives all `NaN`.
///
/// ```
/// use backtest_core::indicators::rolling_min;
///
/// let out = rolling_min(&[4.0, 3.0, 5.0, 6.0, 7.0], 3);
/// assert!(out[1].is_nan());
/// assert_eq!(&out[2..], &[3.0, 3.0, 5.0]);
/// ```
#[must_use]
pub fn rolling_min(values: &[f64], period: usize) -> Vec<f64> {
    rolling_extreme(values, period, |kept, new| kept >= new)
}

/// Monotonic-deque rolling extreme. `dominated(kept, new)` says that a
/// value already in the window can never again be the extreme once `new`
/// has arrived.
#[inline]
fn rolling_extreme(
    values: &[f64],
    period: usize,
    dominated: impl Fn(f64, f64) -> bool,
) -> Vec<f64> {
    let n = values.len();
    let mut out = undefined(n);
    if period == 0 || period > n {
        return out;
    }
    // Indices of candidate extremes, oldest first; never more than `period`.
    let mut window: VecDeque<usize> = VecDeque::with_capacity(period);
    for (i, &x) in values.iter().enumerate() {
        while window.back().is_some_and(|&j| dominated(values[j], x)) {
            window.pop_back();
        }
        window.push_back(i);
        if window.front().is_some_and(|&j| j + period <= i) {
            window.pop_front();
        }
        if i + 1 >= period {
            if let Some(&j) = window.front() {
                out[i] = values[j];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(values: &[f64], period: usize, pick: fn(f64, f64) -> f64) -> Vec<f64> {
        (0..values.len())
            .map(|i| {
                if i + 1 < period {
                    f64::NAN
                } else {
                    values[i + 1 - period..=i]
                        .iter()
                        .copied()
                        .reduce(pick)
                        .unwrap_or(f64::NAN)
                }
            })
            .collect()
    }

    #[test]
    fn extremes_match_naive_windows() {
        let values = [5.0, 1.0, 4.0, 4.0, 2.0, 8.0, 3.0, 3.0, 0.0, 9.0, 1.0, 1.0];
        for period in 1..=values.len() {
            let max = rolling_max(&values, period);
            let min = rolling_min(&values, period);
            let want_max = naive(&values, period, f64::max);
            let want_min = naive(&values, period, f64::min);
            for i in 0..values.len() {
                assert_eq!(
                    max[i].to_bits(),
                    want_max[i].to_bits(),
                    "max p={period} i={i}"
                );
                assert_eq!(
                    min[i].to_bits(),
                    want_min[i].to_bits(),
                    "min p={period} i={i}"
                );
            }
        }
    }

    #[test]
    fn std_hand_checked_and_flat() {
        let out = rolling_std(&[1.0, 3.0, 1.0, 3.0], 2);
        assert!(out[0].is_nan());
        assert!(out[1..].iter().all(|v| (*v - 1.0).abs() < 1e-12));
        let flat = rolling_std(&[100.1; 6], 3);
        assert!(flat[2..].iter().all(|v| *v == 0.0));
    }

    #[test]
    fn invalid_periods_give_all_nan() {
        let x = [1.0, 2.0];
        for out in [rolling_std(&x, 0), rolling_max(&x, 3), rolling_min(&x, 0)] {
            assert_eq!(out.len(), 2);
            assert!(out.iter().all(|v| v.is_nan()));
        }
        assert!(rolling_max(&[], 1).is_empty());
    }
}
