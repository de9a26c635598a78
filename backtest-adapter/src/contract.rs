//! The Web <-> Worker JSON contract (SPEC §4): the backtest request and its
//! result.
//!
//! The contract is frozen once released: fields are never removed or
//! renamed, new fields are additive with defaults. JSON Schemas of both types
//! are committed under `backtest-adapter/schema/` and a snapshot test
//! (`tests/contract_schema.rs`) fails when a committed field disappears or
//! changes type.
//!
//! # Request
//! Every field except `ticker` has a default (see [`BacktestRequest`]).
//! Unknown fields are rejected, so a typo is an error rather than a silent
//! default. [`BacktestRequest::from_json`] and [`BacktestRequest::validate`]
//! report every violation as a [`ContractError`] naming the field
//! (`"start_date"`, `"params.period"`, ...).
//!
//! # Result
//! [`BacktestResult`] holds the SPEC fields plus additive ones (marked
//! *additive* in their docs; each has `#[serde(default)]`, so results stored
//! before it existed still deserialise — keep doing that). Numbers that are undefined (a ratio without
//! trades, a Sharpe of a flat curve) are `null`, never NaN or infinity.
//! Dates in curves, candles and signals are `YYYY-MM-DD` for daily bars and
//! full ISO 8601 in UTC (`2017-04-19T09:00:00+00:00`) for intraday bars; trade
//! timestamps are always full ISO 8601, with daily bars stamped at the US
//! market close, 21:00 UTC.
//!
//! ```
//! use backtest_adapter::contract::BacktestRequest;
//! let req = BacktestRequest::from_json(r#"{"ticker": "AAPL", "params": {"period": 10}}"#)?;
//! assert_eq!(req.rule_type, "RSI");
//! let valid = req.validate()?;
//! assert_eq!(valid.rule.rule_id(), "RSI_10_30_70");
//!
//! let err = BacktestRequest::from_json(r#"{"ticker": "AAPL", "params": {"period": 1}}"#)?
//!     .validate()
//!     .unwrap_err();
//! assert_eq!(err.field, "params.period");
//! let err = BacktestRequest::from_json(r#"{"ticker": "AAPL", "fee_rat": 0.1}"#).unwrap_err();
//! assert_eq!(err.field, "fee_rat");
//! # Ok::<(), backtest_adapter::contract::ContractError>(())
//! ```

use backtest_core::engine::{Direction, FillMode, SizeType, TradingSettings};
use backtest_core::rules::build_rule;
use backtest_core::{CoreError, Rule, Timeframe};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

use crate::data::{parse_date, validate_ticker, DataError};

/// Longest accepted `run_id`.
pub const MAX_RUN_ID_LEN: usize = 64;

/// Longest accepted `rule_id`.
pub const MAX_RULE_ID_LEN: usize = 128;

/// A request violates the contract: `field` names the request field
/// (dotted for rule parameters: `params.period`), `message` says what is
/// wrong and what is allowed.
///
/// The web tier answers it with 400 `{"error": message, "field": field}`.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[error("{field}: {message}")]
pub struct ContractError {
    /// The offending request field (`"ticker"`, `"params.period"`, ...).
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl ContractError {
    /// An error about `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The contract view of a core error: parameters become `params.<name>`,
    /// an unknown rule becomes `rule_type`, a setting keeps its name.
    #[must_use]
    pub fn from_core(err: &CoreError) -> Self {
        match err {
            CoreError::InvalidParam { param, reason } => {
                let field = if param == "params" {
                    "params".to_owned()
                } else {
                    format!("params.{param}")
                };
                Self::new(field, reason.clone())
            }
            CoreError::UnknownRule { .. } => Self::new("rule_type", err.to_string()),
            CoreError::InvalidSetting { field, reason } => Self::new(*field, reason.clone()),
            other => Self::new("request", other.to_string()),
        }
    }

    fn from_data(field: &str, err: &DataError) -> Self {
        let message = match err {
            DataError::InvalidTicker { reason, .. } => format!("invalid ticker: {reason}"),
            DataError::InvalidDate { value, .. } => {
                format!("{value:?} is not a valid date (expected YYYY-MM-DD)")
            }
            other => other.to_string(),
        };
        Self::new(field, message)
    }
}

/// How `position_size` is read (`"value"` or `"percent"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RequestSizeType {
    /// Currency per trade.
    #[default]
    Value,
    /// Percent of current equity per trade (100 = all in).
    Percent,
}

