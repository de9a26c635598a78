//! Real-browser end-to-end test of the dashboard.
//!
//! Starts the `backtest serve` binary on a free port with a fresh SQLite
//! database and the bundled demo data, drives Debian's headless Chromium
//! through `chromedriver` (W3C WebDriver), and checks what a person would:
//! the form is generated from `/api/rules`, an RSI backtest on GOOG runs
//! asynchronously (submit + poll) and synchronously, every result tab shows
//! its chart or table, presets save / reload / load / delete, and bad input
//! is reported inside the page. A screenshot of the Stats tab is written to
//! `<CARGO_TARGET_DIR or target>/e2e-stats.png`.
//!
//! Needs `chromium` and `chromium-driver` (Debian:
//! `apt-get install -y chromium chromium-driver`). Without them the test
//! prints why and skips, unless `E2E_REQUIRE_BROWSER=1`, which makes a
//! missing browser a failure. `CHROME_BIN` / `CHROMEDRIVER` override the
//! binaries; `E2E_SERVER_URL` points the test at an already running server
//! instead of starting one.

#[path = "support/webdriver.rs"]
mod webdriver;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use webdriver::{find_executable, free_port, http, http_agent, tail, Session};

/// How long a backtest may take from click to result (debug build, charts on).
const RUN_TIMEOUT: Duration = Duration::from_secs(120);
/// How long page-level waits (rules loaded, presets listed, ...) may take.
const UI_TIMEOUT: Duration = Duration::from_secs(20);

type Result<T> = std::result::Result<T, String>;

/// Processes and files of one test run, cleaned up on drop (pass or panic).
struct Harness {
    tmp: PathBuf,
    base_url: String,
    server: Option<Child>,
    server_log: PathBuf,
    driver: Option<Child>,
    driver_log: PathBuf,
    session: Option<Session>,
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

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Prints a line that the test harness does not capture.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate lives inside the workspace")
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

fn env_path(name: &str) -> Vec<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .into_iter()
        .collect()
}

#[test]
fn dashboard_in_a_real_browser() {
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
    let (chromium, chromedriver) = match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) => (chromium, chromedriver),
        (chromium, chromedriver) => {
            let missing: Vec<&str> = [
                chromium.is_none().then_some("chromium"),
                chromedriver.is_none().then_some("chromedriver"),
            ]
            .into_iter()
            .flatten()
            .collect();
            let message = format!(
                "e2e_browser: {} not installed (apt-get install -y chromium chromium-driver)",
                missing.join(" and ")
            );
            if std::env::var("E2E_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                panic!("{message}; E2E_REQUIRE_BROWSER=1 forbids skipping");
            }
            say(&format!("SKIPPED {message}"));
            return;
        }
    };

    let started = Instant::now();
    let mut harness = start(&chromium, &chromedriver);
    let outcome = scenario(&mut harness);
    if let Err(error) = outcome {
        // Take a picture of the failure for whoever debugs it.
        if let Some(session) = &harness.session {
            if let Ok(png) = session.screenshot() {
                let _ = std::fs::create_dir_all(target_dir());
                let _ = std::fs::write(target_dir().join("e2e-failure.png"), png);
            }
        }
        let server_log = tail(&harness.server_log, 4000);
        let driver_log = tail(&harness.driver_log, 2000);
        panic!(
            "{error}\n--- server log (tail) ---\n{server_log}\n--- chromedriver log (tail) ---\n{driver_log}"
        );
    }
    say(&format!(
        "e2e_browser: passed in {:.1} s; screenshot {}",
        started.elapsed().as_secs_f64(),
        target_dir().join("e2e-stats.png").display()
    ));
}

