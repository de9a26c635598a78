//! The portfolio curve: cash, position value and total per bar.

/// One bar of the portfolio curve, as numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PortfolioValues {
    /// Cash after the bar's fills.
    pub cash: f64,
    /// Signed position value at the close (`shares * close`).
    pub position: f64,
    /// The engine's equity, `cash + position`.
    pub total: f64,
}

/// Cash, signed position value (`shares * close`) and the engine's equity
/// per bar. `total` is the equity exactly as the engine reported it, which
/// is computed as `cash + shares * close`.
#[must_use]
pub fn portfolio_values(
    cash: &[f64],
    shares: &[f64],
    close: &[f64],
    equity: &[f64],
) -> Vec<PortfolioValues> {
    cash.iter()
        .zip(shares)
        .zip(close)
        .zip(equity)
        .map(|(((&cash, &shares), &close), &total)| PortfolioValues {
            cash,
            position: shares * close,
            total,
        })
        .collect()
}
