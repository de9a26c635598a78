//! Indicators equal TA-Lib's on real daily bars.
//!
//! Golden columns come from `scripts/golden/talib_indicators.py` (the PyPI
//! `TA-Lib` package) and live in `tests/data/talib/`. The source bars are
//! read in place from `../shared/data` beside the repository (they may not
//! be copied into it); a missing file fails the test with its path.
//!
//! Every (source file, indicator column) pair is one case. A case passes
//! when, on every bar,
//! - TA-Lib's value is undefined (empty cell) exactly where ours is `NaN`
//!   (so the warm-up lengths agree), and
//! - otherwise `|ours - talib| <= 1e-6 * max(1, |talib|)`.
//!
//! There are no deliberate differences from TA-Lib in these columns. The
//! `vwap` column is not TA-Lib's (it has no VWAP) but an independent pandas
//! computation made by the same script.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use backtest_core::indicators::{
    adx, atr, bollinger, ema, macd, obv, rolling_max, rolling_min, rolling_std, rsi, sma,
    stochastic, vwap,
};

/// Relative tolerance (absolute below 1).
const TOLERANCE: f64 = 1e-6;

/// Header of `backtest indicators`; the golden files start with it.
const CLI_HEADER: &str = "date,sma_20,ema_20,rsi_14,macd,macd_signal,macd_hist,bb_upper,bb_middle,bb_lower,atr_14,stoch_k,stoch_d,adx_14,obv,vwap";

/// (source bars under `../shared/data`, golden file under `tests/data/talib`).
const SOURCES: &[(&str, &str)] = &[
    (
        "yf_autoadj_2005_2025/AAPL.csv",
        "yf_autoadj_2005_2025_AAPL.csv",
    ),
    ("yahoo_2015_2019/SPY.csv", "yahoo_2015_2019_SPY.csv"),
    ("backtesting-0.6.6/GOOG.csv", "backtesting-0.6.6_GOOG.csv"),
];

type Compute = fn(&Bars) -> Vec<f64>;

/// Golden column name and how we compute it.
const INDICATORS: &[(&str, Compute)] = &[
    ("sma_20", |b| sma(&b.close, 20)),
    ("ema_20", |b| ema(&b.close, 20)),
    ("rsi_14", |b| rsi(&b.close, 14)),
    ("macd", |b| macd(&b.close, 12, 26, 9).macd),
    ("macd_signal", |b| macd(&b.close, 12, 26, 9).signal),
    ("macd_hist", |b| macd(&b.close, 12, 26, 9).hist),
    ("bb_upper", |b| bollinger(&b.close, 20, 2.0).upper),
    ("bb_middle", |b| bollinger(&b.close, 20, 2.0).middle),
    ("bb_lower", |b| bollinger(&b.close, 20, 2.0).lower),
    ("atr_14", |b| atr(&b.high, &b.low, &b.close, 14)),
    ("stoch_k", |b| {
        stochastic(&b.high, &b.low, &b.close, 14, 3, 3).k
    }),
    ("stoch_d", |b| {
        stochastic(&b.high, &b.low, &b.close, 14, 3, 3).d
    }),
    ("adx_14", |b| adx(&b.high, &b.low, &b.close, 14)),
    ("obv", |b| obv(&b.close, &b.volume)),
    ("vwap", |b| vwap(&b.high, &b.low, &b.close, &b.volume)),
    ("stddev_20", |b| rolling_std(&b.close, 20)),
    ("max_high_20", |b| rolling_max(&b.high, 20)),
    ("min_low_20", |b| rolling_min(&b.low, 20)),
];

#[derive(Debug, Default)]
struct Bars {
    dates: Vec<String>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
}

/// A parsed CSV: header names and rows of raw cells.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Minimal CSV reader for the plain files used here: no quoting, one
    /// record per line, `\n` or `\r\n` line ends.
    fn read(path: &Path) -> Table {
        let text = fs::read_to_string(path).unwrap_or_else(|e| {
            panic!(
                "cannot read {} ({e}); the TA-Lib reference test needs it",
                path.display()
            )
        });
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let split = |line: &str| {
            line.split(',')
                .map(|c| c.trim().to_owned())
                .collect::<Vec<_>>()
        };
        let header = split(
            lines
                .next()
                .unwrap_or_else(|| panic!("{} is empty", path.display())),
        );
        let rows: Vec<Vec<String>> = lines.map(split).collect();
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(
                row.len(),
                header.len(),
                "{} row {}: wrong cell count",
                path.display(),
                i + 2
            );
        }
        Table { header, rows }
    }

    fn column_index(&self, name: &str, path: &Path) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| {
                panic!(
                    "{}: no column {name:?} in {:?}",
                    path.display(),
                    self.header
                )
            })
    }

    /// Cells of a column as floats; an empty cell is `NaN` (undefined).
    fn floats(&self, name: &str, path: &Path) -> Vec<f64> {
        let col = self.column_index(name, path);
        self.rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let cell = &row[col];
                if cell.is_empty() {
                    f64::NAN
                } else {
                    cell.parse().unwrap_or_else(|e| {
                        panic!(
                            "{} row {} column {name}: {cell:?} is not a number ({e})",
                            path.display(),
                            i + 2
                        )
                    })
                }
            })
            .collect()
    }

    fn first_column(&self) -> Vec<String> {
        self.rows.iter().map(|r| r[0].clone()).collect()
    }
}

