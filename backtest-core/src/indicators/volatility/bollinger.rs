//! Bollinger bands.

use super::rolling::std_from_variance;
use crate::indicators::undefined;

/// Bollinger bands: an SMA middle band and bands `std_dev` population
/// standard deviations above and below it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bollinger {
    /// `middle + std_dev * sigma`.
    pub upper: Vec<f64>,
    /// Simple moving average of the input.
    pub middle: Vec<f64>,
    /// `middle - std_dev * sigma`.
    pub lower: Vec<f64>,
}

/// Bollinger bands over `period` bars (TA-Lib `BBANDS` with an SMA middle
/// band and `nbdevup = nbdevdn = std_dev`).
///
/// `sigma` is the population standard deviation of the window, computed as
/// in [`rolling_std`](crate::indicators::rolling_std) (a variance below
/// `1e-8` counts as `0`). The first `period - 1` values of every band are
/// `NaN`; `period == 0` or `period > len` gives all `NaN`.
///
/// ```
/// use backtest_core::indicators::bollinger;
///
/// let bands = bollinger(&[1.0, 3.0, 1.0, 3.0], 2, 2.0);
/// assert!(bands.middle[0].is_nan());
/// assert_eq!(bands.middle[1], 2.0);
/// assert_eq!(bands.upper[1], 4.0); // sigma = 1
/// assert_eq!(bands.lower[1], 0.0);
/// ```
#[must_use]
pub fn bollinger(close: &[f64], period: usize, std_dev: f64) -> Bollinger {
    let n = close.len();
    let mut bands = Bollinger {
        upper: undefined(n),
        middle: undefined(n),
        lower: undefined(n),
    };
    if period == 0 || period > n {
        return bands;
    }
    let p = period as f64;
    let mut total = 0.0;
    let mut total_sq = 0.0;
    for &x in &close[..period - 1] {
        total += x;
        total_sq += x * x;
    }
    for i in period - 1..n {
        let x = close[i];
        total += x;
        total_sq += x * x;
        let mean = total / p;
        let width = std_dev * std_from_variance(total_sq / p - mean * mean);
        bands.middle[i] = mean;
        bands.upper[i] = mean + width;
        bands.lower[i] = mean - width;
        let old = close[i + 1 - period];
        total -= old;
        total_sq -= old * old;
    }
    bands
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::{rolling_std, sma};

    #[test]
    fn agrees_with_sma_and_rolling_std() {
        let close = [10.0, 11.5, 9.0, 12.0, 13.5, 12.5, 14.0, 11.0];
        let bands = bollinger(&close, 4, 1.5);
        let mid = sma(&close, 4);
        let sd = rolling_std(&close, 4);
        for i in 0..close.len() {
            if i < 3 {
                assert!(
                    bands.upper[i].is_nan() && bands.middle[i].is_nan() && bands.lower[i].is_nan()
                );
            } else {
                assert!((bands.middle[i] - mid[i]).abs() < 1e-12);
                assert!((bands.upper[i] - (mid[i] + 1.5 * sd[i])).abs() < 1e-12);
                assert!((bands.lower[i] - (mid[i] - 1.5 * sd[i])).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn invalid_period_gives_all_nan() {
        let bands = bollinger(&[1.0, 2.0], 0, 2.0);
        assert_eq!(bands.upper.len(), 2);
        assert!(bands.middle.iter().all(|v| v.is_nan()));
        assert!(bollinger(&[1.0, 2.0], 3, 2.0)
            .lower
            .iter()
            .all(|v| v.is_nan()));
    }
}
