//! Exports the inputs of the KPI golden test: for each case, the bars
//! (timestamp, close, equity, position), the trades (PnL) and the engine's
//! metrics, from runs on the shipped demo data (`data/GOOG.csv`,
//! `data/EURUSD_1h.csv`).
//!
//! ```text
//! cargo run -p backtest-adapter --example kpi_input
//! .venv/bin/python scripts/golden/kpis.py
//! ```
//!
//! Writes `backtest-adapter/tests/data/kpi_input/<case>.{bars.csv,trades.csv,meta.json}`;
//! `scripts/golden/kpis.py` turns them into `tests/data/kpis_golden.json`.

use std::fmt::Write as _;
use std::path::Path;

use backtest_adapter::contract::BacktestRequest;
use backtest_adapter::data::load_csv;
use backtest_core::engine;
use serde_json::json;

/// (case name, data file under `data/`, request JSON).
const CASES: [(&str, &str, &str); 3] = [
    (
        "goog_rsi_value",
        "GOOG.csv",
        r#"{"ticker": "GOOG", "rule_type": "RSI", "start_date": "2005-01-01"}"#,
    ),
    (
        "goog_ma_cross_longshort_all_in",
        "GOOG.csv",
        r#"{"ticker": "GOOG", "rule_type": "MA_CROSS", "params": {"fast": 10, "slow": 30},
            "direction": "longshort", "size_type": "percent", "position_size": 100,
            "slippage_bps": 5}"#,
    ),
    (
        "eurusd_1h_macd",
        "EURUSD_1h.csv",
        r#"{"ticker": "EURUSD", "rule_type": "MACD", "timeframe": "1h",
            "initial_capital": 10000, "position_size": 5000, "fee_rate": 0.0002}"#,
    ),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = root.join("tests/data/kpi_input");
    std::fs::create_dir_all(&out_dir)?;
    for (name, file, request) in CASES {
        let request = BacktestRequest::from_json(request)?;
        let valid = request.validate()?;
        let data = load_csv(root.join("../data").join(file))?;
        let series = data.select(request.start_date.as_deref(), request.end_date.as_deref())?;
        let out = engine::run(&series, valid.rule.as_ref(), &valid.settings)?;

        let mut bars = String::from("timestamp,close,equity,position\n");
        for i in 0..series.len() {
            writeln!(
                bars,
                "{},{},{},{}",
                series.timestamps()[i],
                series.close()[i],
                out.equity[i],
                out.position[i]
            )?;
        }
        let mut trades = String::from("pnl_abs,pnl_pct\n");
        for t in &out.trades {
            writeln!(trades, "{},{}", t.pnl_abs, t.pnl_pct)?;
        }
        let meta = json!({
            "initial_capital": valid.settings.initial_capital,
            "bars_per_year": valid.settings.timeframe.bars_per_year(),
            "engine": out.metrics,
        });
        std::fs::write(out_dir.join(format!("{name}.bars.csv")), bars)?;
        std::fs::write(out_dir.join(format!("{name}.trades.csv")), trades)?;
        std::fs::write(
            out_dir.join(format!("{name}.meta.json")),
            serde_json::to_string_pretty(&meta)? + "\n",
        )?;
        println!("{name}: {} bars, {} trades", series.len(), out.trades.len());
    }
    Ok(())
}
