//! Harness of the job tests: the real `backtest serve` binary on a free
//! port with its stdout captured, a tiny HTTP/1.1 client, a dedicated
//! database per test (a temporary SQLite file, or a fresh MySQL database
//! created next to `TEST_MYSQL_URL` and dropped afterwards), and a TCP proxy
//! that can take the MySQL server "down" for one web process.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

/// A short random hex id.
pub fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    MySql,
}

/// A database used by one test only.
#[derive(Debug)]
pub struct TestDb {
    pub kind: Kind,
    /// The `DATABASE_URL` of the dedicated database.
    pub url: String,
    /// `mysql://user@host:port` (MySQL), to build proxied URLs.
    server: Option<(String, String)>,
    tmp: Option<PathBuf>,
    drop_url: Option<(String, String)>,
}

/// The runtime for the tests' own database calls.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

impl TestDb {
    /// A fresh SQLite file.
    pub fn sqlite() -> Self {
        let tmp = std::env::temp_dir().join(format!("backtest-jobs-{}", unique()));
        std::fs::create_dir_all(&tmp).expect("temporary directory");
        Self {
            kind: Kind::Sqlite,
            url: format!("sqlite://{}?mode=rwc", tmp.join("jobs.db").display()),
            server: None,
            tmp: Some(tmp),
            drop_url: None,
        }
    }

