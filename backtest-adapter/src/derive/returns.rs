//! Bar returns of an equity curve, as the engine defines them: re-exported
//! from `backtest_core::stats`, where every statistic is computed.

pub use backtest_core::stats::finite;
pub use backtest_core::stats::returns::{bar_returns, mean, sample_std};
