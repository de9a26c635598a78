//! Real-browser end-to-end test of the dashboard's Sweep view.
//!
//! Same harness as `e2e_browser` (the `backtest serve` binary on a fresh
//! SQLite database with the demo data, headless Chromium through
//! chromedriver). In the page: a bad range is a 400 shown in the Sweep view
//! naming the field; an RSI sweep on GOOG (period 10..14 x oversold 25..30,
//! 2 shards) runs to 100 %; its heatmap has one cell per (x, y) pair whose
//! values equal `GET /api/sweeps/<id>/heatmap` (also after choosing another
//! metric); the best-combinations table starts with the API's best; clicking
//! that row, and a heatmap cell, runs the combination in full with its
//! charts; a walk-forward sweep lists the API's folds and draws its
//! out-of-sample curve; both sweeps are listed under "Recent sweeps". The
//! page passes the Nu HTML checker and axe-core's WCAG 2 A/AA rules with
//! the sweep on screen, without a Content-Security-Policy violation.
//! Screenshots: `<CARGO_TARGET_DIR or target>/e2e-sweep*.png`.
//!
//! Skips like `e2e_browser` when Chromium, chromedriver, Java or `vnu.jar`
//! is missing, unless `E2E_REQUIRE_BROWSER=1`.

#[path = "support/browser_harness.rs"]
mod browser_harness;
#[path = "support/page_checks.rs"]
mod page_checks;
#[path = "support/webdriver.rs"]
mod webdriver;

use std::time::Duration;

use browser_harness::{browser_tools, start, target_dir, BrowserTools, Harness};
use serde_json::{json, Value};
use webdriver::{http, http_agent, tail, Session};

/// How long a sweep may take from click to 100 % (debug build).
const SWEEP_TIMEOUT: Duration = Duration::from_secs(240);
/// How long a full run of one combination may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);
const UI_TIMEOUT: Duration = Duration::from_secs(20);

type Result<T> = std::result::Result<T, String>;

fn check(ok: bool, what: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(format!("check failed: {what}"))
    }
}

/// JSON equality with numbers compared as numbers (the API stores a float
/// parameter as `30.0`, which the page's JSON hands back as `30`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn sweep_view_in_a_real_browser() {
    let Some(BrowserTools {
        chromium,
        chromedriver,
        vnu_jar: Some(vnu_jar),
    }) = browser_tools("e2e_sweep", true)
    else {
        return;
    };
    let mut harness = start(&chromium, &chromedriver);
    if let Err(error) = scenario(&mut harness, &vnu_jar) {
        if let Some(browser) = &harness.session {
            if let Ok(png) = browser.screenshot() {
                let _ = std::fs::create_dir_all(target_dir());
                let _ = std::fs::write(target_dir().join("e2e-sweep-failure.png"), png);
            }
        }
        panic!(
            "{error}\n--- server log (tail) ---\n{}\n--- chromedriver log (tail) ---\n{}",
            tail(&harness.server_log, 4000),
            tail(&harness.driver_log, 2000)
        );
    }
}

fn api(base_url: &str, path: &str) -> Result<Value> {
    let (status, body) = http(
        &http_agent(Duration::from_secs(20)),
        "GET",
        &format!("{base_url}{path}"),
        None,
    )?;
    check(
        status == 200,
        &format!("GET {path} is 200 (HTTP {status}: {body})"),
    )?;
    Ok(body)
}

fn save_screenshot(s: &Session, name: &str) -> Result<()> {
    let png = s.screenshot()?;
    check(png.starts_with(b"\x89PNG"), "the screenshot is a PNG")?;
    let dir = target_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    std::fs::write(dir.join(name), png).map_err(|e| format!("writing {name}: {e}"))
}

/// Sets a form control's value as a person would (input + change events).
fn set_value(s: &Session, selector: &str, value: &str) -> Result<()> {
    s.execute(
        "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
         e.dispatchEvent(new Event('input', { bubbles: true })); \
         e.dispatchEvent(new Event('change', { bubbles: true })); return true;",
        vec![json!(selector), json!(value)],
    )
    .map(drop)
}

