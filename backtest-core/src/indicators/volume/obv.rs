//! On-balance volume.

use crate::indicators::{common_len, undefined};

/// On-balance volume (TA-Lib `OBV`).
///
/// Starts at the first bar's volume (TA-Lib's convention, not at 0), then
/// adds the bar's volume on an up close, subtracts it on a down close and
/// carries the total on an unchanged close. Defined from the first bar (no
/// warm-up). Columns of different lengths are cut to the shortest.
///
/// ```
/// use backtest_core::indicators::obv;
///
/// let close = [10.0, 11.0, 10.5, 10.5, 12.0];
/// let volume = [100.0, 200.0, 50.0, 70.0, 10.0];
/// assert_eq!(obv(&close, &volume), vec![100.0, 300.0, 250.0, 250.0, 260.0]);
/// ```
#[must_use]
pub fn obv(close: &[f64], volume: &[f64]) -> Vec<f64> {
    let n = common_len(&[close, volume]);
    if n == 0 {
        return undefined(0);
    }
    let mut out = Vec::with_capacity(n);
    let mut total = volume[0];
    out.push(total);
    for (pair, &shares) in close[..n].windows(2).zip(&volume[1..n]) {
        // +1, -1 or 0 without a branch; `shares * 0.0` leaves the total exact.
        let direction =
            f64::from(u8::from(pair[1] > pair[0])) - f64::from(u8::from(pair[1] < pair[0]));
        total += shares * direction;
        out.push(total);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatched_and_empty_inputs() {
        assert!(obv(&[], &[]).is_empty());
        assert!(obv(&[1.0, 2.0], &[]).is_empty());
        assert_eq!(obv(&[1.0, 2.0, 3.0], &[5.0, 6.0]), vec![5.0, 11.0]);
    }
}
