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
//! let settings = TradingSettings::default().with_size_type(SizeType::Percent).with_position_size(100.0);
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
//! - **Risk exits** (optional, [`engine::TradingSettings`]'s
//!   `stop_loss_pct`, `take_profit_pct`, `trailing_stop_pct`, each in
//!   (0, 100)). For a long position (shorts mirrored):
//!   - On each bar, pending signal orders execute at the open first. Stops
//!     are evaluated while a position is open: in `next_open` mode from the
//!     entry bar itself (its fill was at the open, so its high and low come
//!     after), in `close` mode from the bar after entry.
//!   - Stop level = max(SL, trailing), SL = entry × (1 − sl), trailing =
//!     peak × (1 − tr), peak = the larger of the entry fill and the highs of
//!     the bars strictly before the current one since entry (a bar's own high
//!     never raises the stop it is checked against; in `close` mode the entry
//!     bar's high does not count, it came before the fill). TP = entry × (1 +
//!     tp). "entry" is the entry fill price (after slippage).
//!   - Per bar: (1) gap: if the bar opens at or beyond a level (open <= stop,
//!     or open >= TP), exit at the open — not on the entry bar in `next_open`
//!     mode, whose open is the entry; (2) intrabar: low <= stop exits at the
//!     stop level, checked before TP (pessimistic, as backtesting.py when
//!     both are touched in one bar); otherwise high >= TP exits at TP.
//!   - The reason ([`engine::ExitReason`]) is `stop_loss` or `trailing_stop`
//!     (whichever level was higher; a tie is `stop_loss`) or `take_profit`.
//!     Slippage and fees apply to stop fills like to any fill. After a stop
//!     exit the rule may re-enter on its next signal (a `Buy` decided on the
//!     exit bar's close fills at the next open, or at that close in `close`
//!     mode); there is no cooldown.
//! - **Trade analytics**: `mae_pct` / `mfe_pct` are the lowest / highest
//!   price seen while the position was open, in percent of the entry fill
//!   (MAE <= 0 <= MFE; shorts mirrored): the bars held through (in
//!   `next_open` mode including the entry bar, in `close` mode from the bar
//!   after entry) and, on the exit bar, the open and the exit level for a
//!   stop or TP exit, the open for an exit at the open, the whole bar for an
//!   exit at the close. `bars_held` = exit bar − entry bar.
//! - **End of data**: a position still open at the last bar is closed at the
//!   last bar's **close**, with its fee and slippage, and the trade is marked
//!   `closed_at_end` (reason `end_of_data`).
//! - **Equity** per bar is cash plus the position marked at that bar's close.
//! - **Metrics**: see [`EngineMetrics`] (returns against the previous bar,
//!   the first against the initial capital; sample standard deviation;
//!   Sharpe annualised by [`Timeframe::bars_per_year`]).
//!
//! These rules are checked trade for trade against backtesting.py and
//! vectorbt on real data (`tests/peers.rs`, and `tests/stops.rs` for the
//! risk exits), accounting for their end-of-data conventions (both leave the
//! last position open) and, for stops, vectorbt's one order per bar (no
//! re-entry on a stop-exit bar); `tests/data/stops/README.md` lists each
//! peer's conventions.
#![cfg_attr(not(test), warn(missing_docs))]

/// The crate README's example, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;

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

/// This crate's version (`CARGO_PKG_VERSION`), for result fingerprints and
/// provenance: a change in the core may change results.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub use error::{CoreError, Result};
pub use metrics::EngineMetrics;
pub use params::{ParamKind, ParamSpec};
pub use rules::{IndicatorCache, IndicatorKey, IndicatorOutput, MaKind, Rule, RuleContext, Source};
pub use series::OhlcvSeries;
pub use signal::Signal;
pub use timeframe::Timeframe;
