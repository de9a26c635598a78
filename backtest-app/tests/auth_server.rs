//! Access control against the real `backtest serve` and `backtest token`
//! binaries (issue 13), on SQLite and on MySQL/MariaDB (`TEST_MYSQL_URL`,
//! a database per test; see `jobs_common`): tokens made by the CLI, quotas
//! under concurrent submissions (429 with `Retry-After`, never more runs
//! stored than allowed), the rate limit, and no token in any log line.

mod jobs_common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use jobs_common::{Kind, Server, TestDb};

/// `backtest ARGS` on `db`: (exit code, stdout, stderr).
fn cli(db: &TestDb, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_backtest"))
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env("DB_AUTO_MIGRATE", "true")
        .env("LOG_FORMAT", "json")
        .env("LOG_LEVEL", "debug")
        .output()
        .expect("run backtest");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `backtest token create --name NAME`: the token, the last stdout line.
fn create_token(db: &TestDb, name: &str, admin: bool) -> (String, String) {
    let mut args = vec!["token", "create", "--name", name];
    if admin {
        args.push("--admin");
    }
    let (code, stdout, stderr) = cli(db, &args);
    assert_eq!(code, 0, "token create: {stdout}{stderr}");
    let token = stdout.lines().last().unwrap_or_default().to_owned();
    assert!(token.starts_with("bt_") && token.len() == 67, "{stdout}");
    (token, format!("{stdout}\n{stderr}"))
}

/// One HTTP/1.1 exchange: (status, lower-cased head, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .expect("timeout");
    let auth = token.map_or_else(String::new, |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, head.to_ascii_lowercase(), rest.to_owned())
}

fn retry_after(head: &str) -> Option<u64> {
    head.lines()
        .find_map(|l| l.strip_prefix("retry-after:"))
        .and_then(|v| v.trim().parse().ok())
}

const RUN: &str = r#"{"ticker": "GOOG", "rule_type": "RSI", "charts": false}"#;

fn quotas(kind: Kind) {
    let Some(db) = TestDb::of(kind) else { return };
    let (token, _) = create_token(&db, "quota-user", false);
    let (other, _) = create_token(&db, "rate-user", false);
    // Workers wait long enough that every admitted run stays active.
    let server = Server::start(
        &db.url,
        &[
            ("AUTH_MODE", "token"),
            ("QUOTA_MAX_ACTIVE_RUNS", "3"),
            ("QUOTA_SUBMITS_PER_MINUTE", "12"),
            ("MAX_CONCURRENT_WORKERS", "1"),
            ("BACKTEST_WORKER_DELAY_MS", "20000"),
        ],
    );
    let port = server.port;
    let threads: Vec<_> = (0..10)
        .map(|_| {
            let token = token.clone();
            std::thread::spawn(move || http(port, "POST", "/api/backtests", Some(&token), RUN))
        })
        .collect();
    let answers: Vec<_> = threads
        .into_iter()
        .map(|t| t.join().expect("a submit thread"))
        .collect();
    let accepted = answers.iter().filter(|(code, _, _)| *code == 202).count();
    let refused: Vec<_> = answers.iter().filter(|(code, _, _)| *code == 429).collect();
    assert_eq!((accepted, refused.len()), (3, 7), "{answers:#?}");
    for (_, head, body) in &refused {
        assert!(retry_after(head).is_some_and(|s| s >= 1), "{head}");
        assert!(body.contains("quota is 3"), "{body}");
    }
    assert_eq!(
        db.count("SELECT COUNT(*) FROM backtest_results WHERE owner = 'quota-user'"),
        3,
        "never more runs stored than the quota"
    );
    // Another token has its own quota...
    let (code, _, body) = http(port, "POST", "/api/backtests", Some(&other), RUN);
    assert_eq!(code, 202, "{body}");
    // ...and its own rate: 12 a minute, counted before the body is read.
    for i in 1..12 {
        let (code, _, body) = http(port, "POST", "/run_backtest", Some(&other), "{}");
        assert_eq!(code, 400, "submission {i} is within the rate: {body}");
    }
    let (code, head, body) = http(port, "POST", "/run_backtest", Some(&other), "{}");
    assert_eq!(code, 429, "{body}");
    assert!(
        retry_after(&head).is_some_and(|s| (1..=5).contains(&s)),
        "{head}"
    );
    assert!(body.contains("at most 12 a minute"), "{body}");
    let (code, _, _) = http(port, "GET", "/api/runs", Some(&other), "");
    assert_eq!(code, 200, "reading is not rate limited");
}

#[test]
fn quotas_are_429_with_retry_after_under_concurrent_submits_sqlite() {
    quotas(Kind::Sqlite);
}

#[test]
fn quotas_are_429_with_retry_after_under_concurrent_submits_mysql() {
    quotas(Kind::MySql);
}

