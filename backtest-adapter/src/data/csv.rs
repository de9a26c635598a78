//! The OHLCV CSV reader (polars) and writer.
//!
//! # Accepted files
//! - Yahoo: `Date,Open,High,Low,Close,Adj Close,Volume`
//! - Stooq: `Date,Open,High,Low,Close,Volume`
//! - an unnamed first column holding the dates: `,Open,High,Low,Close,Volume`
//!   (pandas' `to_csv` of a date-indexed frame, as in the demo files)
//!
//! Header names are matched case-insensitively and in any order; the date
//! column may also be called `Datetime`, `Timestamp` or `Time`. Other columns
//! (`Adj Close`, `Dividends`, ...) are ignored: the series holds the `Close`
//! column as written.
//!
//! # Timestamps
//! Date cells are `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]` or the same
//! with `T` instead of the space, optionally followed by `Z` or a UTC offset
//! (`+HH:MM`, `+HHMM`, `+HH`); they are parsed as UTC unless they carry an
//! offset. When every row has the same clock time (typically
//! none: `2020-01-02`), the file holds **daily** bars and each bar is stored at
//! **00:00 UTC of the date as written** (an offset such as `-05:00` does not
//! move a daily bar to another date). Outputs later stamp daily bars at
//! 21:00 UTC (SPEC §3b). Otherwise the bars are intraday and each one is
//! stored at its own instant in UTC.
//!
//! # Parsing
//! polars splits the file into columns, all read as text so that an error
//! can quote the offending cell; numbers are then parsed with Rust's `f64`
//! parser (exact, shortest round trip), so a cell such as `Tlt`, `1,5` or
//! ` 1` is an error, never a silent null. Blank lines at the end of the
//! file are ignored.
//!
//! A bar's prices must be consistent (Low <= Open, Close <= High) up to a
//! relative rounding of 1e-9: adjusted histories carry such float noise.
//!
//! Row numbers in errors count the header as row 1 (row `N` is line `N` of
//! the file).

use std::io::{Cursor, Write};
use std::path::Path;

use backtest_core::OhlcvSeries;
use polars_core::prelude::{ChunkedArray, DataFrame, StringType};
use polars_io::prelude::{CsvReadOptions, SerReader};

use super::quality::{analyse, check_bar, check_order};
use super::timestamp::{format_date, format_datetime, parse_stamp, Stamp, DAY};
use super::{DataError, LoadedData};

/// Canonical names of the required columns, in series order after `Date`.
const VALUE_COLUMNS: [&str; 5] = ["Open", "High", "Low", "Close", "Volume"];

/// Header names accepted for the date column (lower case).
const DATE_NAMES: [&str; 4] = ["date", "datetime", "timestamp", "time"];

/// Names an unnamed first column may get (lower case).
const UNNAMED_FIRST: [&str; 3] = ["", "column_1", "unnamed: 0"];

/// Cell texts read as a missing value (lower case).
const MISSING_MARKERS: [&str; 6] = ["", "nan", "null", "na", "n/a", "none"];

/// Instants a date cell can name (0000-01-01 00:00 UTC up to 10000-01-01):
/// an offset can move a written 0000-01-01 or 9999-12-31 out of them.
const WRITABLE: std::ops::Range<i64> = -62_167_219_200..253_402_300_800;

/// Row number of data index `i` (header = row 1).
fn row_of(i: usize) -> usize {
    i + 2
}

/// Loads an OHLCV CSV file.
///
/// # Errors
/// [`DataError::FileNotFound`] / [`DataError::Io`] when the file cannot be
/// read, and every error of [`load_csv_bytes`].
pub fn load_csv(path: impl AsRef<Path>) -> Result<LoadedData, DataError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            DataError::FileNotFound {
                path: path.to_path_buf(),
            }
        } else {
            DataError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    load_csv_bytes(&bytes)
}

