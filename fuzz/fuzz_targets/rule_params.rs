//! Rule construction from a rule type and JSON parameters (`build_rule`),
//! as a request's `rule_type` and `params` reach it.
//!
//! Input: the rule type on the first line, the JSON parameters after it
//! (`RSI\n{"period": 10}`); an input without a line break is a rule type
//! with default parameters.
//!
//! Properties:
//! - `build_rule` returns, never panics; a rejection is an unknown rule or
//!   an invalid parameter, named;
//! - a built rule is of the requested type (case-insensitively), its
//!   parameters are exactly the declared ones, each within its declared
//!   range or choices, and no undeclared parameter was accepted;
//! - the typed parameters of the rule deserialise from those values and
//!   pass their own `validate`;
//! - building again from the rule's own parameters gives the same rule;
//! - the rule yields one signal per bar on a small series.

#![no_main]

use std::sync::OnceLock;

use backtest_core::rules::signals_for;
use backtest_core::rules::{
    build_rule, describe_rules, AtrBreakoutParams, BollingerParams, BreakoutParams,
    CompositeParams, MaCrossParams, MacdParams, MeanReversionParams, MomentumParams, RsiMacdParams,
    RsiParams, TrendParams, VolumeParams,
};
use backtest_core::{CoreError, OhlcvSeries, ParamKind, ParamSpec, Rule};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

/// Most sub-rules of one composite (`CompositeParams::rules`, "1 to 8").
const MAX_SUB_RULES: usize = 8;

fuzz_target!(|data: &[u8]| {
    let (name, params) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let Ok(rule_type) = std::str::from_utf8(name) else {
        return;
    };
    let params: Value = if params.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        match serde_json::from_slice(params) {
            Ok(value) => value,
            Err(_) => return,
        }
    };
    match build_rule(rule_type, &params) {
        Ok(rule) => check_rule(rule_type, &params, rule.as_ref()),
        Err(err) => check_error(rule_type, &err),
    }
});

fn check_error(rule_type: &str, err: &CoreError) {
    match err {
        CoreError::UnknownRule { valid, .. } => assert!(!valid.is_empty()),
        CoreError::InvalidParam { reason, .. } => {
            // `param` may be empty: it is the name of an unknown key as given.
            assert!(!reason.is_empty(), "{err:?}");
            assert!(
                spec_of(rule_type).is_some(),
                "{rule_type:?} is no rule type, yet the error is {err}"
            );
        }
        other => panic!("unexpected error for {rule_type:?}: {other:?}"),
    }
}

/// The declared parameters of a rule type (case-insensitive), if it exists.
fn spec_of(rule_type: &str) -> Option<(&'static str, Vec<ParamSpec>)> {
    static RULES: OnceLock<Vec<(&'static str, Vec<ParamSpec>)>> = OnceLock::new();
    RULES
        .get_or_init(|| {
            describe_rules()
                .into_iter()
                .map(|r| (r.rule_type, r.params))
                .collect()
        })
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(rule_type))
        .cloned()
}

fn check_rule(rule_type: &str, given: &Value, rule: &dyn Rule) {
    let (name, specs) = spec_of(rule_type).expect("a built rule has a registry entry");
    assert_eq!(rule.rule_type(), name);
    assert!(!rule.rule_id().is_empty());

    if let Value::Object(given) = given {
        for key in given.keys() {
            assert!(
                specs.iter().any(|s| s.name == key),
                "{name}: undeclared parameter {key:?} accepted"
            );
        }
    } else {
        assert!(given.is_null(), "{name}: params {given} accepted");
    }

    let params = rule.params();
    let Value::Object(values) = &params else {
        panic!("{name}: params are not an object: {params}");
    };
    check_values(name, &specs, values);
    check_typed(name, &params);

    let again = build_rule(name, &params)
        .unwrap_or_else(|e| panic!("{name}: own params {params} rejected: {e}"));
    assert_eq!(again.rule_id(), rule.rule_id());
    assert_eq!(again.params(), params);

    let series = series();
    assert_eq!(signals_for(rule, series).len(), series.len());
}

