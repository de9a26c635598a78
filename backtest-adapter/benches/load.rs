//! Loading a real 10-year daily CSV (5,031 bars of AAPL, 2005-10-10 ..
//! 2025-10-08, read in place from `../shared/data`).
//!
//! Run: `cargo bench -p backtest-adapter --bench load`
//! (plots are off: criterion's plotters backend needs a system font.)

use std::hint::black_box;
use std::path::PathBuf;

use backtest_adapter::data::{filter_range, load_csv, load_csv_bytes};
use criterion::{criterion_group, criterion_main, Criterion};

fn aapl() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/yf_autoadj_2005_2025/AAPL.csv");
    assert!(
        path.is_file(),
        "missing bench data ../shared/data/yf_autoadj_2005_2025/AAPL.csv \
         (read in place from the shared/ folder beside the repository)"
    );
    path
}

fn load(c: &mut Criterion) {
    let path = aapl();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut group = c.benchmark_group("load");
    group.bench_function("aapl_5031_daily_file", |b| {
        b.iter(|| load_csv(black_box(&path)).map(|d| d.series.len()))
    });
    group.bench_function("aapl_5031_daily_bytes", |b| {
        b.iter(|| load_csv_bytes(black_box(&bytes)).map(|d| d.series.len()))
    });
    let series = load_csv_bytes(&bytes)
        .unwrap_or_else(|e| panic!("{e}"))
        .series;
    group.bench_function("filter_range_10y", |b| {
        b.iter(|| filter_range(black_box(&series), Some("2015-01-01"), Some("2024-12-31")))
    });
    group.finish();
}

/// The polars CSV read alone, as the loader configures it: the floor under
/// `load/aapl_5031_daily_bytes`.
fn polars_only(c: &mut Criterion) {
    use polars_io::prelude::{CsvReadOptions, SerReader};
    let bytes = std::fs::read(aapl()).unwrap_or_else(|e| panic!("{e}"));
    c.bench_function("load/polars_read_as_text", |b| {
        b.iter(|| {
            CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .with_n_threads(Some(1))
                .into_reader_with_file_handle(std::io::Cursor::new(black_box(&bytes[..])))
                .finish()
                .map(|d| d.height())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = load, polars_only
}
criterion_main!(benches);