/// Loads OHLCV CSV text (see the [module docs](self) for the formats).
///
/// ```
/// use backtest_adapter::data::load_csv_bytes;
/// let csv = "Date,Open,High,Low,Close,Volume\n\
///            2020-01-02,10,11,9,10.5,1000\n\
///            2020-01-03,10.5,12,10,11.5,0\n";
/// let loaded = load_csv_bytes(csv.as_bytes()).unwrap();
/// assert_eq!(loaded.series.len(), 2);
/// assert_eq!(loaded.series.timestamps()[0], 1_577_923_200); // 2020-01-02 00:00 UTC
/// assert_eq!(loaded.timeframe, backtest_core::Timeframe::Day1);
/// ```
///
/// # Errors
/// [`DataError::Csv`] when the text is not CSV, [`DataError::MissingColumn`] /
/// [`DataError::DuplicateColumn`] for the header, [`DataError::NoData`] for a
/// header without rows, [`DataError::TimestampOutOfRange`], and the
/// row-naming quality errors listed in
/// [`super::quality`].
pub fn load_csv_bytes(bytes: &[u8]) -> Result<LoadedData, DataError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_raise_if_empty(false)
        .with_n_threads(threads_for(bytes.len()))
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map_err(|e| DataError::Csv {
            reason: ragged_row(bytes).unwrap_or_else(|| e.to_string()),
        })?;
    let [date_idx, value_idx @ ..] = map_columns(&df)?;
    let columns = df.columns();
    let as_str = |idx: usize| -> Result<&ChunkedArray<StringType>, DataError> {
        columns[idx].str().map_err(|e| DataError::Csv {
            reason: e.to_string(),
        })
    };
    let dates: Vec<Option<&str>> = as_str(date_idx)?.iter().collect();
    if dates.is_empty() {
        return Err(DataError::NoData);
    }
    let mut texts: Vec<Vec<Option<&str>>> = Vec::with_capacity(5);
    for idx in value_idx {
        texts.push(as_str(idx)?.iter().collect());
    }

    // Blank lines at the end of the file are not rows (blank lines inside
    // the file are reported like any other empty row).
    let mut n = dates.len();
    while n > 0 && dates[n - 1].is_none() && texts.iter().all(|t| t[n - 1].is_none()) {
        n -= 1;
    }
    if n == 0 {
        return Err(DataError::NoData);
    }
    let date_text = |i: usize| dates[i].unwrap_or("").to_owned();
    let mut stamps: Vec<Stamp> = Vec::with_capacity(n);
    let mut bars: [Vec<f64>; 5] = std::array::from_fn(|_| Vec::with_capacity(n));
    for i in 0..n {
        let row = row_of(i);
        let mut bar = [0.0; 5];
        for k in 0..5 {
            match texts[k][i].and_then(|t| t.parse::<f64>().ok()) {
                Some(v) if v.is_finite() => bar[k] = v,
                _ => return Err(cell_error(row, date_text(i), VALUE_COLUMNS[k], texts[k][i])),
            }
        }
        let stamp =
            parse_stamp(dates[i].unwrap_or("")).ok_or_else(|| DataError::InvalidTimestamp {
                row,
                date: date_text(i),
            })?;
        check_bar(row, || date_text(i), bar)?;
        stamps.push(stamp);
        for (column, value) in bars.iter_mut().zip(bar) {
            column.push(value);
        }
    }

    let daily = stamps
        .iter()
        .all(|s| s.local_seconds() == stamps[0].local_seconds());
    let timestamps: Vec<i64> = stamps
        .iter()
        .map(|&s| {
            if daily {
                s.date_midnight_utc()
            } else {
                s.instant_utc()
            }
        })
        .collect();
    if !daily {
        if let Some(i) = timestamps.iter().position(|t| !WRITABLE.contains(t)) {
            return Err(DataError::TimestampOutOfRange {
                row: row_of(i),
                date: date_text(i),
            });
        }
    }
    check_order(&timestamps, row_of, date_text)?;
    let (timeframe, warnings) = analyse(&timestamps, daily, row_of);
    let [open, high, low, close, volume] = bars;
    let series = OhlcvSeries::new(timestamps, open, high, low, close, volume)?;
    Ok(LoadedData {
        series,
        timeframe,
        warnings,
    })
}

/// Reader threads: one for files up to 8 MiB (decades of daily bars), where
/// splitting the work costs more than it saves; polars' default above.
fn threads_for(len: usize) -> Option<usize> {
    (len <= 8 << 20).then_some(1)
}

/// Describes the first row with more fields than the header, if any (the
/// CSV reader rejects such files without naming the row).
fn ragged_row(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines();
    let fields = |line: &str| {
        let mut quoted = false;
        1 + line
            .chars()
            .filter(|&c| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == ',' && !quoted
            })
            .count()
    };
    let expected = fields(lines.next()?);
    lines.enumerate().find_map(|(i, line)| {
        let got = fields(line);
        (got > expected).then(|| {
            format!(
                "row {} has {got} fields but the header has {expected}",
                row_of(i)
            )
        })
    })
}

/// The error for a cell that did not parse as a finite number.
fn cell_error(row: usize, date: String, column: &'static str, text: Option<&str>) -> DataError {
    let text = text.unwrap_or("");
    if MISSING_MARKERS.contains(&text.trim().to_ascii_lowercase().as_str()) {
        DataError::MissingValue { row, date, column }
    } else {
        DataError::NotANumber {
            row,
            date,
            column,
            value: text.to_owned(),
        }
    }
}

