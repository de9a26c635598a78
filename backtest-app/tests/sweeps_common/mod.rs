//! Helpers of the sweep tests: submitting and polling sweeps through the
//! real web, and the independent reference, `backtest optimize` run as a
//! separate process on the same data file.

#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::jobs_common::{repo_root, Server};

/// The data every sweep test uses: the repository's daily AAPL bars.
pub const TICKER: &str = "AAPL";

/// How long a test sweep may take.
pub const SWEEP_TIMEOUT: Duration = Duration::from_secs(180);

/// A sweep request for the RSI rule over `grid`.
pub fn body(grid: &Value, extra: &Value) -> String {
    let mut body = json!({"ticker": TICKER, "rule_type": "RSI", "grid": grid});
    if let (Value::Object(map), Value::Object(more)) = (&mut body, extra) {
        map.extend(more.clone());
    }
    body.to_string()
}

/// Submits a sweep; returns its id (asserting the 202).
pub fn submit(server: &Server, body: &str) -> String {
    let (code, text) = server.http("POST", "/api/sweeps", Some(body));
    assert_eq!(code, 202, "submit: {text}");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    let id = v["sweep_id"].as_str().expect("sweep_id").to_owned();
    assert_eq!(v["status_url"], format!("/api/sweeps/{id}"));
    id
}

/// `GET path` as JSON, asserting 200.
pub fn get(server: &Server, path: &str) -> Value {
    let (code, text) = server.http("GET", path, None);
    assert_eq!(code, 200, "GET {path}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {text}"))
}

/// Polls the sweep until `done(detail)`; returns the detail.
pub fn wait_until(server: &Server, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + SWEEP_TIMEOUT;
    loop {
        let v = get(server, &format!("/api/sweeps/{id}"));
        if done(&v) {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "sweep {id} not {what} in time: {v}\n{}",
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Polls until the sweep is final; asserts `completed`.
pub fn wait_completed(server: &Server, id: &str) -> Value {
    let v = wait_until(server, id, "final", |v| {
        matches!(
            v["status"].as_str(),
            Some("completed" | "failed" | "cancelled")
        )
    });
    assert_eq!(v["status"], "completed", "{v}\n{}", server.log_text());
    v
}

/// Every evaluated row of the sweep, in the API's default order.
pub fn all_results(server: &Server, id: &str, total: u64) -> Vec<Value> {
    let page = get(server, &format!("/api/sweeps/{id}/results?limit={total}"));
    page["results"].as_array().expect("results").clone()
}

/// `[params, rule_id, metrics]` per row, the comparable part of a result.
pub fn rows(results: &[Value]) -> Vec<Value> {
    results
        .iter()
        .map(|r| json!([r["params"], r["rule_id"], r["metrics"]]))
        .collect()
}

/// `backtest optimize` on the same file with `args`; its JSON.
pub fn optimize(grid: &Value, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_backtest"))
        .arg("optimize")
        .arg("--data")
        .arg(repo_root().join("data").join(format!("{TICKER}.csv")))
        .args(["--rule", "RSI", "--grid", &grid.to_string()])
        .args(args)
        .output()
        .expect("backtest optimize runs");
    assert!(
        out.status.success(),
        "optimize: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("optimize JSON")
}

/// SIGKILLs a process.
pub fn kill9(pid: u32) {
    let status = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -9 {pid}");
}
