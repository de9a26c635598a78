//! # backtest-core
//!
//! Fast, deterministic backtesting of trading rules on OHLCV bars.
#![cfg_attr(not(test), warn(missing_docs))]

mod error;
pub mod indicators;
mod params;
pub mod rules;
mod series;
mod signal;
mod timeframe;

pub use error::{CoreError, Result};
pub use params::{ParamKind, ParamSpec, Params};
pub use rules::{IndicatorCache, Rule, RuleContext};
pub use series::OhlcvSeries;
pub use signal::Signal;
pub use timeframe::Timeframe;
