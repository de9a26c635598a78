//! The drawdown curve and drawdown periods: re-exported from
//! `backtest_core::stats`, where every statistic is computed.

pub use backtest_core::stats::drawdown::{drawdown_curve, drawdown_periods, DrawdownPeriod};
