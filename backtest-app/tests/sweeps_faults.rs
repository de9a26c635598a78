//! Sweeps under faults, on SQLite and MySQL/MariaDB (`TEST_MYSQL_URL`):
//! the real web and real shard workers, slowed with
//! `BACKTEST_WORKER_DELAY_MS` (a pause before each batch) and small
//! batches (`SWEEP_BATCH_SIZE`) so a test can act mid-sweep.
//!
//! - a shard worker SIGKILLed mid-sweep is retried, resumes after its
//!   stored rows (it says so and computes only the rest), and the table
//!   holds every combination exactly once, equal to `backtest optimize`;
//! - cancel stops every shard at its next batch: no worker left, no row
//!   written afterwards, status `cancelled`.

mod jobs_common;
mod sweeps_common;

use std::time::{Duration, Instant};

use jobs_common::{message, worker_pids, Kind, Server, TestDb};
use serde_json::{json, Value};
use sweeps_common::{
    all_results, body, get, kill9, optimize, rows, submit, wait_completed, wait_until,
};

fn grid() -> Value {
    json!({"period": {"start": 8, "stop": 20, "step": 4}, "oversold": [25, 30], "overbought": [65, 75]})
}

const SLOW: [(&str, &str); 2] = [
    ("BACKTEST_WORKER_DELAY_MS", "200"),
    ("SWEEP_BATCH_SIZE", "2"),
];

fn killed_shard_resumes(kind: Kind) {
    let Some(db) = TestDb::of(kind) else { return };
    let server = Server::start(&db.url, &SLOW);
    let id = submit(&server, &body(&grid(), &json!({"shards": 1})));
    wait_until(&server, &id, "4 rows in", |v| {
        v["progress"]["done"].as_i64().unwrap_or(0) >= 4
    });
    let pids = worker_pids(&id);
    assert_eq!(pids.len(), 1, "one shard worker: {pids:?}");
    kill9(pids[0]);
    let at_kill = db.count(&format!(
        "SELECT COUNT(*) FROM sweep_results WHERE sweep_id = '{id}'"
    ));
    assert!(at_kill < 16, "killed before the end ({at_kill} rows)");
    let detail = wait_completed(&server, &id);
    assert_eq!(detail["progress"]["done"], 16);
    for sql in [
        format!("SELECT COUNT(*) FROM sweep_results WHERE sweep_id = '{id}'"),
        format!("SELECT COUNT(DISTINCT combo_index) FROM sweep_results WHERE sweep_id = '{id}'"),
    ] {
        assert_eq!(db.count(&sql), 16, "{sql}");
    }
    assert_eq!(
        db.count(&format!(
            "SELECT attempts FROM sweep_shards WHERE sweep_id = '{id}' AND shard = 0"
        )),
        2,
        "the killed shard was retried once"
    );
    let resumed = server.log_text().lines().any(|line| {
        message(line).as_deref() == Some("resuming after stored combinations") && line.contains(&id)
    });
    assert!(resumed, "the retry resumed after the stored rows");
    let reference = optimize(&grid(), &[]);
    assert_eq!(
        rows(&all_results(&server, &id, 16)),
        rows(reference["results"].as_array().expect("results"))
    );
}

#[test]
fn killed_shard_resumes_sqlite() {
    killed_shard_resumes(Kind::Sqlite);
}

#[test]
fn killed_shard_resumes_mysql() {
    killed_shard_resumes(Kind::MySql);
}

fn cancel_stops_the_shards(kind: Kind) {
    let Some(db) = TestDb::of(kind) else { return };
    let server = Server::start(&db.url, &SLOW);
    let id = submit(&server, &body(&grid(), &json!({"shards": 2})));
    wait_until(&server, &id, "running", |v| {
        v["status"] == "running" && v["progress"]["done"].as_i64().unwrap_or(0) >= 2
    });
    let (code, text) = server.http("DELETE", &format!("/api/sweeps/{id}"), None);
    assert_eq!(code, 200, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("JSON"),
        json!({"sweep_id": id, "status": "cancelled"})
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !worker_pids(&id).is_empty() {
        assert!(Instant::now() < deadline, "shard workers still running");
        std::thread::sleep(Duration::from_millis(50));
    }
    let count = || {
        db.count(&format!(
            "SELECT COUNT(*) FROM sweep_results WHERE sweep_id = '{id}'"
        ))
    };
    let stored = count();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(count(), stored, "no row after the shards stopped");
    assert!(stored < 16, "stopped early ({stored} rows)");
    let detail = get(&server, &format!("/api/sweeps/{id}"));
    assert_eq!(detail["status"], "cancelled");
    assert!(detail["finished_at"].is_string());
    assert_eq!(detail["progress"]["done"], stored);
}

#[test]
fn cancel_stops_the_shards_sqlite() {
    cancel_stops_the_shards(Kind::Sqlite);
}

#[test]
fn cancel_stops_the_shards_mysql() {
    cancel_stops_the_shards(Kind::MySql);
}
