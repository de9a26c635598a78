//! Typed errors of the core library.

use thiserror::Error;

/// Errors returned by `backtest-core`.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum CoreError {
    /// Columns of an OHLCV series have different lengths.
    #[error("column `{column}` has {got} values, expected {expected}")]
    LengthMismatch {
        /// Column that does not match.
        column: &'static str,
        /// Length of the timestamp column.
        expected: usize,
        /// Length of the offending column.
        got: usize,
    },
    /// Timestamps are not strictly increasing.
    #[error("timestamps are not strictly increasing at index {index}")]
    UnsortedTimestamps {
        /// First index whose timestamp is not after the previous one.
        index: usize,
    },
    /// Not enough bars for the requested computation.
    #[error("not enough data: need at least {need} bars, got {got}")]
    InsufficientData {
        /// Bars required.
        need: usize,
        /// Bars available.
        got: usize,
    },
    /// The series is empty.
    #[error("the series has no bars")]
    EmptySeries,
    /// `rule_type` is not known to the registry.
    #[error("unknown rule_type `{rule_type}`; valid types: {valid}")]
    UnknownRule {
        /// The requested rule type.
        rule_type: String,
        /// Comma-separated list of known rule types.
        valid: String,
    },
    /// A rule parameter is invalid.
    #[error("invalid parameter `{param}`: {reason}")]
    InvalidParam {
        /// Parameter name (dotted path for composite rules).
        param: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// A trading setting is invalid.
    #[error("invalid setting `{field}`: {reason}")]
    InvalidSetting {
        /// Setting name as in the request contract.
        field: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// The optimizer grid is invalid.
    #[error("invalid grid: {0}")]
    InvalidGrid(String),
}

/// Result alias for `backtest-core`.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