/// Finds the date column and the five value columns: `[date, open, high, low, close, volume]`.
fn map_columns(df: &DataFrame) -> Result<[usize; 6], DataError> {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.as_str().to_owned())
        .collect();
    let mut found: [Option<usize>; 6] = [None; 6];
    let canonical = ["Date", "Open", "High", "Low", "Close", "Volume"];
    for (idx, name) in names.iter().enumerate() {
        let lower = name.trim().to_ascii_lowercase();
        let slot = if DATE_NAMES.contains(&lower.as_str()) {
            Some(0)
        } else {
            VALUE_COLUMNS
                .iter()
                .position(|c| c.eq_ignore_ascii_case(&lower))
                .map(|k| k + 1)
        };
        if let Some(slot) = slot {
            if found[slot].is_some() {
                return Err(DataError::DuplicateColumn {
                    column: canonical[slot],
                });
            }
            found[slot] = Some(idx);
        }
    }
    if found[0].is_none()
        && names
            .first()
            .is_some_and(|n| UNNAMED_FIRST.contains(&n.trim().to_ascii_lowercase().as_str()))
    {
        found[0] = Some(0);
    }
    let mut out = [0; 6];
    for (slot, idx) in found.iter().enumerate() {
        out[slot] = idx.ok_or_else(|| DataError::MissingColumn {
            column: canonical[slot],
            found: names.clone(),
        })?;
    }
    Ok(out)
}

