//! Typed errors of sweep planning and execution.

use thiserror::Error;

use crate::CoreError;

/// Why a sweep cannot be planned or run. Every variant names the request
/// field at fault through [`SweepError::field`].
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SweepError {
    /// The grid is not an object of parameters, or has none.
    #[error("invalid grid: {0}")]
    EmptyGrid(String),
    /// A grid parameter the rule does not declare.
    #[error("grid parameter `{param}` is unknown; valid parameters: {valid}")]
    UnknownParam {
        /// The parameter name as given.
        param: String,
        /// The rule's declared parameters.
        valid: String,
    },
    /// A range whose step is zero or negative.
    #[error("grid parameter `{param}`: `step` must be positive, got {step}")]
    NonPositiveStep {
        /// The parameter name.
        param: String,
        /// The step given.
        step: f64,
    },
    /// A value outside the rule's declared range (or of the wrong type).
    #[error("grid parameter `{param}`: {reason}")]
    OutOfRange {
        /// The parameter name.
        param: String,
        /// The offending value and the allowed range.
        reason: String,
    },
    /// A malformed axis: an empty list, a bad range, a wrong shape.
    #[error("grid parameter `{param}`: {reason}")]
    InvalidAxis {
        /// The parameter name.
        param: String,
        /// What is wrong.
        reason: String,
    },
    /// More combinations than allowed.
    #[error("{count} combinations exceed the maximum of {max}")]
    TooManyCombinations {
        /// Combinations requested (saturated at `u64::MAX`).
        count: u64,
        /// The limit.
        max: u64,
    },
    /// A bad search, shard or walk-forward setting.
    #[error("invalid setting `{field}`: {reason}")]
    InvalidSetting {
        /// Dotted request field, e.g. `search.random.samples`.
        field: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// A walk-forward that does not fit a single fold into the data.
    #[error("walk-forward yields no fold: {bars} bars cannot hold {train_bars} training plus {test_bars} test bars")]
    NoFold {
        /// Bars in the selected range.
        bars: usize,
        /// Training bars per fold.
        train_bars: usize,
        /// Test bars per fold.
        test_bars: usize,
    },
    /// An error of the rule, settings or engine.
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl SweepError {
    /// The request field at fault, dotted (`grid.period`,
    /// `walk_forward.train_bars`), for a 400 naming it; `None` when the
    /// error is not about one field.
    #[must_use]
    pub fn field(&self) -> Option<String> {
        match self {
            Self::EmptyGrid(_) | Self::TooManyCombinations { .. } => Some("grid".into()),
            Self::UnknownParam { param, .. }
            | Self::NonPositiveStep { param, .. }
            | Self::OutOfRange { param, .. }
            | Self::InvalidAxis { param, .. } => Some(format!("grid.{param}")),
            Self::InvalidSetting { field, .. } => Some((*field).to_owned()),
            Self::NoFold { .. } => Some("walk_forward".into()),
            Self::Core(CoreError::InvalidParam { param, .. }) => Some(format!("params.{param}")),
            Self::Core(CoreError::InvalidSetting { field, .. }) => Some((*field).to_owned()),
            Self::Core(CoreError::UnknownRule { .. }) => Some("rule_type".into()),
            Self::Core(_) => None,
        }
    }
}
