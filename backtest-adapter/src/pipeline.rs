//! One backtest from request to result: validate, select the bars, run the
//! engine, derive every output and render the charts.
//!
//! ```
//! use backtest_adapter::contract::{BacktestRequest, RunStatus};
//! use backtest_adapter::data::load_csv_bytes;
//! use backtest_adapter::pipeline::run_backtest;
//!
//! let mut csv = String::from("Date,Open,High,Low,Close,Volume\n");
//! for d in 0..60 {
//!     let p = 100.0 + (d as f64 * 0.7).sin() * 10.0;
//!     csv += &format!("2020-{:02}-{:02},{p},{},{},{p},1000\n", 1 + d / 28, 1 + d % 28, p + 1.0, p - 1.0);
//! }
//! let data = load_csv_bytes(csv.as_bytes())?;
//! let mut request = BacktestRequest::new("DEMO");
//! request.charts = false;
//! let result = run_backtest(&request, &data)?;
//! assert_eq!(result.status, RunStatus::Completed);
//! assert_eq!(result.equity_curve.len(), 60);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use backtest_core::{engine, CoreError, OhlcvSeries, Timeframe};
use thiserror::Error;

use crate::charts::{self, ChartError, ChartInput};
use crate::contract::{
    BacktestRequest, BacktestResult, ContractError, RunStatus, ValidatedRequest,
};
use crate::data::{DataDir, DataError, LoadedData};
use crate::derive::{self, time::bar_label, BenchmarkSeries};

/// Version of the adapter (and so of the result format), recorded in every
/// result as `engine_version`.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why a backtest could not produce a result.
///
/// [`RunError::is_user_error`] tells input errors (HTTP 400, with
/// [`RunError::field`]) from system errors (HTTP 500).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RunError {
    /// The request is invalid: a field is malformed or out of range, the
    /// ticker has no data, or the date range holds no bars.
    #[error(transparent)]
    Invalid(#[from] ContractError),
    /// The market data on the server could not be read or failed a quality
    /// check.
    #[error("market data: {0}")]
    Data(DataError),
    /// The engine failed on validated input.
    #[error("engine: {0}")]
    Engine(#[from] CoreError),
    /// A chart could not be rendered.
    #[error(transparent)]
    Chart(#[from] ChartError),
}

impl RunError {
    /// The request field at fault, for input errors.
    #[must_use]
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid(e) => Some(&e.field),
            _ => None,
        }
    }

    /// Whether the request is at fault (400) rather than the system (500).
    #[must_use]
    pub fn is_user_error(&self) -> bool {
        matches!(self, Self::Invalid(_))
    }

    /// Sorts a data error: those caused by request fields (ticker, dates,
    /// range) become [`RunError::Invalid`], the rest [`RunError::Data`].
    #[must_use]
    pub fn from_data(err: DataError, request: &BacktestRequest) -> Self {
        let field = match &err {
            DataError::InvalidTicker { .. } | DataError::UnknownTicker { .. } => "ticker",
            DataError::InvalidDate { field, .. } => field,
            DataError::StartAfterEnd { .. } => "start_date",
            DataError::EmptyRange { .. } if request.start_date.is_some() => "start_date",
            DataError::EmptyRange { .. } => "end_date",
            _ => return Self::Data(err),
        };
        Self::Invalid(ContractError::new(field, err.to_string()))
    }

    /// Sorts a data error of the benchmark's file: an invalid or unknown
    /// ticker becomes [`RunError::Invalid`] naming `benchmark`, the rest
    /// [`RunError::Data`].
    #[must_use]
    pub fn from_benchmark_data(err: DataError) -> Self {
        match &err {
            DataError::InvalidTicker { .. } | DataError::UnknownTicker { .. } => {
                Self::Invalid(ContractError::new("benchmark", err.to_string()))
            }
            _ => Self::Data(err),
        }
    }
}