/// Writes a series as CSV with the header `Date,Open,High,Low,Close,Volume`,
/// which [`load_csv`] reads back to the same series.
///
/// Dates are `YYYY-MM-DD` when every bar is at 00:00 UTC (daily bars), else
/// `YYYY-MM-DD HH:MM:SS` in UTC. Numbers use the shortest text that parses
/// back to the same `f64`.
///
/// # Errors
/// Any error of `writer`.
pub fn write_csv<W: Write>(series: &OhlcvSeries, writer: W) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(writer);
    let daily = series.timestamps().iter().all(|t| t.rem_euclid(DAY) == 0);
    let fmt: fn(i64) -> String = if daily { format_date } else { format_datetime };
    writeln!(w, "Date,Open,High,Low,Close,Volume")?;
    for i in 0..series.len() {
        writeln!(
            w,
            "{},{},{},{},{},{}",
            fmt(series.timestamps()[i]),
            series.open()[i],
            series.high()[i],
            series.low()[i],
            series.close()[i],
            series.volume()[i]
        )?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<LoadedData, DataError> {
        load_csv_bytes(text.as_bytes())
    }

    #[test]
    fn reads_any_column_order_and_case() -> Result<(), DataError> {
        let d = load("date,HIGH,low,Open,close,volume,Adj Close\n2020-01-02,11,9,10,10.5,7,1\n")?;
        assert_eq!(d.series.open(), &[10.0]);
        assert_eq!(d.series.high(), &[11.0]);
        assert_eq!(d.series.low(), &[9.0]);
        assert_eq!(d.series.close(), &[10.5]);
        assert_eq!(d.series.volume(), &[7.0]);
        Ok(())
    }

    #[test]
    fn unnamed_first_column_is_the_date() -> Result<(), DataError> {
        let d = load(",Open,High,Low,Close,Volume\n2017-04-19 09:00:00,1,2,1,1,5\n2017-04-19 10:00:00,1,2,1,1,5\n")?;
        assert_eq!(d.series.timestamps(), &[1_492_592_400, 1_492_596_000]);
        assert_eq!(d.timeframe, backtest_core::Timeframe::Hour1);
        Ok(())
    }

    #[test]
    fn header_errors() {
        assert!(matches!(
            load("Date,Open,High,Low,Close\n2020-01-02,1,1,1,1\n"),
            Err(DataError::MissingColumn {
                column: "Volume",
                ..
            })
        ));
        assert!(matches!(
            load("Open,High,Low,Close,Volume\n1,1,1,1,1\n"),
            Err(DataError::MissingColumn { column: "Date", .. })
        ));
        assert!(matches!(
            load("Date,Open,open,High,Low,Close,Volume\n2020-01-02,1,1,1,1,1,1\n"),
            Err(DataError::DuplicateColumn { column: "Open" })
        ));
        assert!(matches!(
            load("Date,Open,High,Low,Close,Volume\n"),
            Err(DataError::NoData)
        ));
        assert!(matches!(
            load(""),
            Err(DataError::MissingColumn { .. } | DataError::NoData)
        ));
    }

    #[test]
    fn missing_markers_and_junk() {
        let head = "Date,Open,High,Low,Close,Volume\n";
        assert!(matches!(
            load(&format!("{head}2020-01-02,1,1,1,NaN,1\n")),
            Err(DataError::MissingValue {
                row: 2,
                column: "Close",
                ..
            })
        ));
        assert!(matches!(
            load(&format!("{head}2020-01-02,1,1,1,1,\n")),
            Err(DataError::MissingValue {
                row: 2,
                column: "Volume",
                ..
            })
        ));
        let err = load(&format!("{head},Tlt,Tlt,Tlt,Tlt,Tlt\n"));
        assert_eq!(
            err.map_err(|e| e.to_string()).err().as_deref(),
            Some("row 2 (date \"\"): column Open: \"Tlt\" is not a number")
        );
        assert!(matches!(
            load(&format!("{head}2020-01-02,1,inf,1,1,1\n")),
            Err(DataError::NotANumber { column: "High", .. })
        ));
    }

    #[test]
    fn ragged_and_blank_rows() {
        let head = "Date,Open,High,Low,Close,Volume\n";
        let err = load(&format!(
            "{head}2020-01-02,1,1,1,1,1\n2020-01-03,1,1,1,1,1,7\n"
        ));
        assert_eq!(
            err.map_err(|e| e.to_string()).err().as_deref(),
            Some("malformed CSV: row 3 has 7 fields but the header has 6")
        );
        assert!(matches!(
            load(&format!(
                "{head}2020-01-02,1,1,1,1,1\n\n2020-01-03,1,1,1,1,1\n"
            )),
            Err(DataError::MissingValue {
                row: 3,
                column: "Open",
                ..
            })
        ));
        let trailing = load(&format!("{head}2020-01-02,1,1,1,1,1\n\n\n"));
        assert_eq!(trailing.map(|d| d.series.len()).ok(), Some(1));
        assert!(matches!(
            load(&format!("{head}\n\n")),
            Err(DataError::NoData)
        ));
    }

    /// Caught by the `csv_loader` fuzz target: an offset moved these
    /// instants into year -1 and year 10000, which `write_csv` cannot write
    /// in a form the loader reads back.
    #[test]
    fn instants_outside_years_0000_to_9999_are_rejected() {
        let head = "Date,Open,High,Low,Close,Volume\n";
        let early = load(&format!(
            "{head}0000-01-01 00:00+01:00,1,1,1,1,1\n0000-01-01 01:00+01:00,1,1,1,1,1\n"
        ));
        assert!(matches!(
            early,
            Err(DataError::TimestampOutOfRange { row: 2, ref date }) if date == "0000-01-01 00:00+01:00"
        ));
        let late = load(&format!(
            "{head}9999-12-31 22:00,1,1,1,1,1\n9999-12-31 23:00-01:00,1,1,1,1,1\n"
        ));
        assert!(matches!(
            late,
            Err(DataError::TimestampOutOfRange { row: 3, .. })
        ));
        // The same cells as daily bars keep their written dates.
        let daily = load(&format!(
            "{head}0000-01-01 00:00+01:00,1,1,1,1,1\n9999-12-31 00:00-01:00,1,1,1,1,1\n"
        ));
        assert_eq!(daily.map(|d| d.series.len()).ok(), Some(2));
    }

    #[test]
    fn first_and_last_writable_instants_round_trip() -> Result<(), Box<dyn std::error::Error>> {
        let series = load(
            "Date,Open,High,Low,Close,Volume\n\
             0000-01-01 00:00:00,1,1,1,1,1\n9999-12-31 23:59:59,1,1,1,1,1\n",
        )?
        .series;
        let mut text = Vec::new();
        write_csv(&series, &mut text)?;
        assert_eq!(load_csv_bytes(&text)?.series, series);
        Ok(())
    }

    #[test]
    fn daily_with_offsets_keeps_written_dates() -> Result<(), DataError> {
        let d = load("Date,Open,High,Low,Close,Volume\n2020-01-02 00:00:00-05:00,1,1,1,1,1\n2020-06-01 00:00:00-04:00,1,1,1,1,1\n")?;
        assert_eq!(d.series.timestamps(), &[1_577_923_200, 1_590_969_600]);
        assert_eq!(d.timeframe, backtest_core::Timeframe::Day1);
        Ok(())
    }

    #[test]
    fn writes_what_it_reads() -> Result<(), Box<dyn std::error::Error>> {
        let s = OhlcvSeries::new(
            vec![1_492_592_400, 1_492_596_000],
            vec![1.0716, 0.1 + 0.2],
            vec![1.0722, 1.0],
            vec![1.07083, 0.1],
            vec![1.07219, 0.2],
            vec![1413.0, 0.5],
        )?;
        let mut out = Vec::new();
        write_csv(&s, &mut out)?;
        let text = String::from_utf8(out)?;
        assert!(text.starts_with("Date,Open,High,Low,Close,Volume\n2017-04-19 09:00:00,1.0716,"));
        assert_eq!(load(&text)?.series, s);
        Ok(())
    }
}
