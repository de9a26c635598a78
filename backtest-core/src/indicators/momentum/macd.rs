//! Moving average convergence/divergence.

use crate::indicators::average::ema_into;
use crate::indicators::undefined;

/// MACD line, signal line and histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct Macd {
    /// Fast EMA minus slow EMA.
    pub macd: Vec<f64>,
    /// EMA of the MACD line over the signal period.
    pub signal: Vec<f64>,
    /// `macd - signal`.
    pub hist: Vec<f64>,
}

/// MACD with EMA periods `fast`, `slow` and `signal` (TA-Lib `MACD`,
/// usually 12, 26, 9).
///
/// Follows TA-Lib exactly, including its alignment: both EMAs are first
/// defined at bar `slow - 1`, so the fast EMA is seeded there with the SMA
/// of the `fast` closes ending at that bar (not of the first `fast`
/// closes). The signal EMA is seeded with the SMA of the first `signal`
/// MACD values. All three columns are `NaN` for the first
/// `slow + signal - 2` bars (TA-Lib's lookback; the MACD line is hidden
/// until the signal exists). If `slow < fast` the two are swapped, as
/// TA-Lib does. A zero period, or a warm-up that does not fit, gives all
/// `NaN`.
///
/// ```
/// use backtest_core::indicators::macd;
///
/// let close: Vec<f64> = (0..40).map(|i| 100.0 + f64::from(i)).collect();
/// let m = macd(&close, 12, 26, 9);
/// assert!(m.macd[32].is_nan() && m.signal[32].is_nan());
/// // A straight line: the lag difference of the two EMAs, (26 - 12) / 2.
/// assert!((m.macd[33] - 7.0).abs() < 1e-9);
/// assert!(m.hist[39].abs() < 1e-9);
/// ```
#[must_use]
pub fn macd(close: &[f64], fast: usize, slow: usize, signal: usize) -> Macd {
    let n = close.len();
    let mut out = Macd {
        macd: undefined(n),
        signal: undefined(n),
        hist: undefined(n),
    };
    if fast == 0 || slow == 0 || signal == 0 {
        return out;
    }
    let (fast, slow) = if slow < fast {
        (slow, fast)
    } else {
        (fast, slow)
    };
    let line_start = slow - 1;
    let lookback = line_start + signal - 1;
    if lookback >= n {
        return out;
    }
    // The MACD line is built in `out.hist` first (it needs to exist from
    // `line_start` for the signal seed), then moved. Both EMAs run in one
    // loop, with the same arithmetic as `ema`.
    let fast_k = 2.0 / (fast as f64 + 1.0);
    let slow_k = 2.0 / (slow as f64 + 1.0);
    let mut fast_ema = close[slow - fast..slow].iter().sum::<f64>() / fast as f64;
    let mut slow_ema = close[..slow].iter().sum::<f64>() / slow as f64;
    out.hist[line_start] = fast_ema - slow_ema;
    for (line, &x) in out.hist[slow..].iter_mut().zip(&close[slow..]) {
        fast_ema += (x - fast_ema) * fast_k;
        slow_ema += (x - slow_ema) * slow_k;
        *line = fast_ema - slow_ema;
    }
    ema_into(&out.hist, line_start, signal, &mut out.signal);
    for i in lookback..n {
        let line = out.hist[i];
        out.macd[i] = line;
        out.hist[i] = line - out.signal[i];
    }
    out.hist[..lookback].fill(f64::NAN);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::ema;

    #[test]
    fn line_is_difference_of_aligned_emas() {
        let close: Vec<f64> = (0..30)
            .map(|i| (f64::from(i) * 0.7).sin() * 5.0 + 50.0)
            .collect();
        let m = macd(&close, 3, 6, 4);
        let slow = ema(&close, 6);
        // fast EMA seeded at bar 5 with the mean of closes 3..=5
        let k = 2.0 / 4.0;
        let mut fast = (close[3] + close[4] + close[5]) / 3.0;
        let mut line = vec![f64::NAN; close.len()];
        line[5] = fast - slow[5];
        for i in 6..close.len() {
            fast += (close[i] - fast) * k;
            line[i] = fast - slow[i];
        }
        let signal = ema(&line[5..], 4);
        for i in 0..close.len() {
            if i < 8 {
                assert!(
                    m.macd[i].is_nan() && m.signal[i].is_nan() && m.hist[i].is_nan(),
                    "bar {i}"
                );
            } else {
                assert!((m.macd[i] - line[i]).abs() < 1e-12, "macd bar {i}");
                assert!(
                    (m.signal[i] - signal[i - 5]).abs() < 1e-12,
                    "signal bar {i}"
                );
                assert!(
                    (m.hist[i] - (line[i] - signal[i - 5])).abs() < 1e-12,
                    "hist bar {i}"
                );
            }
        }
    }

    #[test]
    fn swapped_periods_are_reordered() {
        let close: Vec<f64> = (0..20).map(|i| f64::from(i * i % 7)).collect();
        let bits = |m: Macd| {
            [m.macd, m.signal, m.hist].map(|c| c.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
        };
        assert_eq!(bits(macd(&close, 5, 3, 2)), bits(macd(&close, 3, 5, 2)));
    }

    #[test]
    fn invalid_inputs_give_all_nan() {
        let close = [1.0; 10];
        for (f, s, g) in [(0, 5, 2), (2, 0, 2), (2, 5, 0), (2, 8, 4)] {
            let m = macd(&close, f, s, g);
            assert_eq!(m.macd.len(), 10);
            assert!(m
                .macd
                .iter()
                .chain(&m.signal)
                .chain(&m.hist)
                .all(|v| v.is_nan()));
        }
    }
}
