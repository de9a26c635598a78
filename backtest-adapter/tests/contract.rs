//! The request and result types against the SPEC §4 examples.

use backtest_adapter::contract::{
    BacktestRequest, BacktestResult, RequestDirection, RequestSizeType, RequestTimeframe, RunStatus,
};
use backtest_adapter::data::load_csv;
use backtest_adapter::pipeline::run_backtest;
use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[test]
fn spec_request_example_parses_and_validates() -> TestResult {
    let req = BacktestRequest::from_json(
        r#"{
          "run_id": "7f0c1d9e-2b1a-4c8e-9f3d-5a6b7c8d9e0f",
          "ticker": "AAPL",
          "rule_type": "RSI",
          "params": {"period": 14, "oversold": 30, "overbought": 70},
          "rule_id": "RSI_14_30_70",
          "start_date": "2020-01-01",
          "end_date": "2024-01-01",
          "initial_capital": 100000,
          "fee_rate": 0.001,
          "slippage_bps": 0,
          "position_size": 10000,
          "size_type": "value",
          "direction": "longonly",
          "timeframe": "1d"
        }"#,
    )?;
    assert_eq!(req.size_type, RequestSizeType::Value);
    assert_eq!(req.direction, RequestDirection::LongOnly);
    assert_eq!(req.timeframe, RequestTimeframe::Day1);
    assert!(req.charts, "charts default to true");
    let valid = req.validate()?;
    assert_eq!(valid.rule_id, "RSI_14_30_70");
    assert_eq!(valid.settings.initial_capital, 100_000.0);
    Ok(())
}

#[test]
fn request_round_trips_and_accepts_null_params() -> TestResult {
    let req = BacktestRequest::from_json(r#"{"ticker": "GOOG", "params": null, "fill": "close"}"#)?;
    assert!(req.params.is_empty());
    let back = BacktestRequest::from_value(serde_json::to_value(&req)?)?;
    assert_eq!(back, req);
    Ok(())
}

#[test]
fn result_has_every_spec_field_and_round_trips() -> TestResult {
    let data = load_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/GOOG.csv"))?;
    let mut req = BacktestRequest::new("GOOG");
    req.charts = false;
    let result = run_backtest(&req, &data)?;
    let json: Value = serde_json::from_str(&result.to_json()?)?;
    for key in [
        "run_id",
        "status",
        "error_message",
        "metrics",
        "equity_curve",
        "drawdown_curve",
        "portfolio_curve",
        "trades",
        "charts",
        "price_candles",
        "signals",
        "chart_base64",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    for key in [
        "total_return_pct",
        "sharpe_ratio",
        "max_drawdown_pct",
        "num_trades",
        "cagr",
        "volatility",
        "win_rate",
        "avg_trade_return",
        "exposure_pct",
        "profit_factor",
    ] {
        assert!(json["metrics"].get(key).is_some(), "missing metrics.{key}");
    }
    for key in [
        "drawdown_curve_base64",
        "portfolio_orders_base64",
        "trade_pnl_base64",
        "cumulative_return_base64",
        "candles_base64",
    ] {
        assert!(json["charts"].get(key).is_some(), "missing charts.{key}");
    }
    let trade = &json["trades"][0];
    for key in [
        "trade_no",
        "side",
        "size",
        "entry_timestamp",
        "entry_price",
        "entry_fees",
        "exit_timestamp",
        "exit_price",
        "exit_fees",
        "pnl_abs",
        "pnl_pct",
        "holding_period",
    ] {
        assert!(trade.get(key).is_some(), "missing trades[0].{key}");
    }
    assert!(trade["size"].is_u64());
    assert_eq!(json["status"], "completed");
    assert_eq!(
        json["equity_curve"][0],
        json!({"date": "2004-08-19", "equity": 100000.0})
    );
    let back: BacktestResult = serde_json::from_value(json)?;
    assert_eq!(back, result);
    assert_eq!(back.status, RunStatus::Completed);
    Ok(())
}

#[test]
fn results_stored_before_additive_fields_still_parse() -> TestResult {
    let old = json!({
        "run_id": "r1", "status": "failed", "error_message": "boom", "metrics": null,
        "equity_curve": [], "drawdown_curve": [], "portfolio_curve": [], "trades": [],
        "charts": {"drawdown_curve_base64": null, "portfolio_orders_base64": null,
                   "trade_pnl_base64": null, "cumulative_return_base64": null},
        "price_candles": [], "signals": [], "chart_base64": null
    });
    let parsed: BacktestResult = serde_json::from_value(old)?;
    assert_eq!(parsed.status, RunStatus::Failed);
    assert!(parsed.warnings.is_empty() && parsed.charts.candles_base64.is_none());
    Ok(())
}
