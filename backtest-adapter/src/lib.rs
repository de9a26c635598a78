//! Derived outputs of `backtest-core`: result contract, curves, KPIs, charts,
//! and market-data loading.

pub mod data;
