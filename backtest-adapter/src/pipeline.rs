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
use crate::derive::{self, time::bar_label};

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
}

/// Runs `request` on `data` (already loaded).
///
/// `data.timeframe` must equal the request's `timeframe` (annualisation and
/// date formats follow it). The result is deterministic: the same request
/// and data give byte-identical JSON.
///
/// # Errors
/// [`RunError::Invalid`] for an invalid request, a timeframe that does not
/// match the data, or an empty date range; [`RunError::Engine`] /
/// [`RunError::Chart`] for system failures.
pub fn run_backtest(
    request: &BacktestRequest,
    data: &LoadedData,
) -> Result<BacktestResult, RunError> {
    run_validated(&request.validate()?, data)
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
    let request = valid.request();
    let settings = valid.settings;
    let timeframe = settings.timeframe;
    let series = select_bars(request, timeframe, data)?;
    let output = engine::run(&series, valid.rule.as_ref(), &settings)?;
    let derived = derive::derive(&series, &output, &settings);
    let daily = timeframe == Timeframe::Day1;
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
        warnings: data.warnings.iter().map(ToString::to_string).collect(),
        engine_version: ENGINE_VERSION.to_owned(),
    })
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

/// Resolves the request's ticker and timeframe in `data_dir`, loads the
/// file and runs [`run_backtest`].
///
/// # Errors
/// As [`run_backtest`]; an invalid or unknown ticker is
/// [`RunError::Invalid`] with field `ticker`, an unreadable or corrupt file
/// [`RunError::Data`].
pub fn run_backtest_in(
    request: &BacktestRequest,
    data_dir: &DataDir,
) -> Result<BacktestResult, RunError> {
    let valid = request.validate()?;
    let data = data_dir
        .load(&valid.ticker, valid.settings.timeframe)
        .map_err(|e| RunError::from_data(e, request))?;
    run_validated(&valid, &data)
}
