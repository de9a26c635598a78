//! Local-mode jobs end to end, against SQLite and MySQL/MariaDB
//! (`TEST_MYSQL_URL`; each test creates and drops its own database): the
//! real `backtest serve` binary spawns real `backtest worker` processes.
//!
//! - 50 concurrent submissions: all `completed`, exactly 50 stored results,
//!   each equal to the synchronous `/run_backtest` result for the same
//!   request, and runs with the same fingerprint byte-identical — both after
//!   replacing the `run_id` value, the one field that names the run;
//! - `run_id` on the web's and the worker's log lines;
//! - SIGKILL of a worker mid-run: the run becomes `failed` with a message;
//! - SIGKILL and restart of the web with runs in flight: every run ends
//!   `completed` or `failed` with a message;
//! - database unavailable: SQLite locked by another connection (inserts
//!   time out: 500 with the run_id), MySQL cut off by a TCP proxy between
//!   web and server (503 with the run_id); afterwards every accepted run is
//!   final and no answer left a half-written run.
//!
//! Workers are slowed with `BACKTEST_WORKER_DELAY_MS` where a test must
//! catch a run while it is `running`.

mod jobs_common;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use jobs_common::{message, normalise, raw_result, worker_pids, Kind, Proxy, Server, TestDb};
use serde_json::{json, Value};

const FINAL_TIMEOUT: Duration = Duration::from_secs(240);

/// The requests of the 50-run test: a few distinct ones, repeated.
fn requests() -> Vec<Value> {
    vec![
        json!({"ticker": "GOOG", "rule_type": "RSI"}),
        json!({"ticker": "GOOG", "rule_type": "RSI", "params": {"period": 10}, "fee_rate": 0.0005}),
        json!({"ticker": "GOOG", "rule_type": "MACD", "start_date": "2008-01-01"}),
        json!({"ticker": "GOOG", "rule_type": "MA_CROSS", "direction": "longshort"}),
        json!({"ticker": "goog", "rule_type": "rsi", "charts": true}),
    ]
}

fn fifty_runs(kind: Kind) {
    let Some(db) = TestDb::of(kind) else { return };
    let server = Server::start(&db.url, &[]);
    let requests = requests();
    let submitted: Vec<(usize, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..50)
            .map(|i| {
                let server = &server;
                let body = requests[i % requests.len()].to_string();
                scope.spawn(move || {
                    let (status, v) = server.submit(&body);
                    assert_eq!(status, 202, "submit {i}: {v}");
                    let run_id = v["run_id"].as_str().expect("run_id").to_owned();
                    assert_eq!(v["status_url"], format!("/status/{run_id}"));
                    (i % 5, run_id)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("submit thread"))
            .collect()
    });
    assert_eq!(submitted.len(), 50);

    // The synchronous result of each distinct request, run_id normalised.
    let sync: Vec<String> = requests
        .iter()
        .map(|r| {
            let (code, body) = server.http("POST", "/run_backtest", Some(&r.to_string()));
            assert_eq!(code, 200, "{body}");
            let v: Value = serde_json::from_str(&body).expect("result JSON");
            normalise(&body, v["run_id"].as_str().expect("sync run_id"))
        })
        .collect();

    let mut by_fingerprint: HashMap<String, String> = HashMap::new();
    let mut intervals = Vec::new();
    for (variant, run_id) in &submitted {
        let body = server.wait_final(run_id, FINAL_TIMEOUT);
        let status: Value = serde_json::from_str(&body).expect("status JSON");
        if let (Some(s), Some(f)) = (
            status["started_at"].as_str(),
            status["finished_at"].as_str(),
        ) {
            intervals.push((s.to_owned(), f.to_owned()));
        }
        assert_eq!(
            status["status"], "completed",
            "{run_id}: {}",
            status["error_message"]
        );
        assert_eq!(status["run_id"], run_id.as_str());
        assert!(status["error_message"].is_null());
        for key in ["created_at", "started_at", "finished_at"] {
            assert!(status[key].is_string(), "{key} missing: {}", status[key]);
        }
        let fingerprint = status["fingerprint"]
            .as_str()
            .expect("fingerprint")
            .to_owned();
        assert_eq!(fingerprint.len(), 64);
        let result = normalise(raw_result(&body), run_id);
        assert_eq!(status["result"]["run_id"], run_id.as_str());
        assert_eq!(status["result"]["status"], "completed");
        assert!(
            status["result"]["chart_base64"].is_string(),
            "charts are rendered"
        );
        assert!(
            result == sync[*variant],
            "run {run_id} (request {variant}) differs from the synchronous result"
        );
        match by_fingerprint.get(&fingerprint) {
            Some(first) => assert!(first == &result, "same fingerprint, different bytes"),
            None => {
                by_fingerprint.insert(fingerprint, result);
            }
        }
    }
    // Never more than MAX_CONCURRENT_WORKERS=2 runs in progress at once
    // (RFC 3339 UTC timestamps of one format compare as strings).
    let mut events: Vec<(&str, i32)> = intervals
        .iter()
        .flat_map(|(s, f)| [(s.as_str(), 1), (f.as_str(), -1)])
        .collect();
    events.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
    let (mut running, mut peak) = (0, 0);
    for (_, delta) in events {
        running += delta;
        peak = peak.max(running);
    }
    assert!(peak <= 2, "{peak} runs in progress at once");
    // Requests 0 and 4 are the same request spelled differently.
    assert_eq!(
        by_fingerprint.len(),
        4,
        "fingerprints: {:?}",
        by_fingerprint.keys()
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM backtest_results"), 50);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM backtest_results WHERE status = 'completed' AND result_json IS NOT NULL"),
        50
    );

    // run_id on the web's and the worker's lines.
    let run_id = &submitted[0].1;
    let logs = server.log_text();
    let lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains(run_id.as_str()))
        .collect();
    let messages: Vec<String> = lines.iter().filter_map(|l| message(l)).collect();
    for expected in [
        "run queued",
        "worker started",
        "run started",
        "run completed",
    ] {
        assert!(
            messages.iter().any(|m| m == expected),
            "no `{expected}` line with run_id {run_id}; lines: {lines:#?}"
        );
    }
    // Every worker line is about its run.
    for line in logs.lines() {
        if let Some(m) = message(line) {
            if m == "run started" || m == "run completed" {
                let v: Value = serde_json::from_str(line).expect("JSON line");
                assert!(
                    v.pointer("/span/run_id").and_then(Value::as_str).is_some(),
                    "worker line without run_id: {line}"
                );
            }
        }
    }
}

