//! Typed rule constructors, serde params and the JSON layer agree; unknown or
//! misspelt parameters are errors, never silent defaults.

use backtest_core::engine::TradingSettings;
use backtest_core::optimizer::{grid_search, Objective};
use backtest_core::rules::{
    build_rule, describe_rules, signals_for, CompositeOp, CompositeRule, MaCrossParams,
    MaCrossRule, MacdParams, RsiParams, RsiRule,
};
use backtest_core::{CoreError, MaKind, OhlcvSeries, Rule};
use serde_json::{json, Value};

fn wave(n: usize) -> OhlcvSeries {
    let close: Vec<f64> = (0..n)
        .map(|i| 100.0 + 20.0 * (i as f64 / 9.0).sin() + i as f64 * 0.05)
        .collect();
    OhlcvSeries::new(
        (0..n as i64).map(|d| d * 86_400).collect(),
        close.clone(),
        close.iter().map(|c| c * 1.01).collect(),
        close.iter().map(|c| c * 0.99).collect(),
        close,
        vec![1e6; n],
    )
    .expect("valid")
}

fn invalid_param(result: Result<impl std::fmt::Debug, CoreError>) -> (String, String) {
    match result {
        Err(CoreError::InvalidParam { param, reason }) => (param, reason),
        other => panic!("expected InvalidParam, got {other:?}"),
    }
}

#[test]
fn typed_constructor_equals_build_rule() {
    let typed = RsiRule::new(RsiParams {
        period: 10,
        oversold: 25.0,
        overbought: 75.0,
    })
    .expect("valid");
    let built = build_rule(
        "rsi",
        &json!({"period": 10, "oversold": 25, "overbought": 75}),
    )
    .expect("valid");
    assert_eq!(typed.rule_id(), built.rule_id());
    assert_eq!(typed.params(), built.params());
    let s = wave(300);
    assert_eq!(signals_for(&typed, &s), signals_for(built.as_ref(), &s));
    assert_eq!(typed.parameters().period, 10);
}

#[test]
fn typed_validation_names_the_param_and_range() {
    let (param, reason) = invalid_param(RsiRule::new(RsiParams {
        period: 1,
        ..RsiParams::default()
    }));
    assert_eq!(param, "period");
    assert!(reason.contains("[2, 200]"), "{reason}");
    let (param, reason) = invalid_param(RsiRule::new(RsiParams {
        oversold: 80.0,
        ..RsiParams::default()
    }));
    assert_eq!(
        (param.as_str(), reason.as_str()),
        ("oversold", "must be below overbought")
    );
    let (param, _) = invalid_param(MaCrossRule::new(MaCrossParams {
        fast: 50,
        slow: 20,
        kind: MaKind::Ema,
    }));
    assert_eq!(param, "fast");
}

#[test]
fn serde_params_deny_unknown_fields_and_default_the_rest() {
    let p: MacdParams = serde_json::from_value(json!({"fast": 8})).expect("valid");
    assert_eq!((p.fast, p.slow, p.signal), (8, 26, 9));
    let err = serde_json::from_value::<MacdParams>(json!({"fats": 8})).expect_err("typo");
    assert!(err.to_string().contains("fats"), "{err}");
    let kind: MaCrossParams = serde_json::from_value(json!({"kind": "ema"})).expect("valid");
    assert_eq!(kind.kind, MaKind::Ema);
}

#[test]
fn misspelt_params_are_errors_everywhere() {
    let (param, reason) = invalid_param(build_rule("MA_CROSS", &json!({"knd": "ema"})));
    assert_eq!(param, "knd");
    assert!(
        reason.contains("valid parameters: fast, slow, kind"),
        "{reason}"
    );
    let nested = json!({"op": "and", "rules": [{"rule_type": "RSI", "parms": {"period": 5}}]});
    let (param, reason) = invalid_param(build_rule("COMPOSITE", &nested));
    assert_eq!(param, "rules[0].parms");
    assert!(reason.contains("rule_type, params"), "{reason}");
    let nested = json!({"rules": [{"rule_type": "RSI", "params": {"perod": 5}}]});
    assert_eq!(
        invalid_param(build_rule("COMPOSITE", &nested)).0,
        "rules[0].perod"
    );
}

#[test]
fn spec_defaults_are_the_typed_defaults() {
    for info in describe_rules() {
        if info.rule_type == "COMPOSITE" {
            continue;
        }
        let rule = build_rule(info.rule_type, &Value::Null).expect("defaults are valid");
        let params = rule.params();
        for spec in &info.params {
            assert_eq!(
                params[spec.name], spec.default,
                "{}.{}",
                info.rule_type, spec.name
            );
        }
    }
}

