//! Rule registry, parameter validation and rule semantics on constructed series.

use backtest_core::engine::{self, TradingSettings};
use backtest_core::optimizer::{grid_search, Objective};
use backtest_core::rules::{build_rule, describe_rules, rule_types, signals_for};
use backtest_core::{CoreError, OhlcvSeries, ParamKind, Signal};
use serde_json::{json, Value};

fn series_from_close(close: &[f64]) -> OhlcvSeries {
    let n = close.len();
    let high: Vec<f64> = close.iter().map(|c| c * 1.01).collect();
    let low: Vec<f64> = close.iter().map(|c| c * 0.99).collect();
    let volume: Vec<f64> = (0..n)
        .map(|i| if i % 17 == 0 { 5e6 } else { 1e6 })
        .collect();
    OhlcvSeries::new(
        (0..n as i64).map(|d| d * 86_400).collect(),
        close.to_vec(),
        high,
        low,
        close.to_vec(),
        volume,
    )
    .expect("valid")
}

fn wave(n: usize) -> OhlcvSeries {
    let close: Vec<f64> = (0..n)
        .map(|i| 100.0 + 20.0 * (i as f64 / 9.0).sin() + i as f64 * 0.05)
        .collect();
    series_from_close(&close)
}

#[test]
fn registry_has_every_rule_with_metadata() {
    let types: Vec<&str> = rule_types().collect();
    assert_eq!(
        types,
        [
            "RSI",
            "MACD",
            "RSI_MACD",
            "MA_CROSS",
            "BOLLINGER",
            "VOLUME",
            "TREND",
            "ATR_BREAKOUT",
            "MOMENTUM",
            "MEAN_REVERSION",
            "BREAKOUT",
            "COMPOSITE"
        ]
    );
    for info in describe_rules() {
        assert!(!info.params.is_empty(), "{}", info.rule_type);
        for p in &info.params {
            assert!(!p.description.is_empty());
            if let ParamKind::Int { min, max, .. } = p.kind {
                let d = p.default.as_i64().expect("int default");
                assert!(min <= d && d <= max, "{}.{}", info.rule_type, p.name);
            }
        }
    }
}

#[test]
fn every_rule_builds_with_defaults_and_emits_one_signal_per_bar() {
    let s = wave(400);
    for rule_type in rule_types() {
        let params = if rule_type == "COMPOSITE" {
            json!({"op": "or", "rules": [{"rule_type": "RSI"}, {"rule_type": "MACD"}]})
        } else {
            Value::Null
        };
        let rule = build_rule(rule_type, &params).expect(rule_type);
        let signals = signals_for(rule.as_ref(), &s);
        assert_eq!(signals.len(), s.len(), "{rule_type}");
        assert!(
            signals.iter().any(|x| *x != Signal::Hold),
            "{rule_type} never signals"
        );
        // The rebuilt rule from its own reported params has the same id.
        let again = build_rule(rule_type, &rule.params()).expect("round trip");
        assert_eq!(again.rule_id(), rule.rule_id());
    }
}

#[test]
fn unknown_rule_lists_valid_types() {
    let err = build_rule("RSX", &json!({})).expect_err("unknown");
    assert!(matches!(err, CoreError::UnknownRule { .. }));
    assert!(err.to_string().contains("MA_CROSS"), "{err}");
    assert_eq!(
        build_rule("rsi", &Value::Null)
            .expect("case-insensitive")
            .rule_type(),
        "RSI"
    );
}

#[test]
fn bad_params_name_param_and_range() {
    let cases = [
        ("RSI", json!({"period": 0}), "period", "[2, 200]"),
        (
            "RSI",
            json!({"oversold": 80, "overbought": 70}),
            "oversold",
            "below overbought",
        ),
        (
            "MACD",
            json!({"fast": 30, "slow": 26}),
            "fast",
            "below slow",
        ),
        ("MA_CROSS", json!({"kind": "wma"}), "kind", "sma, ema"),
        ("BOLLINGER", json!({"std_dev": 0}), "std_dev", "[0.5, 5]"),
        ("BREAKOUT", json!({"lookback": "x"}), "lookback", "integer"),
        (
            "MOMENTUM",
            json!({"speed": 1}),
            "speed",
            "valid parameters: lookback, threshold",
        ),
        ("COMPOSITE", json!({"rules": []}), "rules", "non-empty"),
        (
            "COMPOSITE",
            json!({"rules": [{"rule_type": "RSI", "params": {"period": 1}}]}),
            "rules[0].period",
            "[2, 200]",
        ),
        (
            "COMPOSITE",
            json!({"rules": [{"params": {}}]}),
            "rules[0]",
            "rule_type",
        ),
    ];
    for (rule_type, params, param, needle) in cases {
        match build_rule(rule_type, &params) {
            Err(CoreError::InvalidParam { param: p, reason }) => {
                assert_eq!(p, param, "{rule_type} {params}");
                assert!(reason.contains(needle), "{reason:?} lacks {needle:?}");
            }
            other => panic!("{rule_type} {params}: expected InvalidParam, got {other:?}"),
        }
    }
}

