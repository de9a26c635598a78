//! Reproducibility fingerprints and the preparation of a submitted run.
//!
//! `fingerprint = sha256_hex(canonical_request + "\n" + data_sha256 + "\n" + ENGINE_VERSION + "\n" + CORE_VERSION)`
//! where
//! - `canonical_request` is the request without `run_id`, every default
//!   filled (the rule's parameter defaults, the derived `rule_id`, the
//!   upper-cased ticker and canonical rule type), serialised as JSON with the
//!   keys of every object sorted and no whitespace;
//!   A `benchmark` naming the run's own ticker is the default and is left
//!   out, like an absent one; another benchmark is its upper-cased ticker;
//! - `data_sha256` is the hex sha256 of the bytes of the market-data file the
//!   run reads; with a benchmark other than the ticker, that hash, `+`, and
//!   the hash of the benchmark's file (a changed benchmark file changes the
//!   fingerprint; see [`crate::runner::RunFiles::data_sha256`]);
//! - `ENGINE_VERSION` is [`backtest_adapter::ENGINE_VERSION`] and
//!   `CORE_VERSION` is [`backtest_core::VERSION`]: the engine's results
//!   come from the core, so a core release changes every fingerprint.
//!
//! The web computes it at submit time (from the file as its data cache read
//! it); the worker recomputes it from the bytes it actually loads and stores that value with the result (they differ
//! only if the data file changed in between). Two runs with the same
//! fingerprint produce byte-identical result JSON except for the `run_id`
//! field, which names the run.

use backtest_adapter::contract::{ContractError, ValidatedRequest};
use backtest_adapter::ENGINE_VERSION;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::runner::RunFiles;

/// A validated run, ready to be stored as `queued`.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The run's id (UUID4).
    pub run_id: String,
    /// Upper-cased ticker.
    pub ticker: String,
    /// Canonical rule type (`RSI`, `MA_CROSS`, ...).
    pub rule_type: String,
    /// The request's or the derived rule id.
    pub rule_id: String,
    /// The request as submitted, with `run_id` set (what the worker runs).
    pub request_json: String,
    /// The rule parameters with their defaults filled.
    pub params_json: String,
    /// See the module documentation.
    pub fingerprint: String,
}

impl Submission {
    /// The submission of `valid` (its `run_id` set) reading `files`.
    ///
    /// # Errors
    /// [`ContractError`] (field `run_id`) when the request has no run id,
    /// or (field `body`) when it cannot be serialised.
    pub fn new(valid: &ValidatedRequest, files: &RunFiles) -> Result<Self, ContractError> {
        let request = valid.request();
        let run_id = request
            .run_id
            .clone()
            .ok_or_else(|| ContractError::new("run_id", "a stored run needs a run id"))?;
        let request_json = serde_json::to_string(request)
            .map_err(|e| ContractError::new("body", format!("cannot store the request: {e}")))?;
        Ok(Self {
            run_id,
            ticker: valid.ticker.clone(),
            rule_type: valid.rule.rule_type().to_owned(),
            rule_id: valid.rule_id.clone(),
            request_json,
            params_json: canonical_json(&filled_params(valid)),
            fingerprint: fingerprint(&canonical_request(valid), &files.data_sha256()),
        })
    }
}

/// The rule parameters with the rule's defaults filled in.
fn filled_params(valid: &ValidatedRequest) -> Value {
    match valid.rule.params() {
        Value::Object(map) => Value::Object(map),
        _ => Value::Object(valid.request().params.clone()),
    }
}

/// The canonical JSON of a request (see the module documentation).
pub fn canonical_request(valid: &ValidatedRequest) -> String {
    let mut value = serde_json::to_value(valid.request()).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("run_id");
        match &valid.benchmark {
            Some(benchmark) => map.insert("benchmark".into(), Value::String(benchmark.clone())),
            None => map.remove("benchmark"),
        };
        map.insert("ticker".into(), Value::String(valid.ticker.clone()));
        map.insert(
            "rule_type".into(),
            Value::String(valid.rule.rule_type().to_owned()),
        );
        map.insert("rule_id".into(), Value::String(valid.rule_id.clone()));
        map.insert("params".into(), filled_params(valid));
    }
    canonical_json(&value)
}

/// JSON with the keys of every object sorted, without whitespace.
pub fn canonical_json(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let mut out = Map::new();
                for key in keys {
                    out.insert(key.clone(), sorted(&map[key]));
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    // With serde_json's default map (sorted) the keys are already in order;
    // the explicit sort keeps this true should `preserve_order` be enabled.
    sorted(value).to_string()
}

/// The fingerprint of a canonical request and a data-file hash.
pub fn fingerprint(canonical_request: &str, data_sha256: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(canonical_request.as_bytes());
    hasher.update(b"\n");
    hasher.update(data_sha256.as_bytes());
    hasher.update(b"\n");
    hasher.update(ENGINE_VERSION.as_bytes());
    hasher.update(b"\n");
    hasher.update(backtest_core::VERSION.as_bytes());
    hex::encode(hasher.finalize())
}

/// The data part of the fingerprint of a run with a benchmark other than
/// its ticker (see the module documentation).
pub fn with_benchmark_sha(data_sha256: &str, benchmark_sha256: &str) -> String {
    format!("{data_sha256}+{benchmark_sha256}")
}

/// Hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    use backtest_adapter::contract::BacktestRequest;

    fn canonical(json: &str) -> String {
        let valid = BacktestRequest::from_json(json)
            .and_then(BacktestRequest::into_validated)
            .expect("valid request");
        canonical_request(&valid)
    }

    #[test]
    fn canonical_form_ignores_run_id_order_and_defaults() {
        let a = canonical(r#"{"ticker": "goog", "rule_type": "rsi"}"#);
        let b = canonical(
            r#"{"rule_type": "RSI", "run_id": "abc", "ticker": "GOOG", "fee_rate": 0.001, "charts": true}"#,
        );
        assert_eq!(a, b);
        assert!(!a.contains("run_id"));
        assert!(a.starts_with(r#"{"charts":true,"#), "{a}");
        let c = canonical(r#"{"ticker": "GOOG", "rule_type": "RSI", "fee_rate": 0.002}"#);
        assert_ne!(a, c);
    }

    #[test]
    fn canonical_benchmark() {
        let plain = canonical(r#"{"ticker": "AAPL"}"#);
        assert_eq!(
            plain,
            canonical(r#"{"ticker": "AAPL", "benchmark": "aapl"}"#)
        );
        assert_eq!(plain, canonical(r#"{"ticker": "AAPL", "benchmark": null}"#));
        assert!(!plain.contains("benchmark"), "{plain}");
        let spy = canonical(r#"{"ticker": "AAPL", "benchmark": "spy"}"#);
        assert!(spy.contains(r#""benchmark":"SPY""#), "{spy}");
        assert_ne!(plain, spy);
    }

    #[test]
    fn canonical_json_sorts_nested_keys() {
        let v: Value = serde_json::json!({"b": {"z": 1, "a": [{"y": 2, "x": 1}]}, "a": null});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":null,"b":{"a":[{"x":1,"y":2}],"z":1}}"#
        );
    }

    #[test]
    fn fingerprint_depends_on_every_part() {
        let f = fingerprint("{}", "00");
        assert_eq!(f.len(), 64);
        assert_eq!(f, fingerprint("{}", "00"));
        assert_ne!(f, fingerprint("{}", "01"));
        assert_ne!(f, fingerprint("{\"a\":1}", "00"));
    }
}
