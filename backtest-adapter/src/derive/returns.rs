//! Bar returns of an equity curve, as the engine defines them.

/// `r_t = equity_t / equity_{t-1} - 1`, with `equity_{-1}` the initial
/// capital (the engine's and vectorbt's convention); a zero previous equity
/// gives a return of 0, as in the engine.
#[must_use]
pub fn bar_returns(equity: &[f64], initial_capital: f64) -> Vec<f64> {
    let mut previous = initial_capital;
    equity
        .iter()
        .map(|&e| {
            let r = if previous == 0.0 {
                0.0
            } else {
                e / previous - 1.0
            };
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

/// Sample standard deviation (n - 1); `None` with fewer than two values.
#[must_use]
pub fn sample_std(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values)?;
    let ss: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
    Some((ss / (values.len() - 1) as f64).sqrt())
}

/// `Some(x)` when `x` is finite.
#[must_use]
pub fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
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
    }
}