/// Runs `request` on `data` (already loaded), with the run's own bars as
/// the benchmark; a request naming another `benchmark` needs
/// [`run_backtest_with`].
///
/// `data.timeframe` must equal the request's `timeframe` (annualisation and
/// date formats follow it). The result is deterministic: the same request
/// and data give byte-identical JSON.
///
/// # Errors
/// [`RunError::Invalid`] for an invalid request, a timeframe that does not
/// match the data, an empty date range, or a `benchmark` other than the
/// ticker; [`RunError::Engine`] / [`RunError::Chart`] for system failures.
pub fn run_backtest(
    request: &BacktestRequest,
    data: &LoadedData,
) -> Result<BacktestResult, RunError> {
    run_validated(&request.validate()?, data)
}

/// [`run_backtest`] against `benchmark`'s bars (see [`run_validated_with`]).
///
/// # Errors
/// As [`run_validated_with`].
pub fn run_backtest_with(
    request: &BacktestRequest,
    data: &LoadedData,
    benchmark: Option<&LoadedData>,
) -> Result<BacktestResult, RunError> {
    run_validated_with(&request.validate()?, data, benchmark)
}

/// Runs an already validated request on `data` (see [`run_backtest`]).
///
/// # Errors
/// As [`run_backtest`], except that the request's fields are not checked
/// again.
pub fn run_validated(
    valid: &ValidatedRequest,
    data: &LoadedData,
) -> Result<BacktestResult, RunError> {
    run_validated_with(valid, data, None)
}

/// [`run_validated`] against `benchmark`'s bars (`None`: the run's own bars
/// held throughout). The benchmark statistics and the benchmark curve use
/// the timestamps both series have; when the benchmark covers only part of
/// the run, the result says so in `warnings`.
///
/// # Errors
/// As [`run_validated`]; [`RunError::Invalid`] naming `benchmark` when its
/// data has another timeframe or no bar in the run's range, or when the
/// request names a benchmark and `benchmark` is `None`.
pub fn run_validated_with(
    valid: &ValidatedRequest,
    data: &LoadedData,
    benchmark: Option<&LoadedData>,
) -> Result<BacktestResult, RunError> {
    let request = valid.request();
    let settings = valid.settings;
    let timeframe = settings.timeframe;
    let series = select_bars(request, timeframe, data)?;
    let mut warnings: Vec<String> = data.warnings.iter().map(ToString::to_string).collect();
    let bench = match benchmark {
        Some(bench) => {
            let label = valid.benchmark.as_deref().unwrap_or(&valid.ticker);
            warnings.extend(check_benchmark(label, timeframe, &series, bench)?);
            Some(BenchmarkSeries {
                timestamps: bench.series.timestamps(),
                close: bench.series.close(),
            })
        }
        None => match &valid.benchmark {
            Some(name) => {
                return Err(ContractError::new(
                    "benchmark",
                    format!("the data of benchmark {name} was not loaded"),
                )
                .into())
            }
            None => None,
        },
    };
    let output = engine::run(&series, valid.rule.as_ref(), &settings)?;
    let derived = derive::derive_against(&series, &output, &settings, bench);
    let daily = timeframe == Timeframe::Day1;
    let benchmark_name = valid
        .benchmark
        .clone()
        .unwrap_or_else(|| valid.ticker.clone());
    let (chart_base64, charts) = if request.charts {
        let (equity, set) = charts::render_all(&ChartInput {
            ticker: &valid.ticker,
            series: &series,
            equity: &output.equity,
            drawdown: &derived.drawdown,
            fills: &output.fills,
            trades: &output.trades,
            initial_capital: settings.initial_capital,
            daily,
            benchmark: &derived.benchmark,
            benchmark_label: &benchmark_name,
        })?;
        (Some(equity), set)
    } else {
        (None, Default::default())
    };
    let ts = series.timestamps();
    let params = match valid.rule.params() {
        serde_json::Value::Object(map) => map,
        _ => request.params.clone(),
    };
    Ok(BacktestResult {
        run_id: request.run_id.clone(),
        status: RunStatus::Completed,
        error_message: None,
        metrics: Some(derived.metrics),
        equity_curve: derived.equity_curve,
        drawdown_curve: derived.drawdown_curve,
        portfolio_curve: derived.portfolio_curve,
        trades: derived.trades,
        charts,
        price_candles: derived.price_candles,
        signals: derived.signals,
        chart_base64,
        ticker: valid.ticker.clone(),
        rule_type: valid.rule.rule_type().to_owned(),
        rule_id: Some(valid.rule_id.clone()),
        params,
        timeframe: request.timeframe,
        start_date: ts.first().map(|&t| bar_label(t, daily)),
        end_date: ts.last().map(|&t| bar_label(t, daily)),
        bars: series.len() as u64,
        warnings,
        engine_version: ENGINE_VERSION.to_owned(),
        benchmark: benchmark_name,
        benchmark_curve: derived.benchmark_curve,
    })
}

