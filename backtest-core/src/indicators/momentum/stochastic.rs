//! Slow stochastic oscillator.

use crate::indicators::average::sma_into;
use crate::indicators::{common_len, rolling_max, rolling_min, undefined};

/// Slow stochastic `%K` and `%D` lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Stochastic {
    /// Slow `%K`: SMA of the fast `%K` over `slowk_period` bars.
    pub k: Vec<f64>,
    /// Slow `%D`: SMA of slow `%K` over `slowd_period` bars.
    pub d: Vec<f64>,
}

/// Slow stochastic oscillator (TA-Lib `STOCH` with SMA smoothing for both
/// lines; the usual parameters are 14, 3, 3).
///
/// Fast `%K = 100 * (close - lowest low) / (highest high - lowest low)` over
/// `fastk_period` bars (current bar included), `0` when the window's high
/// equals its low, as in TA-Lib. Slow `%K` is its SMA over `slowk_period`
/// bars and `%D` the SMA of slow `%K` over `slowd_period` bars. Like
/// TA-Lib, both lines are `NaN` for the first
/// `fastk_period + slowk_period + slowd_period - 3` bars (slow `%K` is
/// hidden until `%D` exists). A zero period or a warm-up that does not fit
/// gives all `NaN`; columns of different lengths are cut to the shortest.
///
/// ```
/// use backtest_core::indicators::stochastic;
///
/// let high = [10.0, 10.0, 10.0, 10.0, 10.0];
/// let low = [0.0, 0.0, 0.0, 0.0, 0.0];
/// let close = [2.0, 4.0, 6.0, 8.0, 10.0];
/// let s = stochastic(&high, &low, &close, 1, 2, 2);
/// assert!(s.k[1].is_nan() && s.d[1].is_nan());
/// assert_eq!(s.k[2], 50.0); // mean(40, 60)
/// assert_eq!(s.d[2], 40.0); // mean(30, 50)
/// assert_eq!(s.k[4], 90.0);
/// ```
#[must_use]
pub fn stochastic(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    fastk_period: usize,
    slowk_period: usize,
    slowd_period: usize,
) -> Stochastic {
    let n = common_len(&[high, low, close]);
    let mut out = Stochastic {
        k: undefined(n),
        d: undefined(n),
    };
    if fastk_period == 0 || slowk_period == 0 || slowd_period == 0 {
        return out;
    }
    let fastk_start = fastk_period - 1;
    let slowk_start = fastk_start + slowk_period - 1;
    let lookback = slowk_start + slowd_period - 1;
    if lookback >= n {
        return out;
    }
    let lowest = rolling_min(&low[..n], fastk_period);
    // The highest-high column is turned into fast %K in place.
    let mut fast_k = rolling_max(&high[..n], fastk_period);
    for i in fastk_start..n {
        let range = (fast_k[i] - lowest[i]) / 100.0;
        fast_k[i] = if range == 0.0 {
            0.0
        } else {
            (close[i] - lowest[i]) / range
        };
    }
    sma_into(&fast_k, fastk_start, slowk_period, &mut out.k);
    sma_into(&out.k, slowk_start, slowd_period, &mut out.d);
    out.k[..lookback].fill(f64::NAN);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked_window() {
        // fastk 3, slowk 1, slowd 1: plain fast %K from bar 2.
        let high = [5.0, 6.0, 7.0, 6.0];
        let low = [1.0, 2.0, 3.0, 4.0];
        let close = [4.0, 5.0, 6.0, 4.0];
        let s = stochastic(&high, &low, &close, 3, 1, 1);
        assert!(s.k[1].is_nan());
        assert!((s.k[2] - 5.0 / 6.0 * 100.0).abs() < 1e-12); // (6 - 1) / (7 - 1)
        assert!((s.k[3] - 40.0).abs() < 1e-12); // (4 - 2) / (7 - 2)
        assert_eq!(s.k[2..], s.d[2..]);
    }

    #[test]
    fn flat_window_is_zero() {
        let x = [3.0; 6];
        let s = stochastic(&x, &x, &x, 2, 2, 2);
        assert!(s.k[..3].iter().all(|v| v.is_nan()));
        assert!(s.k[3..].iter().chain(&s.d[3..]).all(|v| *v == 0.0));
    }

    #[test]
    fn warm_up_and_invalid_inputs() {
        let x: Vec<f64> = (0..17).map(f64::from).collect();
        let s = stochastic(&x, &x, &x, 14, 3, 3);
        assert!(
            s.k.iter().chain(&s.d).all(|v| v.is_nan()),
            "17 bars < lookback + 1"
        );
        let y: Vec<f64> = (0..18).map(f64::from).collect();
        let s = stochastic(&y, &y, &y, 14, 3, 3);
        assert!(s.k[..17].iter().all(|v| v.is_nan()) && !s.k[17].is_nan());
        assert!(s.d[..17].iter().all(|v| v.is_nan()) && !s.d[17].is_nan());
        let s = stochastic(&y, &y[..5], &y, 0, 3, 3);
        assert_eq!(s.k.len(), 5);
        assert!(s.k.iter().all(|v| v.is_nan()));
    }
}
