//! Typed errors of market-data loading.

use std::path::PathBuf;

use backtest_core::{CoreError, Timeframe};
use thiserror::Error;

/// Errors from loading, validating, filtering or fetching market data.
///
/// Row-level errors name the row as a spreadsheet would show it: the header
/// line is row 1, so the first bar of a CSV file is row 2 (row `N` is line `N`
/// of the file). `date` is the date cell of that row exactly as written.
/// For a Yahoo chart response, `row` is the 1-based position of the bar in
/// the response.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DataError {
    /// The file does not exist.
    #[error("market data file not found: {}", .path.display())]
    FileNotFound {
        /// Path that was opened.
        path: PathBuf,
    },
    /// The file exists but could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// Path that was read.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// The CSV reader could not split the file into rows and columns.
    #[error("malformed CSV: {reason}")]
    Csv {
        /// What the CSV reader reported.
        reason: String,
    },
    /// A required column is absent from the header.
    #[error("missing column {column}; the header has: {}", .found.join(", "))]
    MissingColumn {
        /// Canonical name of the missing column (`Date`, `Open`, ...).
        column: &'static str,
        /// Column names found in the header.
        found: Vec<String>,
    },
    /// Two header names map to the same column (names are case-insensitive).
    #[error("column {column} appears more than once in the header")]
    DuplicateColumn {
        /// Canonical name of the repeated column.
        column: &'static str,
    },
    /// The data holds no bars at all.
    #[error("the market data has no bars")]
    NoData,
    /// A cell is empty (or holds a missing-value marker such as `NaN`).
    #[error("row {row} (date {date:?}): column {column} is empty")]
    MissingValue {
        /// Row number (header = row 1).
        row: usize,
        /// Date cell as written.
        date: String,
        /// Canonical column name.
        column: &'static str,
    },
    /// A cell is not a number.
    #[error("row {row} (date {date:?}): column {column}: {value:?} is not a number")]
    NotANumber {
        /// Row number (header = row 1).
        row: usize,
        /// Date cell as written.
        date: String,
        /// Canonical column name.
        column: &'static str,
        /// Cell text.
        value: String,
    },
    /// The date cell is not a date or timestamp.
    #[error(
        "row {row} (date {date:?}): column Date is not a date or timestamp \
         (expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, optionally with T and a UTC offset)"
    )]
    InvalidTimestamp {
        /// Row number (header = row 1).
        row: usize,
        /// Date cell as written.
        date: String,
    },
    /// An intraday timestamp whose UTC offset moves it out of the years
    /// 0000 to 9999 (e.g. `0000-01-01 00:30+01:00`): no date cell can name
    /// that instant, so the bars could not be written back.
    #[error(
        "row {row} (date {date:?}): column Date: in UTC the timestamp falls outside \
         the years 0000 to 9999"
    )]
    TimestampOutOfRange {
        /// Row number (header = row 1).
        row: usize,
        /// Date cell as written.
        date: String,
    },
    /// A price is zero or negative.
    #[error("row {row} (date {date:?}): column {column}: price {value} is not positive")]
    NonPositivePrice {
        /// Row number (header = row 1).
        row: usize,
        /// Date cell as written.
        date: String,
        /// Canonical column name.
        column: &'static str,
        /// The offending price.
        value: f64,
    },
    /// The volume is negative (zero is allowed).
    #[error("row {row} (date {date:?}): column Volume: {value} is negative")]
    NegativeVolume {
        /// Row number (header = row 1).
        row: usize,
        /// Date cell as written.
        date: String,
        /// The offending volume.
        value: f64,
    },
    /// High is below the larger of Open and Close.
    #[error(
        "row {row} (date {date:?}): column High: {high} is below max(Open {open}, Close {close})"
    )]
    HighBelowOpenClose {
        /// Row number (header = row 1).
        row: usize,
        /// Date cell as written.
        date: String,
        /// High of the bar.
        high: f64,
        /// Open of the bar.
        open: f64,
        /// Close of the bar.
        close: f64,
    },
    /// Low is above the smaller of Open and Close.
    #[error(
        "row {row} (date {date:?}): column Low: {low} is above min(Open {open}, Close {close})"
    )]
    LowAboveOpenClose {
        /// Row number (header = row 1).
        row: usize,
        /// Date cell as written.
        date: String,
        /// Low of the bar.
        low: f64,
        /// Open of the bar.
        open: f64,
        /// Close of the bar.
        close: f64,
    },
    /// High is below Low.
    #[error("row {row} (date {date:?}): column High: {high} is below Low {low}")]
    HighBelowLow {
        /// Row number (header = row 1).
        row: usize,
        /// Date cell as written.
        date: String,
        /// High of the bar.
        high: f64,
        /// Low of the bar.
        low: f64,
    },
    /// A timestamp is earlier than the one of the row before it.
    #[error(
        "row {row} (date {date:?}): column Date: earlier than the previous row ({previous:?}); \
         rows must be in ascending date order"
    )]
    UnsortedTimestamps {
        /// Row number (header = row 1).
        row: usize,
        /// Date cell as written.
        date: String,
        /// Date cell of the previous row.
        previous: String,
    },
    /// A timestamp repeats the one of the row before it.
    #[error("row {row} (date {date:?}): column Date: same timestamp as row {previous_row}")]
    DuplicateTimestamp {
        /// Row number (header = row 1).
        row: usize,
        /// Date cell as written.
        date: String,
        /// Row that holds the same timestamp.
        previous_row: usize,
    },
    /// A date argument is not a valid `YYYY-MM-DD` date.
    #[error("{field}: {value:?} is not a valid date (expected YYYY-MM-DD)")]
    InvalidDate {
        /// Name of the argument (`start_date`, `end_date`).
        field: &'static str,
        /// Text given.
        value: String,
    },
    /// The start date is after the end date.
    #[error("start_date {start} is after end_date {end}")]
    StartAfterEnd {
        /// Requested start (`YYYY-MM-DD`).
        start: String,
        /// Requested end (`YYYY-MM-DD`).
        end: String,
    },
    /// No bar lies in the requested date range.
    #[error(
        "no bars between {} and {}; the data covers {first} to {last}",
        .start.as_deref().unwrap_or("the first bar"),
        .end.as_deref().unwrap_or("the last bar")
    )]
    EmptyRange {
        /// Requested start (`YYYY-MM-DD`), if any.
        start: Option<String>,
        /// Requested end (`YYYY-MM-DD`), if any.
        end: Option<String>,
        /// Date of the first bar of the data.
        first: String,
        /// Date of the last bar of the data.
        last: String,
    },
    /// The ticker does not match `^[A-Z0-9][A-Z0-9.\-^=]{0,14}$` after upper-casing.
    #[error("invalid ticker {ticker:?}: {reason}")]
    InvalidTicker {
        /// The input (shortened to 32 characters).
        ticker: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The data directory has no file for this ticker and timeframe.
    #[error("no market data for ticker {ticker} at timeframe {timeframe}")]
    UnknownTicker {
        /// The validated ticker.
        ticker: String,
        /// The requested timeframe.
        timeframe: Timeframe,
    },
    /// Yahoo Finance answered with an error object.
    #[error("Yahoo Finance error {code}: {description}")]
    YahooApi {
        /// Error code (`Not Found`, `Bad Request`, ...).
        code: String,
        /// Error description.
        description: String,
    },
    /// The Yahoo Finance response does not have the expected shape.
    #[error("unexpected Yahoo Finance response: {reason}")]
    YahooResponse {
        /// What is wrong.
        reason: String,
    },
    /// The bars were rejected by the core series constructor.
    #[error("invalid series: {0}")]
    Series(#[from] CoreError),
}
