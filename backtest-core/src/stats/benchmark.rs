//! Statistics of a strategy against a benchmark.
//!
//! From the per-bar returns on the timestamps both series have (the first
//! common timestamp has no return): `r = x_t / x_{t-1} - 1` over consecutive
//! common timestamps, for the strategy's equity (`s`) and the benchmark's
//! close (`b`); `d = s - b`; sample (n - 1) variances; `k` = bars per year.
//!
//! | field | definition |
//! |---|---|
//! | `beta` | `cov(s, b) / var(b)` |
//! | `correlation` | `cov(s, b) / (std(s) std(b))` |
//! | `alpha_pct` | `(mean(s) - beta * mean(b)) * k * 100` (Jensen, zero risk-free rate) |
//! | `information_ratio` | `mean(d) / std(d) * sqrt(k)` |
//! | `tracking_error_pct` | `std(d) * sqrt(k) * 100` |
//! | `benchmark_return_pct` | `(B_last / B_first - 1) * 100` over the common timestamps |
//! | `excess_return_pct` | `(S_last / S_first - 1) * 100 - benchmark_return_pct` |
//!
//! A ratio whose denominator has no spread ([`super::has_spread`]) is `None`.

use serde::{Deserialize, Serialize};

use super::{finite, has_spread};

/// The strategy against a benchmark; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct BenchmarkStats {
    /// Common timestamps used.
    pub common_bars: usize,
    /// `cov(s, b) / var(b)`.
    pub beta: Option<f64>,
    /// Pearson correlation of the returns.
    pub correlation: Option<f64>,
    /// Annualised Jensen's alpha, percent.
    pub alpha_pct: Option<f64>,
    /// Annualised mean / std of the return difference.
    pub information_ratio: Option<f64>,
    /// Annualised std of the return difference, percent.
    pub tracking_error_pct: Option<f64>,
    /// Strategy return minus benchmark return over the common span, percent.
    pub excess_return_pct: Option<f64>,
    /// Benchmark return over the common span, percent.
    pub benchmark_return_pct: Option<f64>,
}

/// Pairs of values on the timestamps both (ascending) series have.
fn common(ts_a: &[i64], a: &[f64], ts_b: &[i64], b: &[f64]) -> Vec<(f64, f64)> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(ts_a.len().min(ts_b.len()));
    while i < ts_a.len() && j < ts_b.len() {
        match ts_a[i].cmp(&ts_b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push((a[i], b[j]));
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample covariance (two-pass).
fn cov(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    x.iter()
        .zip(y)
        .map(|(a, b)| (a - mx) * (b - my))
        .sum::<f64>()
        / (x.len() - 1) as f64
}

/// The strategy's `equity` (on `timestamps`) against a benchmark's `close`
/// (on `bench_timestamps`), both ascending.
///
/// ```
/// use backtest_core::stats::benchmark::benchmark_stats;
/// let ts = [0, 1, 2, 3];
/// let bench = [100.0, 101.0, 99.0, 102.0];
/// let s = benchmark_stats(&ts, &[1.0, 1.02, 0.98, 1.04], &ts, &bench, 252.0);
/// assert_eq!(s.common_bars, 4);
/// assert!(s.beta.unwrap() > 1.5);
/// ```
#[must_use]
pub fn benchmark_stats(
    timestamps: &[i64],
    equity: &[f64],
    bench_timestamps: &[i64],
    bench_close: &[f64],
    bars_per_year: f64,
) -> BenchmarkStats {
    let pairs = common(timestamps, equity, bench_timestamps, bench_close);
    let mut out = BenchmarkStats {
        common_bars: pairs.len(),
        ..BenchmarkStats::default()
    };
    let (Some(first), Some(last)) = (pairs.first(), pairs.last()) else {
        return out;
    };
    let bench_ret = (last.1 / first.1 - 1.0) * 100.0;
    out.benchmark_return_pct = finite(bench_ret);
    out.excess_return_pct = finite((last.0 / first.0 - 1.0) * 100.0 - bench_ret);
    if pairs.len() < 3 {
        return out;
    }
    let ret = |a: f64, b: f64| if a == 0.0 { 0.0 } else { b / a - 1.0 };
    let s: Vec<f64> = pairs.windows(2).map(|w| ret(w[0].0, w[1].0)).collect();
    let b: Vec<f64> = pairs.windows(2).map(|w| ret(w[0].1, w[1].1)).collect();
    let d: Vec<f64> = s.iter().zip(&b).map(|(x, y)| x - y).collect();
    let (var_s, var_b, cov_sb) = (cov(&s, &s), cov(&b, &b), cov(&s, &b));
    let (ms, mb, md) = (mean(&s), mean(&b), mean(&d));
    let (std_s, std_b, std_d) = (var_s.sqrt(), var_b.sqrt(), cov(&d, &d).sqrt());
    if has_spread(std_b, mb) {
        let beta = cov_sb / var_b;
        out.beta = finite(beta);
        out.alpha_pct = finite((ms - beta * mb) * bars_per_year * 100.0);
        if has_spread(std_s, ms) {
            out.correlation = finite(cov_sb / (std_s * std_b));
        }
    }
    out.tracking_error_pct = finite(std_d * bars_per_year.sqrt() * 100.0);
    if has_spread(std_d, md) {
        out.information_ratio = finite(md / std_d * bars_per_year.sqrt());
    }
    out
}
