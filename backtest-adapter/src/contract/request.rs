//! The request as sent: types, defaults and parsing (validation is in
//! [`super::validation`]).

use backtest_core::engine::{Direction, FillMode, SizeType, TradingSettings};
use backtest_core::Timeframe;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::ContractError;

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
    /// *Additive.* Stop-loss in percent of the entry fill, in (0, 100);
    /// `null` / absent = off.
    #[serde(default)]
    pub stop_loss_pct: Option<f64>,
    /// *Additive.* Take-profit in percent of the entry fill, in (0, 100);
    /// `null` / absent = off.
    #[serde(default)]
    pub take_profit_pct: Option<f64>,
    /// *Additive.* Trailing stop in percent of the peak since entry, in
    /// (0, 100); `null` / absent = off.
    #[serde(default)]
    pub trailing_stop_pct: Option<f64>,
    /// *Additive.* Benchmark ticker in `DATA_DIR` (same timeframe as the
    /// run), validated like `ticker`: the benchmark statistics are computed
    /// against its closes and the equity chart overlays it. `null` / absent
    /// = the run's own ticker held throughout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark: Option<String>,
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
            stop_loss_pct: None,
            take_profit_pct: None,
            trailing_stop_pct: None,
            benchmark: None,
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

    /// The trading settings of this request (not validated; see
    /// [`BacktestRequest::validate`]).
    #[must_use]
    pub fn settings(&self) -> TradingSettings {
        TradingSettings::default()
            .with_initial_capital(self.initial_capital)
            .with_fee_rate(self.fee_rate)
            .with_slippage_bps(self.slippage_bps)
            .with_position_size(self.position_size)
            .with_size_type(self.size_type.into())
            .with_direction(self.direction.into())
            .with_fill(self.fill.into())
            .with_timeframe(self.timeframe.into())
            .with_stop_loss_pct(self.stop_loss_pct)
            .with_take_profit_pct(self.take_profit_pct)
            .with_trailing_stop_pct(self.trailing_stop_pct)
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
