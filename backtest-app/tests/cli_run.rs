//! `backtest run --benchmark FILE` as users run it: the benchmark statistics
//! are those of the library against the same file, a stop-loss shows in the
//! trades' exit reasons, and a benchmark without common dates is named.

use std::path::PathBuf;
use std::process::{Command, Output};

use backtest_adapter::contract::BacktestRequest;
use backtest_adapter::data::load_csv;
use backtest_adapter::pipeline::run_backtest_with;
use serde_json::Value;

fn data(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../data")
        .join(file)
}

fn run(extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backtest"))
        .arg("run")
        .arg("--data")
        .arg(data("AAPL.csv"))
        .args(["--rule", "RSI", "--no-charts"])
        .args(["--start", "2015-01-01", "--end", "2019-12-31"])
        .args(extra)
        .output()
        .expect("the binary runs")
}

#[test]
fn benchmark_file_drives_the_benchmark_statistics() {
    let spy = data("SPY.csv");
    let spy = spy.to_str().expect("UTF-8 path");
    let out = run(&["--benchmark", spy, "--stop-loss-pct", "3"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(result["benchmark"], "SPY");
    assert!(
        result["trades"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["exit_reason"] == "stop_loss")),
        "a 3 % stop-loss exits some RSI trades on AAPL 2015-2019"
    );

    let mut request = BacktestRequest::new("AAPL");
    request.start_date = Some("2015-01-01".into());
    request.end_date = Some("2019-12-31".into());
    request.stop_loss_pct = Some(3.0);
    request.charts = false;
    request.benchmark = Some("SPY".into());
    let library = run_backtest_with(
        &request,
        &load_csv(data("AAPL.csv")).expect("AAPL"),
        Some(&load_csv(data("SPY.csv")).expect("SPY")),
    )
    .expect("runs");
    let library: Value = serde_json::from_str(&library.to_json().expect("JSON")).expect("JSON");
    for key in ["metrics", "benchmark_curve", "trades"] {
        assert_eq!(result[key], library[key], "{key}");
    }
    // Against its own ticker (the default) the statistics differ.
    let own: Value = serde_json::from_slice(&run(&["--stop-loss-pct", "3"]).stdout).expect("JSON");
    assert_eq!(own["benchmark"], "AAPL");
    assert_ne!(own["metrics"]["beta"], result["metrics"]["beta"]);
}

#[test]
fn benchmark_without_common_dates_is_named() {
    // EURUSD has hourly bars: another timeframe than the daily run.
    let eurusd = data("EURUSD_1h.csv");
    let out = run(&["--benchmark", eurusd.to_str().expect("UTF-8 path")]);
    assert_eq!(out.status.code(), Some(2), "bad input exits 2");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("benchmark"), "{stderr}");
    let out = run(&["--benchmark", "/nonexistent/SPY.csv"]);
    assert_eq!(out.status.code(), Some(2));
}