fn range(s: &Session, param: &str, from: &str, to: &str, step: &str) -> Result<()> {
    s.type_into(&format!("#sweep-{param}-from"), from)?;
    s.type_into(&format!("#sweep-{param}-to"), to)?;
    s.type_into(&format!("#sweep-{param}-step"), step)
}

fn show_sweep_view(s: &Session) -> Result<()> {
    s.click("#view-tab-sweep")?;
    s.wait_for(
        "the Sweep view",
        "document.getElementById('view-sweep').classList.contains('active') \
         && document.getElementById('view-tab-sweep').getAttribute('aria-selected') === 'true'",
        UI_TIMEOUT,
    )
    .map(drop)
}

/// Clicks "Start sweep", waits for 100 % and the results; returns the
/// sweep's id and its `GET /api/sweeps/<id>`.
fn run_sweep(s: &Session, base_url: &str) -> Result<(String, Value)> {
    let before = s.execute("return window.location.hash;", vec![])?;
    s.click("#sweep-btn")?;
    let id = s.wait_for(
        "the new sweep's id in the URL",
        &format!(
            "window.location.hash.startsWith('#sweep=') && window.location.hash !== {before} \
             && decodeURIComponent(window.location.hash.slice(7))"
        ),
        UI_TIMEOUT,
    )?;
    let id = id.as_str().unwrap_or_default().to_owned();
    let status = s.wait_for(
        "the sweep to finish",
        "['completed', 'failed', 'cancelled'].includes(document.getElementById('sweep-status').dataset.status) \
         && document.getElementById('sweep-status').dataset.status",
        SWEEP_TIMEOUT,
    )?;
    if status != json!("completed") {
        let error = s.text("#sweep-error-box").unwrap_or_default();
        return Err(format!("the sweep is {status}: {error:?}"));
    }
    let bar = s.execute(
        "const p = document.getElementById('sweep-progress'); \
         return [p.getAttribute('aria-valuenow'), p.querySelector('.progress-bar').style.width];",
        vec![],
    )?;
    check(
        bar == json!(["100", "100%"]),
        &format!("the progress bar reached 100 % ({bar})"),
    )?;
    s.wait_for(
        "the heatmap and the best combinations",
        "document.getElementById('heatmap').dataset.ready === 'true' \
         && document.querySelector('#top-table tbody').dataset.ready === 'true' \
         && document.querySelectorAll('#top-table tbody tr').length > 0",
        UI_TIMEOUT,
    )?;
    let detail = api(base_url, &format!("/api/sweeps/{id}"))?;
    check(
        detail["status"] == json!("completed")
            && detail["progress"]["done"] == detail["progress"]["total"],
        &format!("the API agrees the sweep completed: {detail}"),
    )?;
    Ok((id, detail))
}

/// The page's heatmap cells equal `GET .../heatmap` for the x, y and
/// metric chosen in the page; returns the number of cells.
fn check_heatmap(s: &Session, base_url: &str, id: &str) -> Result<usize> {
    let query = s.wait_for(
        "the heatmap for the chosen axes",
        "document.getElementById('heatmap').dataset.ready === 'true' \
         && document.getElementById('heatmap').dataset.query",
        UI_TIMEOUT,
    )?;
    let query = query.as_str().unwrap_or_default().to_owned();
    let chosen = s.execute(
        "return ['hm-x', 'hm-y', 'hm-metric'].map(id => document.getElementById(id).value);",
        vec![],
    )?;
    let expected_query = format!(
        "x={}&y={}&metric={}",
        chosen[0].as_str().unwrap_or_default(),
        chosen[1].as_str().unwrap_or_default(),
        chosen[2].as_str().unwrap_or_default()
    );
    check(
        query.starts_with(&expected_query),
        &format!("the heatmap shows the chosen {expected_query} (shows {query})"),
    )?;
    let map = api(base_url, &format!("/api/sweeps/{id}/heatmap?{query}"))?;
    let cells = s.execute(
        "return [...document.querySelectorAll('#heatmap .hm-cell')].map(b => \
           [Number(b.dataset.xIndex), Number(b.dataset.yIndex), b.dataset.value]);",
        vec![],
    )?;
    let cells = cells.as_array().cloned().unwrap_or_default();
    let (nx, ny) = (
        map["x"].as_array().map_or(0, Vec::len),
        map["y"].as_array().map_or(0, Vec::len),
    );
    check(
        cells.len() == nx * ny && nx > 0 && ny > 0,
        &format!("{nx} x {ny} heatmap cells (found {})", cells.len()),
    )?;
    for cell in &cells {
        let (xi, yi) = (
            cell[0].as_u64().unwrap_or(u64::MAX) as usize,
            cell[1].as_u64().unwrap_or(u64::MAX) as usize,
        );
        let shown = cell[2].as_str().unwrap_or_default();
        let api_value = &map["z"][yi][xi];
        let same = match api_value.as_f64() {
            Some(v) => shown.parse::<f64>().ok() == Some(v),
            None => shown.is_empty(),
        };
        check(
            same,
            &format!("cell ({xi}, {yi}) shows {shown:?}, the API says {api_value}"),
        )?;
    }
    Ok(cells.len())
}

