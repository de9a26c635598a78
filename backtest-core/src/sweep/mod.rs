//! Sweeps: parameter grids and random searches planned as numbered
//! combinations, split into shards that can run anywhere, merged back into
//! the ranking [`crate::optimizer::grid_search`] gives; and walk-forward
//! analysis on top.
//!
//! ```
//! use backtest_core::sweep::{evaluate, rank, SweepPlan};
//! use backtest_core::{engine::TradingSettings, optimizer::Objective, OhlcvSeries};
//! use serde_json::json;
//! let close: Vec<f64> = (0..300).map(|i| 100.0 + (i as f64 / 7.0).sin() * 10.0).collect();
//! let series = OhlcvSeries::new((0..300).map(|d| d * 86_400).collect(), close.clone(), close.clone(), close.clone(), close, vec![1e6; 300]).unwrap();
//! let plan = SweepPlan::new("RSI", &json!({}), &json!({"period": [7, 14], "oversold": [25, 30]}), None, 1_000).unwrap();
//! let settings = TradingSettings::default();
//! // Two shards, evaluated separately (say by two workers), then merged.
//! let mut rows = Vec::new();
//! for k in 0..2 {
//!     rows.extend(evaluate(&series, &plan, plan.shard(k, 2).unwrap(), &settings, &|| ()).unwrap());
//! }
//! let ranking = rank(rows, Objective::Sharpe).unwrap();
//! assert_eq!(ranking.evaluated, 4);
//! ```

mod error;
mod plan;
mod random;
mod run;
mod walk_forward;

pub use error::SweepError;
pub use plan::{RandomSearch, SweepPlan};
pub use run::{
    evaluate, evaluate_with_cache, objective_value, rank, Outcome, RankedResult, Ranking, SweepRow,
};
pub use walk_forward::{
    test_folds, walk_forward, window_series, Fold, FoldResult, WalkForward, WalkForwardResult,
};
