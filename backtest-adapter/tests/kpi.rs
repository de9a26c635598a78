//! KPIs: hand-computed values on small series, and golden numbers from an
//! independent pandas/numpy computation (`scripts/golden/kpis.py`) on runs
//! over the shipped demo data.
//!
//! Regenerate the golden file after changing a definition:
//!
//! ```text
//! cargo run -p backtest-adapter --example kpi_input
//! .venv/bin/python scripts/golden/kpis.py
//! ```

use std::path::Path;

use backtest_adapter::contract::Metrics;
use backtest_adapter::derive::kpi::{self, KpiInput};
use backtest_adapter::derive::{drawdown_curve, drawdown_periods};
use backtest_core::engine::{self, ExitReason, Side, Trade, TradingSettings};
use backtest_core::{EngineMetrics, OhlcvSeries, Signal};
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const DAY: i64 = 86_400;

fn close_to(a: f64, b: f64, rel: f64) -> bool {
    a == b || (a - b).abs() <= rel * a.abs().max(b.abs())
}

fn trade(pnl_abs: f64, pnl_pct: f64) -> Trade {
    Trade {
        side: Side::Long,
        size: 1.0,
        entry_index: 0,
        entry_price: 1.0,
        entry_fee: 0.0,
        exit_index: 0,
        exit_price: 1.0,
        exit_fee: 0.0,
        pnl_abs,
        pnl_pct,
        closed_at_end: false,
        exit_reason: ExitReason::Signal,
        mae_pct: 0.0,
        mfe_pct: 0.0,
        bars_held: 0,
    }
}

#[test]
fn cagr_on_a_known_series() {
    // 100 -> 121 over exactly two 365.25-day years: 10 % a year.
    let ts = [0, 2 * 36_525 * DAY / 100];
    let years = kpi::years_between(&ts);
    assert!(close_to(years, 2.0, 1e-15));
    let c = kpi::cagr(100.0, 121.0, years).unwrap_or(f64::NAN);
    assert!(close_to(c, 10.0, 1e-12), "{c}");
    // Half a year of +5 %: (1.05^2 - 1) * 100 = 10.25 %.
    let c = kpi::cagr(100.0, 105.0, 0.5).unwrap_or(f64::NAN);
    assert!(close_to(c, 10.25, 1e-12), "{c}");
    assert_eq!(kpi::cagr(100.0, 121.0, 0.0), None);
    assert_eq!(kpi::cagr(100.0, 0.0, 1.0), None);
}

#[test]
fn drawdown_on_a_known_series() {
    let equity = [100.0, 120.0, 90.0, 120.0, 130.0, 117.0, 104.0, 140.0];
    let dd = drawdown_curve(&equity);
    let expected = [0.0, 0.0, -25.0, 0.0, 0.0, -10.0, -20.0, 0.0];
    for (got, want) in dd.iter().zip(expected) {
        assert!((got - want).abs() < 1e-12, "{dd:?}");
    }
    assert!(dd.iter().all(|&d| d <= 0.0));
    // Daily bars 0..7: periods 1 -> 3 (2 days) and 4 -> 7 (3 days).
    let ts: Vec<i64> = (0..8).map(|d| d * DAY).collect();
    let periods = drawdown_periods(&ts, &equity);
    let durations: Vec<f64> = periods.iter().map(|p| p.duration_days).collect();
    assert_eq!(durations, [2.0, 3.0]);
    assert!((periods[1].depth_pct - 20.0).abs() < 1e-12);
}

