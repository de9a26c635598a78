//! Reproducibility fingerprints and the preparation of a submitted run.
//!
//! `fingerprint = sha256_hex(canonical_request + "\n" + data_sha256 + "\n" + ENGINE_VERSION + "\n" + CORE_VERSION)`
//! where
//! - `canonical_request` is the request without `run_id`, every default
//!   filled (the rule's parameter defaults, the derived `rule_id`, the
//!   upper-cased ticker and canonical rule type), serialised as JSON with the
//!   keys of every object sorted and no whitespace;
//! - `data_sha256` is the hex sha256 of the bytes of the market-data file the
//!   run reads;
//! - `ENGINE_VERSION` is [`backtest_adapter::ENGINE_VERSION`] and
//!   `CORE_VERSION` is [`backtest_core::VERSION`]: the engine's results
//!   come from the core, so a core release changes every fingerprint.
//!
//! The web computes it at submit time; the worker recomputes it from the
//! bytes it actually loads and stores that value with the result (they differ
//! only if the data file changed in between). Two runs with the same
//! fingerprint produce byte-identical result JSON except for the `run_id`
//! field, which names the run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use backtest_adapter::contract::{BacktestRequest, ContractError, ValidatedRequest};
use backtest_adapter::data::{DataDir, DataError};
use backtest_adapter::pipeline::RunError;
use backtest_adapter::ENGINE_VERSION;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

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

/// Validates `request`, resolves its data file and computes the fingerprint.
///
/// # Errors
/// [`RunError::Invalid`] for a request the user must fix (including an
/// unknown ticker), [`RunError::Data`] when the data file cannot be read.
pub fn prepare(
    mut request: BacktestRequest,
    run_id: &str,
    data_dir: &DataDir,
) -> Result<Submission, RunError> {
    request.run_id = None;
    let valid = request.validate()?;
    let path = data_dir
        .resolve(&valid.ticker, valid.settings.timeframe)
        .map_err(|e| RunError::from_data(e, &request))?;
    let data_sha = data_sha256(&path).map_err(|source| {
        RunError::Data(DataError::Io {
            path: path.clone(),
            source,
        })
    })?;
    let canonical = canonical_request(&request, &valid);
    let fingerprint = fingerprint(&canonical, &data_sha);
    request.run_id = Some(run_id.to_owned());
    let request_json = serde_json::to_string(&request)
        .map_err(|e| ContractError::new("body", format!("cannot store the request: {e}")))?;
    Ok(Submission {
        run_id: run_id.to_owned(),
        ticker: valid.ticker.clone(),
        rule_type: valid.rule.rule_type().to_owned(),
        rule_id: valid.rule_id.clone(),
        request_json,
        params_json: canonical_json(&filled_params(&request, &valid)),
        fingerprint,
    })
}

/// The rule parameters with the rule's defaults filled in.
fn filled_params(request: &BacktestRequest, valid: &ValidatedRequest) -> Value {
    match valid.rule.params() {
        Value::Object(map) => Value::Object(map),
        _ => Value::Object(request.params.clone()),
    }
}

/// The canonical JSON of `request` (see the module documentation).
pub fn canonical_request(request: &BacktestRequest, valid: &ValidatedRequest) -> String {
    let mut value = serde_json::to_value(request).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("run_id");
        map.insert("ticker".into(), Value::String(valid.ticker.clone()));
        map.insert(
            "rule_type".into(),
            Value::String(valid.rule.rule_type().to_owned()),
        );
        map.insert("rule_id".into(), Value::String(valid.rule_id.clone()));
        map.insert("params".into(), filled_params(request, valid));
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

/// Hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

type HashCache = Mutex<HashMap<PathBuf, (SystemTime, u64, String)>>;

/// Hex sha256 of a file's content, cached by path, modification time and size
/// (every submit hashes the data file; it rarely changes).
pub fn data_sha256(path: &Path) -> std::io::Result<String> {
    static CACHE: OnceLock<HashCache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let meta = std::fs::metadata(path)?;
    let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let key = path.to_path_buf();
    if let Ok(map) = cache.lock() {
        if let Some((m, len, hash)) = map.get(&key) {
            if *m == modified && *len == meta.len() {
                return Ok(hash.clone());
            }
        }
    }
    let hash = sha256_hex(&std::fs::read(path)?);
    if let Ok(mut map) = cache.lock() {
        map.insert(key, (modified, meta.len(), hash.clone()));
    }
    Ok(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: &str) -> BacktestRequest {
        BacktestRequest::from_json(json).expect("valid request")
    }

    fn canonical(json: &str) -> String {
        let r = request(json);
        let valid = r.validate().expect("valid");
        canonical_request(&r, &valid)
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
