//! The drawdown curve and drawdown periods.

use super::time::DAY_SECONDS;

/// `(equity - running_peak) / running_peak * 100` per bar, `<= 0`.
///
/// The running peak starts at the first bar's equity, as in the engine's
/// maximum drawdown, so `-min(curve)` equals the engine's `max_drawdown_pct`.
#[must_use]
pub fn drawdown_curve(equity: &[f64]) -> Vec<f64> {
    let mut peak = f64::NEG_INFINITY;
    equity
        .iter()
        .map(|&e| {
            if e > peak {
                peak = e;
            }
            if peak > 0.0 && e < peak {
                (e - peak) / peak * 100.0
            } else {
                0.0
            }
        })
        .collect()
}

/// One stretch of time below a previous peak.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawdownPeriod {
    /// Bar of the peak the period starts from.
    pub peak_index: usize,
    /// Bar at which equity is back at (or above) the peak, or the last bar
    /// when it never recovered.
    pub end_index: usize,
    /// Whether equity regained the peak.
    pub recovered: bool,
    /// Deepest drawdown in the period, percent (positive).
    pub depth_pct: f64,
    /// Calendar days from the peak bar to the end bar.
    pub duration_days: f64,
}

/// The drawdown periods of `equity` (bars at `timestamps`, Unix seconds).
///
/// A period starts at a peak bar when a later bar closes below it, and ends
/// at the first bar whose equity is back at or above that peak (recovered),
/// or at the last bar (not recovered). Its duration is the calendar time
/// from the peak bar to the end bar, in days.
#[must_use]
pub fn drawdown_periods(timestamps: &[i64], equity: &[f64]) -> Vec<DrawdownPeriod> {
    let n = equity.len().min(timestamps.len());
    let mut periods = Vec::new();
    let mut peak = f64::NEG_INFINITY;
    let mut peak_index = 0;
    let mut open: Option<DrawdownPeriod> = None;
    let days = |a: usize, b: usize| (timestamps[b] - timestamps[a]) as f64 / DAY_SECONDS as f64;
    for (t, &e) in equity.iter().enumerate().take(n) {
        if e >= peak {
            if let Some(mut p) = open.take() {
                p.end_index = t;
                p.recovered = true;
                p.duration_days = days(p.peak_index, t);
                periods.push(p);
            }
            peak = e;
            peak_index = t;
        } else if peak > 0.0 {
            let depth = (peak - e) / peak * 100.0;
            let p = open.get_or_insert(DrawdownPeriod {
                peak_index,
                end_index: t,
                recovered: false,
                depth_pct: 0.0,
                duration_days: 0.0,
            });
            p.depth_pct = p.depth_pct.max(depth);
        }
    }
    if let Some(mut p) = open {
        p.end_index = n - 1;
        p.duration_days = days(p.peak_index, n - 1);
        periods.push(p);
    }
    periods
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_and_periods_by_hand() {
        let equity = [100.0, 120.0, 90.0, 120.0, 130.0, 117.0];
        let dd = drawdown_curve(&equity);
        assert_eq!(dd[0], 0.0);
        assert!((dd[2] + 25.0).abs() < 1e-12);
        assert_eq!(dd[3], 0.0);
        assert!((dd[5] + 10.0).abs() < 1e-12);
        let ts: Vec<i64> = (0..6).map(|d| d * DAY_SECONDS).collect();
        let p = drawdown_periods(&ts, &equity);
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].peak_index, p[0].end_index, p[0].recovered),
            (1, 3, true)
        );
        assert_eq!(p[0].duration_days, 2.0);
        assert_eq!(
            (p[1].peak_index, p[1].end_index, p[1].recovered),
            (4, 5, false)
        );
        assert!((p[1].depth_pct - 10.0).abs() < 1e-12);
    }
}