impl From<RequestSizeType> for SizeType {
    fn from(v: RequestSizeType) -> Self {
        match v {
            RequestSizeType::Value => Self::Value,
            RequestSizeType::Percent => Self::Percent,
        }
    }
}

/// Which positions may be held (`"longonly"` or `"longshort"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RequestDirection {
    /// Long or flat.
    #[default]
    LongOnly,
    /// Long, flat or short; signals reverse the position.
    LongShort,
}

impl From<RequestDirection> for Direction {
    fn from(v: RequestDirection) -> Self {
        match v {
            RequestDirection::LongOnly => Self::LongOnly,
            RequestDirection::LongShort => Self::LongShort,
        }
    }
}

/// When a signal decided on bar *t*'s close fills (`"next_open"` or `"close"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestFill {
    /// At bar *t+1*'s open (no look-ahead).
    #[default]
    NextOpen,
    /// At bar *t*'s close, for comparison with tools that trade on close.
    Close,
}

impl From<RequestFill> for FillMode {
    fn from(v: RequestFill) -> Self {
        match v {
            RequestFill::NextOpen => Self::NextOpen,
            RequestFill::Close => Self::Close,
        }
    }
}

/// Bar duration (`"1d"`, `"1h"` or `"5m"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum RequestTimeframe {
    /// Daily bars.
    #[default]
    #[serde(rename = "1d")]
    Day1,
    /// Hourly bars.
    #[serde(rename = "1h")]
    Hour1,
    /// Five-minute bars.
    #[serde(rename = "5m")]
    Minute5,
}

impl From<RequestTimeframe> for Timeframe {
    fn from(v: RequestTimeframe) -> Self {
        match v {
            RequestTimeframe::Day1 => Self::Day1,
            RequestTimeframe::Hour1 => Self::Hour1,
            RequestTimeframe::Minute5 => Self::Minute5,
        }
    }
}

fn default_rule_type() -> String {
    "RSI".to_owned()
}
fn default_initial_capital() -> f64 {
    100_000.0
}
fn default_fee_rate() -> f64 {
    0.001
}
fn default_position_size() -> f64 {
    10_000.0
}
fn default_true() -> bool {
    true
}

/// `null` reads as an empty object.
fn object_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    Ok(Option::<Map<String, Value>>::deserialize(d)?.unwrap_or_default())
}

/// A backtest request (SPEC §4). Every field but `ticker` has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BacktestRequest {
    /// Run identifier issued by the web tier (a UUID); up to 64 ASCII
    /// letters, digits, `-` or `_`.
    #[serde(default)]
    pub run_id: Option<String>,
    /// Ticker, validated as `^\^?[A-Z0-9][A-Z0-9.\-^=]{0,14}$` after
    /// upper-casing.
    pub ticker: String,
    /// Rule type (`"RSI"`, `"MACD"`, `"MA_CROSS"`, ...), case-insensitive.
    #[serde(default = "default_rule_type")]
    pub rule_type: String,
    /// Rule parameters; absent ones take the rule's defaults.
    #[serde(default, deserialize_with = "object_or_null")]
    pub params: Map<String, Value>,
    /// Tracking slug; derived from the built rule when absent. Never drives
    /// execution.
    #[serde(default)]
    pub rule_id: Option<String>,
    /// First date of the range (`YYYY-MM-DD`, inclusive); the data's first
    /// bar when absent.
    #[serde(default)]
    pub start_date: Option<String>,
    /// Last date of the range (`YYYY-MM-DD`, inclusive); the data's last bar
    /// when absent.
    #[serde(default)]
    pub end_date: Option<String>,
    /// Starting cash (default 100000).
    #[serde(default = "default_initial_capital")]
    pub initial_capital: f64,
    /// Commission as a fraction of traded value, per side (default 0.001).
    #[serde(default = "default_fee_rate")]
    pub fee_rate: f64,
    /// Slippage in basis points against the trader on every fill (default 0).
    #[serde(default)]
    pub slippage_bps: f64,
    /// Size of each new position (default 10000); see `size_type`.
    #[serde(default = "default_position_size")]
    pub position_size: f64,
    /// `"value"` (currency per trade, default) or `"percent"` (of equity).
    #[serde(default)]
    pub size_type: RequestSizeType,
    /// `"longonly"` (default) or `"longshort"`.
    #[serde(default)]
    pub direction: RequestDirection,
    /// `"1d"` (default), `"1h"` or `"5m"`.
    #[serde(default)]
    pub timeframe: RequestTimeframe,
    /// *Additive.* `"next_open"` (default) or `"close"`.
    #[serde(default)]
    pub fill: RequestFill,
    /// *Additive.* Render the PNG charts (default true). With `false` the
    /// chart fields are present and `null`.
    #[serde(default = "default_true")]
    pub charts: bool,
}

