//! The shipped demo data: every daily file in `data/` loads, and its bar
//! count and date range are the ones `data/README.md` documents.

use std::path::PathBuf;

use backtest_adapter::data::DataDir;
use backtest_core::Timeframe;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data")
}

/// `(file, rows, first date, last date)` from the README's tables.
fn documented() -> Vec<(String, usize, String, String)> {
    let readme = std::fs::read_to_string(data_dir().join("README.md")).expect("data/README.md");
    readme
        .lines()
        .filter(|l| l.starts_with("| `") && l.contains(" .. "))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let file = cells[1].trim_matches('`').to_owned();
            let range = cells.iter().find(|c| c.contains(" .. "))?;
            let (first, last) = range.split_once(" .. ")?;
            let rows = cells
                .iter()
                .rev()
                .find_map(|c| c.split_whitespace().next()?.parse::<usize>().ok())?;
            Some((file, rows, first.to_owned(), last.to_owned()))
        })
        .collect()
}

#[test]
fn every_shipped_daily_file_loads_as_documented() {
    let dir = DataDir::new(data_dir());
    let docs = documented();
    let tickers = dir.tickers().expect("data dir");
    for want in [
        "AAPL", "AMZN", "GOOG", "GOOGL", "IBM", "MSFT", "NVDA", "SPY", "^GSPC", "^IXIC",
    ] {
        assert!(tickers.iter().any(|t| t == want), "{want} is shipped");
        let file = format!("{want}.csv");
        let (_, rows, first, last) = docs
            .iter()
            .find(|d| d.0 == file)
            .unwrap_or_else(|| panic!("{file} is documented in data/README.md"));
        let loaded = dir
            .load(want, Timeframe::Day1)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(loaded.timeframe, Timeframe::Day1, "{file}");
        let s = &loaded.series;
        assert_eq!(s.len(), *rows, "{file}: rows");
        let day = |ts: i64| {
            chrono::DateTime::from_timestamp(ts, 0)
                .expect("timestamp")
                .format("%Y-%m-%d")
                .to_string()
        };
        assert_eq!(&day(s.timestamps()[0]), first, "{file}: first date");
        assert_eq!(&day(s.timestamps()[s.len() - 1]), last, "{file}: last date");
    }
}
