//! Times one RSI(14, 30/70) backtest and the 1,000-point RSI grid (without
//! stops and with a 5 % stop-loss) on a CSV, printing one JSON line (used by
//! `scripts/bench-vs-peers`).
//!
//! Run: `cargo run --release -p backtest-core --example bench_grid -- ../shared/data/yf_autoadj_2005_2025/AAPL.csv`

#[path = "support/csv.rs"]
mod csv;

use std::time::Instant;

use backtest_core::engine::{self, SizeType, TradingSettings};
use backtest_core::optimizer::{grid_search, Objective};
use backtest_core::rules::build_rule;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: bench_grid <ohlcv.csv>")?;
    let series = csv::read_ohlcv(&path)?;
    let settings = TradingSettings::default()
        .with_size_type(SizeType::Percent)
        .with_position_size(100.0);
    let rule = build_rule(
        "RSI",
        &json!({"period": 14, "oversold": 30, "overbought": 70}),
    )?;
    let grid = json!({
        "period": {"start": 5, "stop": 54, "step": 1},
        "oversold": {"start": 10, "stop": 29, "step": 1},
        "overbought": [70],
    });

    // Best of several repetitions: the minimum is the least noisy estimate.
    let best = |reps: usize, f: &mut dyn FnMut()| {
        (0..reps)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let mut trades = 0;
    let single = best(200, &mut || {
        let out = engine::run(&series, rule.as_ref(), &settings).expect("valid backtest");
        trades = out.trades.len();
    });
    let mut combinations = 0;
    let mut time_grid = |settings: &TradingSettings| {
        best(10, &mut || {
            let search = grid_search(
                &series,
                "RSI",
                &json!({}),
                &grid,
                settings,
                Objective::Sharpe,
            )
            .expect("valid grid");
            combinations = search.combinations;
        })
    };
    let grid_time = time_grid(&settings);
    let stop_grid_time = time_grid(&settings.with_stop_loss_pct(Some(5.0)));
    println!(
        "{}",
        json!({
            "bars": series.len(),
            "single_backtest_us": single * 1e6,
            "single_backtest_trades": trades,
            "grid_1000_ms": grid_time * 1e3,
            "grid_1000_stop_loss_5pct_ms": stop_grid_time * 1e3,
            "combinations": combinations,
            "threads": rayon::current_num_threads(),
        })
    );
    Ok(())
}
