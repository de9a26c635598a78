//! Drawdown: the curve, the maximum, drawdown periods and their durations,
//! and the Calmar ratio.

use super::returns::mean;
use super::{finite, RunRecord, Statistic, DAY_SECONDS};

/// Maximum drawdown in percent, a positive magnitude (0 without one).
#[derive(Debug, Clone, Copy, Default)]
pub struct MaxDrawdown;

impl Statistic for MaxDrawdown {
    type Value = f64;
    fn compute(&self, run: &RunRecord<'_>) -> f64 {
        let mut tracker = DrawdownTracker::default();
        for &e in run.equity {
            tracker.push(e);
        }
        tracker.max_drawdown_pct()
    }
}

/// Running peak and maximum drawdown, fed bar by bar (the engine streams
/// its equity through one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawdownTracker {
    peak: f64,
    /// Equity below this is a new maximum drawdown: saves a division per bar.
    floor: f64,
    max_drawdown: f64,
}

impl Default for DrawdownTracker {
    fn default() -> Self {
        Self {
            peak: f64::NEG_INFINITY,
            floor: f64::NEG_INFINITY,
            max_drawdown: 0.0,
        }
    }
}

impl DrawdownTracker {
    /// Adds one bar's equity.
    #[inline]
    pub fn push(&mut self, equity: f64) {
        if equity > self.peak {
            self.peak = equity;
            self.floor = equity * (1.0 - self.max_drawdown);
        } else if equity < self.floor && self.peak > 0.0 {
            self.max_drawdown = self.max_drawdown.max((self.peak - equity) / self.peak);
            self.floor = equity;
        }
    }

    /// The maximum drawdown so far, percent.
    #[must_use]
    pub fn max_drawdown_pct(&self) -> f64 {
        self.max_drawdown * 100.0
    }
}

/// `(equity - running_peak) / running_peak * 100` per bar, `<= 0`.
///
/// The running peak starts at the first bar's equity, as in
/// [`MaxDrawdown`], so `-min(curve)` equals the maximum drawdown.
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

/// Mean and longest drawdown period in calendar days: `(None, 0)` without one.
#[derive(Debug, Clone, Copy, Default)]
pub struct DrawdownDurations;

impl Statistic for DrawdownDurations {
    type Value = (Option<f64>, f64);
    fn compute(&self, run: &RunRecord<'_>) -> (Option<f64>, f64) {
        let durations: Vec<f64> = drawdown_periods(run.timestamps, run.equity)
            .iter()
            .map(|p| p.duration_days)
            .collect();
        (
            mean(&durations),
            durations.iter().copied().fold(0.0, f64::max),
        )
    }
}

/// `cagr / max_drawdown_pct`; `None` without a CAGR or a drawdown.
#[derive(Debug, Clone, Copy, Default)]
pub struct Calmar;

impl Statistic for Calmar {
    type Value = Option<f64>;
    fn compute(&self, run: &RunRecord<'_>) -> Option<f64> {
        calmar(super::Cagr.compute(run), MaxDrawdown.compute(run))
    }
}

/// `cagr / max_drawdown_pct`.
#[must_use]
pub fn calmar(cagr_pct: Option<f64>, max_drawdown_pct: f64) -> Option<f64> {
    let c = cagr_pct?;
    (max_drawdown_pct > 0.0)
        .then(|| c / max_drawdown_pct)
        .and_then(finite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_periods_and_tracker_by_hand() {
        let equity = [100.0, 120.0, 90.0, 120.0, 130.0, 117.0];
        let dd = drawdown_curve(&equity);
        assert_eq!(dd[0], 0.0);
        assert!((dd[2] + 25.0).abs() < 1e-12);
        assert_eq!(dd[3], 0.0);
        assert!((dd[5] + 10.0).abs() < 1e-12);
        let mut tracker = DrawdownTracker::default();
        equity.iter().for_each(|&e| tracker.push(e));
        assert!((tracker.max_drawdown_pct() - 25.0).abs() < 1e-12);
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
