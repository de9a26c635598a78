//! Shared by the integration tests that read real files: the golden files
//! under `tests/data/` and the market data read in place from `shared/data`.

#![allow(dead_code, reason = "each test binary uses a subset")]

use std::path::PathBuf;

use backtest_core::OhlcvSeries;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A reference file's text; a missing file fails with how to get it.
pub fn read_reference(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "reference file {} is missing ({e}); the repository must be checked out with `shared` beside it",
            path.display()
        )
    })
}

/// Reads a real daily file from beside the repository (`relative` to its
/// parent, e.g. `shared/data/...`) by header names (any case, any column
/// order; the date is the first column, named or not). Bars are stamped one
/// day apart; the dates come back as `YYYY-MM-DD`.
pub fn load_shared_bars(relative: &str) -> (Vec<String>, OhlcvSeries) {
    let text = read_reference(repo_root().join("..").join(relative));
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let idx = [
        col("open"),
        col("high"),
        col("low"),
        col("close"),
        col("volume"),
    ];
    let mut dates = Vec::new();
    let mut cols: [Vec<f64>; 5] = Default::default();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        dates.push(fields[0][..10].to_owned());
        for (c, &i) in cols.iter_mut().zip(&idx) {
            c.push(fields[i].parse().expect("numeric field"));
        }
    }
    let n = dates.len() as i64;
    let [open, high, low, close, volume] = cols;
    let series = OhlcvSeries::new(
        (0..n).map(|d| d * 86_400).collect(),
        open,
        high,
        low,
        close,
        volume,
    )
    .expect("valid series");
    (dates, series)
}