/// Every declared parameter is present, in range, and nothing else is.
fn check_values(name: &str, specs: &[ParamSpec], values: &Map<String, Value>) {
    assert_eq!(values.len(), specs.len(), "{name}: {values:?}");
    for spec in specs {
        let value = values
            .get(spec.name)
            .unwrap_or_else(|| panic!("{name}: no value for {}", spec.name));
        let ok = match &spec.kind {
            ParamKind::Int { min, max, .. } => {
                value.as_i64().is_some_and(|n| (*min..=*max).contains(&n))
            }
            ParamKind::Float { min, max, .. } => value
                .as_f64()
                .is_some_and(|f| f.is_finite() && *min <= f && f <= *max),
            ParamKind::Choice { choices } => value.as_str().is_some_and(|s| choices.contains(&s)),
            ParamKind::Rules => value
                .as_array()
                .is_some_and(|rules| (1..=MAX_SUB_RULES).contains(&rules.len())),
            _ => true,
        };
        assert!(
            ok,
            "{name}: {} = {value} is outside {:?}",
            spec.name, spec.kind
        );
    }
}

/// The values read as the rule's typed parameters and pass their `validate`.
fn check_typed(name: &str, params: &Value) {
    macro_rules! typed {
        ($ty:ty, $validate:expr) => {{
            let typed: $ty = serde_json::from_value(params.clone())
                .unwrap_or_else(|e| panic!("{name}: {params} is not its typed params: {e}"));
            let validate: fn(&$ty) -> backtest_core::Result<()> = $validate;
            if let Err(e) = validate(&typed) {
                panic!("{name}: typed params {params} fail validation: {e}");
            }
        }};
    }
    match name {
        "RSI" => typed!(RsiParams, RsiParams::validate),
        "MACD" => typed!(MacdParams, MacdParams::validate),
        "RSI_MACD" => typed!(RsiMacdParams, RsiMacdParams::validate),
        "MA_CROSS" => typed!(MaCrossParams, MaCrossParams::validate),
        "BOLLINGER" => typed!(BollingerParams, BollingerParams::validate),
        "VOLUME" => typed!(VolumeParams, VolumeParams::validate),
        "TREND" => typed!(TrendParams, TrendParams::validate),
        "ATR_BREAKOUT" => typed!(AtrBreakoutParams, AtrBreakoutParams::validate),
        "MOMENTUM" => typed!(MomentumParams, MomentumParams::validate),
        "MEAN_REVERSION" => typed!(MeanReversionParams, MeanReversionParams::validate),
        "BREAKOUT" => typed!(BreakoutParams, BreakoutParams::validate),
        // Sub-rules are checked when the composite is rebuilt from them.
        "COMPOSITE" => typed!(CompositeParams, |_| Ok(())),
        other => panic!("rule type {other} has no typed check here"),
    }
}

/// 64 daily bars of a deterministic zig-zag walk, built once.
fn series() -> &'static OhlcvSeries {
    static SERIES: OnceLock<OhlcvSeries> = OnceLock::new();
    SERIES.get_or_init(|| {
        let n = 64;
        let close: Vec<f64> = (0..n)
            .map(|i| 100.0 + 10.0 * ((i * 7 % 23) as f64 / 23.0 - 0.5) + i as f64 * 0.3)
            .collect();
        let open: Vec<f64> = std::iter::once(100.0)
            .chain(close[..n - 1].iter().copied())
            .collect();
        let high = open
            .iter()
            .zip(&close)
            .map(|(o, c)| o.max(*c) + 1.0)
            .collect();
        let low = open
            .iter()
            .zip(&close)
            .map(|(o, c)| o.min(*c) - 1.0)
            .collect();
        let volume = (0..n)
            .map(|i| 1_000.0 + (i * 37 % 11) as f64 * 100.0)
            .collect();
        let timestamps = (0..n as i64).map(|i| 1_577_923_200 + i * 86_400).collect();
        OhlcvSeries::new(timestamps, open, high, low, close, volume).expect("a valid series")
    })
}
