//! Helpers shared by rules: crossings, thresholds, id formatting, indicator keys.

use std::sync::Arc;

use crate::indicators;
use crate::{RuleContext, Signal};

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

/// Cached close-price moving average of `kind` (`"sma"` or `"ema"`).
pub(crate) fn moving_average(ctx: &RuleContext<'_>, kind: &str, period: usize) -> Arc<Vec<f64>> {
    if kind == "ema" {
        ctx.indicator(&format!("ema:{period}"), |s| {
            indicators::ema(s.close(), period)
        })
    } else {
        ctx.indicator(&format!("sma:{period}"), |s| {
            indicators::sma(s.close(), period)
        })
    }
}

/// Cached RSI of closes.
pub(crate) fn rsi(ctx: &RuleContext<'_>, period: usize) -> Arc<Vec<f64>> {
    ctx.indicator(&format!("rsi:{period}"), |s| {
        indicators::rsi(s.close(), period)
    })
}

/// Cached MACD line and signal line of closes.
pub(crate) fn macd(
    ctx: &RuleContext<'_>,
    fast: usize,
    slow: usize,
    signal: usize,
) -> (Arc<Vec<f64>>, Arc<Vec<f64>>) {
    let line = ctx.indicator(&format!("macd:{fast}:{slow}:{signal}"), |s| {
        indicators::macd(s.close(), fast, slow, signal).macd
    });
    let signal_line = ctx.indicator(&format!("macd_signal:{fast}:{slow}:{signal}"), |s| {
        indicators::macd(s.close(), fast, slow, signal).signal
    });
    (line, signal_line)
}

/// Cached rolling population standard deviation of closes.
pub(crate) fn close_std(ctx: &RuleContext<'_>, period: usize) -> Arc<Vec<f64>> {
    ctx.indicator(&format!("std:{period}"), |s| {
        indicators::rolling_std(s.close(), period)
    })
}
