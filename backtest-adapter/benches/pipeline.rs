//! The adapter's share of a backtest on 10 years of daily bars: loading the
//! CSV, deriving every output and rendering all six charts.
//!
//! ```text
//! cargo bench -p backtest-adapter --bench pipeline
//! ```
//!
//! Data: `../shared/data/yf_autoadj_2005_2025/AAPL.csv` (relative to the
//! repository root; not shipped), the last 10 years selected
//! (2015-10-08 to 2025-10-08, 2,515 bars), RSI(14, 30, 70), all-in sizing.
//! Targets: under 60 ms for `total` (load + run + derive + charts + JSON),
//! under 10 ms per chart.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use backtest_adapter::charts::{self, ChartInput};
use backtest_adapter::contract::BacktestRequest;
use backtest_adapter::data::{load_csv, LoadedData};
use backtest_adapter::derive::derive;
use backtest_adapter::pipeline::run_backtest;
use backtest_core::engine;
use criterion::{criterion_group, criterion_main, Criterion};

const REQUEST: &str = r#"{"ticker": "AAPL", "rule_type": "RSI",
    "start_date": "2015-10-08", "end_date": "2025-10-08",
    "size_type": "percent", "position_size": 100}"#;

fn aapl_path() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/yf_autoadj_2005_2025/AAPL.csv");
    assert!(
        path.is_file(),
        "{} is missing: the bench reads ../shared/data beside the repository",
        path.display()
    );
    path
}

fn load() -> LoadedData {
    load_csv(aapl_path()).unwrap_or_else(|e| panic!("loading AAPL: {e}"))
}

fn bench(c: &mut Criterion) {
    let request = BacktestRequest::from_json(REQUEST).unwrap_or_else(|e| panic!("request: {e}"));
    let valid = request
        .validate()
        .unwrap_or_else(|e| panic!("request: {e}"));
    let data = load();
    let series = data
        .select(request.start_date.as_deref(), request.end_date.as_deref())
        .unwrap_or_else(|e| panic!("range: {e}"));
    let output = engine::run(&series, valid.rule.as_ref(), &valid.settings)
        .unwrap_or_else(|e| panic!("engine: {e}"));
    let derived = derive(&series, &output, &valid.settings);
    let input = ChartInput {
        ticker: "AAPL",
        series: &series,
        equity: &output.equity,
        drawdown: &derived.drawdown,
        fills: &output.fills,
        trades: &output.trades,
        initial_capital: valid.settings.initial_capital,
        daily: true,
        benchmark: &derived.benchmark,
        benchmark_label: "AAPL",
    };

    let mut g = c.benchmark_group("pipeline");
    g.sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("load", |b| {
        b.iter(|| {
            let data = load();
            black_box(data.select(Some("2015-10-08"), Some("2025-10-08")))
        })
    });
    g.bench_function("engine", |b| {
        b.iter(|| black_box(engine::run(&series, valid.rule.as_ref(), &valid.settings)))
    });
    g.bench_function("derive", |b| {
        b.iter(|| black_box(derive(&series, &output, &valid.settings)))
    });
    type Render = fn(&ChartInput<'_>) -> Result<String, charts::ChartError>;
    let each: [(&str, Render); 6] = [
        ("chart/equity", charts::equity_chart),
        ("chart/drawdown", charts::drawdown_chart),
        ("chart/orders", charts::orders_chart),
        ("chart/trade_pnl", charts::trade_pnl_chart),
        ("chart/cumulative_return", charts::cumulative_return_chart),
        ("chart/candles", charts::candles_chart),
    ];
    for (id, render) in each {
        g.bench_function(id, |b| b.iter(|| black_box(render(&input))));
    }
    g.bench_function("charts_all", |b| {
        b.iter(|| black_box(charts::render_all(&input)))
    });
    g.bench_function("total", |b| {
        b.iter(|| {
            let data = load();
            let result = run_backtest(&request, &data).unwrap_or_else(|e| panic!("run: {e}"));
            black_box(result.to_json().map(|j| j.len()))
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    // The HTML report's plots would need a system font (plotters is built
    // with the embedded-font backend here); the numbers are what matter.
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