impl BacktestRequest {
    /// A request for `ticker` with every other field at its default.
    pub fn new(ticker: impl Into<String>) -> Self {
        Self {
            run_id: None,
            ticker: ticker.into(),
            rule_type: default_rule_type(),
            params: Map::new(),
            rule_id: None,
            start_date: None,
            end_date: None,
            initial_capital: default_initial_capital(),
            fee_rate: default_fee_rate(),
            slippage_bps: 0.0,
            position_size: default_position_size(),
            size_type: RequestSizeType::Value,
            direction: RequestDirection::LongOnly,
            timeframe: RequestTimeframe::Day1,
            fill: RequestFill::NextOpen,
            charts: true,
        }
    }

    /// Parses a JSON request body.
    ///
    /// # Errors
    /// A [`ContractError`] naming the field: a missing `ticker`, an unknown
    /// field, or a value of the wrong type (`"fee_rate"`, `"params"`, ...).
    /// Malformed JSON is reported with field `"body"`.
    pub fn from_json(text: &str) -> Result<Self, ContractError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed: Self = serde_path_to_error::deserialize(&mut de).map_err(path_error)?;
        de.end()
            .map_err(|e| ContractError::new("body", strip_position(&e)))?;
        Ok(parsed)
    }

    /// Reads a request from a parsed JSON value.
    ///
    /// # Errors
    /// As [`BacktestRequest::from_json`].
    pub fn from_value(value: Value) -> Result<Self, ContractError> {
        serde_path_to_error::deserialize(value).map_err(path_error)
    }

    /// Checks every field and builds what the engine needs.
    ///
    /// # Errors
    /// The first violation, as a [`ContractError`] naming its field:
    /// `run_id`, `ticker`, `rule_type`, `params.<name>`, `rule_id`,
    /// `start_date` / `end_date` (format, or start after end), or a trading
    /// setting out of range (`initial_capital`, `fee_rate`, `slippage_bps`,
    /// `position_size`).
    pub fn validate(&self) -> Result<ValidatedRequest, ContractError> {
        if let Some(run_id) = &self.run_id {
            let ok = !run_id.is_empty()
                && run_id.len() <= MAX_RUN_ID_LEN
                && run_id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !ok {
                return Err(ContractError::new(
                    "run_id",
                    format!(
                        "must be 1 to {MAX_RUN_ID_LEN} ASCII letters, digits, '-' or '_' (a UUID)"
                    ),
                ));
            }
        }
        let ticker =
            validate_ticker(&self.ticker).map_err(|e| ContractError::from_data("ticker", &e))?;
        let rule = build_rule(&self.rule_type, &Value::Object(self.params.clone()))
            .map_err(|e| ContractError::from_core(&e))?;
        if let Some(rule_id) = &self.rule_id {
            if rule_id.is_empty()
                || rule_id.chars().count() > MAX_RULE_ID_LEN
                || rule_id.chars().any(char::is_control)
            {
                return Err(ContractError::new(
                    "rule_id",
                    format!("must be 1 to {MAX_RULE_ID_LEN} characters without control characters"),
                ));
            }
        }
        let date = |field: &'static str, text: &Option<String>| {
            text.as_deref()
                .map(|t| parse_date(field, t).map_err(|e| ContractError::from_data(field, &e)))
                .transpose()
        };
        let start_date = date("start_date", &self.start_date)?;
        let end_date = date("end_date", &self.end_date)?;
        if let (Some(s), Some(e)) = (start_date, end_date) {
            if s > e {
                return Err(ContractError::new(
                    "start_date",
                    format!("start_date {s} is after end_date {e}"),
                ));
            }
        }
        let settings = self.settings();
        settings
            .validate()
            .map_err(|e| ContractError::from_core(&e))?;
        let rule_id = self.rule_id.clone().unwrap_or_else(|| rule.rule_id());
        Ok(ValidatedRequest {
            ticker,
            rule,
            rule_id,
            settings,
            start_date,
            end_date,
        })
    }

    /// The trading settings of this request (not validated; see
    /// [`BacktestRequest::validate`]).
    #[must_use]
    pub fn settings(&self) -> TradingSettings {
        TradingSettings {
            initial_capital: self.initial_capital,
            fee_rate: self.fee_rate,
            slippage_bps: self.slippage_bps,
            position_size: self.position_size,
            size_type: self.size_type.into(),
            direction: self.direction.into(),
            fill: self.fill.into(),
            timeframe: self.timeframe.into(),
        }
    }
}

