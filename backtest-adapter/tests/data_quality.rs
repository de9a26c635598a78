//! Every quality rule of the CSV loader has a failing fixture
//! (`tests/fixtures/market/*.csv`); each error names the row, its date text
//! and the column.

use std::path::PathBuf;

use backtest_adapter::data::{load_csv, DataError, DataWarning, LoadedData};
use backtest_core::Timeframe;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/market")
        .join(name)
}

fn load(name: &str) -> Result<LoadedData, DataError> {
    load_csv(fixture(name))
}

/// Loads a fixture that must fail; returns the error and its message.
fn fail(name: &str) -> (DataError, String) {
    match load(name) {
        Ok(data) => panic!("{name} loaded {} bars but must fail", data.series.len()),
        Err(e) => {
            let msg = e.to_string();
            (e, msg)
        }
    }
}

#[test]
fn missing_value_names_row_date_and_column() {
    let (err, msg) = fail("missing_value.csv");
    assert!(
        matches!(&err, DataError::MissingValue { row: 4, date, column: "Close" } if date == "2020-01-06"),
        "{err:?}"
    );
    assert_eq!(msg, r#"row 4 (date "2020-01-06"): column Close is empty"#);
}

#[test]
fn non_numeric_value() {
    let (err, msg) = fail("non_numeric.csv");
    assert!(
        matches!(&err, DataError::NotANumber { row: 4, column: "Volume", value, .. } if value == "n/a?"),
        "{err:?}"
    );
    assert_eq!(
        msg,
        r#"row 4 (date "2020-01-06"): column Volume: "n/a?" is not a number"#
    );
}

#[test]
fn junk_row_is_reported_not_used() {
    let (err, msg) = fail("junk_row.csv");
    assert!(
        matches!(&err, DataError::NotANumber { row: 2, date, column: "Open", value } if date.is_empty() && value == "Tlt"),
        "{err:?}"
    );
    assert_eq!(
        msg,
        r#"row 2 (date ""): column Open: "Tlt" is not a number"#
    );
}

#[test]
fn non_positive_prices() {
    let (err, msg) = fail("non_positive_price.csv");
    assert!(
        matches!(&err, DataError::NonPositivePrice { row: 3, column: "Low", value, .. } if *value == -1.0),
        "{err:?}"
    );
    assert_eq!(
        msg,
        r#"row 3 (date "2020-01-03"): column Low: price -1 is not positive"#
    );
    let (err, _) = fail("zero_price.csv");
    assert!(
        matches!(
            &err,
            DataError::NonPositivePrice {
                row: 2,
                column: "Open",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn negative_volume() {
    let (err, msg) = fail("negative_volume.csv");
    assert!(
        matches!(&err, DataError::NegativeVolume { row: 3, .. }),
        "{err:?}"
    );
    assert_eq!(
        msg,
        r#"row 3 (date "2020-01-03"): column Volume: -5 is negative"#
    );
}

#[test]
fn high_below_max_open_close() {
    let (err, msg) = fail("high_below_max_open_close.csv");
    assert!(
        matches!(&err, DataError::HighBelowOpenClose { row: 3, .. }),
        "{err:?}"
    );
    assert_eq!(
        msg,
        r#"row 3 (date "2020-01-03"): column High: 10.7 is below max(Open 10.5, Close 10.8)"#
    );
}

#[test]
fn low_above_min_open_close() {
    let (err, msg) = fail("low_above_min_open_close.csv");
    assert!(
        matches!(&err, DataError::LowAboveOpenClose { row: 3, .. }),
        "{err:?}"
    );
    assert_eq!(
        msg,
        r#"row 3 (date "2020-01-03"): column Low: 10.6 is above min(Open 10.5, Close 10.8)"#
    );
}

#[test]
fn high_below_low() {
    let (err, msg) = fail("high_below_low.csv");
    assert!(
        matches!(&err, DataError::HighBelowLow { row: 3, .. }),
        "{err:?}"
    );
    assert_eq!(
        msg,
        r#"row 3 (date "2020-01-03"): column High: 10 is below Low 11"#
    );
}

#[test]
fn unsorted_timestamps() {
    let (err, msg) = fail("unsorted.csv");
    assert!(
        matches!(&err, DataError::UnsortedTimestamps { row: 4, date, previous } if date == "2020-01-03" && previous == "2020-01-06"),
        "{err:?}"
    );
    assert!(msg.starts_with(r#"row 4 (date "2020-01-03"): column Date: earlier than the previous row ("2020-01-06")"#), "{msg}");
}

#[test]
fn duplicate_timestamps() {
    let (err, msg) = fail("duplicate.csv");
    assert!(
        matches!(&err, DataError::DuplicateTimestamp { row: 4, previous_row: 3, date } if date == "2020-01-03"),
        "{err:?}"
    );
    assert_eq!(
        msg,
        r#"row 4 (date "2020-01-03"): column Date: same timestamp as row 3"#
    );
    let (err, _) = fail("duplicate_intraday.csv");
    assert!(
        matches!(
            &err,
            DataError::DuplicateTimestamp {
                row: 4,
                previous_row: 3,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn invalid_date() {
    let (err, msg) = fail("bad_date.csv");
    assert!(
        matches!(&err, DataError::InvalidTimestamp { row: 3, date } if date == "2020-01-32"),
        "{err:?}"
    );
    assert!(
        msg.starts_with(r#"row 3 (date "2020-01-32"): column Date is not a date"#),
        "{msg}"
    );
}

#[test]
fn missing_column() {
    let (err, msg) = fail("missing_column.csv");
    assert!(
        matches!(
            &err,
            DataError::MissingColumn {
                column: "Volume",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        msg,
        "missing column Volume; the header has: Date, Open, High, Low, Close"
    );
}

#[test]
fn missing_file_is_named() {
    let (err, msg) = fail("no_such_file.csv");
    assert!(matches!(err, DataError::FileNotFound { .. }), "{err:?}");
    assert!(msg.ends_with("no_such_file.csv"), "{msg}");
}

#[test]
fn gaps_are_warnings_and_zero_volume_is_fine() -> Result<(), DataError> {
    let data = load("gap_and_zero_volume.csv")?;
    assert_eq!(data.series.len(), 4);
    assert_eq!(data.series.volume()[3], 0.0);
    assert_eq!(data.timeframe, Timeframe::Day1);
    assert_eq!(data.warnings.len(), 1, "{:?}", data.warnings);
    assert!(matches!(
        &data.warnings[0],
        DataWarning::Gap { row: 4, from, to, days } if from == "2020-01-03" && to == "2020-01-21" && *days == 18.0
    ));
    assert_eq!(
        data.warnings[0].to_string(),
        "row 4: gap of 18.0 calendar days without bars between 2020-01-03 and 2020-01-21"
    );
    Ok(())
}
