//! Yahoo chart API: URL, parsing a recorded-shape response, the API's error
//! object, and `write_csv` -> `load_csv` round trips.

use std::path::{Path, PathBuf};

use backtest_adapter::data::{
    load_csv, load_csv_bytes, parse_date, write_csv, yahoo, DataError, DataWarning,
};
use backtest_core::{OhlcvSeries, Timeframe};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/market")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn chart_url_matches_the_recorded_request() -> Result<(), DataError> {
    let url = yahoo::chart_url(
        "AAPL",
        parse_date("start", "2024-01-02")?,
        parse_date("end", "2024-01-08")?,
    );
    assert_eq!(
        url,
        "https://query1.finance.yahoo.com/v8/finance/chart/AAPL?period1=1704153600&period2=1704758400&interval=1d&events=div,splits"
    );
    Ok(())
}

#[test]
fn parses_daily_bars_and_skips_the_null_bar() -> Result<(), DataError> {
    let data = yahoo::parse_chart_response(&fixture("yahoo_chart_aapl_2024-01.json"))?;
    let s = &data.series;
    assert_eq!(data.timeframe, Timeframe::Day1);
    // 2024-01-02, 03, 04, 08 at 00:00 UTC (2024-01-05 is null and skipped).
    assert_eq!(
        s.timestamps(),
        &[1_704_153_600, 1_704_240_000, 1_704_326_400, 1_704_672_000]
    );
    assert_eq!(s.open()[0], 187.149_993_896_484_38);
    assert_eq!(s.high()[0], 188.440_002_441_406_25);
    assert_eq!(s.low()[0], 183.889_999_389_648_44);
    assert_eq!(s.close()[0], 185.639_999_389_648_44);
    assert_eq!(s.volume()[0], 82_488_700.0);
    assert_eq!(s.close()[3], 185.559_997_558_593_75);
    assert_eq!(
        data.warnings,
        [DataWarning::SkippedNullBar {
            row: 4,
            date: "2024-01-05".to_owned()
        }]
    );
    assert_eq!(
        data.warnings[0].to_string(),
        "bar 4 (2024-01-05) has null values and was skipped"
    );
    Ok(())
}

#[test]
fn api_error_object_is_surfaced() {
    match yahoo::parse_chart_response(&fixture("yahoo_chart_not_found.json")) {
        Err(e @ DataError::YahooApi { .. }) => assert_eq!(
            e.to_string(),
            "Yahoo Finance error Not Found: No data found, symbol may be delisted"
        ),
        other => panic!("expected YahooApi, got {other:?}"),
    }
}

#[test]
fn bad_bars_in_a_response_are_errors() {
    let json = br#"{"chart":{"result":[{"meta":{"gmtoffset":-18000,"dataGranularity":"1d"},
        "timestamp":[1704205800,1704292200],
        "indicators":{"quote":[{"open":[10,10],"high":[11,9],"low":[9,9.5],"close":[10,10],"volume":[1,1]}]}}],
        "error":null}}"#;
    assert!(matches!(
        yahoo::parse_chart_response(json),
        Err(DataError::HighBelowLow { row: 2, .. })
    ));
}

#[test]
fn fetched_bars_round_trip_through_csv() -> Result<(), Box<dyn std::error::Error>> {
    let data = yahoo::parse_chart_response(&fixture("yahoo_chart_aapl_2024-01.json"))?;
    let mut csv = Vec::new();
    write_csv(&data.series, &mut csv)?;
    let text = String::from_utf8(csv.clone())?;
    assert_eq!(
        text.lines().take(2).collect::<Vec<_>>(),
        [
            "Date,Open,High,Low,Close,Volume",
            "2024-01-02,187.14999389648438,188.44000244140625,183.88999938964844,185.63999938964844,82488700"
        ]
    );
    let back = load_csv_bytes(&csv)?;
    assert_eq!(back.series, data.series);
    assert_eq!(back.timeframe, Timeframe::Day1);
    Ok(())
}

/// Writes to a file and reads it back with `load_csv`.
fn file_round_trip(
    series: &OhlcvSeries,
    tag: &str,
) -> Result<OhlcvSeries, Box<dyn std::error::Error>> {
    let path: PathBuf = std::env::temp_dir().join(format!(
        "backtest-roundtrip-{tag}-{}.csv",
        std::process::id()
    ));
    write_csv(series, std::fs::File::create(&path)?)?;
    let loaded = load_csv(&path);
    std::fs::remove_file(&path)?;
    Ok(loaded?.series)
}

#[test]
fn real_files_round_trip_exactly() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data");
    for (name, tag) in [("GOOG.csv", "goog"), ("EURUSD_1h.csv", "eurusd")] {
        let original = load_csv(root.join(name))?.series;
        assert_eq!(file_round_trip(&original, tag)?, original, "{name}");
    }
    Ok(())
}
