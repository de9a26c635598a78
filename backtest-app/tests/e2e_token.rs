//! The dashboard against a server with `AUTH_MODE=token`, in headless
//! Chromium: the page itself loads without a token, the first API call's
//! 401 opens the token dialog, the entered token is kept in sessionStorage
//! and sent as a bearer token (the rules load, a run completes), a reload
//! does not ask again, and nothing violates the Content-Security-Policy.
//! Skipped like `e2e_browser` when Chromium or chromedriver is missing.

#[path = "support/browser_harness.rs"]
mod browser_harness;
#[path = "support/page_checks.rs"]
mod page_checks;
#[path = "support/webdriver.rs"]
mod webdriver;

use std::process::Command;
use std::time::Duration;

use browser_harness::{browser_tools, say, start_with, target_dir, BrowserTools, Harness};
use serde_json::json;
use webdriver::{tail, Session};

type Result<T> = std::result::Result<T, String>;

const UI_TIMEOUT: Duration = Duration::from_secs(20);

fn check(ok: bool, what: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(format!("expected: {what}"))
    }
}

#[test]
fn dashboard_asks_for_a_token_and_keeps_it_for_the_session() {
    let Some(BrowserTools {
        chromium,
        chromedriver,
        ..
    }) = browser_tools("e2e_token", false)
    else {
        return;
    };
    if std::env::var("E2E_SERVER_URL").is_ok() {
        say("SKIPPED e2e_token: it starts its own server in token mode");
        return;
    }
    let harness = start_with(&chromium, &chromedriver, &[("AUTH_MODE", "token")]);
    if let Err(error) = scenario(&harness) {
        if let Some(session) = &harness.session {
            if let Ok(png) = session.screenshot() {
                let _ = std::fs::create_dir_all(target_dir());
                let _ = std::fs::write(target_dir().join("e2e-token-failure.png"), png);
            }
        }
        panic!(
            "{error}\n--- server log (tail) ---\n{}",
            tail(&harness.server_log, 4000)
        );
    }
}

fn create_token(harness: &Harness) -> Result<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_backtest"))
        .args(["token", "create", "--name", "browser"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", harness.tmp.join("e2e.db").display()),
        )
        .env("LOG_FORMAT", "json")
        .output()
        .map_err(|e| format!("backtest token create: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    check(
        out.status.success(),
        &format!("token create succeeds: {stdout}"),
    )?;
    Ok(stdout.lines().last().unwrap_or_default().to_owned())
}

fn dialog_shown(s: &Session) -> Result<()> {
    s.wait_for(
        "the token dialog",
        "document.getElementById('token-dialog').classList.contains('show') \
         && document.activeElement === document.getElementById('token-input')",
        UI_TIMEOUT,
    )
    .map(|_| ())
}

fn save_screenshot(s: &Session, name: &str) -> Result<()> {
    let png = s.screenshot()?;
    let dir = target_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    std::fs::write(dir.join(name), png).map_err(|e| format!("writing {name}: {e}"))
}

fn scenario(h: &Harness) -> Result<()> {
    let s = h.session.as_ref().ok_or("no browser session")?;
    let token = create_token(h)?;
    s.set_window_size(1400, 1100)?;
    s.goto(&format!("{}/", h.base_url))?;
    dialog_shown(s)?;
    save_screenshot(s, "e2e-token-dialog.png")?;

    // A wrong token is refused and the dialog comes back saying so.
    s.type_into("#token-input", "bt_not-a-real-token")?;
    s.click("#token-submit-btn")?;
    s.wait_for(
        "the refusal in the dialog",
        "document.getElementById('token-dialog').classList.contains('show') \
         && document.getElementById('token-dialog-reason').textContent.includes('refused')",
        UI_TIMEOUT,
    )?;
    s.type_into("#token-input", &token)?;
    s.click("#token-submit-btn")?;
    s.wait_for(
        "the rules loaded with the token",
        "document.getElementById('rule-params').dataset.ready === 'true' \
         && !!document.getElementById('param-period') \
         && !document.getElementById('token-dialog').classList.contains('show')",
        UI_TIMEOUT,
    )?;
    let kept = s.execute("return sessionStorage.getItem('backtest.apiToken')", vec![])?;
    check(kept == json!(token), "the token is kept in sessionStorage")?;
    let elsewhere = s.execute(
        "return document.cookie + JSON.stringify(Object.assign({}, localStorage))",
        vec![],
    )?;
    check(
        !elsewhere.as_str().unwrap_or_default().contains(&token),
        "the token is in no cookie and not in localStorage",
    )?;

    // An asynchronous run goes through with the bearer token.
    s.click("#run-btn")?;
    let status = s.wait_for(
        "the backtest to finish",
        "!document.getElementById('run-btn').disabled \
         && ['completed', 'failed'].includes(document.getElementById('status-badge').dataset.status) \
         && document.getElementById('status-badge').dataset.status",
        Duration::from_secs(120),
    )?;
    check(
        status == json!("completed"),
        &format!("the run completed, not {status}"),
    )?;
    save_screenshot(s, "e2e-token-run.png")?;

    // A reload in the same tab uses the kept token: no dialog.
    s.refresh()?;
    s.wait_for(
        "the rules after a reload",
        "document.getElementById('rule-params').dataset.ready === 'true' \
         && !!document.getElementById('param-period')",
        UI_TIMEOUT,
    )?;
    std::thread::sleep(Duration::from_millis(500));
    check(
        s.execute(
            "return document.getElementById('token-dialog').classList.contains('show')",
            vec![],
        )? == json!(false),
        "no dialog after a reload",
    )?;
    // 401s were provoked on purpose; CSP violations never are.
    page_checks::console_is_clean(s, &["401"])
}