#[test]
fn composite_from_typed_rules() {
    let rules: Vec<Box<dyn Rule>> = vec![
        Box::new(RsiRule::new(RsiParams::default()).expect("valid")),
        build_rule("MACD", &Value::Null).expect("valid"),
    ];
    let typed = CompositeRule::from_rules(CompositeOp::Or, rules).expect("valid");
    let built = build_rule(
        "COMPOSITE",
        &json!({"op": "or", "rules": [{"rule_type": "RSI"}, {"rule_type": "MACD"}]}),
    )
    .expect("valid");
    assert_eq!(typed.rule_id(), built.rule_id());
    assert!(CompositeRule::from_rules(CompositeOp::And, Vec::new()).is_err());
}

#[test]
fn macd_is_computed_once_per_parameter_triple() {
    let s = wave(500);
    let grid = json!({"signal": [5, 9], "fast": [8, 12]});
    let search = grid_search(
        &s,
        "MACD",
        &Value::Null,
        &grid,
        &TradingSettings::default(),
        Objective::Sharpe,
    )
    .expect("grid");
    assert_eq!(search.combinations, 4);
    // One cached entry (MACD, signal and histogram lines) per (fast, slow, signal).
    assert_eq!(search.indicators_computed, 4);
}

#[test]
fn grid_base_params_are_overridden_by_axes_and_checked_otherwise() {
    let s = wave(300);
    let settings = TradingSettings::default();
    let grid = json!({"period": [7, 14]});
    let search = grid_search(
        &s,
        "RSI",
        &json!({"period": 1}),
        &grid,
        &settings,
        Objective::Sharpe,
    )
    .expect("axis overrides the base");
    assert_eq!(search.combinations, 2);
    let err = grid_search(
        &s,
        "RSI",
        &json!({"overbougth": 80}),
        &grid,
        &settings,
        Objective::Sharpe,
    )
    .expect_err("typo in base");
    assert!(err.to_string().contains("overbougth"), "{err}");
    let err = grid_search(
        &s,
        "RSI",
        &Value::Null,
        &json!({"perod": [3]}),
        &settings,
        Objective::Sharpe,
    )
    .expect_err("typo in grid");
    assert!(err.to_string().contains("perod"), "{err}");
}

#[test]
fn composite_grid_points_equal_their_json_builds() {
    let s = wave(600);
    let fast = json!([{"rule_type": "RSI", "params": {"period": 7}}, {"rule_type": "MACD"}]);
    let slow =
        json!([{"rule_type": "TREND", "params": {"period": 50}}, {"rule_type": "BOLLINGER"}]);
    // An invalid sub-rule list skips its points; an unknown type fails the grid.
    let bad = json!([{"rule_type": "RSI", "params": {"period": 1}}]);
    let grid = json!({"op": ["and", "or"], "rules": [fast, bad, slow]});
    let settings = TradingSettings::default();
    let search = grid_search(
        &s,
        "COMPOSITE",
        &json!({}),
        &grid,
        &settings,
        Objective::Sharpe,
    )
    .expect("grid runs");
    assert_eq!((search.combinations, search.skipped), (4, 2));
    for r in &search.results {
        let rule = build_rule("COMPOSITE", &r.params).expect("valid");
        assert_eq!(rule.params(), r.params);
        assert_eq!(rule.rule_id(), r.rule_id);
        let signals = signals_for(rule.as_ref(), &s);
        let metrics = backtest_core::engine::run_metrics(&s, &signals, &settings).expect("runs");
        assert_eq!(metrics, r.metrics, "{}", r.rule_id);
    }
    // Only the invalid list: every point rejected, its reason returned.
    let (param, _) = invalid_param(grid_search(
        &s,
        "COMPOSITE",
        &json!({"op": "or"}),
        &json!({"rules": [bad]}),
        &settings,
        Objective::Sharpe,
    ));
    assert_eq!(param, "rules[0].period");
    let unknown = json!([{"rule_type": "NOPE"}]);
    assert!(matches!(
        grid_search(
            &s,
            "COMPOSITE",
            &json!({}),
            &json!({"rules": [unknown]}),
            &settings,
            Objective::Sharpe
        ),
        Err(CoreError::UnknownRule { .. })
    ));
}
