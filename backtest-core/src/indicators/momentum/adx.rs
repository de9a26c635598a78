//! Average directional movement index (Wilder).

use crate::indicators::volatility::true_range;
use crate::indicators::{common_len, is_zero, undefined};

/// Average directional movement index over `period` bars (TA-Lib `ADX`).
///
/// Wilder's construction: +DM / -DM and the true range are summed over
/// the first `period - 1` bar-to-bar moves, then smoothed with
/// `s = s - s / period + x`; `+DI = 100 * +DM / TR`,
/// `-DI = 100 * -DM / TR`, `DX = 100 * |+DI - -DI| / (+DI + -DI)`. The
/// first ADX, at bar `2 * period - 1`, is the mean of the first `period`
/// DX values; after that `adx = (adx * (period - 1) + dx) / period`. The
/// first `2 * period - 1` values are `NaN`. As in TA-Lib, a bar whose
/// smoothed TR or DI sum is within `1e-8` of zero has no DX: it adds 0 to
/// the initial mean and leaves a running ADX unchanged. A zero period or a
/// warm-up that does not fit gives all `NaN`; columns of different
/// lengths are cut to the shortest.
///
/// ```
/// use backtest_core::indicators::adx;
///
/// // A steady up-trend: all movement is +DM, so DX and ADX are 100.
/// let high: Vec<f64> = (0..10).map(|i| 11.0 + f64::from(i)).collect();
/// let low: Vec<f64> = (0..10).map(|i| 9.0 + f64::from(i)).collect();
/// let close: Vec<f64> = (0..10).map(|i| 10.0 + f64::from(i)).collect();
/// let out = adx(&high, &low, &close, 3);
/// assert!(out[4].is_nan());
/// assert!(out[5..].iter().all(|v| (*v - 100.0).abs() < 1e-9));
/// ```
#[must_use]
pub fn adx(high: &[f64], low: &[f64], close: &[f64], period: usize) -> Vec<f64> {
    let n = common_len(&[high, low, close]);
    let mut out = undefined(n);
    if period == 0 {
        return out;
    }
    let lookback = 2 * period - 1;
    if lookback >= n {
        return out;
    }
    let p = period as f64;
    let mut plus_dm = 0.0;
    let mut minus_dm = 0.0;
    let mut tr = 0.0;
    for i in 1..period {
        let (plus, minus) = directional_movement(high, low, i);
        plus_dm += plus;
        minus_dm += minus;
        tr += true_range(high[i], low[i], close[i - 1]);
    }
    // Wilder's `s - s / p + x`, with the division replaced by a constant
    // factor (same value to rounding, shorter loop-carried chain).
    let keep = (p - 1.0) / p;
    let mut step = |i: usize| {
        let (plus, minus) = directional_movement(high, low, i);
        plus_dm = plus_dm * keep + plus;
        minus_dm = minus_dm * keep + minus;
        tr = tr * keep + true_range(high[i], low[i], close[i - 1]);
        directional_index(plus_dm, minus_dm, tr)
    };
    let mut sum_dx = 0.0;
    for i in period..=lookback {
        if let Some(dx) = step(i) {
            sum_dx += dx;
        }
    }
    let mut value = sum_dx / p;
    out[lookback] = value;
    let add = 1.0 / p;
    for (i, slot) in out.iter_mut().enumerate().skip(lookback + 1) {
        if let Some(dx) = step(i) {
            value = value * keep + dx * add;
        }
        *slot = value;
    }
    out
}

/// +DM and -DM of bar `i` (Wilder): only the larger of the up move and the
/// down move counts, and only if positive.
#[inline]
fn directional_movement(high: &[f64], low: &[f64], i: usize) -> (f64, f64) {
    dm(high[i - 1], low[i - 1], high[i], low[i])
}

/// +DM and -DM of a bar after the previous one.
#[inline]
pub(crate) fn dm(prev_high: f64, prev_low: f64, high: f64, low: f64) -> (f64, f64) {
    let up = high - prev_high;
    let down = prev_low - low;
    // The two conditions exclude each other; written as selects, not a chain.
    let plus = if up > 0.0 && up > down { up } else { 0.0 };
    let minus = if down > 0.0 && down > up { down } else { 0.0 };
    (plus, minus)
}

#[inline]
pub(crate) fn directional_index(plus_dm: f64, minus_dm: f64, tr: f64) -> Option<f64> {
    if is_zero(tr) {
        return None;
    }
    let plus_di = 100.0 * (plus_dm / tr);
    let minus_di = 100.0 * (minus_dm / tr);
    let total = plus_di + minus_di;
    if is_zero(total) {
        None
    } else {
        Some(100.0 * ((minus_di - plus_di).abs() / total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directional_movement_picks_the_larger_move() {
        let high = [10.0, 12.0, 12.5, 12.0];
        let low = [9.0, 10.0, 8.0, 9.0];
        assert_eq!(directional_movement(&high, &low, 1), (2.0, 0.0)); // up 2, down -1
        assert_eq!(directional_movement(&high, &low, 2), (0.0, 2.0)); // up 0.5, down 2
        assert_eq!(directional_movement(&high, &low, 3), (0.0, 0.0)); // inside bar
    }

    #[test]
    fn hand_checked_period_two() {
        // period 2: lookback 3. Moves from bar 1: +DM 1, 0, 0, 1; -DM 0, 1, 0, 0
        let high = [10.0, 11.0, 11.0, 10.5, 11.5];
        let low = [9.0, 10.0, 9.0, 9.5, 10.5];
        let close = [9.5, 10.5, 9.5, 10.0, 11.0];
        // TR: bar1 1.5, bar2 2.0, bar3 1.0, bar4 1.5
        // seed (bar 1): +DM 1, -DM 0, TR 1.5
        // bar 2: +DM 0.5, -DM 1, TR 2.75 -> DX = 100 * 0.5 / 1.5
        // bar 3: +DM 0.25, -DM 0.5, TR 2.375 -> DX = 100 * 0.25 / 0.75
        let out = adx(&high, &low, &close, 2);
        assert!(out[..3].iter().all(|v| v.is_nan()));
        let first = (100.0 / 3.0 + 100.0 / 3.0) / 2.0;
        assert!((out[3] - first).abs() < 1e-9);
        // bar 4: +DM 1.125, -DM 0.25 -> DX = 100 * 0.875 / 1.375
        let dx = 100.0 * 0.875 / 1.375;
        assert!((out[4] - (first + dx) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn flat_market_keeps_zero() {
        let x = [5.0; 8];
        let out = adx(&x, &x, &x, 2);
        assert!(out[..3].iter().all(|v| v.is_nan()));
        assert!(out[3..].iter().all(|v| *v == 0.0));
    }

    #[test]
    fn invalid_inputs_give_all_nan() {
        let x = [1.0; 5];
        assert!(adx(&x, &x, &x, 0).iter().all(|v| v.is_nan()));
        assert!(adx(&x, &x, &x, 3).iter().all(|v| v.is_nan()));
        assert_eq!(adx(&x, &x[..4], &x, 2).len(), 4);
        assert!(adx(&[], &[], &[], 14).is_empty());
    }
}
