//! Fills and round-trip trades produced by the engine.

use serde::{Deserialize, Serialize};

use super::ExitReason;
use crate::Signal;

/// Side of a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Side {
    /// Bought first, sold to close.
    Long,
    /// Sold first, bought to close.
    Short,
}

/// One executed order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fill {
    /// Bar index of the fill.
    pub index: usize,
    /// `Buy` or `Sell`.
    pub action: Signal,
    /// Fill price after slippage.
    pub price: f64,
    /// Whole shares traded (positive).
    pub size: f64,
    /// Commission paid.
    pub fee: f64,
}

/// A round trip: entry fill and the fill that closed it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Trade {
    /// Long or short.
    pub side: Side,
    /// Whole shares (positive).
    pub size: f64,
    /// Bar index of the entry fill.
    pub entry_index: usize,
    /// Entry fill price after slippage.
    pub entry_price: f64,
    /// Entry commission.
    pub entry_fee: f64,
    /// Bar index of the exit fill.
    pub exit_index: usize,
    /// Exit fill price after slippage.
    pub exit_price: f64,
    /// Exit commission.
    pub exit_fee: f64,
    /// Profit after both commissions.
    pub pnl_abs: f64,
    /// `pnl_abs` as a percent of the entry value.
    pub pnl_pct: f64,
    /// True when the position was still open at the last bar and was closed
    /// there at the close by the engine, not by a signal.
    pub closed_at_end: bool,
    /// Why the trade was closed.
    pub exit_reason: ExitReason,
    /// Maximum adverse excursion while open, in percent of the entry price
    /// (from the bars' lows for a long, highs for a short; <= 0).
    pub mae_pct: f64,
    /// Maximum favourable excursion while open, in percent of the entry
    /// price (>= 0).
    pub mfe_pct: f64,
    /// `exit_index - entry_index` (0 for an exit on the entry bar).
    pub bars_held: usize,
}