#[test]
fn fifty_concurrent_runs_sqlite() {
    fifty_runs(Kind::Sqlite);
}

#[test]
fn fifty_concurrent_runs_mysql() {
    fifty_runs(Kind::MySql);
}

fn killed_worker(kind: Kind) {
    let Some(db) = TestDb::of(kind) else { return };
    let server = Server::start(&db.url, &[("BACKTEST_WORKER_DELAY_MS", "20000")]);
    let (code, v) = server.submit(r#"{"ticker": "GOOG", "rule_type": "RSI"}"#);
    assert_eq!(code, 202, "{v}");
    let run_id = v["run_id"].as_str().expect("run_id").to_owned();
    server.wait_status(&run_id, "running", Duration::from_secs(60));
    let pids = worker_pids(&run_id);
    assert_eq!(pids.len(), 1, "one worker process for {run_id}: {pids:?}");
    let killed = std::process::Command::new("kill")
        .args(["-9", &pids[0].to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let body = server.wait_final(&run_id, Duration::from_secs(30));
    let status: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(status["status"], "failed");
    assert_eq!(
        status["error_message"], "worker exited with signal 9 before writing a result",
        "{body}"
    );
    assert!(status["result"].is_null());
    assert!(status["finished_at"].is_string());
}

#[test]
fn killed_worker_fails_its_run_sqlite() {
    killed_worker(Kind::Sqlite);
}

#[test]
fn killed_worker_fails_its_run_mysql() {
    killed_worker(Kind::MySql);
}

fn web_restart(kind: Kind) {
    let Some(db) = TestDb::of(kind) else { return };
    let mut first = Server::start(&db.url, &[("BACKTEST_WORKER_DELAY_MS", "3000")]);
    let ids: Vec<String> = (0..6)
        .map(|_| {
            let (code, v) =
                first.submit(r#"{"ticker": "GOOG", "rule_type": "RSI", "charts": false}"#);
            assert_eq!(code, 202, "{v}");
            v["run_id"].as_str().expect("run_id").to_owned()
        })
        .collect();
    first.wait_status(&ids[0], "running", Duration::from_secs(60));
    let queued = db.count("SELECT COUNT(*) FROM backtest_results WHERE status = 'queued'");
    assert!(queued >= 3, "runs still queued when the web dies: {queued}");
    first.kill();

    let second = Server::start(&db.url, &[]);
    let mut outcomes = BTreeMap::new();
    for id in &ids {
        let body = second.wait_final(id, FINAL_TIMEOUT);
        let v: Value = serde_json::from_str(&body).expect("JSON");
        let status = v["status"].as_str().unwrap_or_default().to_owned();
        if status == "failed" {
            let message = v["error_message"].as_str().unwrap_or_default();
            assert!(!message.is_empty(), "failed without a message: {body}");
        } else {
            assert!(
                v["result"].is_object(),
                "completed without a result: {body}"
            );
        }
        *outcomes.entry(status).or_insert(0) += 1;
    }
    assert!(
        outcomes.get("completed").copied().unwrap_or(0) >= 3,
        "the queued runs complete after the restart: {outcomes:?}"
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM backtest_results WHERE status IN ('queued', 'running')"),
        0
    );
    // Orphaned workers of the first web are gone or exit on their own.
    for id in &ids {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !worker_pids(id).is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[test]
fn web_restart_loses_nothing_sqlite() {
    web_restart(Kind::Sqlite);
}

#[test]
fn web_restart_loses_nothing_mysql() {
    web_restart(Kind::MySql);
}

/// Submits during an outage; every answer must be a JSON 500/503 with the
/// run_id. Returns the run ids answered so.
fn submit_during_outage(server: &Server, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let (code, v) =
                server.submit(r#"{"ticker": "GOOG", "rule_type": "RSI", "charts": false}"#);
            assert!(
                code == 503 || code == 500,
                "expected 503/500, got {code}: {v}"
            );
            if code == 503 {
                assert_eq!(v["error"], "Database unavailable");
            } else {
                assert_eq!(v["error"], "Internal server error");
            }
            v["run_id"]
                .as_str()
                .expect("run_id in the error")
                .to_owned()
        })
        .collect()
}

/// After the outage: accepted runs are final; rejected ones were never
/// stored (or, at worst, are final).
fn check_after_outage(server: &Server, db: &TestDb, accepted: &[String], rejected: &[String]) {
    for id in accepted {
        let body = server.wait_final(id, FINAL_TIMEOUT);
        let v: Value = serde_json::from_str(&body).expect("JSON");
        if v["status"] == "failed" {
            assert!(
                v["error_message"].as_str().is_some_and(|m| !m.is_empty()),
                "{body}"
            );
        }
    }
    for id in rejected {
        let (code, body) = server.http("GET", &format!("/status/{id}"), None);
        match code {
            404 => {}
            200 => {
                let v: Value = serde_json::from_str(&body).expect("JSON");
                assert!(
                    matches!(v["status"].as_str(), Some("completed" | "failed")),
                    "{body}"
                );
            }
            _ => panic!("status of a rejected run: {code} {body}"),
        }
    }
    let (code, v) = server.submit(r#"{"ticker": "GOOG", "rule_type": "RSI", "charts": false}"#);
    assert_eq!(code, 202, "the API works again: {v}");
    let body = server.wait_final(v["run_id"].as_str().expect("run_id"), FINAL_TIMEOUT);
    assert!(body.contains("\"status\":\"completed\""), "{body}");
    assert_eq!(
        db.count("SELECT COUNT(*) FROM backtest_results WHERE status IN ('queued', 'running')"),
        0
    );
}

#[test]
fn database_unavailable_sqlite() {
    use sqlx::Connection;
    let db = TestDb::sqlite();
    let server = Server::start(
        &db.url,
        &[
            ("BACKTEST_WORKER_DELAY_MS", "1500"),
            ("BACKTEST_SWEEP_INTERVAL_SECS", "2"),
        ],
    );
    let accepted: Vec<String> = (0..2)
        .map(|_| {
            let (code, v) =
                server.submit(r#"{"ticker": "GOOG", "rule_type": "RSI", "charts": false}"#);
            assert_eq!(code, 202, "{v}");
            v["run_id"].as_str().expect("run_id").to_owned()
        })
        .collect();
    // Another process holds the write lock: every write times out.
    let rt = jobs_common::rt();
    let path = db
        .url
        .trim_start_matches("sqlite://")
        .trim_end_matches("?mode=rwc")
        .to_owned();
    let mut lock = rt.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{path}"))
            .await
            .expect("connect");
        sqlx::query("BEGIN EXCLUSIVE")
            .execute(&mut conn)
            .await
            .expect("lock");
        conn
    });
    let rejected = submit_during_outage(&server, 2);
    rt.block_on(async {
        sqlx::query("ROLLBACK")
            .execute(&mut lock)
            .await
            .expect("unlock");
        drop(lock);
    });
    check_after_outage(&server, &db, &accepted, &rejected);
}

#[test]
fn database_unavailable_mysql() {
    let Some(db) = TestDb::mysql() else { return };
    let mut proxy = Proxy::start(db.server_addr());
    let proxied = db.url_via(proxy.port);
    let server = Server::start(
        &proxied,
        &[
            ("BACKTEST_WORKER_DELAY_MS", "1500"),
            ("BACKTEST_SWEEP_INTERVAL_SECS", "2"),
        ],
    );
    let accepted: Vec<String> = (0..2)
        .map(|_| {
            let (code, v) =
                server.submit(r#"{"ticker": "GOOG", "rule_type": "RSI", "charts": false}"#);
            assert_eq!(code, 202, "{v}");
            v["run_id"].as_str().expect("run_id").to_owned()
        })
        .collect();
    proxy.down();
    let rejected = submit_during_outage(&server, 2);
    std::thread::sleep(Duration::from_secs(2));
    proxy.up();
    check_after_outage(&server, &db, &accepted, &rejected);
}

#[test]
fn timed_out_worker_is_killed_and_its_run_failed() {
    let db = TestDb::sqlite();
    let server = Server::start(
        &db.url,
        &[
            ("BACKTEST_WORKER_DELAY_MS", "30000"),
            ("WORKER_TIMEOUT_SECS", "2"),
        ],
    );
    let (code, v) = server.submit(r#"{"ticker": "GOOG", "rule_type": "RSI"}"#);
    assert_eq!(code, 202, "{v}");
    let run_id = v["run_id"].as_str().expect("run_id").to_owned();
    let body = server.wait_final(&run_id, Duration::from_secs(60));
    let status: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(status["status"], "failed");
    assert_eq!(
        status["error_message"],
        "worker timed out after 2 s and was killed"
    );
    assert!(
        worker_pids(&run_id).is_empty(),
        "the worker process is gone"
    );
}

#[test]
fn submit_and_status_errors_are_json() {
    let db = TestDb::sqlite();
    let server = Server::start(&db.url, &[]);
    let cases = [
        (r#"{"rule_type": "RSI"}"#, "ticker"),
        (r#"{"ticker": "NOPE", "rule_type": "RSI"}"#, "ticker"),
        (
            r#"{"ticker": "GOOG", "rule_type": "RSI", "params": {"period": -3}}"#,
            "params.period",
        ),
        (r#"{"ticker": "GOOG", "rule_type": "NOPE"}"#, "rule_type"),
        (
            r#"{"ticker": "GOOG", "start_date": "2012-13-01"}"#,
            "start_date",
        ),
        (r#"{"ticker": "GOOG", "run_id": "mine"}"#, "run_id"),
        // No bars in range, or data of another timeframe: known before queueing.
        (
            r#"{"ticker": "GOOG", "start_date": "2030-01-01"}"#,
            "start_date",
        ),
        (r#"{"ticker": "GOOG", "timeframe": "1h"}"#, "ticker"),
        ("[1, 2]", "body"),
        ("{", "body"),
    ];
    for (body, field) in cases {
        let (code, v) = server.submit(body);
        assert_eq!(code, 400, "{body}: {v}");
        assert_eq!(v["field"], field, "{body}: {v}");
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    assert_eq!(
        db.count("SELECT COUNT(*) FROM backtest_results"),
        0,
        "nothing stored"
    );

    let (code, body) = server.http("GET", "/status/not-a-uuid", None);
    assert_eq!(code, 400, "{body}");
    let v: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(v["field"], "run_id");
    let unknown = uuid::Uuid::new_v4();
    let (code, body) = server.http("GET", &format!("/status/{unknown}"), None);
    assert_eq!(code, 404, "{body}");
    assert!(serde_json::from_str::<Value>(&body).expect("JSON")["error"].is_string());

    // A queued or running run has `result: null`.
    let (code, v) = server.submit(r#"{"ticker": "GOOG", "rule_type": "RSI", "charts": false}"#);
    assert_eq!(code, 202);
    let run_id = v["run_id"].as_str().expect("run_id");
    let (_, body) = server.http("GET", &format!("/status/{run_id}"), None);
    let v: Value = serde_json::from_str(&body).expect("JSON");
    for key in [
        "run_id",
        "status",
        "fingerprint",
        "created_at",
        "started_at",
        "finished_at",
        "error_message",
        "result",
    ] {
        assert!(v.get(key).is_some(), "{key} missing in {body}");
    }
    if v["status"] != "completed" {
        assert!(v["result"].is_null());
    }
    server.wait_final(run_id, FINAL_TIMEOUT);
}
