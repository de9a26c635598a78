//! Charts: each PNG decodes, has the chart size, is not blank (several
//! distinct colours, plotted pixels inside the plot area) and shows its
//! series colours; every chart renders for a run without trades.

use std::collections::HashSet;

use backtest_adapter::charts::{
    self, candles_chart, cumulative_return_chart, drawdown_chart, equity_chart, orders_chart,
    theme, trade_pnl_chart, ChartInput, DATA_URI_PREFIX, HEIGHT, WIDTH,
};
use backtest_adapter::contract::BacktestRequest;
use backtest_adapter::data::load_csv;
use backtest_adapter::derive::drawdown_curve;
use backtest_core::engine::{self, BacktestOutput};
use backtest_core::OhlcvSeries;
use base64::Engine as _;
use image::RgbImage;
use plotters::style::RGBColor;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn decode(uri: &str) -> Result<RgbImage, Box<dyn std::error::Error>> {
    let b64 = uri
        .strip_prefix(DATA_URI_PREFIX)
        .ok_or("not a PNG data URI")?;
    let png = base64::engine::general_purpose::STANDARD.decode(b64)?;
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    Ok(image::load_from_memory(&png)?.to_rgb8())
}

fn rgb(c: RGBColor) -> [u8; 3] {
    [c.0, c.1, c.2]
}

/// Pixels of exactly `color` inside the plot area.
fn count_color(img: &RgbImage, color: RGBColor) -> usize {
    plot_area(img).filter(|p| *p == rgb(color)).count()
}

fn plot_area(img: &RgbImage) -> impl Iterator<Item = [u8; 3]> + '_ {
    (45..HEIGHT - 45).flat_map(move |y| (100..WIDTH - 20).map(move |x| img.get_pixel(x, y).0))
}

/// Checks size, colour variety and plotted pixels; returns the image.
fn check_png(name: &str, uri: &str) -> Result<RgbImage, Box<dyn std::error::Error>> {
    let img = decode(uri)?;
    assert_eq!(img.dimensions(), (WIDTH, HEIGHT), "{name}");
    let colours: HashSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    assert!(colours.len() >= 8, "{name}: only {} colours", colours.len());
    let background = [rgb(theme::BACKGROUND), rgb(theme::PANEL), rgb(theme::GRID)];
    let plotted = plot_area(&img).filter(|p| !background.contains(p)).count();
    assert!(plotted > 500, "{name}: only {plotted} plotted pixels");
    Ok(img)
}

struct Run {
    series: OhlcvSeries,
    output: BacktestOutput,
    drawdown: Vec<f64>,
    daily: bool,
}

fn run(file: &str, request: &str) -> Result<Run, Box<dyn std::error::Error>> {
    let request = BacktestRequest::from_json(request)?;
    let valid = request.validate()?;
    let data = load_csv(format!("{}/../data/{file}", env!("CARGO_MANIFEST_DIR")))?;
    let series = data.select(request.start_date.as_deref(), request.end_date.as_deref())?;
    let output = engine::run(&series, valid.rule.as_ref(), &valid.settings)?;
    Ok(Run {
        drawdown: drawdown_curve(&output.equity),
        daily: !valid.settings.timeframe.is_intraday(),
        series,
        output,
    })
}

fn input(run: &Run) -> ChartInput<'_> {
    ChartInput {
        ticker: "TEST",
        series: &run.series,
        equity: &run.output.equity,
        drawdown: &run.drawdown,
        fills: &run.output.fills,
        trades: &run.output.trades,
        initial_capital: 100_000.0,
        daily: run.daily,
        benchmark: &[],
        benchmark_label: "",
    }
}

#[test]
fn every_chart_on_goog_rsi() -> TestResult {
    let run = run(
        "GOOG.csv",
        r#"{"ticker": "GOOG", "start_date": "2006-01-01", "size_type": "percent", "position_size": 100}"#,
    )?;
    assert!(run.output.trades.len() >= 5);
    let ci = input(&run);
    let img = check_png("equity", &equity_chart(&ci)?)?;
    assert!(count_color(&img, theme::BLUE) > 300, "equity line");
    let img = check_png("drawdown", &drawdown_chart(&ci)?)?;
    assert!(count_color(&img, theme::RED) > 200, "drawdown line");
    let img = check_png("orders", &orders_chart(&ci)?)?;
    assert!(count_color(&img, theme::GREEN) > 100, "buy markers");
    assert!(count_color(&img, theme::RED) > 100, "sell markers");
    let img = check_png("trade_pnl", &trade_pnl_chart(&ci)?)?;
    assert!(count_color(&img, theme::GREEN) + count_color(&img, theme::RED) > 100);
    let img = check_png("cumulative_return", &cumulative_return_chart(&ci)?)?;
    assert!(count_color(&img, theme::BLUE) > 300 && count_color(&img, theme::AMBER) > 300);
    let img = check_png("candles", &candles_chart(&ci)?)?;
    assert!(count_color(&img, theme::GREEN) > 300 && count_color(&img, theme::RED) > 300);
    Ok(())
}