fn shared_data(relative: &str) -> PathBuf {
    // The repository root is the parent of this crate; `shared` sits beside it.
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(relative);
    assert!(
        path.is_file(),
        "missing market data file ../shared/data/{relative} (looked at {}); \
         the TA-Lib reference test reads it in place from the shared data folder beside the repository",
        path.display()
    );
    path
}

fn golden(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/talib")
        .join(name);
    assert!(
        path.is_file(),
        "missing golden file {} (regenerate with scripts/golden/talib_indicators.py)",
        path.display()
    );
    path
}

/// Bars of a Yahoo-style file: date in the first column (named `Date` or
/// unnamed), the other columns found by name in any order.
fn load_bars(path: &Path) -> Bars {
    let table = Table::read(path);
    Bars {
        dates: table.first_column(),
        high: table.floats("High", path),
        low: table.floats("Low", path),
        close: table.floats("Close", path),
        volume: table.floats("Volume", path),
    }
}

/// Compares one column; returns a description of every problem (at most a
/// few bars listed) and the largest scaled difference seen.
fn compare(ours: &[f64], talib: &[f64], dates: &[String]) -> (Vec<String>, f64) {
    let mut problems = Vec::new();
    let mut worst = 0.0_f64;
    if ours.len() != talib.len() {
        problems.push(format!("length {} != {}", ours.len(), talib.len()));
        return (problems, worst);
    }
    for (i, (&a, &b)) in ours.iter().zip(talib).enumerate() {
        let problem = match (a.is_nan(), b.is_nan()) {
            (true, true) => None,
            (false, true) => Some(format!("defined ({a}) where TA-Lib is undefined")),
            (true, false) => Some(format!("undefined where TA-Lib is {b}")),
            (false, false) => {
                let scaled = (a - b).abs() / b.abs().max(1.0);
                worst = worst.max(scaled);
                if scaled <= TOLERANCE {
                    None
                } else {
                    Some(format!("{a} vs TA-Lib {b} (scaled diff {scaled:e})"))
                }
            }
        };
        if let Some(p) = problem {
            if problems.len() < 5 {
                problems.push(format!("bar {i} ({}): {p}", dates[i]));
            } else {
                problems.push(String::from("..."));
                break;
            }
        }
    }
    (problems, worst)
}

fn check_source(index: usize) {
    let (source, golden_name) = SOURCES[index];
    let bars = load_bars(&shared_data(source));
    let golden_path = golden(golden_name);
    let expected = Table::read(&golden_path);

    assert!(
        expected.header.join(",").starts_with(CLI_HEADER),
        "{golden_name}: header does not start with the CLI indicator header"
    );
    assert_eq!(
        expected.first_column(),
        bars.dates,
        "{golden_name}: dates differ from {source}"
    );

    let mut report = String::new();
    let mut failed = false;
    for &(column, compute) in INDICATORS {
        let ours = compute(&bars);
        let talib = expected.floats(column, &golden_path);
        let (problems, worst) = compare(&ours, &talib, &bars.dates);
        let defined = talib.iter().filter(|v| !v.is_nan()).count();
        let _ = writeln!(
            report,
            "{source:32} {column:12} {defined:5} defined  max scaled diff {worst:.2e}  {}",
            if problems.is_empty() { "ok" } else { "FAIL" }
        );
        for p in &problems {
            let _ = writeln!(report, "    {p}");
        }
        failed |= !problems.is_empty();
    }
    println!("{report}");
    assert!(
        !failed,
        "indicators differ from TA-Lib on {source}:\n{report}"
    );
}

#[test]
fn every_indicator_matches_talib_on_aapl_2005_2025() {
    check_source(0);
}

#[test]
fn every_indicator_matches_talib_on_spy_2015_2019() {
    check_source(1);
}

#[test]
fn every_indicator_matches_talib_on_goog_2004_2013() {
    check_source(2);
}

#[test]
fn every_indicator_has_a_golden_column() {
    let expected = Table::read(&golden(SOURCES[0].1));
    let names: Vec<&str> = INDICATORS.iter().map(|(name, _)| *name).collect();
    let golden_columns: Vec<&str> = expected.header[1..].iter().map(String::as_str).collect();
    assert_eq!(
        names, golden_columns,
        "the case table and the golden files list different columns"
    );
}
