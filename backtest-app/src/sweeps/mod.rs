//! Parameter sweeps as platform runs (issue 12): the request
//! ([`spec`]), one shard's execution ([`shard`]), completion
//! ([`finalize`]) and the JSON the API serves ([`view`]).
//!
//! A sweep's plan (the core's [`backtest_core::sweep::SweepPlan`]) is split
//! into contiguous shards; each shard is a `backtest worker --sweep-id ID
//! --shard K` (a local subprocess, or one pod of a Kubernetes Indexed Job)
//! that stores its rows in `sweep_results`. Every row is computed by the
//! same core code as `backtest optimize`, so the stored metrics equal the
//! CLI's bit for bit whatever the shard count.

pub mod finalize;
pub mod shard;
pub mod spec;
pub mod view;
