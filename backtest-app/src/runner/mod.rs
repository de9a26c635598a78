//! One backtest on the files of `DATA_DIR`, the same for every entry point:
//! the synchronous route, the asynchronous submit and the worker.
//!
//! A request is validated once, into a [`ValidatedRequest`], where it enters
//! the app (the route's body parser, the worker's stored request, the CLI's
//! flags); everything after takes that value and never checks the fields
//! again. [`load`] resolves the ticker's file (and the benchmark's, when the
//! request names another ticker) at the request's timeframe and loads it
//! through the [`DataCache`]; [`check`] adds the date range and the
//! benchmark's overlap (what a submit must know before it queues a run);
//! [`run`] is resolve -> load -> run.

pub mod data_cache;

use std::sync::Arc;

use backtest_adapter::contract::{BacktestResult, ValidatedRequest};
use backtest_adapter::data::DataDir;
use backtest_adapter::pipeline::{check_benchmark, run_validated_with, select_bars, RunError};

pub use data_cache::{DataCache, MarketFile};

use crate::jobs::fingerprint::with_benchmark_sha;

/// The files a run reads: its ticker's, and its benchmark's when the request
/// names a ticker other than its own.
#[derive(Debug, Clone)]
pub struct RunFiles {
    /// The ticker's bars.
    pub data: Arc<MarketFile>,
    /// The benchmark's bars (`None`: the run's own bars are the benchmark).
    pub benchmark: Option<Arc<MarketFile>>,
}

impl RunFiles {
    /// The data part of the fingerprint: the ticker file's sha256, joined
    /// by `+` to the benchmark file's when there is one.
    #[must_use]
    pub fn data_sha256(&self) -> String {
        match &self.benchmark {
            Some(bench) => with_benchmark_sha(&self.data.sha256, &bench.sha256),
            None => self.data.sha256.clone(),
        }
    }
}

/// The market-data files of `valid`: its ticker (and benchmark) at its
/// timeframe in `data_dir`, through `cache`.
///
/// # Errors
/// [`RunError::Invalid`] naming `ticker` (or `benchmark`) when the directory
/// has no such file; [`RunError::Data`] when one cannot be read or fails a
/// quality check.
pub fn load(
    valid: &ValidatedRequest,
    data_dir: &DataDir,
    cache: &DataCache,
) -> Result<RunFiles, RunError> {
    let request = valid.request();
    let timeframe = valid.settings.timeframe;
    let path = data_dir
        .resolve(&valid.ticker, timeframe)
        .map_err(|e| RunError::from_data(e, request))?;
    let data = cache
        .load(&path)
        .map_err(|e| RunError::from_data(e, request))?;
    let benchmark = match &valid.benchmark {
        Some(name) => {
            let path = data_dir
                .resolve(name, timeframe)
                .map_err(RunError::from_benchmark_data)?;
            Some(cache.load(&path).map_err(RunError::from_benchmark_data)?)
        }
        None => None,
    };
    Ok(RunFiles { data, benchmark })
}

/// [`load`], then checks that the file has the request's timeframe and
/// bars in its date range, and that the benchmark has bars on those dates:
/// everything decided before the engine runs, so a submit answers 400
/// instead of queueing a doomed run.
///
/// # Errors
/// As [`load`]; [`RunError::Invalid`] naming `timeframe`, `start_date`,
/// `end_date` or `benchmark`.
pub fn check(
    valid: &ValidatedRequest,
    data_dir: &DataDir,
    cache: &DataCache,
) -> Result<RunFiles, RunError> {
    let files = load(valid, data_dir, cache)?;
    let timeframe = valid.settings.timeframe;
    let series = select_bars(valid.request(), timeframe, &files.data.data)?;
    if let (Some(name), Some(bench)) = (valid.benchmark.as_deref(), &files.benchmark) {
        check_benchmark(name, timeframe, &series, &bench.data)?;
    }
    Ok(files)
}

/// Resolve -> load -> run: the result, and the files it was computed from.
///
/// # Errors
/// As [`load`] and [`run_validated_with`].
pub fn run(
    valid: &ValidatedRequest,
    data_dir: &DataDir,
    cache: &DataCache,
) -> Result<(BacktestResult, RunFiles), RunError> {
    let files = load(valid, data_dir, cache)?;
    let benchmark = files.benchmark.as_ref().map(|b| &b.data);
    let result = run_validated_with(valid, &files.data.data, benchmark)?;
    Ok((result, files))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::fingerprint::Submission;
    use backtest_adapter::contract::BacktestRequest;

    #[test]
    fn a_changed_benchmark_file_changes_the_fingerprint() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = std::env::temp_dir().join(format!("runner-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        let bars = |days: u32| {
            let mut text = String::from("Date,Open,High,Low,Close,Volume\n");
            for d in 1..=days {
                text += &format!("2020-01-{d:02},10,11,9,10,100\n");
            }
            text
        };
        std::fs::write(dir.join("AAPL.csv"), bars(9))?;
        std::fs::write(dir.join("SPY.csv"), bars(9))?;
        let data_dir = DataDir::new(&dir);
        let cache = DataCache::default();
        let fp = |json: &str| -> Result<String, Box<dyn std::error::Error>> {
            let mut request = BacktestRequest::from_json(json)?;
            request.run_id = Some("r1".into());
            let valid = request.into_validated()?;
            let files = check(&valid, &data_dir, &cache)?;
            Ok(Submission::new(&valid, &files)?.fingerprint)
        };
        let own = fp(r#"{"ticker": "AAPL"}"#)?;
        assert_eq!(own, fp(r#"{"ticker": "AAPL", "benchmark": "AAPL"}"#)?);
        let spy = fp(r#"{"ticker": "AAPL", "benchmark": "SPY"}"#)?;
        assert_ne!(own, spy);
        // A different length, so the cache reloads it whatever the mtime.
        std::fs::write(dir.join("SPY.csv"), bars(8))?;
        let changed = fp(r#"{"ticker": "AAPL", "benchmark": "SPY"}"#)?;
        assert_ne!(
            spy, changed,
            "the benchmark's data is part of the fingerprint"
        );
        assert_eq!(own, fp(r#"{"ticker": "AAPL"}"#)?, "without it, it is not");
        let mut request = BacktestRequest::from_json(r#"{"ticker": "AAPL", "benchmark": "QQQ"}"#)?;
        request.run_id = Some("r1".into());
        match check(&request.into_validated()?, &data_dir, &cache) {
            Err(e) => assert_eq!(e.field(), Some("benchmark")),
            Ok(_) => panic!("an unknown benchmark was accepted"),
        }
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
