//! The benchmark a run is compared with: its closes on the run's bars and
//! its curve scaled to the initial capital.
//!
//! The benchmark is the request's `benchmark` ticker, or by default the
//! run's own bars (its ticker held throughout). Only the timestamps both
//! series have count (SPEC of the benchmark statistics in
//! `backtest_core::stats::benchmark`); a strategy bar without a benchmark
//! bar has no benchmark value.

/// A benchmark's bars: ascending timestamps (Unix seconds) and closes.
#[derive(Debug, Clone, Copy)]
pub struct BenchmarkSeries<'a> {
    /// Bar timestamps, ascending.
    pub timestamps: &'a [i64],
    /// Closes, one per timestamp.
    pub close: &'a [f64],
}

/// The benchmark's close on each of `timestamps` (ascending), `None` where
/// the benchmark has no bar.
#[must_use]
pub fn aligned_close(timestamps: &[i64], benchmark: BenchmarkSeries<'_>) -> Vec<Option<f64>> {
    let mut out = Vec::with_capacity(timestamps.len());
    let mut j = 0;
    for &t in timestamps {
        while j < benchmark.timestamps.len() && benchmark.timestamps[j] < t {
            j += 1;
        }
        out.push(
            (j < benchmark.timestamps.len() && benchmark.timestamps[j] == t)
                .then(|| benchmark.close[j]),
        );
    }
    out
}

/// The benchmark bought with `initial_capital` at its close on the first
/// common bar and held (no fees, fractional units): `capital * close /
/// first close` on every bar that has a benchmark close, `None` elsewhere.
#[must_use]
pub fn scaled_curve(aligned: &[Option<f64>], initial_capital: f64) -> Vec<Option<f64>> {
    let first = aligned.iter().flatten().copied().find(|c| *c != 0.0);
    aligned
        .iter()
        .map(|c| match (c, first) {
            (Some(c), Some(first)) => Some(initial_capital * c / first),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_on_common_timestamps_only() {
        let bench = BenchmarkSeries {
            timestamps: &[1, 2, 4, 5, 9],
            close: &[10.0, 20.0, 40.0, 50.0, 90.0],
        };
        let aligned = aligned_close(&[0, 2, 3, 4, 9, 10], bench);
        assert_eq!(
            aligned,
            [None, Some(20.0), None, Some(40.0), Some(90.0), None]
        );
        assert_eq!(
            scaled_curve(&aligned, 1000.0),
            [None, Some(1000.0), None, Some(2000.0), Some(4500.0), None]
        );
        assert!(scaled_curve(&[None, None], 1.0).iter().all(Option::is_none));
    }
}
