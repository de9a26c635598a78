//! `backtest healthcheck`: the image's HEALTHCHECK and the chart's `helm
//! test`, with no shell or curl in the image.
//!
//! Exit 0 when `/health` answers 200 within the timeout, else 1 with one line
//! on stderr. With `--backtest` it also submits the demo backtest (GOOG RSI,
//! the request of `scripts/demo.sh`) and waits until `/status` reports it
//! `completed`, so one command checks the web, the database, the launcher and
//! a worker together.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::Value;

use crate::cli::HealthcheckArgs;

/// The demo request (bundled GOOG data).
const DEMO_REQUEST: &str = r#"{"ticker":"GOOG","rule_type":"RSI","params":{"period":14,"oversold":30,"overbought":70},"start_date":"2010-01-01","end_date":"2012-12-31","charts":false}"#;
/// Largest response body read (a status with a full result is ~1 MB).
const MAX_BODY: u64 = 16 * 1024 * 1024;
/// Pause between two `/status` polls.
const POLL: Duration = Duration::from_millis(500);

/// Runs the check; see the module documentation.
///
/// # Errors
/// When the web does not answer as expected.
pub fn run(args: &HealthcheckArgs) -> anyhow::Result<()> {
    let base = match &args.url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => default_base(
            std::env::var("ROCKET_ADDRESS").ok().as_deref(),
            std::env::var("ROCKET_PORT").ok().as_deref(),
        ),
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(args.timeout_secs.max(1))))
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{base}/health");
    let (status, _) = request(&agent, &url, None, None)?;
    if status != 200 {
        bail!("{url} answered HTTP {status}");
    }
    if args.backtest {
        let run_id = backtest(
            &agent,
            &base,
            args.token.as_deref(),
            Duration::from_secs(args.wait_secs),
        )?;
        println!("run_id={run_id} status=completed");
    }
    Ok(())
}

/// `http://ROCKET_ADDRESS:ROCKET_PORT`; a wildcard address means the
/// loopback, since the check runs next to the server.
pub fn default_base(address: Option<&str>, port: Option<&str>) -> String {
    let host = match address.map(str::trim) {
        None | Some("") | Some("0.0.0.0") => "127.0.0.1".to_owned(),
        Some("::") | Some("[::]") => "[::1]".to_owned(),
        Some(a) if a.contains(':') && !a.starts_with('[') => format!("[{a}]"),
        Some(a) => a.to_owned(),
    };
    let port = port
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .unwrap_or("8000");
    format!("http://{host}:{port}")
}

/// Submits the demo request and polls its status; returns the run id.
fn backtest(
    agent: &ureq::Agent,
    base: &str,
    token: Option<&str>,
    wait: Duration,
) -> anyhow::Result<String> {
    let url = format!("{base}/api/backtests");
    let (status, body) = request(agent, &url, token, Some(DEMO_REQUEST))?;
    if status != 202 {
        bail!("POST {url} answered HTTP {status}: {}", first_line(&body));
    }
    let run_id = field(&body, "run_id").with_context(|| format!("no run_id from {url}"))?;
    let status_url = format!("{base}/status/{run_id}");
    let deadline = Instant::now() + wait;
    loop {
        let (code, body) = request(agent, &status_url, token, None)?;
        if code != 200 {
            bail!("run_id={run_id}: {status_url} answered HTTP {code}");
        }
        match field(&body, "status").as_deref() {
            Some("completed") => return Ok(run_id),
            Some("failed") => bail!(
                "run_id={run_id} failed: {}",
                field(&body, "error_message").unwrap_or_default()
            ),
            _ => {}
        }
        if Instant::now() >= deadline {
            bail!("run_id={run_id} not finished after {}s", wait.as_secs());
        }
        std::thread::sleep(POLL);
    }
}

/// GET (no body) or POST a JSON body, with the bearer token if any; the
/// status and the body.
fn request(
    agent: &ureq::Agent,
    url: &str,
    token: Option<&str>,
    json: Option<&str>,
) -> anyhow::Result<(u16, String)> {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let response = match json {
        Some(body) => {
            let mut post = agent.post(url).header("Content-Type", "application/json");
            if let Some(bearer) = &bearer {
                post = post.header("Authorization", bearer);
            }
            post.send(body)
        }
        None => {
            let mut get = agent.get(url);
            if let Some(bearer) = &bearer {
                get = get.header("Authorization", bearer);
            }
            get.call()
        }
    };
    let mut response = response.with_context(|| format!("{url}: no answer"))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_string()
        .with_context(|| format!("{url}: cannot read the answer"))?;
    Ok((status, body))
}

/// A top-level string field of a JSON object.
fn field(body: &str, name: &str) -> Option<String> {
    let doc: Value = serde_json::from_str(body).ok()?;
    doc.get(name)?.as_str().map(str::to_owned)
}

fn first_line(body: &str) -> &str {
    body.lines().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_from_rocket_settings() {
        assert_eq!(default_base(None, None), "http://127.0.0.1:8000");
        assert_eq!(
            default_base(Some("0.0.0.0"), Some("9000")),
            "http://127.0.0.1:9000"
        );
        assert_eq!(default_base(Some("::"), None), "http://[::1]:8000");
        assert_eq!(default_base(Some("::1"), Some("81")), "http://[::1]:81");
        assert_eq!(
            default_base(Some("10.1.2.3"), Some(" ")),
            "http://10.1.2.3:8000"
        );
    }
}