#[test]
fn composite_depth_is_bounded() {
    let mut params = json!({"op": "and", "rules": [{"rule_type": "RSI"}]});
    for _ in 0..6 {
        params = json!({"op": "and", "rules": [{"rule_type": "COMPOSITE", "params": params}]});
    }
    assert!(build_rule("COMPOSITE", &params).is_err());
}

/// Caught by the `request_json` fuzz target: a composite's id joined its
/// sub-rules' ids without bound (169 characters for six RSI_MACD rules),
/// too long for the `VARCHAR(128)` rule_id column of runs and sweeps.
#[test]
fn composite_rule_ids_fit_the_stored_column() {
    use backtest_core::rules::MAX_RULE_ID_LEN;
    let six = json!({"rules": vec![json!({"rule_type": "RSI_MACD"}); 6]});
    let rule = build_rule("COMPOSITE", &six).expect("valid");
    let id = rule.rule_id();
    assert_eq!(id.chars().count(), MAX_RULE_ID_LEN, "{id}");
    assert!(
        id.starts_with("COMPOSITE_AND_RSI_MACD_14_40_70_12_26_9+"),
        "{id}"
    );
    // Long ids stay distinct: the hash covers the whole id.
    let mut other = six.clone();
    other["rules"][5]["params"] = json!({"signal": 8});
    let other = build_rule("COMPOSITE", &other).expect("valid").rule_id();
    assert_eq!(other.chars().count(), MAX_RULE_ID_LEN);
    assert_ne!(other, id);
    // Short ids are unchanged.
    let short = json!({"op": "or", "rules": [{"rule_type": "RSI"}, {"rule_type": "TREND"}]});
    let short = build_rule("COMPOSITE", &short).expect("valid").rule_id();
    assert_eq!(short, "COMPOSITE_OR_RSI_14_30_70+TREND_200_SMA");
    // The largest composite: eight sub-rules, nested as deep as allowed.
    let mut deep = json!({"rules": vec![json!({"rule_type": "RSI_MACD"}); 8]});
    for _ in 0..3 {
        deep = json!({"rules": vec![json!({"rule_type": "COMPOSITE", "params": deep}); 8]});
    }
    let deep = build_rule("COMPOSITE", &deep).expect("valid").rule_id();
    assert_eq!(deep.chars().count(), MAX_RULE_ID_LEN);
}

#[test]
fn ma_cross_signals_exactly_at_crossings() {
    // Down, then up, then down: SMA(2) crosses SMA(4) once each way.
    let close = [
        10.0, 9.0, 8.0, 7.0, 6.0, 8.0, 10.0, 12.0, 14.0, 12.0, 10.0, 8.0, 6.0,
    ];
    let s = series_from_close(&close);
    let rule = build_rule("MA_CROSS", &json!({"fast": 2, "slow": 4})).expect("valid");
    let signals = signals_for(rule.as_ref(), &s);
    // SMA2 at t=5 is 7.0, SMA4 is 7.25 (no cross); t=6: 9.0 vs 7.75 -> cross above.
    let buys: Vec<usize> = (0..s.len())
        .filter(|&t| signals[t] == Signal::Buy)
        .collect();
    let sells: Vec<usize> = (0..s.len())
        .filter(|&t| signals[t] == Signal::Sell)
        .collect();
    assert_eq!(buys, vec![6]);
    // t=9: SMA2 = 13 > SMA4 = 12; t=10: SMA2 = 11 < SMA4 = 12 -> cross below.
    assert_eq!(sells, vec![10]);
}