#[test]
fn trade_statistics_by_hand() {
    let pnl = [100.0, -50.0, 200.0, -50.0];
    assert_eq!(kpi::win_rate(&pnl), Some(50.0));
    // mean 50, sample std sqrt((50^2 + 100^2 + 150^2 + 100^2) / 3) = sqrt(15000)
    let sqn = kpi::sqn(&pnl).unwrap_or(f64::NAN);
    assert!(close_to(sqn, 2.0 * 50.0 / 15_000f64.sqrt(), 1e-14), "{sqn}");
    assert_eq!(kpi::sqn(&[10.0]), None);
    assert_eq!(kpi::sqn(&[10.0, 10.0]), None);
    assert_eq!(kpi::win_rate(&[]), None);
    assert_eq!(kpi::exposure_pct(&[0.0, 5.0, -5.0, 0.0]), 50.0);
    assert_eq!(kpi::buy_hold_return_pct(&[50.0, 70.0, 75.0]), Some(50.0));
}

#[test]
fn volatility_and_sortino_by_hand() {
    // returns +10 %, -10 %: mean 0, sample std = sqrt(0.02) ...
    let r = [0.1, -0.1];
    let vol = kpi::volatility(&r, 252.0).unwrap_or(f64::NAN);
    assert!(close_to(vol, 0.02f64.sqrt() * 252f64.sqrt() * 100.0, 1e-14));
    // ... and downside deviation sqrt(0.01^2 / 2).
    let r = [0.03, -0.01];
    let s = kpi::sortino(&r, 252.0).unwrap_or(f64::NAN);
    assert!(
        close_to(s, 0.01 / 0.000_05f64.sqrt() * 252f64.sqrt(), 1e-12),
        "{s}"
    );
    assert_eq!(kpi::sortino(&[0.01, 0.02], 252.0), None);
    assert_eq!(kpi::calmar(Some(10.0), 20.0), Some(0.5));
    assert_eq!(kpi::calmar(Some(10.0), 0.0), None);
}

#[test]
fn all_kpis_of_a_tiny_engine_run() -> TestResult {
    // Buy 100 shares at bar 1's open (10), sell at bar 4's open (12), no fees.
    let close = vec![10.0, 10.0, 11.0, 12.0, 12.0];
    let ts: Vec<i64> = (0..5).map(|d| d * DAY).collect();
    let series = OhlcvSeries::new(
        ts.clone(),
        close.clone(),
        close.clone(),
        close.clone(),
        close.clone(),
        vec![1e6; 5],
    )?;
    let signals = [
        Signal::Buy,
        Signal::Hold,
        Signal::Hold,
        Signal::Sell,
        Signal::Hold,
    ];
    let settings = TradingSettings::default()
        .with_fee_rate(0.0)
        .with_position_size(1_000.0);
    let out = engine::run_signals(&series, &signals, &settings)?;
    assert_eq!(
        out.equity,
        [100_000.0, 100_000.0, 100_100.0, 100_200.0, 100_200.0]
    );
    let m = kpi::compute(&KpiInput {
        timestamps: &ts,
        close: &close,
        equity: &out.equity,
        position: &out.position,
        trades: &out.trades,
        initial_capital: 100_000.0,
        bars_per_year: 252.0,
        engine: out.metrics,
    });
    assert!(close_to(m.total_return_pct, 0.2, 1e-12));
    assert_eq!(m.num_trades, 1);
    assert_eq!(m.exposure_pct, 60.0);
    assert_eq!(m.win_rate, Some(100.0));
    assert_eq!(m.expectancy, Some(200.0));
    assert_eq!(m.avg_trade_return, Some(20.0));
    assert_eq!(
        (m.best_trade_pct, m.worst_trade_pct),
        (Some(20.0), Some(20.0))
    );
    assert_eq!(m.profit_factor, None, "no losing trade");
    assert_eq!(m.sqn, None, "one trade");
    assert_eq!(m.sortino, None, "no negative return");
    assert_eq!(m.calmar, None, "no drawdown");
    assert_eq!(m.avg_drawdown_duration_days, None);
    assert_eq!(m.max_drawdown_duration_days, 0.0);
    assert!(close_to(m.buy_hold_return_pct, 20.0, 1e-12));
    // 4 days = 4 / 365.25 years.
    let expected_cagr = (1.002f64.powf(365.25 / 4.0) - 1.0) * 100.0;
    assert!(close_to(m.cagr.unwrap_or(f64::NAN), expected_cagr, 1e-12));
    Ok(())
}

