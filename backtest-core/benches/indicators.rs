//! Indicator throughput on 5,031 real daily bars.
//!
//! Run with:
//!
//! ```text
//! cargo bench -p backtest-core --bench indicators
//! ```
//!
//! Reads `../shared/data/yf_autoadj_2005_2025/AAPL.csv` in place (the shared
//! data folder beside the repository).

use std::fs;
use std::hint::black_box;
use std::path::Path;

use backtest_core::indicators::{
    adx, atr, bollinger, ema, macd, obv, rolling_max, rolling_min, rolling_std, rsi, sma,
    stochastic, vwap,
};
use criterion::{criterion_group, criterion_main, Criterion};

const DATA: &str = "yf_autoadj_2005_2025/AAPL.csv";

struct Bars {
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
}

/// Minimal reader for `Date,Open,High,Low,Close,Volume` files.
fn load() -> Bars {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(DATA);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "missing market data file ../shared/data/{DATA} ({}): {e}",
            path.display()
        )
    });
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("empty data file").split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .unwrap_or_else(|| panic!("no {name} column in {DATA}"))
    };
    let (h, l, c, v) = (col("High"), col("Low"), col("Close"), col("Volume"));
    let mut bars = Bars {
        high: Vec::new(),
        low: Vec::new(),
        close: Vec::new(),
        volume: Vec::new(),
    };
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        let num = |i: usize| -> f64 { cells[i].trim().parse().expect("numeric OHLCV cell") };
        bars.high.push(num(h));
        bars.low.push(num(l));
        bars.close.push(num(c));
        bars.volume.push(num(v));
    }
    bars
}

fn indicators(crit: &mut Criterion) {
    let b = load();
    let (high, low, close, volume) = (&b.high[..], &b.low[..], &b.close[..], &b.volume[..]);
    let mut group = crit.benchmark_group(format!("indicators/{}bars", close.len()));
    group.bench_function("sma_20", |x| x.iter(|| sma(black_box(close), 20)));
    group.bench_function("ema_20", |x| x.iter(|| ema(black_box(close), 20)));
    group.bench_function("rsi_14", |x| x.iter(|| rsi(black_box(close), 14)));
    group.bench_function("macd_12_26_9", |x| {
        x.iter(|| macd(black_box(close), 12, 26, 9))
    });
    group.bench_function("bollinger_20_2", |x| {
        x.iter(|| bollinger(black_box(close), 20, 2.0))
    });
    group.bench_function("atr_14", |x| {
        x.iter(|| atr(black_box(high), low, close, 14))
    });
    group.bench_function("stochastic_14_3_3", |x| {
        x.iter(|| stochastic(black_box(high), low, close, 14, 3, 3))
    });
    group.bench_function("adx_14", |x| {
        x.iter(|| adx(black_box(high), low, close, 14))
    });
    group.bench_function("obv", |x| x.iter(|| obv(black_box(close), volume)));
    group.bench_function("vwap", |x| {
        x.iter(|| vwap(black_box(high), low, close, volume))
    });
    group.bench_function("rolling_std_20", |x| {
        x.iter(|| rolling_std(black_box(close), 20))
    });
    group.bench_function("rolling_max_20", |x| {
        x.iter(|| rolling_max(black_box(high), 20))
    });
    group.bench_function("rolling_min_20", |x| {
        x.iter(|| rolling_min(black_box(low), 20))
    });
    group.bench_function("rsi_periods_5_to_54", |x| {
        x.iter(|| {
            (5..55)
                .map(|p| rsi(black_box(close), p))
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

criterion_group!(benches, indicators);
criterion_main!(benches);
