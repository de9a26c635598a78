//! Trades in the contract's schema (SPEC §4).

use backtest_core::engine::{Side, Trade};

use super::time::{bar_instant, trade_timestamp, DAY_SECONDS};
use crate::contract::TradeRecord;

/// The engine's trades as contract records.
///
/// - `side` is the entry side: `BUY` for a long, `SELL` for a short.
/// - Timestamps are ISO 8601 in UTC; daily bars are stamped at 21:00 UTC of
///   their date, intraday bars at their own time.
/// - `holding_period` is the calendar time from entry to exit in days
///   (fractional for intraday bars).
/// - Prices, fees and PnL are the engine's (fill prices after slippage).
#[must_use]
pub fn normalise_trades(trades: &[Trade], timestamps: &[i64], daily: bool) -> Vec<TradeRecord> {
    trades
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let entry = timestamps.get(t.entry_index).copied().unwrap_or_default();
            let exit = timestamps.get(t.exit_index).copied().unwrap_or_default();
            TradeRecord {
                trade_no: i as u64,
                side: match t.side {
                    Side::Long => "BUY",
                    Side::Short => "SELL",
                }
                .to_owned(),
                size: whole(t.size),
                entry_timestamp: trade_timestamp(entry, daily),
                entry_price: t.entry_price,
                entry_fees: t.entry_fee,
                exit_timestamp: trade_timestamp(exit, daily),
                exit_price: t.exit_price,
                exit_fees: t.exit_fee,
                pnl_abs: t.pnl_abs,
                pnl_pct: t.pnl_pct,
                holding_period: (bar_instant(exit, daily) - bar_instant(entry, daily)) as f64
                    / DAY_SECONDS as f64,
                closed_at_end: t.closed_at_end,
                exit_reason: t.exit_reason.as_str().to_owned(),
                mae_pct: t.mae_pct,
                mfe_pct: t.mfe_pct,
                bars_held: t.bars_held as u64,
            }
        })
        .collect()
}

/// A whole, non-negative share count as an integer.
pub(crate) fn whole(size: f64) -> u64 {
    if size.is_finite() && size > 0.0 {
        size.round() as u64
    } else {
        0
    }
}
