//! Engine and optimizer benchmarks on 5,031 real daily bars.
//!
//! Run: `cargo bench -p backtest-core --bench engine`
//! Targets (2-core machine): one RSI backtest with full output <= 20 µs;
//! the 1,000-point grid <= 8 ms; the same grid with a 5 % stop-loss within
//! 1.5x of it.

#[path = "../examples/support/csv.rs"]
mod csv;

use backtest_core::engine::{self, SizeType, TradingSettings};
use backtest_core::optimizer::{grid_search, Objective};
use backtest_core::rules::build_rule;
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/yf_autoadj_2005_2025/AAPL.csv"
);

fn benches(c: &mut Criterion) {
    let series = csv::read_ohlcv(DATA).unwrap_or_else(|e| panic!("benchmark data missing: {e}"));
    let settings = TradingSettings::default()
        .with_size_type(SizeType::Percent)
        .with_position_size(100.0);
    let rule = build_rule(
        "RSI",
        &json!({"period": 14, "oversold": 30, "overbought": 70}),
    )
    .expect("valid rule");
    c.bench_function("rsi_backtest_5031_bars", |b| {
        b.iter(|| engine::run(&series, rule.as_ref(), &settings).expect("runs"))
    });
    let grid = json!({
        "period": {"start": 5, "stop": 54, "step": 1},
        "oversold": {"start": 10, "stop": 29, "step": 1},
        "overbought": [70],
    });
    let mut group = c.benchmark_group("optimizer");
    group.sample_size(20);
    for (name, settings) in [
        ("rsi_grid_1000", settings),
        (
            "rsi_grid_1000_stop_loss_5pct",
            settings.with_stop_loss_pct(Some(5.0)),
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                grid_search(
                    &series,
                    "RSI",
                    &json!({}),
                    &grid,
                    &settings,
                    Objective::Sharpe,
                )
                .expect("runs")
            })
        });
    }
    group.finish();
}

criterion_group!(engine_benches, benches);
criterion_main!(engine_benches);
