//! The request's `benchmark` through the whole pipeline, against the
//! independent pandas computation of `scripts/golden/benchmark_stats.py`
//! (golden file `backtest-core/tests/data/benchmark_stats.json`).
//!
//! The golden strategy curves are backtesting.py's equity on AAPL
//! (`../shared/data/yf_autoadj_2005_2025/AAPL.csv`, read in place); the
//! pipeline runs the same rule and settings on that file (the core's peer
//! test shows the equity curves agree bar for bar) with a different shipped
//! ticker as `benchmark`, so the statistics must agree with pandas' on the
//! dates both series have. The peer leaves its last SMA-cross position open
//! where the engine closes it (one fee apart on the last bar), which is why
//! that case's benchmark is SPY, whose shipped file ends in 2021.

use std::path::PathBuf;

use backtest_adapter::contract::{BacktestRequest, BacktestResult, Metrics};
use backtest_adapter::data::DataDir;
use backtest_adapter::pipeline::{run_backtest, run_backtest_in, run_backtest_with};
use backtest_core::Timeframe;
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn shipped() -> DataDir {
    DataDir::new(root().join("data"))
}

/// AAPL as the peers saw it (read in place beside the repository).
fn peer_aapl() -> DataDir {
    DataDir::new(root().join("../shared/data/yf_autoadj_2005_2025"))
}

fn golden(case: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let path = root().join("backtest-core/tests/data/benchmark_stats.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let all: Value = serde_json::from_str(&text)?;
    Ok(all["cases"][case].clone())
}

/// The peers' settings (scripts/golden/peers.py): all in, 0.1 % per side.
fn request(
    rule: &str,
    benchmark: Option<&str>,
) -> Result<BacktestRequest, Box<dyn std::error::Error>> {
    let (rule_type, params) = match rule {
        "sma_cross" => ("MA_CROSS", r#"{"fast": 10, "slow": 30, "kind": "sma"}"#),
        _ => ("RSI", r#"{"period": 14, "oversold": 30, "overbought": 70}"#),
    };
    let mut req = BacktestRequest::from_json(&format!(
        r#"{{"ticker": "AAPL", "rule_type": "{rule_type}", "params": {params},
            "size_type": "percent", "position_size": 100, "fee_rate": 0.001, "charts": false}}"#
    ))?;
    req.benchmark = benchmark.map(str::to_owned);
    Ok(req)
}

fn assert_stats(name: &str, m: &Metrics, case: &Value) {
    for (field, value) in [
        ("beta", m.beta),
        ("correlation", m.correlation),
        ("alpha_pct", m.alpha_pct),
        ("information_ratio", m.information_ratio),
        ("tracking_error_pct", m.tracking_error_pct),
        ("excess_return_pct", m.excess_return_pct),
        ("benchmark_return_pct", m.benchmark_return_pct),
    ] {
        let want = case[field]
            .as_f64()
            .unwrap_or_else(|| panic!("{name}: golden {field}"));
        let got = value.unwrap_or_else(|| panic!("{name}: {field} is null"));
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{name}: {field} {got} vs pandas {want}"
        );
    }
}

/// The benchmark curve starts at the initial capital on the first common
/// date and ends at the benchmark's return on the last.
fn assert_curve(name: &str, result: &BacktestResult, case: &Value) {
    let curve = &result.benchmark_curve;
    assert_eq!(
        curve.len() as u64,
        case["common_dates"].as_u64().unwrap_or_default(),
        "{name}: one point per common date"
    );
    let (first, last) = (&curve[0], &curve[curve.len() - 1]);
    assert_eq!(
        Some(first.date.as_str()),
        case["first_common_date"].as_str(),
        "{name}"
    );
    assert_eq!(
        Some(last.date.as_str()),
        case["last_common_date"].as_str(),
        "{name}"
    );
    assert_eq!(first.equity, 100_000.0, "{name}");
    let ret = case["benchmark_return_pct"].as_f64().unwrap_or_default();
    let want = 100_000.0 * (1.0 + ret / 100.0);
    assert!(
        (last.equity - want).abs() <= 1e-9 * want,
        "{name}: last benchmark value {} vs {want}",
        last.equity
    );
}

#[test]
fn aapl_against_shipped_benchmarks_matches_pandas() -> TestResult {
    let aapl = peer_aapl().load("AAPL", Timeframe::Day1)?;
    for (rule, bench, case_name) in [
        ("sma_cross", "SPY", "sma_cross_AAPL_vs_shipped_SPY"),
        ("rsi", "^GSPC", "rsi_AAPL_vs_shipped_GSPC"),
    ] {
        let case = golden(case_name)?;
        assert_eq!(
            case["benchmark"].as_str(),
            Some(format!("data/{bench}.csv").as_str())
        );
        let bench_data = shipped().load(bench, Timeframe::Day1)?;
        let result = run_backtest_with(&request(rule, Some(bench))?, &aapl, Some(&bench_data))?;
        assert_eq!(result.benchmark, bench);
        assert_stats(case_name, result.metrics.as_ref().ok_or("metrics")?, &case);
        assert_curve(case_name, &result, &case);
        // Both benchmarks end before AAPL's data does.
        assert!(
            result
                .warnings
                .iter()
                .any(|w| w.starts_with(&format!("benchmark {bench} "))),
            "{case_name}: partial coverage is a warning: {:?}",
            result.warnings
        );
    }
    Ok(())
}

#[test]
fn default_benchmark_is_the_run_itself() -> TestResult {
    let aapl = peer_aapl().load("AAPL", Timeframe::Day1)?;
    let case = golden("rsi_AAPL_vs_AAPL")?;
    let default = run_backtest(&request("rsi", None)?, &aapl)?;
    assert_eq!(default.benchmark, "AAPL");
    assert_stats(
        "rsi_AAPL_vs_AAPL",
        default.metrics.as_ref().ok_or("metrics")?,
        &case,
    );
    assert_curve("rsi_AAPL_vs_AAPL", &default, &case);
    // Naming the run's own ticker is the default, not a second file.
    let named = run_backtest(&request("rsi", Some("aapl"))?, &aapl)?;
    assert_eq!(named.to_json()?, default.to_json()?);
    Ok(())
}

#[test]
fn benchmark_errors_name_the_field() -> TestResult {
    let field = |req: &BacktestRequest| match run_backtest_in(req, &shipped()) {
        Ok(_) => format!("{:?} accepted", req.benchmark),
        Err(e) => format!("{}: {}", e.field().unwrap_or("-"), e.is_user_error()),
    };
    let mut req = BacktestRequest::new("AAPL");
    req.charts = false;
    for bad in ["NOPE", "../etc/passwd", "", "EURUSD"] {
        // EURUSD has hourly bars only; the run is daily.
        req.benchmark = Some(bad.to_owned());
        assert_eq!(field(&req), "benchmark: true", "{bad:?}");
    }
    // SPY's shipped file ends in August 2021: no common bar.
    req.benchmark = Some("SPY".into());
    req.start_date = Some("2022-01-01".into());
    assert_eq!(field(&req), "benchmark: true");
    // The data of a named benchmark must be given.
    let aapl = shipped().load("AAPL", Timeframe::Day1)?;
    let err = run_backtest(&req, &aapl).err().ok_or("accepted")?;
    assert_eq!(err.field(), Some("benchmark"));
    req.start_date = Some("2020-01-01".into());
    let result = run_backtest_in(&req, &shipped())?;
    assert_eq!(result.benchmark, "SPY");
    assert!(!result.benchmark_curve.is_empty());
    Ok(())
}