#[test]
fn kpis_of_no_bars_and_no_trades_are_null_not_nan() -> TestResult {
    let m = kpi::compute(&KpiInput {
        timestamps: &[0],
        close: &[10.0],
        equity: &[100.0],
        position: &[0.0],
        trades: &[],
        initial_capital: 100.0,
        bars_per_year: 252.0,
        engine: EngineMetrics {
            total_return_pct: 0.0,
            sharpe_ratio: None,
            max_drawdown_pct: 0.0,
            num_trades: 0,
            profit_factor: None,
        },
    });
    let json = serde_json::to_value(m)?;
    for key in [
        "cagr",
        "volatility",
        "win_rate",
        "avg_trade_return",
        "sortino",
        "sqn",
    ] {
        assert!(json[key].is_null(), "{key}: {}", json[key]);
    }
    Ok(())
}

fn read_case(dir: &Path, case: &str) -> Result<Metrics, Box<dyn std::error::Error>> {
    let bars = std::fs::read_to_string(dir.join(format!("{case}.bars.csv")))?;
    let (mut ts, mut close, mut equity, mut position) = (vec![], vec![], vec![], vec![]);
    for line in bars.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        ts.push(cells[0].parse::<i64>()?);
        close.push(cells[1].parse::<f64>()?);
        equity.push(cells[2].parse::<f64>()?);
        position.push(cells[3].parse::<f64>()?);
    }
    let trades_text = std::fs::read_to_string(dir.join(format!("{case}.trades.csv")))?;
    let mut trades = Vec::new();
    for line in trades_text.lines().skip(1) {
        let (a, p) = line.split_once(',').ok_or("trade line")?;
        trades.push(trade(a.parse()?, p.parse()?));
    }
    let meta: Value = serde_json::from_str(&std::fs::read_to_string(
        dir.join(format!("{case}.meta.json")),
    )?)?;
    let engine: EngineMetrics = serde_json::from_value(meta["engine"].clone())?;
    Ok(kpi::compute(&KpiInput {
        timestamps: &ts,
        close: &close,
        equity: &equity,
        position: &position,
        trades: &trades,
        initial_capital: meta["initial_capital"].as_f64().ok_or("initial_capital")?,
        bars_per_year: meta["bars_per_year"].as_f64().ok_or("bars_per_year")?,
        engine,
    }))
}

#[test]
fn kpis_match_the_independent_python_computation() -> TestResult {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("kpis_golden.json"))?)?;
    let cases = golden.as_object().ok_or("golden is an object")?;
    assert!(cases.len() >= 3);
    let mut failures = Vec::new();
    for (case, expected) in cases {
        let got = serde_json::to_value(read_case(&data.join("kpi_input"), case)?)?;
        let expected = expected.as_object().ok_or("case is an object")?;
        // Benchmark statistics have their own pandas golden file
        // (backtest-core/tests/benchmark_stats.rs).
        let benchmark_keys = [
            "alpha_pct",
            "benchmark_return_pct",
            "beta",
            "correlation",
            "excess_return_pct",
            "information_ratio",
            "tracking_error_pct",
        ];
        let got_keys: Vec<&String> = got
            .as_object()
            .ok_or("metrics")?
            .keys()
            .filter(|k| !benchmark_keys.contains(&k.as_str()))
            .collect();
        assert_eq!(
            got_keys,
            expected.keys().collect::<Vec<_>>(),
            "{case}: KPI set"
        );
        for (key, want) in expected {
            let ok = match (got[key].as_f64(), want.as_f64()) {
                (Some(g), Some(w)) => close_to(g, w, 1e-9),
                (None, None) => got[key].is_null() && want.is_null(),
                _ => false,
            };
            if !ok {
                failures.push(format!("{case}.{key}: got {}, golden {want}", got[key]));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}
