//! Inclusive `start_date` / `end_date` selection on the demo data.

use std::path::Path;

use backtest_adapter::data::{filter_range, load_csv, DataError, LoadedData};

fn goog() -> LoadedData {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/GOOG.csv");
    load_csv(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn both_ends_are_inclusive() -> Result<(), DataError> {
    let data = goog();
    // GOOG.csv rows 2004-08-19, 2004-08-20, 2004-08-23, ...
    let s = data.select(Some("2004-08-20"), Some("2004-08-23"))?;
    assert_eq!(s.len(), 2);
    assert_eq!(s.open(), &[101.01, 110.75]);
    // Dates without a bar (a weekend) just narrow the range.
    let s = filter_range(&data.series, Some("2004-08-21"), Some("2004-08-22"));
    assert!(matches!(s, Err(DataError::EmptyRange { .. })));
    let s = filter_range(&data.series, Some("2004-08-21"), Some("2004-08-23"))?;
    assert_eq!(s.len(), 1);
    Ok(())
}

#[test]
fn open_ends_and_full_range() -> Result<(), DataError> {
    let data = goog();
    assert_eq!(data.select(None, None)?, data.series);
    assert_eq!(data.select(Some("2013-03-01"), None)?.len(), 1);
    assert_eq!(data.select(None, Some("2004-08-19"))?.len(), 1);
    assert_eq!(
        data.select(Some("2000-01-01"), Some("2030-01-01"))?.len(),
        2148
    );
    Ok(())
}

#[test]
fn range_errors_are_clear() {
    let data = goog();
    let msg = |s: Option<&str>, e: Option<&str>| {
        data.select(s, e)
            .map(|s| s.len())
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        msg(Some("2020-01-01"), Some("2024-01-01")),
        Err(
            "no bars between 2020-01-01 and 2024-01-01; the data covers 2004-08-19 to 2013-03-01"
                .to_owned()
        )
    );
    assert_eq!(
        msg(None, Some("2000-01-01")),
        Err("no bars between the first bar and 2000-01-01; the data covers 2004-08-19 to 2013-03-01".to_owned())
    );
    assert_eq!(
        msg(Some("2012-01-02"), Some("2011-01-01")),
        Err("start_date 2012-01-02 is after end_date 2011-01-01".to_owned())
    );
    assert_eq!(
        msg(Some("2012-02-30"), None),
        Err(r#"start_date: "2012-02-30" is not a valid date (expected YYYY-MM-DD)"#.to_owned())
    );
    assert_eq!(
        msg(None, Some("01/02/2012")),
        Err(r#"end_date: "01/02/2012" is not a valid date (expected YYYY-MM-DD)"#.to_owned())
    );
}
