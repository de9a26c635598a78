//! # backtest-core
//!
//! Fast, deterministic backtesting of trading rules on OHLCV bars.
#![cfg_attr(not(test), warn(missing_docs))]

pub mod analyzer;
pub mod engine;
mod error;
pub mod indicators;
mod metrics;
pub mod optimizer;
mod params;
pub mod rules;
mod series;
mod signal;
mod timeframe;

pub use error::{CoreError, Result};
pub use metrics::EngineMetrics;
pub use params::{ParamKind, ParamSpec, Params};
pub use rules::{IndicatorCache, Rule, RuleContext};
pub use series::OhlcvSeries;
pub use signal::Signal;
pub use timeframe::Timeframe;