#[test]
fn every_chart_renders_without_trades() -> TestResult {
    // Oversold below 1: RSI never gets there on a few weeks of GOOG.
    let run = run(
        "GOOG.csv",
        r#"{"ticker": "GOOG", "start_date": "2010-01-01", "end_date": "2010-03-01",
            "params": {"oversold": 1, "overbought": 99}}"#,
    )?;
    assert!(run.output.trades.is_empty() && run.output.fills.is_empty());
    let (equity, set) = charts::render_all(&input(&run))?;
    check_png("equity", &equity)?;
    for (name, uri) in [
        ("drawdown", set.drawdown_curve_base64),
        ("orders", set.portfolio_orders_base64),
        ("trade_pnl", set.trade_pnl_base64),
        ("cumulative_return", set.cumulative_return_base64),
        ("candles", set.candles_base64),
    ] {
        let uri = uri.ok_or(name)?;
        let img = decode(&uri)?;
        assert_eq!(img.dimensions(), (WIDTH, HEIGHT), "{name}");
        let colours: HashSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
        assert!(colours.len() >= 5, "{name}: only {} colours", colours.len());
    }
    Ok(())
}

#[test]
fn charts_of_a_single_bar_and_of_intraday_bars() -> TestResult {
    let run1 = run(
        "GOOG.csv",
        r#"{"ticker": "GOOG", "start_date": "2010-01-04", "end_date": "2010-01-04"}"#,
    )?;
    assert_eq!(run1.series.len(), 1);
    charts::render_all(&input(&run1))?;
    let hourly = run(
        "EURUSD_1h.csv",
        r#"{"ticker": "EURUSD", "rule_type": "MACD", "timeframe": "1h"}"#,
    )?;
    let (equity, set) = charts::render_all(&input(&hourly))?;
    check_png("equity 1h", &equity)?;
    check_png("orders 1h", &set.portfolio_orders_base64.ok_or("orders")?)?;
    Ok(())
}

#[test]
fn rendering_is_deterministic() -> TestResult {
    let run = run("GOOG.csv", r#"{"ticker": "GOOG"}"#)?;
    let ci = input(&run);
    assert_eq!(charts::render_all(&ci)?, charts::render_all(&ci)?);
    Ok(())
}

#[test]
fn equity_chart_overlays_the_benchmark() -> TestResult {
    let run = run(
        "AAPL.csv",
        r#"{"ticker": "AAPL", "start_date": "2015-01-01", "end_date": "2019-12-31"}"#,
    )?;
    let spy = load_csv(format!("{}/../data/SPY.csv", env!("CARGO_MANIFEST_DIR")))?;
    let aligned = backtest_adapter::derive::benchmark::aligned_close(
        run.series.timestamps(),
        backtest_adapter::derive::BenchmarkSeries {
            timestamps: spy.series.timestamps(),
            close: spy.series.close(),
        },
    );
    assert!(
        aligned.iter().all(Option::is_some),
        "SPY trades on AAPL's days"
    );
    let scaled = backtest_adapter::derive::benchmark::scaled_curve(&aligned, 100_000.0);
    let without = check_png("equity", &equity_chart(&input(&run))?)?;
    assert_eq!(
        count_color(&without, theme::AMBER),
        0,
        "no overlay without a benchmark"
    );
    let with = check_png(
        "equity with SPY",
        &equity_chart(&ChartInput {
            benchmark: &scaled,
            benchmark_label: "SPY",
            ..input(&run)
        })?,
    )?;
    assert!(count_color(&with, theme::AMBER) > 300, "benchmark line");
    assert!(count_color(&with, theme::BLUE) > 300, "equity line");
    Ok(())
}

#[test]
fn orders_chart_labels_stop_exits() -> TestResult {
    let request = |stops: &str| {
        format!(
            r#"{{"ticker": "AAPL", "start_date": "2015-01-01", "end_date": "2016-12-31",
                "size_type": "percent", "position_size": 100 {stops}}}"#
        )
    };
    let plain = run("AAPL.csv", &request(""))?;
    let stopped = run("AAPL.csv", &request(r#", "trailing_stop_pct": 3"#))?;
    assert!(stopped
        .output
        .trades
        .iter()
        .any(|t| t.exit_reason == backtest_core::engine::ExitReason::TrailingStop));
    let img = check_png("orders", &orders_chart(&input(&plain))?)?;
    assert_eq!(count_amberish(&img), 0, "no stop labels");
    let img = check_png("orders with stops", &orders_chart(&input(&stopped))?)?;
    assert!(
        count_amberish(&img) > 20,
        "TS labels beside the trailing-stop exits: {}",
        count_amberish(&img)
    );
    Ok(())
}

/// Pixels of the amber label text, anti-aliased onto the plot area: red
/// high, green middling, blue low (no other series colour is like that).
fn count_amberish(img: &RgbImage) -> usize {
    plot_area(img)
        .filter(|[r, g, b]| *r > 120 && (80..180).contains(g) && *b < 70 && r > g)
        .count()
}
