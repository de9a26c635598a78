//! Bar returns, total return, mean and sample standard deviation.

use super::{RunRecord, Statistic};

/// `(final equity / initial capital - 1) * 100`; 0 for no bars.
#[derive(Debug, Clone, Copy, Default)]
pub struct TotalReturn;

impl Statistic for TotalReturn {
    type Value = f64;
    fn compute(&self, run: &RunRecord<'_>) -> f64 {
        let last = run.equity.last().copied().unwrap_or(run.initial_capital);
        (last / run.initial_capital - 1.0) * 100.0
    }
}

/// The return of one bar: `equity / previous - 1`, 0 when `previous` is 0.
#[inline]
#[must_use]
pub fn bar_return(previous: f64, equity: f64) -> f64 {
    if previous == 0.0 {
        0.0
    } else {
        equity / previous - 1.0
    }
}

/// `r_t = equity_t / equity_{t-1} - 1`, with `equity_{-1}` the initial
/// capital (the engine's and vectorbt's convention).
#[must_use]
pub fn bar_returns(equity: &[f64], initial_capital: f64) -> Vec<f64> {
    let mut previous = initial_capital;
    equity
        .iter()
        .map(|&e| {
            let r = bar_return(previous, e);
            previous = e;
            r
        })
        .collect()
}

/// Arithmetic mean; `None` for an empty slice.
#[must_use]
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Sample standard deviation (n - 1, two-pass); `None` with fewer than two values.
#[must_use]
pub fn sample_std(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values)?;
    let ss: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
    Some((ss / (values.len() - 1) as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_start_from_initial_capital() {
        let r = bar_returns(&[110.0, 99.0], 100.0);
        assert!((r[0] - 0.1).abs() < 1e-15 && (r[1] + 0.1).abs() < 1e-15);
        assert_eq!(sample_std(&[1.0]), None);
        assert_eq!(sample_std(&[1.0, 3.0]), Some(2f64.sqrt()));
        assert_eq!(bar_returns(&[5.0], 0.0), [0.0]);
    }
}
