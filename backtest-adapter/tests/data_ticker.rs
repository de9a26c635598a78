//! Ticker validation and data-directory resolution.

use std::path::{Path, PathBuf};

use backtest_adapter::data::{validate_ticker, DataDir, DataError};
use backtest_core::Timeframe;

#[test]
fn accepts_real_ticker_shapes() {
    for (input, expected) in [
        ("AAPL", "AAPL"),
        ("aapl", "AAPL"),
        ("BRK-B", "BRK-B"),
        ("BRK.B", "BRK.B"),
        ("brk.b", "BRK.B"),
        ("^GSPC", "^GSPC"),
        ("EURUSD=X", "EURUSD=X"),
        ("BTC-USD", "BTC-USD"),
        ("7203.T", "7203.T"),
        ("ABCDEFGHIJKLMNO", "ABCDEFGHIJKLMNO"),
    ] {
        match validate_ticker(input) {
            Ok(t) => assert_eq!(t, expected, "{input:?}"),
            Err(e) => panic!("{input:?} must be accepted: {e}"),
        }
    }
}

#[test]
fn rejects_paths_and_junk() {
    for input in [
        "../etc/passwd",
        "AAPL/../x",
        "AAPL/x",
        "..",
        ".AAPL",
        "-AAPL",
        "=X",
        "^",
        "^^GSPC",
        "",
        "ABCDEFGHIJKLMNOP",
        "ÄPPL",
        "AAPL€",
        "AAPL ",
        " AAPL",
        "AA PL",
        "AAPL\\x",
        "C:AAPL",
        "AAPL\0",
        "AAPL_1H",
        "AAPL*",
        "AAPL.csv\n",
    ] {
        match validate_ticker(input) {
            Err(DataError::InvalidTicker { .. }) => {}
            other => panic!("{input:?} must be rejected, got {other:?}"),
        }
    }
}

#[test]
fn rejection_messages_are_readable() {
    let msg = |t: &str| validate_ticker(t).map_err(|e| e.to_string()).err();
    assert_eq!(
        msg("").as_deref(),
        Some(r#"invalid ticker "": it is empty"#)
    );
    assert_eq!(
        msg("ABCDEFGHIJKLMNOP").as_deref(),
        Some(r#"invalid ticker "ABCDEFGHIJKLMNOP": it is longer than 15 characters"#)
    );
    assert_eq!(
        msg("AAPL/../x").as_deref(),
        Some(r#"invalid ticker "AAPL/../x": only letters, digits and . - ^ = are allowed"#)
    );
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let path = std::env::temp_dir().join(format!("backtest-data-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Self(path)
    }

    fn touch(&self, name: &str) {
        std::fs::write(
            self.0.join(name),
            "Date,Open,High,Low,Close,Volume\n2020-01-02,1,1,1,1,1\n",
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn resolves_files_by_ticker_and_timeframe() -> Result<(), DataError> {
    let tmp = TempDir::new("resolve");
    for name in [
        "AAPL.csv",
        "AAPL_1h.csv",
        "MSFT_5m.csv",
        "^GSPC.csv",
        "BTCUSD_1mo.csv",
        "notes.txt",
        "lower.csv",
    ] {
        tmp.touch(name);
    }
    std::fs::create_dir_all(tmp.0.join("DIR.csv")).unwrap_or_else(|e| panic!("{e}"));
    let dir = DataDir::new(&tmp.0);

    assert_eq!(
        dir.resolve("aapl", Timeframe::Day1)?,
        tmp.0.join("AAPL.csv")
    );
    assert_eq!(
        dir.resolve("AAPL", Timeframe::Hour1)?,
        tmp.0.join("AAPL_1h.csv")
    );
    assert_eq!(
        dir.resolve("MSFT", Timeframe::Minute5)?,
        tmp.0.join("MSFT_5m.csv")
    );
    assert_eq!(
        dir.resolve("^gspc", Timeframe::Day1)?,
        tmp.0.join("^GSPC.csv")
    );

    let unknown = dir.resolve("MSFT", Timeframe::Day1);
    match unknown {
        Err(e @ DataError::UnknownTicker { .. }) => {
            let msg = e.to_string();
            assert_eq!(msg, "no market data for ticker MSFT at timeframe 1d");
            assert!(!msg.contains(&*tmp.0.to_string_lossy()));
        }
        other => panic!("expected UnknownTicker, got {other:?}"),
    }
    assert!(matches!(
        dir.resolve("../AAPL", Timeframe::Day1),
        Err(DataError::InvalidTicker { .. })
    ));
    assert!(matches!(
        dir.resolve("DIR", Timeframe::Day1),
        Err(DataError::UnknownTicker { .. })
    ));

    assert_eq!(dir.tickers()?, ["AAPL", "MSFT", "^GSPC"]);
    assert_eq!(dir.timeframes("aapl")?, [Timeframe::Day1, Timeframe::Hour1]);
    assert_eq!(dir.load("AAPL", Timeframe::Day1)?.series.len(), 1);
    Ok(())
}

#[test]
fn demo_data_directory() -> Result<(), DataError> {
    let dir = DataDir::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../data"));
    assert_eq!(
        dir.tickers()?,
        [
            "AAPL", "AMZN", "EURUSD", "GOOG", "GOOGL", "IBM", "MSFT", "NVDA", "SPY", "^GSPC",
            "^IXIC"
        ]
    );
    assert_eq!(dir.timeframes("EURUSD")?, [Timeframe::Hour1]);
    assert_eq!(dir.load("goog", Timeframe::Day1)?.series.len(), 2148);
    assert_eq!(dir.load("EURUSD", Timeframe::Hour1)?.series.len(), 5000);
    assert!(matches!(
        dir.resolve("BTCUSD", Timeframe::Day1),
        Err(DataError::UnknownTicker { .. })
    ));
    Ok(())
}

#[test]
fn missing_directory_is_an_io_error() {
    let dir = DataDir::new("no/such/data/dir");
    assert!(matches!(dir.tickers(), Err(DataError::Io { .. })));
    assert!(matches!(
        dir.resolve("AAPL", Timeframe::Day1),
        Err(DataError::UnknownTicker { .. })
    ));
}

/// Found by fuzzing (`request_json`): Unicode upper-casing turns `ß` into
/// `SS` and `ſ` into `S`, so these were accepted as ASCII tickers.
#[test]
fn rejects_non_ascii_that_upper_cases_to_ascii() {
    for input in ["ß", "ſpy", "aaplß", "ﬀ", "^ſ"] {
        match validate_ticker(input) {
            Err(DataError::InvalidTicker { reason, .. }) => {
                assert!(reason.contains("ASCII"), "{input:?}: {reason}");
            }
            other => panic!("{input:?} must be rejected, got {other:?}"),
        }
    }
}
