//! `backtest serve` stopped by SIGTERM, as Kubernetes stops a pod: the real
//! binary with local workers.
//!
//! - A synchronous run and an asynchronous one in flight when the signal
//!   arrives both finish: the request is answered 200 with the full result,
//!   the worker stores its result, and the process exits 0 within Rocket's
//!   `shutdown.grace` + `mercy`; the dispatcher, the sweep and the launcher
//!   log that they stopped.
//! - A worker still running when the grace is over is stopped and its run
//!   put back to `queued` (never lost): the next web start runs it to
//!   `completed` (SQLite and MySQL/MariaDB).

mod jobs_common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jobs_common::{message, worker_pids, Kind, Server, TestDb};
use serde_json::{json, Value};

/// A data directory with `SLOW.csv`: enough daily bars that a run with
/// charts takes a while (it is the request in flight at the signal).
fn slow_data_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("backtest-shutdown-{}", jobs_common::unique()));
    std::fs::create_dir_all(&dir).expect("data directory");
    let mut csv =
        std::io::BufWriter::new(std::fs::File::create(dir.join("SLOW.csv")).expect("SLOW.csv"));
    writeln!(csv, "Date,Open,High,Low,Close,Volume").expect("write");
    let start = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("date");
    for i in 0..20_000u32 {
        let date = start + chrono::Days::new(u64::from(i));
        let x = f64::from(i);
        let open = 100.0 + 10.0 * (x * 0.05).sin() + x * 0.001;
        let close = open + 0.5 * x.sin();
        writeln!(
            csv,
            "{date},{open:.4},{:.4},{:.4},{close:.4},1000",
            open + 1.0,
            open - 1.0
        )
        .expect("write");
    }
    csv.flush().expect("flush");
    dir
}

/// Polls the captured logs until a line has `message`.
fn wait_log(server: &Server, wanted: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        if server
            .log_text()
            .lines()
            .any(|line| message(line).as_deref() == Some(wanted))
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no log line {wanted:?} within {timeout:?}:\n{}",
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn status(db: &TestDb, run_id: &str, status: &str) -> i64 {
    db.count(&format!(
        "SELECT COUNT(*) FROM backtest_results WHERE run_id = '{run_id}' AND status = '{status}'"
    ))
}

fn submit(server: &Server, request: &Value) -> String {
    let (code, body) = server.submit(&request.to_string());
    assert_eq!(code, 202, "{body}");
    body["run_id"].as_str().expect("run_id").to_owned()
}

fn remove(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn sigterm_lets_in_flight_runs_finish_and_exits_zero() {
    const GRACE: u64 = 20;
    const MERCY: u64 = 2;
    let db = TestDb::sqlite();
    let data = slow_data_dir();
    let shutdown = format!("{{grace={GRACE},mercy={MERCY}}}");
    let mut server = Server::start(
        &db.url,
        &[
            ("DATA_DIR", data.to_str().expect("UTF-8 path")),
            ("ROCKET_SHUTDOWN", &shutdown),
            // The worker is still busy when the signal arrives.
            ("BACKTEST_WORKER_DELAY_MS", "2500"),
        ],
    );
    let async_run = submit(
        &server,
        &json!({"ticker": "SLOW", "rule_type": "RSI", "charts": false}),
    );
    server.wait_status(&async_run, "running", Duration::from_secs(30));

    let port = server.port;
    let sync_run = std::thread::spawn(move || {
        let body = json!({"ticker": "SLOW", "rule_type": "MACD"}).to_string();
        jobs_common::try_http(port, "POST", "/run_backtest", Some(&body))
    });
    wait_log(&server, "backtest started", Duration::from_secs(30));
    let (exit, took) = server.terminate(Duration::from_secs(GRACE + MERCY + 10));

    let (code, body) = sync_run
        .join()
        .expect("client thread")
        .expect("the in-flight request is answered");
    assert_eq!(code, 200, "{body}");
    let result: Value = serde_json::from_str(&body).expect("result JSON");
    assert_eq!(result["status"], "completed");
    assert_eq!(result["bars"], 20_000);
    assert!(result["chart_base64"].is_string(), "charts rendered");
    assert!(exit.success(), "exit status {exit}:\n{}", server.log_text());
    assert!(
        took < Duration::from_secs(GRACE + MERCY),
        "took {took:?} to stop"
    );
    assert_eq!(
        status(&db, &async_run, "completed"),
        1,
        "the worker finished"
    );
    for line in [
        "shutting down: draining in-flight runs",
        "job launcher draining",
        "worker dispatcher stopped (shutdown); runs not started stay queued",
        "run sweep stopped (shutdown)",
        "job launcher stopped",
    ] {
        wait_log(&server, line, Duration::from_secs(5));
    }
    remove(&data);
}

fn worker_outliving_the_grace(kind: Kind) {
    let Some(db) = TestDb::of(kind) else { return };
    let mut server = Server::start(
        &db.url,
        &[
            ("ROCKET_SHUTDOWN", "{grace=1,mercy=1}"),
            ("BACKTEST_WORKER_DELAY_MS", "120000"),
        ],
    );
    let run_id = submit(&server, &json!({"ticker": "GOOG", "charts": false}));
    server.wait_status(&run_id, "running", Duration::from_secs(30));
    let (exit, took) = server.terminate(Duration::from_secs(20));
    assert!(exit.success(), "exit status {exit}:\n{}", server.log_text());
    assert!(took < Duration::from_secs(15), "took {took:?} to stop");
    wait_log(
        &server,
        "worker stopped by the shutdown; run requeued for the next start",
        Duration::from_secs(5),
    );
    assert!(worker_pids(&run_id).is_empty(), "the worker was stopped");
    assert_eq!(status(&db, &run_id, "queued"), 1, "requeued, not lost");

    let server = Server::start(&db.url, &[]);
    let body = server.wait_final(&run_id, Duration::from_secs(120));
    let v: Value = serde_json::from_str(&body).expect("status JSON");
    assert_eq!(v["status"], "completed", "{body}");
    assert_eq!(v["result"]["run_id"], run_id.as_str());
}

#[test]
fn a_worker_outliving_the_grace_is_requeued_and_run_at_the_next_start_sqlite() {
    worker_outliving_the_grace(Kind::Sqlite);
}

#[test]
fn a_worker_outliving_the_grace_is_requeued_and_run_at_the_next_start_mysql() {
    worker_outliving_the_grace(Kind::MySql);
}
