//! A minimal W3C WebDriver client (the commands the browser test needs),
//! spoken over HTTP to `chromedriver`, plus small process helpers.

#![allow(dead_code)]

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The W3C key of an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// Largest response body read (screenshots are a few MB of base64).
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// A WebDriver or transport failure, with the driver's own message.
pub type Result<T> = std::result::Result<T, String>;

/// An HTTP agent that hands back non-2xx answers instead of failing on them.
pub fn http_agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into()
}

/// Status code and body (as JSON when it parses, else as a string).
pub fn http(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<&Value>,
) -> Result<(u16, Value)> {
    let response = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        ("DELETE", _) => agent.delete(url).call(),
        ("POST", Some(body)) => agent
            .post(url)
            .header("Content-Type", "application/json")
            .send(body.to_string()),
        ("POST", None) => agent.post(url).send_empty(),
        _ => return Err(format!("unsupported method {method}")),
    };
    let mut response = response.map_err(|e| format!("{method} {url}: {e}"))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_string()
        .map_err(|e| format!("{method} {url}: reading the body: {e}"))?;
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok((status, value))
}

/// A free TCP port on the loopback interface.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port on 127.0.0.1")
}

/// The first of `candidates` that is an existing file, or the first match of
/// `name` on `PATH`.
pub fn find_executable(candidates: &[PathBuf], name: &str) -> Option<PathBuf> {
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .or_else(|| {
            std::env::var_os("PATH").and_then(|path| {
                std::env::split_paths(&path)
                    .map(|dir| dir.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// The last `max` bytes of a log file, for failure messages.
pub fn tail(path: &Path, max: usize) -> String {
    let mut text = String::new();
    if let Ok(mut file) = std::fs::File::open(path) {
        let _ = file.read_to_string(&mut text);
    }
    let start = text.len().saturating_sub(max);
    let start = (start..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    text[start..].to_owned()
}

/// Decodes standard base64 (with or without padding).
pub fn base64_decode(input: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for byte in input.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\n' | b'\r' => continue,
            other => return Err(format!("invalid base64 byte {other:#04x}")),
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// One WebDriver session.
#[derive(Debug)]
pub struct Session {
    agent: ureq::Agent,
    base: String,
}

/// A reference to an element of the current page.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Session {
    /// Opens a session on the driver at `driver_url` with `capabilities`
    /// (the `alwaysMatch` object).
    pub fn new(driver_url: &str, capabilities: Value) -> Result<Self> {
        let agent = http_agent(Duration::from_secs(120));
        let body = json!({ "capabilities": { "alwaysMatch": capabilities } });
        let (status, value) = http(
            &agent,
            "POST",
            &format!("{driver_url}/session"),
            Some(&body),
        )?;
        let id = value["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("new session failed (HTTP {status}): {value}"))?;
        Ok(Self {
            base: format!("{driver_url}/session/{id}"),
            agent,
        })
    }

    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let (status, value) = http(&self.agent, method, &url, body.as_ref())?;
        if (200..300).contains(&status) {
            Ok(value.get("value").cloned().unwrap_or(Value::Null))
        } else {
            let error = &value["value"];
            Err(format!(
                "{method} {path}: {} — {}",
                error["error"].as_str().unwrap_or("error"),
                error["message"].as_str().unwrap_or(&value.to_string())
            ))
        }
    }

    /// Ends the session (the driver closes the browser).
    pub fn quit(&self) -> Result<()> {
        self.command("DELETE", "", None).map(drop)
    }

    /// Navigates to `url` and waits for the page load.
    pub fn goto(&self, url: &str) -> Result<()> {
        self.command("POST", "/url", Some(json!({ "url": url })))
            .map(drop)
    }

    /// Reloads the current page.
    pub fn refresh(&self) -> Result<()> {
        self.command("POST", "/refresh", Some(json!({}))).map(drop)
    }

    /// Sets the window size.
    pub fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        self.command(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .map(drop)
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) and returns
    /// its value.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// The first element matching the CSS `selector`.
    pub fn find(&self, selector: &str) -> Result<Element> {
        let value = self.command(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": selector })),
        )?;
        value[ELEMENT_KEY]
            .as_str()
            .map(|id| Element(id.to_owned()))
            .ok_or_else(|| format!("no element reference for {selector}: {value}"))
    }

    /// Every element matching the CSS `selector`.
    pub fn find_all(&self, selector: &str) -> Result<Vec<Element>> {
        let value = self.command(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": selector })),
        )?;
        Ok(value
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|v| v[ELEMENT_KEY].as_str())
                    .map(|id| Element(id.to_owned()))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Clicks the element matching `selector`.
    pub fn click(&self, selector: &str) -> Result<()> {
        let element = self.find(selector)?;
        self.command(
            "POST",
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .map(drop)
        .map_err(|e| format!("click {selector}: {e}"))
    }

    /// Clears the input matching `selector` and types `text` into it.
    pub fn type_into(&self, selector: &str, text: &str) -> Result<()> {
        let element = self.find(selector)?;
        self.command(
            "POST",
            &format!("/element/{}/clear", element.0),
            Some(json!({})),
        )?;
        self.command(
            "POST",
            &format!("/element/{}/value", element.0),
            Some(json!({ "text": text })),
        )
        .map(drop)
    }

    /// A DOM property (`value`, `checked`, `src`, ...) of the element
    /// matching `selector`.
    pub fn property(&self, selector: &str, name: &str) -> Result<Value> {
        let element = self.find(selector)?;
        self.command(
            "GET",
            &format!("/element/{}/property/{name}", element.0),
            None,
        )
    }

    /// The rendered text of the element matching `selector`.
    pub fn text(&self, selector: &str) -> Result<String> {
        let element = self.find(selector)?;
        let value = self.command("GET", &format!("/element/{}/text", element.0), None)?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Polls the JavaScript expression `condition` until it is truthy;
    /// fails after `timeout` with `what` and the last value seen.
    pub fn wait_for(&self, what: &str, condition: &str, timeout: Duration) -> Result<Value> {
        let deadline = Instant::now() + timeout;
        let script = format!("return ({condition});");
        loop {
            let value = self.execute(&script, vec![])?;
            let truthy = match &value {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return Ok(value);
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "timed out after {timeout:?} waiting for {what} ({condition}); last value {value}"
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A PNG screenshot of the viewport.
    pub fn screenshot(&self) -> Result<Vec<u8>> {
        let value = self.command("GET", "/screenshot", None)?;
        base64_decode(value.as_str().ok_or("screenshot is not a string")?)
    }

    /// Browser console entries since the last call (Chrome's `goog:loggingPrefs`).
    pub fn browser_log(&self) -> Result<Vec<Value>> {
        let value = self.command("POST", "/se/log", Some(json!({ "type": "browser" })))?;
        Ok(value.as_array().cloned().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::base64_decode;

    #[test]
    fn decodes_base64() {
        assert_eq!(base64_decode("aGVsbG8=").as_deref(), Ok(&b"hello"[..]));
        assert_eq!(base64_decode("aGVsbG8h").as_deref(), Ok(&b"hello!"[..]));
        assert_eq!(base64_decode("").as_deref(), Ok(&b""[..]));
        assert!(base64_decode("a*b").is_err());
    }
}