/// Maps a deserialisation error to the field it happened at.
fn path_error(err: serde_path_to_error::Error<serde_json::Error>) -> ContractError {
    let message = strip_position(err.inner());
    if matches!(
        err.inner().classify(),
        serde_json::error::Category::Syntax
            | serde_json::error::Category::Eof
            | serde_json::error::Category::Io
    ) {
        return ContractError::new("body", format!("malformed JSON: {message}"));
    }
    let path = err.path().to_string();
    let field = if path.is_empty() || path == "." || path == "?" {
        // Missing or unknown top-level fields are reported at the root.
        backticked(&message).unwrap_or_else(|| "body".to_owned())
    } else if message.starts_with("unknown field") {
        backticked(&message).map_or(path.clone(), |name| {
            if path.ends_with(&name) {
                path.clone()
            } else {
                format!("{path}.{name}")
            }
        })
    } else {
        path
    };
    ContractError::new(field, message)
}

/// serde_json's message without its ` at line L column C` suffix.
fn strip_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// The first `` `name` `` in a serde message (`missing field `ticker``).
fn backticked(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_owned())
}

/// A request that passed [`BacktestRequest::validate`]: what the engine and
/// the data layer need.
#[derive(Debug)]
#[non_exhaustive]
pub struct ValidatedRequest {
    /// Upper-cased, validated ticker.
    pub ticker: String,
    /// The built rule, parameters validated.
    pub rule: Box<dyn Rule>,
    /// The request's `rule_id`, or the rule's own slug.
    pub rule_id: String,
    /// Validated trading settings.
    pub settings: TradingSettings,
    /// Parsed `start_date`.
    pub start_date: Option<NaiveDate>,
    /// Parsed `end_date`.
    pub end_date: Option<NaiveDate>,
}

/// `completed` or `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// The backtest ran; every output field is filled.
    Completed,
    /// The backtest did not run; `error_message` says why.
    Failed,
}

