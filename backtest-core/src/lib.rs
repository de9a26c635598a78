//! # backtest-core
//!
//! Fast, deterministic backtesting of trading rules on OHLCV bars: a
//! columnar price series, TA-Lib-compatible indicators, rules with declared
//! parameters, an explicit execution model, engine metrics, a parallel grid
//! search and a signal analyzer. Pure computation: no I/O, no async, no
//! clock, no randomness — the same inputs give bit-identical outputs.
//!
//! ```
//! use backtest_core::{engine, rules::build_rule, OhlcvSeries};
//! use backtest_core::engine::{SizeType, TradingSettings};
//! use serde_json::json;
//!
//! // A toy series; real applications load CSVs with `backtest-adapter`.
//! let close: Vec<f64> = (0..250).map(|i| 100.0 + 15.0 * (i as f64 / 12.0).sin()).collect();
//! let series = OhlcvSeries::new(
//!     (0..250).map(|d| d * 86_400).collect(),
//!     close.clone(), close.clone(), close.clone(), close, vec![1e6; 250],
//! ).unwrap();
//!
//! let rule = build_rule("RSI", &json!({"period": 14, "oversold": 30, "overbought": 70})).unwrap();
//! let settings = TradingSettings { size_type: SizeType::Percent, position_size: 100.0, ..Default::default() };
//! let out = engine::run(&series, rule.as_ref(), &settings).unwrap();
//! assert_eq!(out.equity.len(), series.len());
//! println!("{} trades, {:.2} % return", out.metrics.num_trades, out.metrics.total_return_pct);
//! ```
//!
//! ## Modules
//!
//! - [`OhlcvSeries`], [`Timeframe`]: the data.
//! - [`indicators`]: SMA, EMA, RSI, MACD, Bollinger, ATR, Stochastic, ADX,
//!   OBV, VWAP (equal to TA-Lib's; `NaN` marks warm-up values).
//! - [`rules`]: `RSI`, `MACD`, `RSI_MACD`, `MA_CROSS`, `BOLLINGER`, `VOLUME`,
//!   `TREND`, `ATR_BREAKOUT`, `MOMENTUM`, `MEAN_REVERSION`, `BREAKOUT`,
//!   `COMPOSITE`. Each has a typed constructor and params struct
//!   (`RsiRule::new(RsiParams { period, oversold, overbought })`, serde with
//!   unknown fields denied); [`rules::build_rule`] is a thin JSON layer over
//!   them. Each declares its parameters ([`ParamSpec`]) for UIs, and one
//!   check validates JSON and typed values alike. Indicators are cached by a
//!   typed [`IndicatorKey`].
//! - [`engine`]: signals to fills, trades, equity; [`EngineMetrics`].
//! - [`optimizer`]: parallel grid search (rayon), each distinct indicator
//!   computed once per grid.
//! - [`sweep`]: sweep plans (grids, seeded random search), shards whose
//!   merged results equal the optimizer's bit for bit, walk-forward analysis.
//! - [`analyzer`]: parameter check and signal statistics for a rule.
//! - [`stats`]: every run statistic (returns, volatility, Sharpe, Sortino,
//!   Calmar, drawdowns and their durations, CAGR, exposure, trade
//!   statistics), one per file, with one flat-curve guard.
//!
//! ## ASSUMPTIONS (the execution model)
//!
//! - **Signals** are decided on a bar's close. A rule emits `Buy`, `Sell` or
//!   `Hold` for every bar; it never sees the position.
//! - **Fill timing**: by default a signal of bar *t* fills at bar *t+1*'s
//!   **open** ([`engine::FillMode::NextOpen`]) — no look-ahead. A signal on
//!   the last bar is not filled. [`engine::FillMode::Close`] fills at bar
//!   *t*'s close, for comparison with tools that trade on close.
//! - **Position logic**: long-only — `Buy` opens a long when flat, `Sell`
//!   closes it; a `Buy` while long and a `Sell` while flat do nothing.
//!   Long/short — `Sell` while long closes and opens a short, `Buy` while
//!   short covers and opens a long, and either opens from flat. One position
//!   at a time, no pyramiding.
//! - **Slippage**: `slippage_bps` moves every fill against the trader:
//!   buys at `price * (1 + bps / 10_000)`, sells at `price * (1 - bps / 10_000)`.
//! - **Fees**: `fee_rate` × fill price × shares on every fill (entry and exit).
//! - **Sizing**: whole shares only. `value`: `floor(position_size / (fill *
//!   (1 + fee_rate)))`; `percent`: `floor(equity * position_size / 100 /
//!   (fill * (1 + fee_rate)))` — `percent`/100 is "all in", as in
//!   backtesting.py and vectorbt. The budget is capped by cash (no leverage),
//!   so cash never goes negative in long-only mode; an order for less than
//!   one share is skipped.
//! - **End of data**: a position still open at the last bar is closed at the
//!   last bar's **close**, with its fee and slippage, and the trade is marked
//!   `closed_at_end`.
//! - **Equity** per bar is cash plus the position marked at that bar's close.
//! - **Metrics**: see [`EngineMetrics`] (returns against the previous bar,
//!   the first against the initial capital; sample standard deviation;
//!   Sharpe annualised by [`Timeframe::bars_per_year`]).
//!
//! These rules are checked trade for trade against backtesting.py and
//! vectorbt on real data (`tests/peers.rs`), accounting for their
//! end-of-data conventions (both leave the last position open).
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
pub mod stats;
pub mod sweep;
mod timeframe;

pub use error::{CoreError, Result};
pub use metrics::EngineMetrics;
pub use params::{ParamKind, ParamSpec};
pub use rules::{IndicatorCache, IndicatorKey, IndicatorOutput, MaKind, Rule, RuleContext, Source};
pub use series::OhlcvSeries;
pub use signal::Signal;
pub use timeframe::Timeframe;
