//! The whole pipeline on the demo data `data/GOOG.csv`.

use backtest_adapter::contract::{BacktestRequest, BacktestResult, RunStatus};
use backtest_adapter::data::{load_csv, DataDir, LoadedData};
use backtest_adapter::pipeline::{run_backtest, run_backtest_in, RunError};
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn repo_data() -> DataDir {
    DataDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../data"))
}

fn goog() -> Result<LoadedData, Box<dyn std::error::Error>> {
    Ok(load_csv(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/GOOG.csv"
    ))?)
}

fn rsi_request(charts: bool) -> Result<BacktestRequest, Box<dyn std::error::Error>> {
    let mut req = BacktestRequest::from_json(
        r#"{"run_id": "0b7e7c1e-5d1f-4c3e-9a57-3f3c2f1a9e10", "ticker": "GOOG",
            "rule_type": "RSI", "params": {"period": 14, "oversold": 30, "overbought": 70},
            "start_date": "2006-01-01", "end_date": "2012-12-31",
            "size_type": "percent", "position_size": 50}"#,
    )?;
    req.charts = charts;
    Ok(req)
}

fn contains_non_finite(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.as_f64().is_some_and(|f| !f.is_finite()),
        Value::Array(a) => a.iter().any(contains_non_finite),
        Value::Object(o) => o.values().any(contains_non_finite),
        _ => false,
    }
}

fn check_completed(result: &BacktestResult) -> TestResult {
    assert_eq!(result.status, RunStatus::Completed);
    assert!(result.error_message.is_none());
    assert!(!result.trades.is_empty(), "RSI on GOOG 2006-2012 trades");
    for t in &result.trades {
        assert!(t.entry_timestamp.ends_with("T21:00:00+00:00"), "{t:?}");
        assert!(t.exit_timestamp.ends_with("T21:00:00+00:00"), "{t:?}");
        assert!(t.holding_period >= 0.0);
        assert_eq!(t.side, "BUY");
    }
    assert_eq!(result.equity_curve.len() as u64, result.bars);
    assert_eq!(result.drawdown_curve.len() as u64, result.bars);
    assert_eq!(result.portfolio_curve.len() as u64, result.bars);
    assert_eq!(result.price_candles.len() as u64, result.bars);
    assert_eq!(
        result.equity_curve[0].date.len(),
        10,
        "daily dates are YYYY-MM-DD"
    );
    assert_eq!(result.start_date.as_deref(), Some("2006-01-03"));
    assert_eq!(result.rule_id.as_deref(), Some("RSI_14_30_70"));
    assert_eq!(result.signals.len(), result.trades.len() * 2);
    let m = result.metrics.as_ref().ok_or("metrics")?;
    assert_eq!(m.num_trades as usize, result.trades.len());
    let json: Value = serde_json::from_str(&result.to_json()?)?;
    assert!(!contains_non_finite(&json));
    let text = result.to_json()?;
    for token in [":NaN", ":inf", ":-inf", ":Infinity", ":-Infinity"] {
        assert!(!text.contains(token), "{token} in the JSON");
    }
    Ok(())
}

#[test]
fn rsi_on_goog_without_charts() -> TestResult {
    let result = run_backtest(&rsi_request(false)?, &goog()?)?;
    check_completed(&result)?;
    assert!(result.chart_base64.is_none());
    assert!(result.charts.trade_pnl_base64.is_none());
    let json: Value = serde_json::from_str(&result.to_json()?)?;
    assert!(json["charts"].is_object() && json["charts"]["candles_base64"].is_null());
    assert!(json.get("chart_base64").is_some());
    Ok(())
}

#[test]
fn rsi_on_goog_with_charts_is_byte_identical_twice() -> TestResult {
    let req = rsi_request(true)?;
    let first = run_backtest_in(&req, &repo_data())?;
    check_completed(&first)?;
    let second = run_backtest_in(&req, &repo_data())?;
    assert_eq!(first.to_json()?, second.to_json()?);
    for uri in [
        first.chart_base64.as_deref(),
        first.charts.drawdown_curve_base64.as_deref(),
        first.charts.portfolio_orders_base64.as_deref(),
        first.charts.trade_pnl_base64.as_deref(),
        first.charts.cumulative_return_base64.as_deref(),
        first.charts.candles_base64.as_deref(),
    ] {
        assert!(uri.is_some_and(|u| u.starts_with("data:image/png;base64,")));
    }
    Ok(())
}

#[test]
fn input_errors_name_their_field() -> TestResult {
    let data = goog()?;
    let cases = [
        (
            r#"{"ticker": "GOOG", "start_date": "2030-01-01"}"#,
            "start_date",
        ),
        (
            r#"{"ticker": "GOOG", "end_date": "1990-01-01"}"#,
            "end_date",
        ),
        (r#"{"ticker": "GOOG", "timeframe": "1h"}"#, "timeframe"),
        (
            r#"{"ticker": "GOOG", "params": {"period": 0}}"#,
            "params.period",
        ),
        (r#"{"ticker": "GOOG", "rule_type": "NOPE"}"#, "rule_type"),
    ];
    for (text, field) in cases {
        let req = BacktestRequest::from_json(text)?;
        let err = run_backtest(&req, &data).err().ok_or(text)?;
        assert!(err.is_user_error(), "{err}");
        assert_eq!(err.field(), Some(field), "{text}: {err}");
    }
    let missing = BacktestRequest::new("NOSUCH");
    match run_backtest_in(&missing, &repo_data()) {
        Err(e @ RunError::Invalid(_)) => assert_eq!(e.field(), Some("ticker")),
        other => panic!("expected an invalid ticker, got {other:?}"),
    }
    let traversal = BacktestRequest::new("../etc/passwd");
    let err = run_backtest_in(&traversal, &repo_data())
        .err()
        .ok_or("accepted")?;
    assert_eq!(err.field(), Some("ticker"));
    Ok(())
}

#[test]
fn failed_result_is_constructible() -> TestResult {
    let req = rsi_request(true)?;
    let failed = BacktestResult::failed(&req, "worker crashed");
    let json: Value = serde_json::from_str(&failed.to_json()?)?;
    assert_eq!(json["status"], "failed");
    assert_eq!(json["run_id"], "0b7e7c1e-5d1f-4c3e-9a57-3f3c2f1a9e10");
    assert_eq!(json["ticker"], "GOOG");
    assert!(json["metrics"].is_null());
    Ok(())
}
