//! One backtest on the files of `DATA_DIR`, the same for every entry point:
//! the synchronous route, the asynchronous submit and the worker.
//!
//! A request is validated once, into a [`ValidatedRequest`], where it enters
//! the app (the route's body parser, the worker's stored request, the CLI's
//! flags); everything after takes that value and never checks the fields
//! again. [`load`] resolves the ticker's file at the request's timeframe and
//! loads it through the [`DataCache`]; [`check`] adds the date range (what a
//! submit must know before it queues a run); [`run`] is resolve -> load ->
//! run.

pub mod data_cache;

use std::sync::Arc;

use backtest_adapter::contract::{BacktestResult, ValidatedRequest};
use backtest_adapter::data::DataDir;
use backtest_adapter::pipeline::{run_validated, select_bars, RunError};

pub use data_cache::{DataCache, MarketFile};

/// The market-data file of `valid`: its ticker at its timeframe in
/// `data_dir`, through `cache`.
///
/// # Errors
/// [`RunError::Invalid`] naming `ticker` when the directory has no such
/// file; [`RunError::Data`] when it cannot be read or fails a quality check.
pub fn load(
    valid: &ValidatedRequest,
    data_dir: &DataDir,
    cache: &DataCache,
) -> Result<Arc<MarketFile>, RunError> {
    let request = valid.request();
    let path = data_dir
        .resolve(&valid.ticker, valid.settings.timeframe)
        .map_err(|e| RunError::from_data(e, request))?;
    cache
        .load(&path)
        .map_err(|e| RunError::from_data(e, request))
}

/// [`load`], then checks that the file has the request's timeframe and
/// bars in its date range: everything decided before the engine runs, so
/// a submit answers 400 instead of queueing a doomed run.
///
/// # Errors
/// As [`load`]; [`RunError::Invalid`] naming `timeframe`, `start_date` or
/// `end_date`.
pub fn check(
    valid: &ValidatedRequest,
    data_dir: &DataDir,
    cache: &DataCache,
) -> Result<Arc<MarketFile>, RunError> {
    let file = load(valid, data_dir, cache)?;
    select_bars(valid.request(), valid.settings.timeframe, &file.data)?;
    Ok(file)
}

/// Resolve -> load -> run: the result, and the file it was computed from.
///
/// # Errors
/// As [`load`] and [`run_validated`].
pub fn run(
    valid: &ValidatedRequest,
    data_dir: &DataDir,
    cache: &DataCache,
) -> Result<(BacktestResult, Arc<MarketFile>), RunError> {
    let file = load(valid, data_dir, cache)?;
    let result = run_validated(valid, &file.data)?;
    Ok((result, file))
}
