//! Derived outputs of `backtest-core`: the result contract, curves, KPIs,
//! charts, and market-data loading.
//!
//! - [`contract`]: the SPEC §4 request and result types (serde + JSON
//!   Schema), with validation that names the offending field;
//! - [`data`]: market data loading, quality checks, date ranges, tickers;
//! - [`derive`](mod@derive): drawdown and portfolio curves, trade normalisation, KPIs;
//! - [`charts`]: PNG charts rendered in memory as base64 data URIs;
//! - [`pipeline`]: one backtest from request to result
//!   ([`pipeline::run_backtest`], [`pipeline::run_backtest_in`]).
//!
//! ```no_run
//! use backtest_adapter::contract::BacktestRequest;
//! use backtest_adapter::data::DataDir;
//! use backtest_adapter::pipeline::run_backtest_in;
//!
//! let request = BacktestRequest::from_json(r#"{"ticker": "GOOG", "rule_type": "RSI"}"#)?;
//! let result = run_backtest_in(&request, &DataDir::new("data"))?;
//! println!("{}", result.to_json()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod charts;
pub mod contract;
pub mod data;
pub mod derive;
pub mod pipeline;

pub use pipeline::ENGINE_VERSION;