/// KPIs of a run (SPEC §4). See [`crate::derive::kpi`] for each definition.
///
/// `total_return_pct`, `sharpe_ratio`, `max_drawdown_pct`, `num_trades` and
/// `profit_factor` are the engine's values, unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Metrics {
    /// Total return in percent.
    pub total_return_pct: f64,
    /// Annualised Sharpe ratio (risk-free 0); `null` when undefined.
    pub sharpe_ratio: Option<f64>,
    /// Maximum drawdown in percent, a positive magnitude.
    pub max_drawdown_pct: f64,
    /// Number of round-trip trades.
    pub num_trades: u64,
    /// Compound annual growth rate in percent; `null` for a zero-length range.
    pub cagr: Option<f64>,
    /// Annualised volatility of bar returns in percent; `null` with fewer
    /// than two bars.
    pub volatility: Option<f64>,
    /// Percent of trades with a positive `pnl_abs`; `null` without trades.
    pub win_rate: Option<f64>,
    /// Mean trade `pnl_pct`; `null` without trades.
    pub avg_trade_return: Option<f64>,
    /// Percent of bars holding a position.
    pub exposure_pct: f64,
    /// Gross profit / |gross loss|; `null` without a losing trade.
    pub profit_factor: Option<f64>,
    /// *Additive.* Annualised Sortino ratio (target 0); `null` without a
    /// negative return.
    #[serde(default)]
    pub sortino: Option<f64>,
    /// *Additive.* CAGR / max drawdown; `null` without a drawdown.
    #[serde(default)]
    pub calmar: Option<f64>,
    /// *Additive.* Best trade `pnl_pct`; `null` without trades.
    #[serde(default)]
    pub best_trade_pct: Option<f64>,
    /// *Additive.* Worst trade `pnl_pct`; `null` without trades.
    #[serde(default)]
    pub worst_trade_pct: Option<f64>,
    /// *Additive.* Mean length of drawdown periods in calendar days; `null`
    /// without a drawdown.
    #[serde(default)]
    pub avg_drawdown_duration_days: Option<f64>,
    /// *Additive.* Longest drawdown period in calendar days (0 without one).
    #[serde(default)]
    pub max_drawdown_duration_days: f64,
    /// *Additive.* Buy & hold return over the same bars (first close to last
    /// close) in percent.
    #[serde(default)]
    pub buy_hold_return_pct: f64,
    /// *Additive.* Mean trade `pnl_abs`; `null` without trades.
    #[serde(default)]
    pub expectancy: Option<f64>,
    /// *Additive.* System Quality Number, `sqrt(n) * mean(pnl) / std(pnl)`;
    /// `null` with fewer than two trades or equal PnLs.
    #[serde(default)]
    pub sqn: Option<f64>,
}

/// One equity point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EquityPoint {
    /// Bar date (`YYYY-MM-DD`, or ISO 8601 for intraday).
    pub date: String,
    /// Cash plus position value at the close.
    pub equity: f64,
}

/// One drawdown point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DrawdownPoint {
    /// Bar date.
    pub date: String,
    /// `(equity - running_peak) / running_peak * 100`, `<= 0`.
    pub drawdown_pct: f64,
}

/// One portfolio point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PortfolioPoint {
    /// Bar date.
    pub date: String,
    /// Cash after the bar's fills.
    pub cash: f64,
    /// Signed value of the position at the close (negative when short).
    pub position: f64,
    /// `cash + position` (the equity).
    pub total: f64,
}

/// A round-trip trade (SPEC §4 trade schema).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TradeRecord {
    /// 0-based trade number.
    pub trade_no: u64,
    /// Entry side: `"BUY"` (long) or `"SELL"` (short).
    pub side: String,
    /// Whole shares.
    pub size: u64,
    /// Entry time, ISO 8601 (daily bars at 21:00 UTC).
    pub entry_timestamp: String,
    /// Entry fill price after slippage.
    pub entry_price: f64,
    /// Entry commission.
    pub entry_fees: f64,
    /// Exit time, ISO 8601 (daily bars at 21:00 UTC).
    pub exit_timestamp: String,
    /// Exit fill price after slippage.
    pub exit_price: f64,
    /// Exit commission.
    pub exit_fees: f64,
    /// Profit after both commissions.
    pub pnl_abs: f64,
    /// `pnl_abs / (entry_price * size) * 100`.
    pub pnl_pct: f64,
    /// Calendar days from entry to exit.
    pub holding_period: f64,
    /// *Additive.* True when the engine closed the position at the last bar.
    #[serde(default)]
    pub closed_at_end: bool,
}

/// Rendered charts as `data:image/png;base64,...` URIs; every field is
/// `null` when the request had `"charts": false`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChartSet {
    /// Drawdown % over time.
    pub drawdown_curve_base64: Option<String>,
    /// Close price with buy and sell markers.
    pub portfolio_orders_base64: Option<String>,
    /// Trade PnL % scatter.
    pub trade_pnl_base64: Option<String>,
    /// Cumulative return % over time.
    pub cumulative_return_base64: Option<String>,
    /// *Additive.* OHLC candlesticks with signal markers.
    #[serde(default)]
    pub candles_base64: Option<String>,
}

/// One OHLCV bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Candle {
    /// Bar date.
    pub date: String,
    /// Open.
    pub open: f64,
    /// High.
    pub high: f64,
    /// Low.
    pub low: f64,
    /// Close.
    pub close: f64,
    /// Volume.
    pub volume: f64,
}

