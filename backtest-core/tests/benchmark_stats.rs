//! Benchmark statistics against an independent pandas/numpy computation
//! (`scripts/golden/benchmark_stats.py`, golden file
//! `tests/data/benchmark_stats.json`): strategy equity curves from the peer
//! golden files, benchmark closes from real data read in place and from the
//! files shipped in `data/` (a different ticker as benchmark: AAPL against
//! SPY and the S&P 500 index).

use std::path::PathBuf;

use backtest_core::stats::benchmark_stats;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}); the repository must be checked out with `shared` beside it",
            path.display()
        )
    })
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian).
fn day(date: &str) -> i64 {
    let y: i64 = date[0..4].parse().expect("year");
    let m: i64 = date[5..7].parse().expect("month");
    let d: i64 = date[8..10].parse().expect("day");
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(timestamps, values)` of the named column (any header case), sorted by
/// date.
fn column(text: &str, name: &str) -> (Vec<i64>, Vec<f64>) {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = header
        .iter()
        .position(|h| h.eq_ignore_ascii_case(name))
        .expect("column");
    let mut rows: Vec<(i64, f64)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (day(f[0]) * 86_400, f[col].parse().expect("number"))
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    rows.into_iter().unzip()
}

#[test]
fn benchmark_statistics_match_pandas() {
    let golden: Value = serde_json::from_str(&read(
        root().join("backtest-core/tests/data/benchmark_stats.json"),
    ))
    .expect("json");
    let cases = golden["cases"].as_object().expect("cases");
    assert!(cases.len() >= 6);
    assert!(
        cases.values().any(|c| c["benchmark"]
            .as_str()
            .is_some_and(|b| b.starts_with("data/"))),
        "a shipped file as benchmark"
    );
    for (name, case) in cases {
        let (ts, equity) = column(
            &read(root().join(case["strategy_equity"].as_str().expect("path"))),
            "equity",
        );
        let (bts, close) = column(
            &read(root().join(case["benchmark"].as_str().expect("path"))),
            "Close",
        );
        let got = benchmark_stats(&ts, &equity, &bts, &close, 252.0);
        assert_eq!(
            got.common_bars as u64,
            case["common_dates"].as_u64().expect("n"),
            "{name}"
        );
        for (field, value) in [
            ("beta", got.beta),
            ("correlation", got.correlation),
            ("alpha_pct", got.alpha_pct),
            ("information_ratio", got.information_ratio),
            ("tracking_error_pct", got.tracking_error_pct),
            ("excess_return_pct", got.excess_return_pct),
            ("benchmark_return_pct", got.benchmark_return_pct),
        ] {
            let want = case[field].as_f64().expect("golden value");
            let v = value.unwrap_or_else(|| panic!("{name}: {field} is None"));
            assert!(
                (v - want).abs() <= 1e-9 * want.abs().max(1.0),
                "{name}: {field} {v} vs {want}"
            );
        }
    }
}