/// Checks that `benchmark` (named `name`) can be compared with the run's
/// `series`: the same timeframe and at least one common bar. Returns a
/// warning when it covers only part of the run.
///
/// # Errors
/// [`RunError::Invalid`] naming `benchmark`.
pub fn check_benchmark(
    name: &str,
    timeframe: Timeframe,
    series: &OhlcvSeries,
    benchmark: &LoadedData,
) -> Result<Option<String>, RunError> {
    if benchmark.timeframe != timeframe {
        return Err(ContractError::new(
            "benchmark",
            format!(
                "benchmark {name} has {} bars, the run {timeframe} bars",
                benchmark.timeframe
            ),
        )
        .into());
    }
    let daily = timeframe == Timeframe::Day1;
    let bench_ts = benchmark.series.timestamps();
    let common = derive::benchmark::aligned_close(
        series.timestamps(),
        BenchmarkSeries {
            timestamps: bench_ts,
            close: benchmark.series.close(),
        },
    )
    .iter()
    .filter(|c| c.is_some())
    .count();
    let span = match (bench_ts.first(), bench_ts.last()) {
        (Some(&a), Some(&b)) => format!("{} to {}", bar_label(a, daily), bar_label(b, daily)),
        _ => "no bars".to_owned(),
    };
    if common == 0 {
        return Err(ContractError::new(
            "benchmark",
            format!("benchmark {name} ({span}) has no bar on the run's dates"),
        )
        .into());
    }
    Ok((common < series.len()).then(|| {
        format!(
            "benchmark {name} ({span}) has {common} of the run's {} bars; its statistics use those",
            series.len()
        )
    }))
}

/// The bars a request sees: `data` must have the request's `timeframe`, and
/// the inclusive date range must select at least one bar.
///
/// # Errors
/// [`RunError::Invalid`] naming `timeframe`, `start_date` or `end_date`.
pub fn select_bars(
    request: &BacktestRequest,
    timeframe: Timeframe,
    data: &LoadedData,
) -> Result<OhlcvSeries, RunError> {
    if data.timeframe != timeframe {
        return Err(ContractError::new(
            "timeframe",
            format!(
                "the data has {} bars, not {timeframe}; set timeframe to \"{}\"",
                data.timeframe, data.timeframe
            ),
        )
        .into());
    }
    data.select(request.start_date.as_deref(), request.end_date.as_deref())
        .map_err(|e| RunError::from_data(e, request))
}

/// Resolves the request's ticker (and `benchmark`, when it names another
/// ticker) with its timeframe in `data_dir`, loads the files and runs
/// [`run_backtest_with`].
///
/// # Errors
/// As [`run_backtest_with`]; an invalid or unknown ticker is
/// [`RunError::Invalid`] with field `ticker` (`benchmark` for the
/// benchmark), an unreadable or corrupt file [`RunError::Data`].
pub fn run_backtest_in(
    request: &BacktestRequest,
    data_dir: &DataDir,
) -> Result<BacktestResult, RunError> {
    let valid = request.validate()?;
    let data = data_dir
        .load(&valid.ticker, valid.settings.timeframe)
        .map_err(|e| RunError::from_data(e, request))?;
    let benchmark = valid
        .benchmark
        .as_deref()
        .map(|b| {
            data_dir
                .load(b, valid.settings.timeframe)
                .map_err(RunError::from_benchmark_data)
        })
        .transpose()?;
    run_validated_with(&valid, &data, benchmark.as_ref())
}
