//! Non-fatal findings about market data, listed next to the loaded series.

use std::fmt;

/// A finding that does not stop a backtest but that a user should see.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DataWarning {
    /// A long stretch of calendar time without bars (e.g. more than 10 days
    /// between two daily bars).
    Gap {
        /// Row of the bar after the gap (header = row 1; for a Yahoo
        /// response, the bar's position).
        row: usize,
        /// Date (or timestamp) of the bar before the gap.
        from: String,
        /// Date (or timestamp) of the bar after the gap.
        to: String,
        /// Length of the gap in calendar days.
        days: f64,
    },
    /// Bars are spaced unlike the timeframe they are treated as (e.g. a
    /// monthly file loaded as daily bars).
    IrregularSpacing {
        /// Most common distance between consecutive bars, in seconds.
        typical_seconds: i64,
        /// Timeframe the bars are treated as (`1d`, `1h`, `5m`).
        treated_as: &'static str,
    },
    /// A bar with a null value in a Yahoo response was left out.
    SkippedNullBar {
        /// Position of the bar in the response (1-based).
        row: usize,
        /// Date (or timestamp) of the bar.
        date: String,
    },
}

impl fmt::Display for DataWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Gap {
                row,
                from,
                to,
                days,
            } => write!(
                f,
                "row {row}: gap of {days:.1} calendar days without bars between {from} and {to}"
            ),
            Self::IrregularSpacing {
                typical_seconds,
                treated_as,
            } => {
                let spacing = describe_seconds(*typical_seconds);
                write!(
                    f,
                    "bars are typically {spacing} apart; they are treated as {treated_as} bars, \
                     so annualised figures may not fit"
                )
            }
            Self::SkippedNullBar { row, date } => {
                write!(f, "bar {row} ({date}) has null values and was skipped")
            }
        }
    }
}

fn describe_seconds(secs: i64) -> String {
    if secs % 86_400 == 0 {
        format!("{} days", secs / 86_400)
    } else if secs % 3_600 == 0 {
        format!("{} hours", secs / 3_600)
    } else if secs % 60 == 0 {
        format!("{} minutes", secs / 60)
    } else {
        format!("{secs} seconds")
    }
}