/// One executed order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SignalRecord {
    /// Bar date of the fill.
    pub date: String,
    /// `"BUY"` or `"SELL"`.
    pub action: String,
    /// Fill price after slippage.
    pub price: f64,
    /// *Additive.* Whole shares traded.
    #[serde(default)]
    pub size: u64,
}

/// The result of one backtest (SPEC §4), completed or failed.
///
/// A failed result ([`BacktestResult::failed`]) has `status: "failed"`, an
/// `error_message`, `metrics: null`, empty lists and `null` charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BacktestResult {
    /// The request's run identifier.
    pub run_id: Option<String>,
    /// `"completed"` or `"failed"`.
    pub status: RunStatus,
    /// Why the run failed; `null` when completed.
    pub error_message: Option<String>,
    /// KPIs; `null` when failed.
    pub metrics: Option<Metrics>,
    /// Equity per bar.
    pub equity_curve: Vec<EquityPoint>,
    /// Drawdown per bar.
    pub drawdown_curve: Vec<DrawdownPoint>,
    /// Cash, position value and total per bar.
    pub portfolio_curve: Vec<PortfolioPoint>,
    /// Round-trip trades.
    pub trades: Vec<TradeRecord>,
    /// PNG charts.
    pub charts: ChartSet,
    /// The bars the backtest saw.
    pub price_candles: Vec<Candle>,
    /// Executed orders.
    pub signals: Vec<SignalRecord>,
    /// Equity chart (legacy field, still filled).
    pub chart_base64: Option<String>,
    /// *Additive.* Validated, upper-cased ticker (as given when failed).
    #[serde(default)]
    pub ticker: String,
    /// *Additive.* Rule type (registry spelling when completed).
    #[serde(default)]
    pub rule_type: String,
    /// *Additive.* The request's `rule_id`, or the rule's slug.
    #[serde(default)]
    pub rule_id: Option<String>,
    /// *Additive.* Rule parameters, validated and with defaults filled in
    /// (as given when failed).
    #[serde(default)]
    pub params: Map<String, Value>,
    /// *Additive.* Bar timeframe (`"1d"`, `"1h"`, `"5m"`).
    #[serde(default)]
    pub timeframe: RequestTimeframe,
    /// *Additive.* Date of the first bar used (`null` when failed).
    #[serde(default)]
    pub start_date: Option<String>,
    /// *Additive.* Date of the last bar used (`null` when failed).
    #[serde(default)]
    pub end_date: Option<String>,
    /// *Additive.* Number of bars used.
    #[serde(default)]
    pub bars: u64,
    /// *Additive.* Data warnings (gaps, irregular spacing, ...).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// *Additive.* Version of the adapter that produced the result.
    #[serde(default)]
    pub engine_version: String,
}

impl BacktestResult {
    /// A failed result for `request` with `message` as `error_message`.
    pub fn failed(request: &BacktestRequest, message: impl Into<String>) -> Self {
        Self {
            run_id: request.run_id.clone(),
            ticker: request.ticker.clone(),
            rule_type: request.rule_type.clone(),
            rule_id: request.rule_id.clone(),
            params: request.params.clone(),
            timeframe: request.timeframe,
            ..Self::failed_run(request.run_id.clone(), message)
        }
    }

    /// A failed result when no valid request is known (e.g. the stored
    /// request could not be read): empty `ticker` and `rule_type`.
    pub fn failed_run(run_id: Option<String>, message: impl Into<String>) -> Self {
        Self {
            run_id,
            status: RunStatus::Failed,
            error_message: Some(message.into()),
            metrics: None,
            equity_curve: Vec::new(),
            drawdown_curve: Vec::new(),
            portfolio_curve: Vec::new(),
            trades: Vec::new(),
            charts: ChartSet::default(),
            price_candles: Vec::new(),
            signals: Vec::new(),
            chart_base64: None,
            ticker: String::new(),
            rule_type: String::new(),
            rule_id: None,
            params: Map::new(),
            timeframe: RequestTimeframe::Day1,
            start_date: None,
            end_date: None,
            bars: 0,
            warnings: Vec::new(),
            engine_version: crate::ENGINE_VERSION.to_owned(),
        }
    }

