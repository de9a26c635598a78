//! Request validation: every field checked once, with the error naming it.

use backtest_core::engine::TradingSettings;
use backtest_core::rules::build_rule;
use backtest_core::{CoreError, Rule};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use super::BacktestRequest;
use crate::data::{parse_date, validate_ticker, DataError};

/// Longest accepted `run_id`.
pub const MAX_RUN_ID_LEN: usize = 64;

/// Longest accepted `rule_id` (and longest derived one: the core's
/// [`backtest_core::rules::MAX_RULE_ID_LEN`]).
pub const MAX_RULE_ID_LEN: usize = backtest_core::rules::MAX_RULE_ID_LEN;

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

impl BacktestRequest {
    /// Checks every field and builds what the engine needs.
    ///
    /// # Errors
    /// The first violation, as a [`ContractError`] naming its field:
    /// `run_id`, `ticker`, `benchmark`, `rule_type`, `params.<name>`, `rule_id`,
    /// `start_date` / `end_date` (format, or start after end), or a trading
    /// setting out of range (`initial_capital`, `fee_rate`, `slippage_bps`,
    /// `position_size`).
    pub fn validate(&self) -> Result<ValidatedRequest, ContractError> {
        self.clone().into_validated()
    }

    /// [`BacktestRequest::validate`], keeping the request inside the result
    /// (no copy).
    ///
    /// # Errors
    /// As [`BacktestRequest::validate`].
    pub fn into_validated(self) -> Result<ValidatedRequest, ContractError> {
        if let Some(run_id) = &self.run_id {
            check_run_id(run_id)?;
        }
        let ticker =
            validate_ticker(&self.ticker).map_err(|e| ContractError::from_data("ticker", &e))?;
        // The run's own ticker as benchmark is the default, not a second file.
        let benchmark = self
            .benchmark
            .as_deref()
            .map(|b| validate_ticker(b).map_err(|e| ContractError::from_data("benchmark", &e)))
            .transpose()?
            .filter(|b| *b != ticker);
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
            benchmark,
            rule,
            rule_id,
            settings,
            start_date,
            end_date,
            request: self,
        })
    }
}

/// A `run_id` is 1 to [`MAX_RUN_ID_LEN`] characters of `[A-Za-z0-9_-]`.
fn check_run_id(run_id: &str) -> Result<(), ContractError> {
    let ok = !run_id.is_empty()
        && run_id.len() <= MAX_RUN_ID_LEN
        && run_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ContractError::new(
            "run_id",
            format!("must be 1 to {MAX_RUN_ID_LEN} ASCII letters, digits, '-' or '_' (a UUID)"),
        ))
    }
}

/// A request that passed [`BacktestRequest::validate`]: the request itself
/// and what the engine and the data layer need, built once so that no later
/// step validates again.
#[derive(Debug)]
#[non_exhaustive]
pub struct ValidatedRequest {
    /// Upper-cased, validated ticker.
    pub ticker: String,
    /// Upper-cased, validated benchmark ticker; `None` when the request
    /// names none or its own ticker (the run's own bars are the benchmark).
    pub benchmark: Option<String>,
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
    /// The request as given (private: changing it would bypass validation).
    request: BacktestRequest,
}

impl ValidatedRequest {
    /// The request that was validated.
    #[must_use]
    pub fn request(&self) -> &BacktestRequest {
        &self.request
    }
}
