//! Market data (SPEC §3b): CSV loading with quality checks, date ranges,
//! ticker validation and the data directory, and Yahoo Finance responses.
//!
//! - [`load_csv`] / [`load_csv_bytes`] read Yahoo, Stooq and unnamed-index
//!   CSVs (see [`csv`] for formats and timestamps) into a
//!   [`LoadedData`]: the series, a timeframe guess and a list of warnings.
//! - Every quality rule of [`quality`] rejects bad data with a
//!   [`DataError`] naming the row (the header is row 1), the date text and the
//!   column.
//! - [`filter_range`] selects `start_date..=end_date`.
//! - [`validate_ticker`] and [`DataDir`] turn a ticker into a file path.
//! - [`yahoo`] builds chart API URLs and parses their responses;
//!   [`write_csv`] stores a series as CSV that [`load_csv`] reads back.
//!
//! **Daily bars are stored at 00:00 UTC of their date.** Outputs stamp them
//! at 21:00 UTC (SPEC §3b); intraday bars keep their own instant.
//!
//! ```
//! use backtest_adapter::data::{filter_range, load_csv_bytes};
//! let csv = ",Open,High,Low,Close,Volume\n\
//!            2020-01-02,10,11,9,10.5,1000\n\
//!            2020-01-03,10.5,12,10,11.5,1200\n";
//! let loaded = load_csv_bytes(csv.as_bytes())?;
//! let picked = filter_range(&loaded.series, Some("2020-01-03"), None)?;
//! assert_eq!(picked.close(), &[11.5]);
//! # Ok::<(), backtest_adapter::data::DataError>(())
//! ```

pub mod csv;
mod error;
pub mod quality;
mod range;
mod ticker;
mod timestamp;
mod warning;
pub mod yahoo;

use backtest_core::{OhlcvSeries, Timeframe};

pub use self::csv::{load_csv, load_csv_bytes, write_csv};
pub use error::DataError;
pub use range::filter_range;
pub use ticker::{validate_ticker, DataDir, MAX_TICKER_LEN};
pub use timestamp::parse_date;
pub use warning::DataWarning;

/// Bars read from a file or a response, with what was learned about them.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LoadedData {
    /// The bars; daily bars at 00:00 UTC of their date.
    pub series: OhlcvSeries,
    /// Timeframe guessed from the timestamps: [`Timeframe::Day1`] when every
    /// bar has the same clock time (also for weekly or monthly files, with a
    /// [`DataWarning::IrregularSpacing`]), else [`Timeframe::Minute5`] or
    /// [`Timeframe::Hour1`] by the typical spacing.
    pub timeframe: Timeframe,
    /// Non-fatal findings (gaps, irregular spacing, skipped bars).
    pub warnings: Vec<DataWarning>,
}

impl LoadedData {
    /// The bars from `start_date` through `end_date` (see [`filter_range`]).
    ///
    /// # Errors
    /// The errors of [`filter_range`].
    pub fn select(
        &self,
        start_date: Option<&str>,
        end_date: Option<&str>,
    ) -> Result<OhlcvSeries, DataError> {
        filter_range(&self.series, start_date, end_date)
    }
}