/// Starts the server (unless `E2E_SERVER_URL` is set), chromedriver and a
/// browser session.
fn start(chromium: &Path, chromedriver: &Path) -> Harness {
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

fn wait_until(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !ready() {
        assert!(
            Instant::now() < deadline,
            "{what} not ready after {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn wait_for_health(harness: &mut Harness) {
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

// ------------------------------------------------------------------ scenario

fn scenario(h: &mut Harness) -> Result<()> {
    let s = h.session.as_ref().ok_or("no browser session")?;
    s.set_window_size(1400, 1100)?;
    s.goto(&format!("{}/", h.base_url))?;
    wait_for_form(s)?;

    // Defaults from the page and the generated rule parameters.
    assert_value(s, "#ticker", "GOOG")?;
    assert_value(s, "#start_date", "2010-01-01")?;
    assert_value(s, "#end_date", "2012-12-31")?;
    assert_value(s, "#rule_type", "RSI")?;
    assert_value(s, "#param-period", "14")?;
    check(
        s.execute(
            "return document.documentElement.getAttribute('data-bs-theme')",
            vec![],
        )? == json!("dark"),
        "the page uses Bootstrap's dark theme",
    )?;

    // Asynchronous run: submit, poll, render.
    s.click("#run-btn")?;
    wait_for_run(s, "completed")?;
    check_stats(s)?;
    check_image_tab(s, "equity", &["equity-img"], Some("equity-chart"))?;
    check_image_tab(s, "drawdown", &["drawdown-img"], Some("drawdown-chart"))?;
    check_image_tab(
        s,
        "portfolio",
        &["orders-img", "trade-pnl-img", "cumret-img"],
        Some("portfolio-chart"),
    )?;
    check_trades_tab(s)?;
    check_image_tab(s, "candles", &["candles-img"], Some("candles-chart"))?;
    s.click("#tab-stats")?;
    s.wait_for("the Stats tab", &pane_shown("stats"), UI_TIMEOUT)?;
    s.execute("window.scrollTo(0, 0);", vec![])?;
    save_screenshot(s, "e2e-stats.png")?;

    // The run is listed under "Recent runs".
    s.wait_for(
        "the run in the recent-runs panel",
        "document.querySelectorAll('#recent-runs [data-run-id]').length > 0",
        UI_TIMEOUT,
    )?;

    // Synchronous run without server charts: the images are hidden.
    s.click("#charts")?;
    s.click("#run-sync-btn")?;
    wait_for_run(s, "completed")?;
    check_stats(s)?;
    check(
        s.execute(
            "return ['equity-img', 'drawdown-img', 'candles-img'].every(id => \
               !document.getElementById(id).getAttribute('src') \
               && document.getElementById(id).closest('figure').classList.contains('d-none'))",
            vec![],
        )? == json!(true),
        "with charts off, the server images are absent and hidden",
    )?;
    s.click("#charts")?;

    // A recent run opens from its link (GET /status/<run_id>).
    s.click("#refresh-runs-btn")?;
    s.wait_for(
        "the refreshed recent-runs panel",
        "document.querySelectorAll('#recent-runs [data-run-id]').length > 0",
        UI_TIMEOUT,
    )?;
    s.execute(
        "document.getElementById('kpi-grid').replaceChildren();",
        vec![],
    )?;
    s.click("#recent-runs [data-run-id]")?;
    s.wait_for(
        "the recent run's result",
        "document.getElementById('status-badge').dataset.status === 'completed' \
         && document.querySelectorAll('#kpi-grid .kpi').length >= 10",
        RUN_TIMEOUT,
    )?;

    presets(&h.base_url, s)?;
    bad_input(s)?;
    console_is_clean(s)?;

    // With the server gone, a run says so in the page.
    if let Some(server) = h.server.take() {
        stop(server);
        s.click("#run-sync-btn")?;
        let message = s.wait_for(
            "the in-page network error",
            "!document.getElementById('error-box').classList.contains('d-none') \
             && document.getElementById('error-box').textContent",
            UI_TIMEOUT,
        )?;
        check(
            message
                .as_str()
                .is_some_and(|m| m.contains("Network error")),
            &format!("a network error message (found {message})"),
        )?;
    }
    Ok(())
}

fn check(ok: bool, what: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(format!("check failed: {what}"))
    }
}

fn js_str(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

fn assert_value(s: &Session, selector: &str, expected: &str) -> Result<()> {
    let value = s.property(selector, "value")?;
    check(
        value == json!(expected),
        &format!("{selector} has value {expected:?} (found {value})"),
    )
}

/// Waits until the rule parameters were generated from /api/rules and the
/// presets were listed.
fn wait_for_form(s: &Session) -> Result<()> {
    s.wait_for(
        "rule parameters generated from /api/rules",
        "document.getElementById('rule-params').dataset.ready === 'true' \
         && document.getElementById('rule_type').options.length > 1 \
         && !!document.getElementById('param-period')",
        UI_TIMEOUT,
    )?;
    s.wait_for(
        "the presets list",
        "document.getElementById('preset-select').dataset.ready === 'true'",
        UI_TIMEOUT,
    )?;
    Ok(())
}

/// Waits until the run buttons are enabled again and the status badge says
/// `completed` or `failed`; errors unless it says `expected`.
fn wait_for_run(s: &Session, expected: &str) -> Result<()> {
    let status = s.wait_for(
        "the backtest to finish",
        "!document.getElementById('run-btn').disabled \
         && ['completed', 'failed'].includes(document.getElementById('status-badge').dataset.status) \
         && document.getElementById('status-badge').dataset.status",
        RUN_TIMEOUT,
    )?;
    if status == json!(expected) {
        return Ok(());
    }
    let error = s.text("#error-box").unwrap_or_default();
    Err(format!(
        "expected the run to be {expected}, it is {status}; error box: {error:?}"
    ))
}

fn pane_shown(tab: &str) -> String {
    format!(
        "document.getElementById('pane-{tab}').classList.contains('active') \
         && document.getElementById('pane-{tab}').classList.contains('show') \
         && document.getElementById('tab-{tab}').getAttribute('aria-selected') === 'true'"
    )
}

fn check_stats(s: &Session) -> Result<()> {
    s.wait_for("the Stats tab", &pane_shown("stats"), UI_TIMEOUT)?;
    let kpis = s.execute(
        "const cards = [...document.querySelectorAll('#kpi-grid .kpi')]; \
         return Object.fromEntries(cards.map(c => [c.dataset.metric, c.querySelector('.kpi-value').textContent]));",
        vec![],
    )?;
    for metric in [
        "total_return_pct",
        "sharpe_ratio",
        "max_drawdown_pct",
        "num_trades",
        "cagr",
        "volatility",
        "win_rate",
        "avg_trade_return",
        "exposure_pct",
        "profit_factor",
    ] {
        check(
            kpis.get(metric).is_some(),
            &format!("a KPI card for {metric} (cards: {kpis})"),
        )?;
    }
    for metric in ["total_return_pct", "num_trades", "max_drawdown_pct"] {
        let text = kpis[metric].as_str().unwrap_or_default();
        check(
            text.chars().any(|c| c.is_ascii_digit()),
            &format!("{metric} shows a number (found {text:?})"),
        )?;
    }
    Ok(())
}

/// Opens the tab and checks that each server image is a decoded PNG data URI
/// and that the interactive chart was drawn.
fn check_image_tab(s: &Session, tab: &str, images: &[&str], chart: Option<&str>) -> Result<()> {
    s.click(&format!("#tab-{tab}"))?;
    s.wait_for(&format!("the {tab} tab"), &pane_shown(tab), UI_TIMEOUT)?;
    s.execute("window.scrollTo(0, 0);", vec![])?;
    for image in images {
        s.wait_for(
            &format!("the {image} PNG"),
            &format!(
                "(() => {{ const img = document.getElementById({id}); const src = img.getAttribute('src') || ''; \
                 return src.startsWith('data:image/png;base64,') && src.length > 1000 \
                 && img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0; }})()",
                id = js_str(image)
            ),
            UI_TIMEOUT,
        )?;
    }
    if let Some(chart) = chart {
        s.wait_for(
            &format!("the interactive {chart}"),
            &format!(
                "(() => {{ const c = document.querySelector('#' + {id} + ' canvas'); \
                 return !!c && c.width > 0 && c.height > 0; }})()",
                id = js_str(chart)
            ),
            UI_TIMEOUT,
        )?;
    }
    save_screenshot(s, &format!("e2e-{tab}.png"))
}

fn check_trades_tab(s: &Session) -> Result<()> {
    s.click("#tab-trades")?;
    s.wait_for("the trades tab", &pane_shown("trades"), UI_TIMEOUT)?;
    let rows = s.wait_for(
        "trade rows",
        "document.querySelectorAll('#trades-table tbody tr.trade-profit, #trades-table tbody tr.trade-loss').length",
        UI_TIMEOUT,
    )?;
    let headers = s.execute(
        "return document.querySelectorAll('#trades-table thead th').length",
        vec![],
    )?;
    check(
        headers == json!(12),
        &format!("12 trade columns (found {headers})"),
    )?;
    let first = s.text("#trades-table tbody tr")?;
    check(
        first.contains("BUY") || first.contains("SELL"),
        &format!("the first of {rows} trade rows names its side: {first:?}"),
    )?;
    save_screenshot(s, "e2e-trades.png")
}

fn save_screenshot(s: &Session, name: &str) -> Result<()> {
    let png = s.screenshot()?;
    check(png.starts_with(b"\x89PNG"), "the screenshot is a PNG")?;
    let dir = target_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let path = dir.join(name);
    std::fs::write(&path, png).map_err(|e| format!("writing {}: {e}", path.display()))
}

fn presets(base_url: &str, s: &Session) -> Result<()> {
    let name = format!("e2e preset {}", std::process::id());
    s.type_into("#param-period", "10")?;
    s.type_into("#initial_capital", "50000")?;
    s.click("#direction option[value='longshort']")?;
    s.type_into("#preset-name", &name)?;
    s.click("#save-preset-btn")?;
    let option = format!(
        "[...document.querySelectorAll('#preset-select option')].find(o => o.textContent.includes({}))",
        js_str(&name)
    );
    s.wait_for(
        "the saved preset in the list",
        &format!("({option}) && ({option}).selected"),
        UI_TIMEOUT,
    )?;

    // The same name again is refused (409) and said so in the page.
    s.click("#save-preset-btn")?;
    s.wait_for(
        "the duplicate-name error",
        "!document.getElementById('error-box').classList.contains('d-none') \
         && document.getElementById('error-box').textContent.trim().length > 0",
        UI_TIMEOUT,
    )?;

    // After a reload the form is back to its defaults; loading the preset fills it.
    s.refresh()?;
    wait_for_form(s)?;
    assert_value(s, "#param-period", "14")?;
    assert_value(s, "#direction", "longonly")?;
    let id = s
        .wait_for(
            "the preset after reload",
            &format!("({option}) && ({option}).value"),
            UI_TIMEOUT,
        )?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    s.click(&format!("#preset-select option[value='{id}']"))?;
    s.wait_for(
        "the form filled from the preset",
        "document.getElementById('param-period').value === '10'",
        UI_TIMEOUT,
    )?;
    assert_value(s, "#ticker", "GOOG")?;
    assert_value(s, "#rule_type", "RSI")?;
    assert_value(s, "#direction", "longshort")?;
    assert_value(s, "#start_date", "2010-01-01")?;
    assert_value(s, "#end_date", "2012-12-31")?;
    let capital = s.property("#initial_capital", "value")?;
    check(
        capital.as_str().and_then(|v| v.parse::<f64>().ok()) == Some(50000.0),
        &format!("initial capital 50000 from the preset (found {capital})"),
    )?;
    assert_value(s, "#preset-name", &name)?;

    // Delete it: gone from the list and from the API.
    s.click("#delete-preset-btn")?;
    s.wait_for(
        "the preset removed from the list",
        &format!("!({option})"),
        UI_TIMEOUT,
    )?;
    let (status, list) = http(
        &http_agent(Duration::from_secs(10)),
        "GET",
        &format!("{base_url}/api/strategies"),
        None,
    )?;
    check(
        status == 200
            && list
                .as_array()
                .is_some_and(|l| l.iter().all(|p| p["name"] != json!(name))),
        &format!("GET /api/strategies no longer lists the preset (HTTP {status}: {list})"),
    )
}

fn bad_input(s: &Session) -> Result<()> {
    s.execute(
        "const input = document.getElementById('start_date'); input.value = '2013-01-01'; \
         input.dispatchEvent(new Event('input', { bubbles: true })); \
         input.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![],
    )?;
    s.click("#run-btn")?;
    let message = s.wait_for(
        "the in-page error for start after end",
        "!document.getElementById('error-box').classList.contains('d-none') \
         && document.getElementById('error-box').textContent.trim()",
        UI_TIMEOUT,
    )?;
    let text = message.as_str().unwrap_or_default().to_lowercase();
    check(
        text.contains("start") || text.contains("end") || text.contains("date"),
        &format!("the error names the dates: {message}"),
    )?;
    let marked = s.execute(
        "return ['start_date', 'end_date'].some(id => document.getElementById(id).classList.contains('is-invalid'))",
        vec![],
    )?;
    check(
        marked == json!(true),
        "the offending date field is marked is-invalid",
    )
}

/// No console errors other than the HTTP errors the scenario provoked on
/// purpose (400 for bad input, 409 for the duplicate preset name).
fn console_is_clean(s: &Session) -> Result<()> {
    let log = s.browser_log()?;
    let errors: Vec<&Value> = log
        .iter()
        .filter(|entry| entry["level"] == json!("SEVERE"))
        .filter(|entry| {
            let message = entry["message"].as_str().unwrap_or_default();
            !(message.contains("status of 400") || message.contains("status of 409"))
        })
        .collect();
    check(
        errors.is_empty(),
        &format!("no console errors, found: {errors:?}"),
    )
}
