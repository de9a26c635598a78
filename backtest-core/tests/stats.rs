//! The statistics module agrees with the engine's streamed metrics on real
//! data, and applies one flat-curve guard.

#[path = "../examples/support/csv.rs"]
mod csv;

use backtest_core::engine::{self, SizeType, TradingSettings};
use backtest_core::rules::build_rule;
use backtest_core::stats::{RunRecord, Sharpe, Sortino, Statistic, Statistics, Volatility};
use serde_json::json;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/yf_autoadj_2005_2025/AAPL.csv"
);

#[test]
fn statistics_equal_the_engine_metrics_bit_for_bit() {
    let series = csv::read_ohlcv(DATA).unwrap_or_else(|e| panic!("market data missing: {e}"));
    let settings = TradingSettings::default()
        .with_size_type(SizeType::Percent)
        .with_position_size(100.0);
    for (rule_type, params) in [
        ("RSI", json!({"period": 14})),
        ("MA_CROSS", json!({"fast": 10, "slow": 50})),
        ("BOLLINGER", json!({})),
    ] {
        let rule = build_rule(rule_type, &params).expect("valid");
        let out = engine::run(&series, rule.as_ref(), &settings).expect("runs");
        let s = out.statistics(&series, &settings);
        let m = out.metrics;
        assert_eq!(s.total_return_pct, m.total_return_pct, "{rule_type}");
        assert_eq!(s.sharpe_ratio, m.sharpe_ratio, "{rule_type}");
        assert_eq!(s.max_drawdown_pct, m.max_drawdown_pct, "{rule_type}");
        assert_eq!(s.trades.count, m.num_trades, "{rule_type}");
        assert_eq!(s.trades.profit_factor, m.profit_factor, "{rule_type}");
        assert!(s.trades.count > 0 && s.volatility_pct.is_some() && s.sortino_ratio.is_some());
        assert!(s.exposure_pct > 0.0 && s.exposure_pct < 100.0);
    }
}

#[test]
fn one_flat_curve_guard() {
    let ts: Vec<i64> = (0..5).map(|d| d * 86_400).collect();
    let record = |equity: &'static [f64]| RunRecord {
        timestamps: &ts,
        close: equity,
        equity,
        position: &[0.0; 5],
        trades: &[],
        initial_capital: 100.0,
        bars_per_year: 252.0,
    };
    let flat = record(&[100.0; 5]);
    assert_eq!(Sharpe.compute(&flat), None);
    assert_eq!(Sortino.compute(&flat), None);
    // Volatility is not a ratio: a flat curve has zero volatility.
    assert_eq!(Volatility.compute(&flat), Some(0.0));
    // A spread at rounding-noise level of the mean is no spread either.
    let noise = record(&[101.0, 102.01, 103.0301, 104.060401, 105.10100501]);
    assert_eq!(Sharpe.compute(&noise), None);
    let s = Statistics::compute(&flat);
    assert_eq!(
        (s.max_drawdown_pct, s.calmar_ratio, s.trades.sqn),
        (0.0, None, None)
    );
}
