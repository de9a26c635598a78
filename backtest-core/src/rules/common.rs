//! Helpers shared by rules: crossings, thresholds, id formatting.

use crate::Signal;

/// `a` crosses above `b` at `t`: `a(t) > b(t)` and `a(t-1) < b(t-1)`.
/// NaN (warm-up) never crosses.
#[inline]
pub(crate) fn crossed_above(a: &[f64], b: &[f64], t: usize) -> bool {
    t > 0 && a[t] > b[t] && a[t - 1] < b[t - 1]
}

/// `a` crosses below `b` at `t`: the mirror of [`crossed_above`].
#[inline]
pub(crate) fn crossed_below(a: &[f64], b: &[f64], t: usize) -> bool {
    t > 0 && a[t] < b[t] && a[t - 1] > b[t - 1]
}

/// One signal per bar from two predicates; `buy` wins if both hold.
pub(crate) fn signals_from(
    len: usize,
    mut buy: impl FnMut(usize) -> bool,
    mut sell: impl FnMut(usize) -> bool,
) -> Vec<Signal> {
    (0..len)
        .map(|t| {
            if buy(t) {
                Signal::Buy
            } else if sell(t) {
                Signal::Sell
            } else {
                Signal::Hold
            }
        })
        .collect()
}

/// Buy where `values < buy_below`, sell where `values > sell_above`
/// (NaN does neither). A tight loop over one slice, for threshold rules.
pub(crate) fn threshold_signals(values: &[f64], buy_below: f64, sell_above: f64) -> Vec<Signal> {
    values
        .iter()
        .map(|&v| {
            if v < buy_below {
                Signal::Buy
            } else if v > sell_above {
                Signal::Sell
            } else {
                Signal::Hold
            }
        })
        .collect()
}

/// Formats a parameter for a rule id: `14`, `2.5`.
pub(crate) fn id_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}
