//! The backtest request body as `POST /run_backtest` reads it:
//! `BacktestRequest::from_json` and then `into_validated`, which makes the
//! `ValidatedRequest` the run is built from.
//!
//! Properties:
//! - parsing and validation return, never panic, and a rejection says what
//!   is wrong;
//! - a parsed request round-trips through serde (serialised and parsed
//!   again, it is the same request);
//! - a validated request keeps the request as given, its ticker and
//!   benchmark are the ASCII tickers upper-cased, its dates are in order,
//!   its settings validate, its rule is of the requested type, its rule_id
//!   (given or derived) fits the runs table;
//! - validation is idempotent: the request with the built rule's filled-in
//!   parameters (and a server-issued `run_id`, as the web tier sets) validates
//!   to the same rule, ticker and settings.

#![no_main]

use backtest_adapter::contract::{BacktestRequest, ValidatedRequest, MAX_RULE_ID_LEN};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    // The web tier reads the body as UTF-8 text and rejects anything else.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let request = match BacktestRequest::from_json(text) {
        Ok(request) => request,
        Err(err) => {
            assert!(!err.message.is_empty(), "empty message for {text:?}");
            return;
        }
    };
    round_trip(&request);
    match request.validate() {
        Ok(valid) => check_valid(&request, &valid),
        Err(err) => {
            assert!(!err.message.is_empty(), "empty message: {err:?}");
        }
    }
});

fn round_trip(request: &BacktestRequest) {
    let json = serde_json::to_string(request).expect("a request serialises");
    match BacktestRequest::from_json(&json) {
        Ok(again) => assert_eq!(&again, request, "serde round trip changed {json}"),
        Err(err) => panic!("serialised request does not parse: {err}\n{json}"),
    }
}

fn check_valid(request: &BacktestRequest, valid: &ValidatedRequest) {
    assert_eq!(valid.request(), request);
    assert!(
        request.ticker.is_ascii(),
        "non-ASCII ticker {:?} accepted as {:?}",
        request.ticker,
        valid.ticker
    );
    assert_eq!(valid.ticker, request.ticker.to_ascii_uppercase());
    if let Some(benchmark) = &valid.benchmark {
        let given = request.benchmark.as_deref().unwrap_or_default();
        assert!(given.is_ascii(), "non-ASCII benchmark {given:?} accepted");
        assert_eq!(benchmark, &given.to_ascii_uppercase());
        assert_ne!(benchmark, &valid.ticker);
    }
    if let (Some(start), Some(end)) = (valid.start_date, valid.end_date) {
        assert!(start <= end, "{start} after {end}");
    }
    valid.settings.validate().expect("validated settings");
    assert!(
        valid
            .rule
            .rule_type()
            .eq_ignore_ascii_case(&request.rule_type),
        "asked for {:?}, built {}",
        request.rule_type,
        valid.rule.rule_type()
    );
    // Stored in a VARCHAR(128) column, whether given or derived.
    assert!(
        (1..=MAX_RULE_ID_LEN).contains(&valid.rule_id.chars().count()),
        "rule_id of {} characters: {}",
        valid.rule_id.chars().count(),
        valid.rule_id
    );
    if request.rule_id.is_none() {
        assert_eq!(valid.rule_id, valid.rule.rule_id());
    }

    // The request as the run stores it: canonical rule type and parameters,
    // a server-issued run id.
    let mut canonical = request.clone();
    canonical.rule_type = valid.rule.rule_type().to_owned();
    canonical.params = match valid.rule.params() {
        Value::Object(map) => map,
        other => panic!("rule params are not an object: {other}"),
    };
    canonical.run_id = Some("3f2b7c1e-0a4d-4e8b-9c6f-5d2a1b0e7f3c".to_owned());
    let again = match canonical.validate() {
        Ok(again) => again,
        Err(err) => panic!("canonical request rejected: {err}\n{canonical:?}"),
    };
    assert_eq!(again.ticker, valid.ticker);
    assert_eq!(again.benchmark, valid.benchmark);
    assert_eq!(again.rule.rule_id(), valid.rule.rule_id());
    assert_eq!(again.rule.params(), valid.rule.params());
    assert_eq!(again.settings, valid.settings);
    assert_eq!(
        (again.start_date, again.end_date),
        (valid.start_date, valid.end_date)
    );
}
