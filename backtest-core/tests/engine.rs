//! Engine behaviour on hand-computed cases, and its invariants as properties.

use backtest_core::engine::{self, Direction, FillMode, Side, SizeType, TradingSettings};
use backtest_core::{OhlcvSeries, Signal};
use proptest::prelude::*;

const DAY: i64 = 86_400;

fn bars(open: &[f64], close: &[f64]) -> OhlcvSeries {
    let n = open.len();
    let high: Vec<f64> = open.iter().zip(close).map(|(o, c)| o.max(*c)).collect();
    let low: Vec<f64> = open.iter().zip(close).map(|(o, c)| o.min(*c)).collect();
    OhlcvSeries::new(
        (0..n as i64).map(|d| d * DAY).collect(),
        open.to_vec(),
        high,
        low,
        close.to_vec(),
        vec![1e6; n],
    )
    .expect("valid bars")
}

fn close_enough(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

use Signal::{Buy as B, Hold as H, Sell as S};

#[test]
fn next_open_fill_value_sizing_fees_and_slippage() {
    let s = bars(
        &[100.0, 101.0, 102.0, 110.0, 111.0],
        &[100.5, 101.5, 109.0, 110.5, 112.0],
    );
    let settings = TradingSettings::default()
        .with_fee_rate(0.01)
        .with_slippage_bps(100.0)
        .with_position_size(10_000.0);
    let out = engine::run_signals(&s, &[B, H, S, H, H], &settings).expect("runs");
    // Buy fills at bar 1's open 101 * 1.01 = 102.01; size = floor(10000 / (102.01 * 1.01)) = 97.
    let t = out.trades[0];
    assert_eq!(out.trades.len(), 1);
    assert_eq!((t.entry_index, t.size, t.side), (1, 97.0, Side::Long));
    assert!(close_enough(t.entry_price, 102.01));
    assert!(close_enough(t.entry_fee, 102.01 * 97.0 * 0.01));
    // Sell fills at bar 3's open 110 * 0.99 = 108.9.
    assert_eq!(t.exit_index, 3);
    assert!(close_enough(t.exit_price, 108.9));
    let pnl = (108.9 - 102.01) * 97.0 - 102.01 * 97.0 * 0.01 - 108.9 * 97.0 * 0.01;
    assert!(close_enough(t.pnl_abs, pnl));
    assert!(close_enough(t.pnl_pct, pnl / (102.01 * 97.0) * 100.0));
    assert!(!t.closed_at_end);
    // Equity: flat, flat, marked at bar 2's close, then cash.
    let cash_after_buy = 100_000.0 - 102.01 * 97.0 * 1.01;
    assert!(close_enough(out.equity[0], 100_000.0));
    assert!(close_enough(out.equity[1], cash_after_buy + 97.0 * 101.5));
    assert!(close_enough(out.equity[2], cash_after_buy + 97.0 * 109.0));
    assert!(close_enough(out.equity[4], 100_000.0 + pnl));
    assert_eq!(out.position, vec![0.0, 97.0, 97.0, 0.0, 0.0]);
    assert_eq!(out.fills.len(), 2);
    assert!(close_enough(out.metrics.total_return_pct, pnl / 1_000.0));
}

#[test]
fn close_mode_fills_on_the_signal_bar() {
    let s = bars(&[10.0, 10.0, 10.0, 10.0], &[10.0, 20.0, 25.0, 30.0]);
    let settings = TradingSettings::default()
        .with_fee_rate(0.0)
        .with_fill(FillMode::Close)
        .with_size_type(SizeType::Percent)
        .with_position_size(100.0);
    let out = engine::run_signals(&s, &[H, B, S, H], &settings).expect("runs");
    let t = out.trades[0];
    assert_eq!((t.entry_index, t.exit_index, t.size), (1, 2, 5_000.0));
    assert_eq!((t.entry_price, t.exit_price), (20.0, 25.0));
    assert_eq!(out.equity, vec![100_000.0, 100_000.0, 125_000.0, 125_000.0]);
}

#[test]
fn open_position_is_closed_at_the_last_close_with_its_fee() {
    let s = bars(&[10.0, 10.0, 12.0], &[10.0, 11.0, 13.0]);
    let settings = TradingSettings::default().with_fee_rate(0.001);
    let out = engine::run_signals(&s, &[B, H, H], &settings).expect("runs");
    let t = out.trades[0];
    assert!(t.closed_at_end);
    assert_eq!((t.exit_index, t.exit_price), (2, 13.0));
    assert!(close_enough(t.exit_fee, 13.0 * t.size * 0.001));
    assert_eq!(*out.position.last().expect("bars"), 0.0);
    assert!(close_enough(
        *out.equity.last().expect("bars"),
        100_000.0 + t.pnl_abs
    ));
}

#[test]
fn value_sizing_is_capped_by_cash() {
    let s = bars(&[10.0, 10.0, 10.0], &[10.0, 10.0, 10.0]);
    let settings = TradingSettings::default()
        .with_initial_capital(1_000.0)
        .with_position_size(50_000.0)
        .with_fee_rate(0.0);
    let out = engine::run_signals(&s, &[B, H, H], &settings).expect("runs");
    assert_eq!(out.trades[0].size, 100.0);
    assert!(out.cash.iter().all(|c| *c >= 0.0));
}

#[test]
fn long_short_reverses_on_each_signal() {
    let s = bars(&[10.0, 10.0, 8.0, 9.0, 9.0], &[10.0, 10.0, 8.0, 9.0, 9.0]);
    let settings = TradingSettings::default()
        .with_fee_rate(0.0)
        .with_direction(Direction::LongShort)
        .with_position_size(1_000.0);
    let out = engine::run_signals(&s, &[S, B, H, H, H], &settings).expect("runs");
    // Short 100 at 10 on bar 1, cover at 8 on bar 2 (+200), then long 125 at 8.
    assert_eq!(out.trades.len(), 2);
    assert_eq!(out.trades[0].side, Side::Short);
    assert_eq!(out.trades[0].pnl_abs, 200.0);
    assert_eq!(out.trades[1].side, Side::Long);
    assert_eq!(out.trades[1].size, 125.0);
    assert_eq!(out.position, vec![0.0, -100.0, 125.0, 125.0, 0.0]);
}

#[test]
fn long_only_ignores_sells_when_flat_and_buys_when_long() {
    let s = bars(&[10.0; 6], &[10.0; 6]);
    let settings = TradingSettings::default();
    let out = engine::run_signals(&s, &[S, B, B, S, S, H], &settings).expect("runs");
    assert_eq!(out.trades.len(), 1);
    assert_eq!(
        (out.trades[0].entry_index, out.trades[0].exit_index),
        (2, 4)
    );
}

#[test]
fn invalid_settings_name_the_field() {
    let s = bars(&[10.0], &[10.0]);
    for (settings, field) in [
        (TradingSettings::default().with_fee_rate(1.0), "fee_rate"),
        (
            TradingSettings::default().with_initial_capital(-5.0),
            "initial_capital",
        ),
        (
            TradingSettings::default().with_slippage_bps(f64::NAN),
            "slippage_bps",
        ),
        (
            TradingSettings::default()
                .with_size_type(SizeType::Percent)
                .with_position_size(150.0),
            "position_size",
        ),
    ] {
        let err = engine::run_signals(&s, &[H], &settings).expect_err("invalid");
        assert!(err.to_string().contains(field), "{err}");
    }
    assert!(engine::run_signals(&s, &[H, H], &TradingSettings::default()).is_err());
    let empty = OhlcvSeries::default();
    assert!(engine::run_signals(&empty, &[], &TradingSettings::default()).is_err());
}

fn arb_case() -> impl Strategy<Value = (OhlcvSeries, Vec<Signal>, TradingSettings)> {
    (2usize..120)
        .prop_flat_map(|n| {
            (
                prop::collection::vec((1.0f64..500.0, -0.1f64..0.1), n),
                prop::collection::vec(prop_oneof![Just(H), Just(B), Just(S)], n),
                (
                    0.0f64..0.05,
                    0.0f64..200.0,
                    any::<bool>(),
                    any::<bool>(),
                    any::<bool>(),
                    1.0f64..100.0,
                ),
            )
        })
        .prop_map(
            |(prices, signals, (fee, slip, percent, short, on_close, size))| {
                let open: Vec<f64> = prices.iter().map(|(p, _)| *p).collect();
                let close: Vec<f64> = prices.iter().map(|(p, r)| p * (1.0 + r)).collect();
                let settings = TradingSettings::default()
                    .with_fee_rate(fee)
                    .with_slippage_bps(slip)
                    .with_size_type(if percent {
                        SizeType::Percent
                    } else {
                        SizeType::Value
                    })
                    .with_position_size(if percent { size } else { size * 1_000.0 })
                    .with_direction(if short {
                        Direction::LongShort
                    } else {
                        Direction::LongOnly
                    })
                    .with_fill(if on_close {
                        FillMode::Close
                    } else {
                        FillMode::NextOpen
                    });
                (bars(&open, &close), signals, settings)
            },
        )
}

proptest! {
    #[test]
    fn equity_is_cash_plus_position_value((series, signals, settings) in arb_case()) {
        let out = engine::run_signals(&series, &signals, &settings).expect("runs");
        for t in 0..series.len() {
            let marked = out.cash[t] + out.position[t] * series.close()[t];
            prop_assert!(close_enough(out.equity[t], marked), "bar {t}: {} vs {marked}", out.equity[t]);
        }
    }

    #[test]
    fn long_only_cash_never_negative_and_fees_never_negative((series, signals, settings) in arb_case()) {
        let out = engine::run_signals(&series, &signals, &settings).expect("runs");
        if settings.direction == Direction::LongOnly {
            prop_assert!(out.cash.iter().all(|c| *c >= 0.0), "negative cash");
            prop_assert!(out.position.iter().all(|p| *p >= 0.0));
        }
        prop_assert!(out.fills.iter().all(|f| f.fee >= 0.0 && f.size >= 1.0 && f.size.fract() == 0.0));
        prop_assert!(out.trades.iter().all(|t| t.entry_fee >= 0.0 && t.exit_fee >= 0.0));
        // Final equity = initial + sum of trade PnL (everything is closed at the end).
        let pnl: f64 = out.trades.iter().map(|t| t.pnl_abs).sum();
        let last = *out.equity.last().expect("bars");
        prop_assert!((last - settings.initial_capital - pnl).abs() < 1e-6 * last.abs().max(1.0));
    }

    #[test]
    fn runs_are_byte_identical((series, signals, settings) in arb_case()) {
        let a = serde_json::to_string(&engine::run_signals(&series, &signals, &settings).expect("runs")).expect("json");
        let b = serde_json::to_string(&engine::run_signals(&series, &signals, &settings).expect("runs")).expect("json");
        prop_assert_eq!(a, b);
    }

    #[test]
    fn lean_metrics_equal_full_metrics((series, signals, settings) in arb_case()) {
        let full = engine::run_signals(&series, &signals, &settings).expect("runs").metrics;
        let lean = engine::run_metrics(&series, &signals, &settings).expect("runs");
        prop_assert_eq!(full, lean);
    }
}