fn token_lifecycle_and_logs(kind: Kind) {
    let Some(db) = TestDb::of(kind) else { return };
    let (token, create_output) = create_token(&db, "log-check", false);
    let stdout_lines: Vec<&str> = create_output.lines().collect();
    assert_eq!(
        stdout_lines.iter().filter(|l| l.contains(&token)).count(),
        1,
        "the token is printed exactly once: {create_output}"
    );
    let (admin, _) = create_token(&db, "log-admin", true);
    let (code, _, stderr) = cli(&db, &["token", "create", "--name", "log-check"]);
    assert_eq!(code, 2, "a taken name is the user's error: {stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");

    let server = Server::start(&db.url, &[("AUTH_MODE", "token"), ("LOG_LEVEL", "debug")]);
    let port = server.port;
    let (code, _, body) = http(port, "POST", "/api/backtests", Some(&token), RUN);
    assert_eq!(code, 202, "{body}");
    let run: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let status_url = run["status_url"].as_str().expect("status_url").to_owned();
    for _ in 0..300 {
        let (code, _, body) = http(port, "GET", &status_url, Some(&token), "");
        assert_eq!(code, 200, "{body}");
        if body.contains("\"completed\"") || body.contains("\"failed\"") {
            assert!(body.contains("\"completed\""), "{body}");
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let (code, _, _) = http(port, "GET", &status_url, Some(&admin), "");
    assert_eq!(code, 200, "an admin reads every run");
    // Near misses: the token with one digit changed, the wrong scheme.
    let mut altered = token.clone().into_bytes();
    let last = altered.len() - 1;
    altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
    let altered = String::from_utf8(altered).expect("ASCII");
    let (code, head, _) = http(port, "GET", "/api/runs", Some(&altered), "");
    assert_eq!(code, 401);
    assert!(head.contains("www-authenticate: bearer"), "{head}");
    let (code, _, _) = http(port, "GET", &status_url, None, "");
    assert_eq!(code, 401);

    let (code, stdout, stderr) = cli(&db, &["token", "list"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("log-check") && stdout.contains("log-admin"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(&token) && !stdout.contains(&admin),
        "list never shows a token"
    );
    let (code, _, stderr) = cli(&db, &["token", "revoke", "--name", "log-check"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, body) = http(port, "GET", "/api/runs", Some(&token), "");
    assert_eq!(code, 401, "revoked: {body}");
    let (code, _, stderr) = cli(&db, &["token", "revoke", "--name", "nobody"]);
    assert_eq!(code, 2, "{stderr}");

    std::thread::sleep(Duration::from_millis(300));
    let logs = server.log_text();
    // The logs did record the authenticated requests, by the token's name.
    assert!(
        logs.lines().any(|l| l.contains("\"owner\":\"log-check\"")),
        "no request line names the owner:\n{logs}"
    );
    let hash = backtest_app::db::tokens::hash(&token);
    for secret in [&token, &altered, &admin, &hash] {
        assert!(
            !logs.contains(secret.as_str()),
            "a token reached the web's logs"
        );
        // The CLI's own log lines (stderr; stdout but the last line).
        assert!(
            !create_output
                .lines()
                .filter(|l| *l != token)
                .any(|l| l.contains(secret.as_str())),
            "a token reached the CLI's logs"
        );
    }
}

#[test]
fn token_lifecycle_and_no_token_in_any_log_sqlite() {
    token_lifecycle_and_logs(Kind::Sqlite);
}

#[test]
fn token_lifecycle_and_no_token_in_any_log_mysql() {
    token_lifecycle_and_logs(Kind::MySql);
}

#[test]
fn the_open_quick_start_warns_once() {
    let db = TestDb::sqlite();
    let server = Server::start(&db.url, &[]);
    let (code, _, _) = http(server.port, "GET", "/api/runs", None, "");
    assert_eq!(code, 200, "AUTH_MODE=off needs no token");
    std::thread::sleep(Duration::from_millis(200));
    let logs = server.log_text();
    let warnings: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("AUTH_MODE=off"))
        .collect();
    assert_eq!(warnings.len(), 1, "{logs}");
    assert!(
        warnings[0].contains("\"level\":\"WARN\""),
        "{}",
        warnings[0]
    );
}

fn queue_cap(kind: Kind) {
    let Some(db) = TestDb::of(kind) else { return };
    // One worker busy for 20 s: the second admitted run has to wait queued,
    // and with room for one queued run the platform must refuse the rest.
    let server = Server::start(
        &db.url,
        &[
            ("MAX_QUEUED_RUNS", "1"),
            ("MAX_CONCURRENT_WORKERS", "1"),
            ("BACKTEST_WORKER_DELAY_MS", "20000"),
        ],
    );
    let answers: Vec<_> = (0..4)
        .map(|_| http(server.port, "POST", "/api/backtests", None, RUN))
        .collect();
    let full: Vec<_> = answers.iter().filter(|(code, _, _)| *code == 503).collect();
    assert!(!full.is_empty(), "{answers:#?}");
    assert!(
        answers.iter().all(|(code, _, _)| matches!(code, 202 | 503)),
        "{answers:#?}"
    );
    for (_, head, body) in &full {
        assert_eq!(retry_after(head), Some(10), "{head}");
        assert!(body.contains("queue is full"), "{body}");
    }
    assert!(
        db.count("SELECT COUNT(*) FROM backtest_results WHERE status = 'queued'") <= 1,
        "the queue never holds more than MAX_QUEUED_RUNS"
    );
}

#[test]
fn the_queue_cap_is_503_with_retry_after_sqlite() {
    queue_cap(Kind::Sqlite);
}

#[test]
fn the_queue_cap_is_503_with_retry_after_mysql() {
    queue_cap(Kind::MySql);
}