    /// A fresh database on the server of `TEST_MYSQL_URL`; `None` when it is
    /// unset and `SKIP_MYSQL_TESTS=1`.
    ///
    /// # Panics
    /// When `TEST_MYSQL_URL` is unset and `SKIP_MYSQL_TESTS` is not `1`.
    pub fn mysql() -> Option<Self> {
        let url = match std::env::var("TEST_MYSQL_URL") {
            Ok(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ if std::env::var("SKIP_MYSQL_TESTS").as_deref() == Ok("1") => {
                eprintln!("SKIP_MYSQL_TESTS=1: skipping a MySQL job test");
                return None;
            }
            _ => panic!(
                "TEST_MYSQL_URL is not set: the MySQL variants of the job tests need a \
                 MySQL/MariaDB server, e.g. TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/backtest_dev \
                 (create it first: mysql -uroot -h127.0.0.1 -e 'CREATE DATABASE IF NOT EXISTS backtest_dev'); \
                 the user needs CREATE/DROP DATABASE (each test uses its own database); \
                 set SKIP_MYSQL_TESTS=1 to skip them"
            ),
        };
        let (base, query) = match url.split_once('?') {
            Some((b, q)) => (b.to_owned(), format!("?{q}")),
            None => (url.clone(), String::new()),
        };
        let scheme_end = base.find("://").map_or(0, |i| i + 3);
        let server = match base[scheme_end..].find('/') {
            Some(i) => base[..scheme_end + i].to_owned(),
            None => base.clone(),
        };
        let name = format!("backtest_jobs_{}", unique());
        rt().block_on(async {
            let pool = backtest_app::db::connect(&url, 1)
                .await
                .expect("connect to TEST_MYSQL_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .expect("CREATE DATABASE (the TEST_MYSQL_URL user needs the privilege)");
        });
        Some(Self {
            kind: Kind::MySql,
            url: format!("{server}/{name}{query}"),
            server: Some((server, query)),
            tmp: None,
            drop_url: Some((url, name)),
        })
    }

    /// The database of `kind` (`None`: skipped MySQL).
    pub fn of(kind: Kind) -> Option<Self> {
        match kind {
            Kind::Sqlite => Some(Self::sqlite()),
            Kind::MySql => Self::mysql(),
        }
    }

    /// The URL of this database through a proxy on `port` (MySQL only).
    pub fn url_via(&self, port: u16) -> String {
        let Some((server, query)) = &self.server else {
            return self.url.clone();
        };
        let name = self.url.rsplit('/').next().unwrap_or_default();
        let name = name.split('?').next().unwrap_or_default();
        let scheme_end = server.find("://").map_or(0, |i| i + 3);
        let authority = &server[scheme_end..];
        let userinfo = authority
            .rsplit_once('@')
            .map(|(u, _)| format!("{u}@"))
            .unwrap_or_default();
        format!(
            "{}{userinfo}127.0.0.1:{port}/{name}{query}",
            &server[..scheme_end]
        )
    }

    /// The address of the MySQL server (MySQL only).
    pub fn server_addr(&self) -> SocketAddr {
        let (server, _) = self.server.as_ref().expect("a MySQL database");
        let authority = server.rsplit_once('@').map_or(server.as_str(), |(_, h)| h);
        let authority = authority
            .trim_start_matches("mysql://")
            .trim_start_matches("mariadb://");
        let authority = if authority.contains(':') {
            authority.to_owned()
        } else {
            format!("{authority}:3306")
        };
        let authority = authority.replace("localhost", "127.0.0.1");
        authority.parse().expect("host:port of TEST_MYSQL_URL")
    }

    /// Runs `sql` returning one integer.
    pub fn count(&self, sql: &str) -> i64 {
        rt().block_on(async {
            let pool = backtest_app::db::connect(&self.url, 1)
                .await
                .expect("connect");
            let row = sqlx::query(sql).fetch_one(&pool).await.expect("query");
            use sqlx::Row;
            row.try_get::<i64, _>(0)
                .or_else(|_| row.try_get::<i32, _>(0).map(i64::from))
                .expect("an integer")
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_dir_all(tmp);
        }
        if let Some((url, name)) = self.drop_url.take() {
            rt().block_on(async {
                if let Ok(pool) = backtest_app::db::connect(&url, 1).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                        .execute(&pool)
                        .await;
                }
            });
        }
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A running `backtest serve`.
#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    pub port: u16,
    /// Every stdout line so far (web and worker JSON logs interleave).
    pub logs: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the web in local mode on `database_url` and waits until it
    /// answers `/health`.
    pub fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_backtest"));
        cmd.arg("serve")
            .current_dir(repo_root())
            .env("DATABASE_URL", database_url)
            .env("DATA_DIR", repo_root().join("data"))
            .env("JOB_LAUNCHER_MODE", "local")
            .env("MAX_CONCURRENT_WORKERS", "2")
            .env("DB_AUTO_MIGRATE", "true")
            .env("LOG_FORMAT", "json")
            .env("LOG_LEVEL", "info")
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_PORT", port.to_string())
            .env_remove("BACKTEST_WORKER_DELAY_MS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start backtest serve");
        let logs = Arc::new(Mutex::new(Vec::new()));
        if let Some(stdout) = child.stdout.take() {
            let sink = logs.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Ok(mut v) = sink.lock() {
                        v.push(line);
                    }
                }
            });
        }
        let mut server = Self {
            child: Some(child),
            port,
            logs,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(child) = server.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!(
                        "backtest serve exited at start-up: {status}\n{}",
                        server.log_text()
                    );
                }
            }
            if let Ok((200, _)) = try_http(port, "GET", "/health", None) {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "the web did not start:\n{}",
                server.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The captured stdout.
    pub fn log_text(&self) -> String {
        self.logs.lock().map(|v| v.join("\n")).unwrap_or_default()
    }

    /// The web's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or_default()
    }

    /// SIGKILLs the web (its worker subprocesses are left running).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends SIGTERM to the web and waits up to `timeout` for it to exit:
    /// its exit status and how long it took.
    pub fn terminate(&mut self, timeout: Duration) -> (std::process::ExitStatus, Duration) {
        let child = self.child.as_mut().expect("the web is running");
        let started = Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        loop {
            if let Some(status) = child.try_wait().expect("wait for the web") {
                self.child = None;
                return (status, started.elapsed());
            }
            assert!(
                started.elapsed() < timeout,
                "the web did not exit within {timeout:?} of SIGTERM:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `METHOD path` with an optional JSON body: (status, body).
    pub fn http(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        try_http(self.port, method, path, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// Submits `request`; returns (status, JSON body).
    pub fn submit(&self, request: &str) -> (u16, Value) {
        let (status, body) = self.http("POST", "/api/backtests", Some(request));
        (
            status,
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}")),
        )
    }

    /// Polls `/status/<id>` until the run is final; returns the raw body.
    pub fn wait_final(&self, run_id: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let (code, body) = self.http("GET", &format!("/status/{run_id}"), None);
            assert_eq!(code, 200, "status of {run_id}: {body}");
            let v: Value = serde_json::from_str(&body).expect("status JSON");
            if matches!(v["status"].as_str(), Some("completed" | "failed")) {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "run {run_id} not final after {timeout:?}: {}",
                v["status"]
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Polls until the run has `status`.
    pub fn wait_status(&self, run_id: &str, status: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let (_, body) = self.http("GET", &format!("/status/{run_id}"), None);
            let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            if v["status"].as_str() == Some(status) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "run {run_id} never {status}: {body}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One HTTP/1.1 request with `Connection: close`.
pub fn try_http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no HTTP head in {text:?}")))?;
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line in {head:?}")))?;
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    });
    Ok((
        code,
        if chunked {
            dechunk(rest)
        } else {
            rest.to_owned()
        },
    ))
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}

/// The raw `result` member of a `/status` body (spliced last by the server).
pub fn raw_result(status_body: &str) -> &str {
    let start = status_body.find(",\"result\":").map_or(0, |i| i + 10);
    status_body[start..]
        .strip_suffix('}')
        .unwrap_or(&status_body[start..])
}

/// A result text with `run_id`'s value replaced by `"<run_id>"`.
pub fn normalise(result: &str, run_id: &str) -> String {
    result.replacen(
        &format!("\"run_id\":\"{run_id}\""),
        "\"run_id\":\"<run_id>\"",
        1,
    )
}

/// Process ids of `backtest worker --run-id <run_id>` processes (from /proc).
pub fn worker_pids(run_id: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| {
                    let args: Vec<&[u8]> = c.split(|&b| b == 0).collect();
                    args.contains(&b"worker".as_slice()) && args.contains(&run_id.as_bytes())
                })
                .unwrap_or(false)
        })
        .collect()
}

/// A TCP proxy to `upstream` that can be taken down (every connection cut,
/// the port closed) and brought back on the same port.
pub struct Proxy {
    pub port: u16,
    upstream: SocketAddr,
    rt: tokio::runtime::Runtime,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy").field("port", &self.port).finish()
    }
}

impl Proxy {
    /// A running proxy on a free port.
    pub fn start(upstream: SocketAddr) -> Self {
        let mut proxy = Self {
            port: free_port(),
            upstream,
            rt: rt(),
            task: None,
        };
        proxy.up();
        proxy
    }

    /// Listens again.
    pub fn up(&mut self) {
        let port = self.port;
        let upstream = self.upstream;
        let listener = self.rt.block_on(async {
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                    Ok(l) => return l,
                    Err(e) if Instant::now() < deadline => {
                        let _ = e;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Err(e) => panic!("proxy cannot bind {port}: {e}"),
                }
            }
        });
        self.task = Some(self.rt.spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                conns.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    /// Cuts every connection and closes the port.
    pub fn down(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = self.rt.block_on(task);
        }
    }
}

/// The `message` of a JSON log line.
pub fn message(line: &str) -> Option<String> {
    serde_json::from_str::<Value>(line)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned))
}
