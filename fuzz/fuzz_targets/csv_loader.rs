//! The market-data CSV loader (`load_csv_bytes`) on arbitrary bytes.
//!
//! Properties:
//! - it returns, never panics;
//! - accepted data is a non-empty series with strictly increasing
//!   timestamps, positive finite prices, a finite non-negative volume and
//!   consistent bars (Low <= Open, Close <= High up to the loader's 1e-9
//!   relative rounding), and warnings name rows that exist;
//! - accepted data written back with `write_csv` loads to the same series;
//! - a rejection is a loading error (never a path, ticker or range error),
//!   and one that names a row names a row of the input.

#![no_main]

use backtest_adapter::data::{load_csv_bytes, write_csv, DataError, DataWarning, LoadedData};
use libfuzzer_sys::fuzz_target;

/// The relative rounding the loader allows between a bar's prices
/// (`backtest_adapter::data::csv`, "Parsing").
const PRICE_TOLERANCE: f64 = 1e-9;

fuzz_target!(|data: &[u8]| {
    match load_csv_bytes(data) {
        Ok(loaded) => check_loaded(data, &loaded),
        Err(err) => check_error(data, &err),
    }
});

/// Lines of the input, counting `\n`, `\r\n` and a lone `\r` as one break:
/// an upper bound for the row numbers an error or warning may name.
fn line_count(data: &[u8]) -> usize {
    let mut lines = 1;
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'\r' if data.get(i + 1) == Some(&b'\n') => {
                lines += 1;
                i += 1;
            }
            b'\r' | b'\n' => lines += 1,
            _ => {}
        }
        i += 1;
    }
    lines
}

fn exceeds(above: f64, below: f64) -> bool {
    above - below > PRICE_TOLERANCE * below.abs()
}

fn check_loaded(data: &[u8], loaded: &LoadedData) {
    let s = &loaded.series;
    let n = s.len();
    assert!(n > 0, "accepted data without bars");
    assert!(
        n < line_count(data),
        "{n} bars from {} lines",
        line_count(data)
    );
    for w in s.timestamps().windows(2) {
        assert!(w[0] < w[1], "timestamps not strictly increasing: {w:?}");
    }
    for i in 0..n {
        let (o, h, l, c, v) = (
            s.open()[i],
            s.high()[i],
            s.low()[i],
            s.close()[i],
            s.volume()[i],
        );
        for p in [o, h, l, c] {
            assert!(p.is_finite() && p > 0.0, "bar {i}: price {p}");
        }
        assert!(v.is_finite() && v >= 0.0, "bar {i}: volume {v}");
        assert!(!exceeds(l, h), "bar {i}: low {l} above high {h}");
        assert!(!exceeds(o.max(c), h), "bar {i}: high {h} below {o}/{c}");
        assert!(!exceeds(l, o.min(c)), "bar {i}: low {l} above {o}/{c}");
    }
    for warning in &loaded.warnings {
        if let DataWarning::Gap { row, days, .. } = warning {
            assert!((3..=n + 1).contains(row), "gap warning at row {row}");
            assert!(*days > 0.0, "gap of {days} days");
        }
    }

    let mut text = Vec::new();
    write_csv(s, &mut text).expect("writing to memory");
    match load_csv_bytes(&text) {
        Ok(again) => assert_eq!(&again.series, s, "write_csv output loads differently"),
        Err(err) => panic!(
            "write_csv output is rejected: {err}\n{}",
            String::from_utf8_lossy(&text)
        ),
    }
}

/// The row an error names, if it names one.
fn error_rows(err: &DataError) -> Vec<usize> {
    match err {
        DataError::MissingValue { row, .. }
        | DataError::NotANumber { row, .. }
        | DataError::InvalidTimestamp { row, .. }
        | DataError::TimestampOutOfRange { row, .. }
        | DataError::NonPositivePrice { row, .. }
        | DataError::NegativeVolume { row, .. }
        | DataError::HighBelowOpenClose { row, .. }
        | DataError::LowAboveOpenClose { row, .. }
        | DataError::HighBelowLow { row, .. }
        | DataError::UnsortedTimestamps { row, .. } => vec![*row],
        DataError::DuplicateTimestamp {
            row, previous_row, ..
        } => {
            assert_eq!(*previous_row + 1, *row, "duplicate of a row not just above");
            vec![*row, *previous_row]
        }
        _ => Vec::new(),
    }
}

fn check_error(data: &[u8], err: &DataError) {
    assert!(
        matches!(
            err,
            DataError::Csv { .. }
                | DataError::MissingColumn { .. }
                | DataError::DuplicateColumn { .. }
                | DataError::NoData
                | DataError::MissingValue { .. }
                | DataError::NotANumber { .. }
                | DataError::InvalidTimestamp { .. }
                | DataError::TimestampOutOfRange { .. }
                | DataError::NonPositivePrice { .. }
                | DataError::NegativeVolume { .. }
                | DataError::HighBelowOpenClose { .. }
                | DataError::LowAboveOpenClose { .. }
                | DataError::HighBelowLow { .. }
                | DataError::UnsortedTimestamps { .. }
                | DataError::DuplicateTimestamp { .. }
        ),
        "not a loading error: {err:?}"
    );
    assert!(!err.to_string().is_empty());
    let lines = line_count(data);
    for row in error_rows(err) {
        // Row 1 is the header; the last line may be the one after a final
        // line break.
        assert!(
            (2..=lines).contains(&row),
            "{err} names row {row} of {lines} lines"
        );
    }
}