    /// The result as JSON text (compact).
    ///
    /// # Errors
    /// Never in practice: every field serialises.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

/// JSON Schema of [`BacktestRequest`].
#[must_use]
pub fn request_schema() -> schemars::Schema {
    schemars::schema_for!(BacktestRequest)
}

/// JSON Schema of [`BacktestResult`].
#[must_use]
pub fn result_schema() -> schemars::Schema {
    schemars::schema_for!(BacktestResult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() -> Result<(), ContractError> {
        let req = BacktestRequest::from_json(r#"{"ticker":"aapl"}"#)?;
        assert_eq!(req, BacktestRequest::new("aapl"));
        let valid = req.validate()?;
        assert_eq!(valid.ticker, "AAPL");
        assert_eq!(valid.rule_id, "RSI_14_30_70");
        assert_eq!(valid.settings, TradingSettings::default());
        Ok(())
    }

    #[test]
    fn parse_errors_name_the_field() {
        let cases = [
            (r#"{}"#, "ticker"),
            (r#"{"ticker":"A","typo":1}"#, "typo"),
            (r#"{"ticker":"A","fee_rate":"x"}"#, "fee_rate"),
            (r#"{"ticker":"A","size_type":"shares"}"#, "size_type"),
            (r#"{"ticker":"A","timeframe":"1w"}"#, "timeframe"),
            (r#"{"ticker":"A","params":[1]}"#, "params"),
            (r#"{"ticker":"A","charts":"no"}"#, "charts"),
            (r#"{"ticker":"A""#, "body"),
            (r#"{"ticker":"A"} x"#, "body"),
        ];
        for (text, field) in cases {
            match BacktestRequest::from_json(text) {
                Err(e) => assert_eq!(e.field, field, "{text}: {e}"),
                Ok(r) => panic!("{text}: accepted as {r:?}"),
            }
        }
    }

    #[test]
    fn validation_errors_name_the_field() -> Result<(), ContractError> {
        let base = BacktestRequest::new("AAPL");
        let mut cases: Vec<(BacktestRequest, &str)> = Vec::new();
        let mut r = base.clone();
        r.ticker = "../etc/passwd".into();
        cases.push((r, "ticker"));
        let mut r = base.clone();
        r.rule_type = "NOPE".into();
        cases.push((r, "rule_type"));
        let mut r = base.clone();
        r.params.insert("oversold".into(), Value::from(500));
        cases.push((r, "params.oversold"));
        let mut r = base.clone();
        r.start_date = Some("2020-13-01".into());
        cases.push((r, "start_date"));
        let mut r = base.clone();
        r.end_date = Some("yesterday".into());
        cases.push((r, "end_date"));
        let mut r = base.clone();
        r.start_date = Some("2021-01-01".into());
        r.end_date = Some("2020-01-01".into());
        cases.push((r, "start_date"));
        let mut r = base.clone();
        r.fee_rate = -0.1;
        cases.push((r, "fee_rate"));
        let mut r = base.clone();
        r.initial_capital = 0.0;
        cases.push((r, "initial_capital"));
        let mut r = base.clone();
        r.size_type = RequestSizeType::Percent;
        r.position_size = 150.0;
        cases.push((r, "position_size"));
        let mut r = base.clone();
        r.run_id = Some("a b".into());
        cases.push((r, "run_id"));
        let mut r = base;
        r.rule_id = Some(String::new());
        cases.push((r, "rule_id"));
        for (req, field) in cases {
            match req.validate() {
                Err(e) => assert_eq!(e.field, field, "{e}"),
                Ok(_) => panic!("{req:?} accepted"),
            }
        }
        Ok(())
    }

    #[test]
    fn failed_result_serialises_with_every_field() -> Result<(), serde_json::Error> {
        let r = BacktestResult::failed(&BacktestRequest::new("AAPL"), "boom");
        let v: Value = serde_json::from_str(&r.to_json()?)?;
        assert_eq!(v["status"], "failed");
        assert_eq!(v["error_message"], "boom");
        assert!(v["metrics"].is_null());
        assert!(v["charts"]["trade_pnl_base64"].is_null());
        assert!(v["chart_base64"].is_null());
        Ok(())
    }
}