/// The first row of the best-combinations table is the API's best.
fn check_top_row(s: &Session, detail: &Value) -> Result<()> {
    let first = s.execute(
        "const tr = document.querySelector('#top-table tbody tr'); \
         return { params: JSON.parse(tr.dataset.params), grid_index: Number(tr.dataset.gridIndex), \
                  sharpe: tr.querySelector('[data-metric=sharpe_ratio]').textContent };",
        vec![],
    )?;
    let best = &detail["best"];
    let sharpe = best["metrics"]["sharpe_ratio"]
        .as_f64()
        .map_or("—".to_owned(), |v| format!("{v:.2}"));
    check(
        same(&first["params"], &best["params"])
            && same(&first["grid_index"], &best["grid_index"])
            && first["sharpe"] == json!(sharpe),
        &format!("the top row {first} is the API's best {best}"),
    )
}

/// Waits for the full run a click started and for its equity chart.
fn wait_for_full_run(s: &Session) -> Result<()> {
    s.wait_for(
        "the Backtest view",
        "document.getElementById('view-backtest').classList.contains('active')",
        UI_TIMEOUT,
    )?;
    let status = s.wait_for(
        "the combination's full run",
        "!document.getElementById('run-btn').disabled \
         && ['completed', 'failed'].includes(document.getElementById('status-badge').dataset.status) \
         && document.getElementById('status-badge').dataset.status",
        RUN_TIMEOUT,
    )?;
    if status != json!("completed") {
        let error = s.text("#error-box").unwrap_or_default();
        return Err(format!("the full run is {status}: {error:?}"));
    }
    s.click("#tab-equity")?;
    s.wait_for(
        "the full run's equity chart",
        "(() => { const c = document.querySelectorAll('#equity-chart canvas'); \
           return c.length === 1 && c[0].width > 0 && c[0].getBoundingClientRect().width > 300; })()",
        UI_TIMEOUT,
    )
    .map(drop)
}

