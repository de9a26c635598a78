//! Executed orders as the contract's `signals` list.

use backtest_core::engine::Fill;

use super::trades::whole;
use crate::contract::SignalRecord;

/// One record per fill (not per raw rule signal): the bar date of the fill,
/// `BUY` / `SELL`, the fill price after slippage and the shares traded.
/// Exits forced at the last bar are included; a reversal in long/short mode
/// is two records on the same bar.
#[must_use]
pub fn executed_signals(fills: &[Fill], labels: &[String]) -> Vec<SignalRecord> {
    fills
        .iter()
        .map(|f| SignalRecord {
            date: labels.get(f.index).cloned().unwrap_or_default(),
            action: f.action.as_str().to_owned(),
            price: f.price,
            size: whole(f.size),
        })
        .collect()
}