#[test]
fn composite_and_or_combine_bar_by_bar() {
    let s = wave(300);
    let a = build_rule(
        "RSI",
        &json!({"period": 5, "oversold": 40, "overbought": 60}),
    )
    .expect("a");
    let b = build_rule("MOMENTUM", &json!({"lookback": 3, "threshold": 1})).expect("b");
    let (sa, sb) = (signals_for(a.as_ref(), &s), signals_for(b.as_ref(), &s));
    let sub = json!([
        {"rule_type": "RSI", "params": {"period": 5, "oversold": 40, "overbought": 60}},
        {"rule_type": "MOMENTUM", "params": {"lookback": 3, "threshold": 1}}
    ]);
    let and = build_rule("COMPOSITE", &json!({"op": "and", "rules": sub})).expect("and");
    let or = build_rule("COMPOSITE", &json!({"op": "or", "rules": sub})).expect("or");
    let (sand, sor) = (signals_for(and.as_ref(), &s), signals_for(or.as_ref(), &s));
    for t in 0..s.len() {
        let both = |x: Signal| sa[t] == x && sb[t] == x;
        let any = |x: Signal| sa[t] == x || sb[t] == x;
        let expect_and = if both(Signal::Buy) {
            Signal::Buy
        } else if both(Signal::Sell) {
            Signal::Sell
        } else {
            Signal::Hold
        };
        let expect_or = match (any(Signal::Buy), any(Signal::Sell)) {
            (true, false) => Signal::Buy,
            (false, true) => Signal::Sell,
            _ => Signal::Hold,
        };
        assert_eq!(sand[t], expect_and, "and at {t}");
        assert_eq!(sor[t], expect_or, "or at {t}");
    }
    assert!(and
        .rule_id()
        .starts_with("COMPOSITE_AND_RSI_5_40_60+MOMENTUM_3_1"));
}

#[test]
fn breakout_uses_previous_bars_channel() {
    let close = [10.0, 11.0, 10.5, 10.8, 12.0, 11.0, 9.0, 8.0];
    let s = series_from_close(&close);
    let rule = build_rule("BREAKOUT", &json!({"lookback": 3, "exit_lookback": 2})).expect("valid");
    let signals = signals_for(rule.as_ref(), &s);
    // t=4: close 12 > max(high[1..=3]) = 11*1.01 = 11.11 -> buy.
    assert_eq!(signals[4], Signal::Buy);
    // t=6: close 9 < min(low[4..=5]) = 11*0.99 = 10.89 -> sell.
    assert_eq!(signals[6], Signal::Sell);
    assert_eq!(signals[5], Signal::Hold);
}

#[test]
fn grid_equals_individual_runs_and_computes_each_indicator_once() {
    let s = wave(600);
    let settings = TradingSettings::default();
    let grid = json!({"period": {"start": 5, "stop": 14, "step": 1}, "oversold": [20, 25, 30, 35]});
    let search = grid_search(
        &s,
        "RSI",
        &Value::Null,
        &grid,
        &settings,
        Objective::TotalReturn,
    )
    .expect("grid");
    assert_eq!(search.combinations, 40);
    assert_eq!(search.indicators_computed, 10);
    for row in &search.results {
        let rule = build_rule("RSI", &row.params).expect("valid");
        let full = engine::run(&s, rule.as_ref(), &settings).expect("run");
        assert_eq!(full.metrics, row.metrics, "{}", row.rule_id);
    }
    let returns: Vec<f64> = search
        .results
        .iter()
        .map(|r| r.metrics.total_return_pct)
        .collect();
    assert!(
        returns.windows(2).all(|w| w[0] >= w[1]),
        "sorted by objective"
    );
}

#[test]
fn grid_skips_invalid_points_and_rejects_bad_grids() {
    let s = wave(300);
    let settings = TradingSettings::default();
    let grid = json!({"fast": [5, 10, 40], "slow": [20, 30]});
    let search = grid_search(
        &s,
        "MA_CROSS",
        &Value::Null,
        &grid,
        &settings,
        Objective::Sharpe,
    )
    .expect("grid");
    assert_eq!((search.combinations, search.skipped), (4, 2));
    for bad in [
        json!([]),
        json!({}),
        json!({"period": []}),
        json!({"period": {"start": 5, "stop": 1, "step": 1}}),
        json!({"period": {"start": 1, "stop": 5, "step": 0}}),
    ] {
        assert!(
            grid_search(&s, "RSI", &Value::Null, &bad, &settings, Objective::Sharpe).is_err(),
            "{bad}"
        );
    }
    assert!(matches!(
        grid_search(
            &s,
            "NOPE",
            &Value::Null,
            &json!({"a": [1]}),
            &settings,
            Objective::Sharpe
        ),
        Err(CoreError::UnknownRule { .. })
    ));
}
