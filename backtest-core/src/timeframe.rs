//! Bar timeframes and their annualisation factors.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::CoreError;

/// Duration of one bar.
///
/// ```
/// use backtest_core::Timeframe;
/// let tf: Timeframe = "1h".parse().unwrap();
/// assert_eq!(tf, Timeframe::Hour1);
/// assert_eq!(Timeframe::Day1.bars_per_year(), 252.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Timeframe {
    /// Daily bars (`"1d"`).
    #[default]
    #[serde(rename = "1d")]
    Day1,
    /// Hourly bars (`"1h"`).
    #[serde(rename = "1h")]
    Hour1,
    /// Five-minute bars (`"5m"`).
    #[serde(rename = "5m")]
    Minute5,
}

impl Timeframe {
    /// Bars per trading year, used to annualise Sharpe and volatility.
    ///
    /// 252 sessions a year; intraday bars assume the US regular session of
    /// 6.5 hours (7 hourly bars, the last one partial; 78 five-minute bars).
    #[must_use]
    pub const fn bars_per_year(self) -> f64 {
        match self {
            Self::Day1 => 252.0,
            Self::Hour1 => 252.0 * 7.0,
            Self::Minute5 => 252.0 * 78.0,
        }
    }

    /// The contract spelling: `"1d"`, `"1h"` or `"5m"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Day1 => "1d",
            Self::Hour1 => "1h",
            Self::Minute5 => "5m",
        }
    }

    /// Whether bars are shorter than a day.
    #[must_use]
    pub const fn is_intraday(self) -> bool {
        !matches!(self, Self::Day1)
    }
}

impl fmt::Display for Timeframe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Timeframe {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "1d" => Ok(Self::Day1),
            "1h" => Ok(Self::Hour1),
            "5m" => Ok(Self::Minute5),
            other => Err(CoreError::InvalidSetting {
                field: "timeframe",
                reason: format!("`{other}` is not one of 1d, 1h, 5m"),
            }),
        }
    }
}