fn scenario(h: &mut Harness, vnu_jar: &std::path::Path) -> Result<()> {
    let s = h.session.as_ref().ok_or("no browser")?;
    let base = h.base_url.clone();
    s.set_window_size(1400, 1100)?;
    s.goto(&format!("{base}/"))?;
    s.wait_for(
        "the sweep grid generated from /api/rules",
        "document.getElementById('sweep-grid').dataset.ready === 'true' \
         && !!document.getElementById('sweep-period-from')",
        UI_TIMEOUT,
    )?;
    let mut a11y = page_checks::Accessibility::default();
    set_value(s, "#ticker", "GOOG")?;
    show_sweep_view(s)?;
    a11y.check(s, "the empty Sweep view")?;
    // The grid starts at the rule's defaults, from /api/rules.
    let period = s.property("#sweep-period-from", "value")?;
    check(
        period == json!("14"),
        &format!("period starts at its default 14 ({period})"),
    )?;

    // A range the rule refuses: a 400 shown in the page, naming the field.
    range(s, "period", "1", "3", "1")?;
    s.click("#sweep-btn")?;
    let message = s.wait_for(
        "the in-page error for period 1",
        "!document.getElementById('sweep-error-box').classList.contains('d-none') \
         && document.getElementById('sweep-error-box').textContent.trim()",
        UI_TIMEOUT,
    )?;
    check(
        message.as_str().is_some_and(|m| m.contains("period")),
        &format!("the error names period: {message}"),
    )?;
    check(
        s.execute(
            "return document.getElementById('sweep-period-from').classList.contains('is-invalid');",
            vec![],
        )? == json!(true),
        "the period range is marked invalid",
    )?;
    a11y.check(s, "the Sweep view showing an error")?;
    save_screenshot(s, "e2e-sweep-error.png")?;

    // The sweep: period 10..14 x oversold 25..30 on GOOG, 2 shards.
    range(s, "period", "10", "14", "1")?;
    range(s, "oversold", "25", "30", "1")?;
    s.type_into("#sweep-shards", "2")?;
    let count = s.text("#sweep-count")?;
    check(
        count.starts_with("30 combinations"),
        &format!("the form counts 30 combinations ({count:?})"),
    )?;
    let (id, detail) = run_sweep(s, &base)?;
    check(
        detail["progress"]["total"] == json!(30)
            && detail["progress"]["shards"] == json!(2)
            && detail["ticker"] == json!("GOOG"),
        &format!("30 combinations of GOOG in 2 shards: {detail}"),
    )?;
    let cells = check_heatmap(s, &base, &id)?;
    check(cells == 30, &format!("5 x 6 heatmap cells (found {cells})"))?;
    check_top_row(s, &detail)?;
    let rows = s.execute(
        "return document.querySelectorAll('#top-table tbody tr').length",
        vec![],
    )?;
    check(
        rows == json!(10),
        &format!("the top 10 rows (found {rows})"),
    )?;
    s.execute(
        "document.getElementById('heatmap').scrollIntoView({ block: 'start' });",
        vec![],
    )?;
    save_screenshot(s, "e2e-sweep-heatmap.png")?;
    s.execute("window.scrollTo(0, 0);", vec![])?;
    save_screenshot(s, "e2e-sweep.png")?;

    // Another metric: the page asks again and still agrees with the API.
    set_value(s, "#hm-metric", "total_return_pct")?;
    s.wait_for(
        "the total-return heatmap",
        "(document.getElementById('heatmap').dataset.query || '').includes('total_return_pct')",
        UI_TIMEOUT,
    )?;
    check_heatmap(s, &base, &id)?;
    a11y.check(s, "the Sweep view with a heatmap")?;
    let html_errors = page_checks::html_errors(&base, &h.tmp, s, vnu_jar)?;

    // The best row, run in full.
    s.click("#top-table tbody tr")?;
    wait_for_full_run(s)?;
    let best = &detail["best"];
    for name in ["period", "oversold", "overbought"] {
        let value = s.property(&format!("#param-{name}"), "value")?;
        check(
            value.as_str().and_then(|v| v.parse::<f64>().ok()) == best["params"][name].as_f64(),
            &format!(
                "param {name} is the best's {} (found {value})",
                best["params"][name]
            ),
        )?;
    }
    let sharpe = s.execute(
        "return document.querySelector('#kpi-grid [data-metric=sharpe_ratio] .kpi-value').textContent;",
        vec![],
    )?;
    let expected = best["metrics"]["sharpe_ratio"]
        .as_f64()
        .map_or("—".to_owned(), |v| format!("{v:.2}"));
    check(
        sharpe == json!(expected),
        &format!("the full run's Sharpe {sharpe} is the sweep's {expected:?}"),
    )?;
    save_screenshot(s, "e2e-sweep-run.png")?;

    // A heatmap cell, run in full.
    show_sweep_view(s)?;
    let cell = s.execute(
        "return [document.getElementById('hm-x').value, document.getElementById('hm-y').value];",
        vec![],
    )?;
    let map = api(
        &base,
        &format!(
            "/api/sweeps/{id}/heatmap?x={}&y={}",
            cell[0].as_str().unwrap_or_default(),
            cell[1].as_str().unwrap_or_default()
        ),
    )?;
    s.click("#heatmap .hm-cell[data-x-index='0'][data-y-index='0']")?;
    wait_for_full_run(s)?;
    for (axis, values) in [(&cell[0], &map["x"]), (&cell[1], &map["y"])] {
        let name = axis.as_str().unwrap_or_default();
        let value = s.property(&format!("#param-{name}"), "value")?;
        check(
            value.as_str().and_then(|v| v.parse::<f64>().ok()) == values[0].as_f64(),
            &format!("param {name} is the cell's {} (found {value})", values[0]),
        )?;
    }

    // Walk-forward: the fold table has the API's folds.
    show_sweep_view(s)?;
    s.click("#wf-enabled")?;
    s.type_into("#wf-train", "250")?;
    s.type_into("#wf-test", "125")?;
    range(s, "period", "10", "14", "2")?;
    range(s, "oversold", "25", "30", "5")?;
    let (wf_id, wf) = run_sweep(s, &base)?;
    let folds = wf["folds"].as_array().map_or(0, Vec::len);
    check(folds > 1, &format!("several folds: {wf}"))?;
    let shown = s.wait_for(
        "the fold table",
        "!document.getElementById('wf-block').classList.contains('d-none') \
         && document.querySelectorAll('#fold-table tbody tr').length",
        UI_TIMEOUT,
    )?;
    check(
        shown == json!(folds),
        &format!("{folds} fold rows (found {shown})"),
    )?;
    s.wait_for(
        "the out-of-sample equity chart",
        "document.querySelectorAll('#oos-chart canvas').length === 1",
        UI_TIMEOUT,
    )?;
    check_heatmap(s, &base, &wf_id).map_err(|e| format!("walk-forward fold: {e}"))?;
    s.execute(
        "document.getElementById('wf-block').scrollIntoView({ block: 'start' });",
        vec![],
    )?;
    save_screenshot(s, "e2e-sweep-walk-forward.png")?;
    a11y.check(s, "the walk-forward view")?;

    // Both sweeps under "Recent sweeps", newest first.
    s.wait_for(
        "both sweeps in the recent list",
        &format!(
            "document.getElementById('recent-sweeps').getAttribute('aria-busy') === 'false' \
             && document.querySelectorAll('#recent-sweeps [data-sweep-id]').length === 2 \
             && document.querySelector('#recent-sweeps [data-sweep-id]').dataset.sweepId === {}",
            json!(wf_id)
        ),
        UI_TIMEOUT,
    )?;

    // The older sweep opened from the list brings back its own settings.
    s.click(&format!("#recent-sweeps [data-sweep-id={}]", json!(id)))?;
    let form = s.wait_for(
        "the grid sweep's settings in the form",
        "!document.getElementById('wf-enabled').checked \
         && document.getElementById('sweep-status').dataset.status === 'completed' \
         && ['period-from', 'period-to', 'period-step', 'oversold-from', 'oversold-to', 'shards'] \
              .map((p) => document.getElementById('sweep-' + p).value).join(' ')",
        UI_TIMEOUT,
    )?;
    check(
        form == json!("10 14 1 25 30 2"),
        &format!("the form shows the sweep's grid and shards (found {form})"),
    )?;

    let a11y = a11y.report();
    check(
        html_errors.is_empty() && a11y.is_empty(),
        &format!(
            "a valid and accessible Sweep view; the Nu HTML checker found {} errors:\n{}\n\
             axe-core found {} WCAG 2 A/AA violations:\n{}",
            html_errors.len(),
            html_errors.join("\n"),
            a11y.len(),
            a11y.join("\n")
        ),
    )?;
    // Only the 400 provoked on purpose.
    page_checks::console_is_clean(s, &["status of 400"])?;
    page_checks::csp_probe(s)
}
