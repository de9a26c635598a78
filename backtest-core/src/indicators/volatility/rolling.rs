//! Rolling-window statistics: population standard deviation, maximum and
//! minimum. The window of bar `i` is `values[i + 1 - period ..= i]`, i.e.
//! it includes the current bar.

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
/// O(n) whatever the period (van Herk / Gil-Werman block extremes: about
/// three comparisons per bar, no data-dependent branches). The first
/// `period - 1` values are `NaN`; `period == 0` or `period > len` gives all
/// `NaN`.
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
    rolling_extreme(
        values,
        period,
        |kept, new| if kept > new { kept } else { new },
    )
}

/// Rolling minimum over `period` bars, current bar included (TA-Lib `MIN`).
///
/// O(n) whatever the period, like [`rolling_max`]. The first `period - 1`
/// values are `NaN`; `period == 0` or `period > len` gives all `NaN`.
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
    rolling_extreme(
        values,
        period,
        |kept, new| if kept < new { kept } else { new },
    )
}

/// Rolling extreme by the van Herk / Gil-Werman method.
///
/// Cut the input into blocks of `period` bars. A window `[s, i]` of
/// `period` bars either is one block or spans the tail of the block holding
/// `s` and the head of the block holding `i`, so its extreme is
/// `pick(suffix[s], prefix[i])`, where `suffix[s]` is the extreme of `s`
/// up to the end of its block and `prefix[i]` that of the start of `i`'s
/// block up to `i` (both cover the whole block when `s` starts one).
/// `pick(kept, new)` returns `new` when `kept` is `NaN` (the start of a
/// run), which plain comparisons give for free.
#[inline]
fn rolling_extreme(values: &[f64], period: usize, pick: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    let n = values.len();
    let mut out = undefined(n);
    if period == 0 || period > n {
        return out;
    }
    let mut suffix = vec![0.0; n];
    for (block, dst) in values.chunks(period).zip(suffix.chunks_mut(period)) {
        let mut run = f64::NAN;
        for (d, &x) in dst.iter_mut().zip(block).rev() {
            run = pick(run, x);
            *d = run;
        }
    }
    // The first block holds exactly one full window.
    out[period - 1] = suffix[0];
    let later = values[period..]
        .chunks(period)
        .zip(out[period..].chunks_mut(period));
    for (k, (block, dst)) in later.enumerate() {
        let tails = &suffix[k * period + 1..];
        let mut run = f64::NAN;
        for ((d, &x), &tail) in dst.iter_mut().zip(block).zip(tails) {
            run = pick(run, x);
            *d = pick(tail, run);
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
