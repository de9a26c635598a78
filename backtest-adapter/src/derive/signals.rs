//! Executed orders as the contract's `signals` list.

use backtest_core::engine::{Fill, Trade};
use backtest_core::Signal;

use super::trades::whole;
use crate::contract::SignalRecord;

/// One record per fill (not per raw rule signal): the bar date of the fill,
/// `BUY` / `SELL`, the fill price after slippage, the shares traded and, for
/// a fill that closed a trade, the trade's exit reason. Exits forced at the
/// last bar are included; a reversal in long/short mode is two records on
/// the same bar (the close, then the new entry).
///
/// The engine holds one position at a time and records a trade when its
/// closing fill happens, so the fills that reduce the position are the
/// trades' exits in order.
#[must_use]
pub fn executed_signals(fills: &[Fill], trades: &[Trade], labels: &[String]) -> Vec<SignalRecord> {
    let mut position = 0.0_f64;
    let mut exits = trades.iter();
    fills
        .iter()
        .map(|f| {
            let delta = if f.action == Signal::Buy {
                f.size
            } else {
                -f.size
            };
            let closes = position != 0.0 && position.signum() != delta.signum();
            position += delta;
            let exit_reason = closes
                .then(|| exits.next())
                .flatten()
                .map(|t| t.exit_reason.as_str().to_owned());
            SignalRecord {
                date: labels.get(f.index).cloned().unwrap_or_default(),
                action: f.action.as_str().to_owned(),
                price: f.price,
                size: whole(f.size),
                exit_reason,
            }
        })
        .collect()
}
