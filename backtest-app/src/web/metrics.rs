//! Prometheus metrics in the text exposition format (version 0.0.4).
//!
//! | Series | Type | Labels |
//! |---|---|---|
//! | `http_requests_total` | counter | `route`, `method`, `status` |
//! | `http_request_duration_seconds` | histogram | `route`, `method` |
//! | `backtest_runs_total` | gauge | `status` (runs in the database per status) |
//! | `backtest_runs` | gauge | `status` (same values, conventional name) |
//! | `backtest_sync_runs_total` | counter | `outcome` (`completed`, `invalid`, `error`) |
//! | `backtest_build_info` | gauge | `version` (always 1) |
//! | `process_resident_memory_bytes` | gauge | |
//!
//! `route` is the matched route's URI template (`/api/strategies/<id>`), or
//! `unmatched`, so label values stay few whatever clients send.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use crate::db::runs::RunState;

/// Upper bounds (seconds) of the latency histogram buckets.
pub const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Outcome of a synchronous `/run_backtest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SyncOutcome {
    /// A result was returned.
    Completed,
    /// The request was rejected (400).
    Invalid,
    /// A system error (500).
    Error,
}

impl SyncOutcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Invalid => "invalid",
            Self::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Histogram {
    /// Non-cumulative counts per bucket; the last slot is `+Inf`.
    counts: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        let slot = BUCKETS
            .iter()
            .position(|&le| seconds <= le)
            .unwrap_or(BUCKETS.len());
        self.counts[slot] += 1;
        self.sum += seconds;
        self.count += 1;
    }
}

#[derive(Debug, Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    durations: BTreeMap<(String, String), Histogram>,
    sync_runs: BTreeMap<SyncOutcome, u64>,
}

/// The app's metrics registry (managed state).
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent counters.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts one request and its latency.
    pub fn observe_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let mut inner = self.lock();
        *inner
            .requests
            .entry((route.to_owned(), method.to_owned(), status))
            .or_default() += 1;
        inner
            .durations
            .entry((route.to_owned(), method.to_owned()))
            .or_default()
            .observe(elapsed.as_secs_f64());
    }

    /// Counts one synchronous run.
    pub fn observe_sync_run(&self, outcome: SyncOutcome) {
        *self.lock().sync_runs.entry(outcome).or_default() += 1;
    }

    /// The exposition text; `runs` are the database's counts per status
    /// (`None` when the database could not be asked).
    pub fn render(&self, runs: Option<&[(RunState, i64)]>) -> String {
        let mut out = String::with_capacity(4096);
        let inner = self.lock();

        header(
            &mut out,
            "http_requests_total",
            "counter",
            "HTTP requests by route template, method and status.",
        );
        for ((route, method, status), n) in &inner.requests {
            let _ = writeln!(
                out,
                "http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                escape(route),
                escape(method),
            );
        }

        header(
            &mut out,
            "http_request_duration_seconds",
            "histogram",
            "HTTP request latency in seconds by route template and method.",
        );
        for ((route, method), h) in &inner.durations {
            let labels = format!("route=\"{}\",method=\"{}\"", escape(route), escape(method));
            let mut cumulative = 0;
            for (le, n) in BUCKETS.iter().zip(h.counts) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }

        header(
            &mut out,
            "backtest_sync_runs_total",
            "counter",
            "Synchronous /run_backtest runs by outcome.",
        );
        for outcome in [
            SyncOutcome::Completed,
            SyncOutcome::Invalid,
            SyncOutcome::Error,
        ] {
            let n = inner.sync_runs.get(&outcome).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "backtest_sync_runs_total{{outcome=\"{}\"}} {n}",
                outcome.as_str()
            );
        }
        drop(inner);

        if let Some(runs) = runs {
            for (name, help) in [
                (
                    "backtest_runs_total",
                    "Runs stored in the database by status.",
                ),
                (
                    "backtest_runs",
                    "Runs stored in the database by status (same as backtest_runs_total).",
                ),
            ] {
                header(&mut out, name, "gauge", help);
                for state in RunState::ALL {
                    let n: i64 = runs
                        .iter()
                        .filter(|(s, _)| *s == state)
                        .map(|(_, n)| n)
                        .sum();
                    let _ = writeln!(out, "{name}{{status=\"{}\"}} {n}", state.as_str());
                }
            }
        }

        header(
            &mut out,
            "backtest_build_info",
            "gauge",
            "Build information; always 1.",
        );
        let _ = writeln!(
            out,
            "backtest_build_info{{version=\"{}\"}} 1",
            escape(env!("CARGO_PKG_VERSION"))
        );

        if let Some(rss) = resident_memory_bytes() {
            header(
                &mut out,
                "process_resident_memory_bytes",
                "gauge",
                "Resident memory size in bytes.",
            );
            let _ = writeln!(out, "process_resident_memory_bytes {rss}");
        }
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Escapes a label value (backslash, double quote, newline).
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Resident set size from `/proc/self/status` (Linux), in bytes.
pub fn resident_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_labels_escaped() {
        let m = Metrics::default();
        m.observe_request("/a\"b", "GET", 200, Duration::from_millis(3));
        m.observe_request("/a\"b", "GET", 200, Duration::from_millis(40));
        m.observe_request("/a\"b", "GET", 404, Duration::from_secs(100));
        let text = m.render(Some(&[(RunState::Completed, 2)]));
        assert!(text.contains(r#"http_requests_total{route="/a\"b",method="GET",status="200"} 2"#));
        assert!(text.contains(r#"http_requests_total{route="/a\"b",method="GET",status="404"} 1"#));
        assert!(text.contains(
            r#"http_request_duration_seconds_bucket{route="/a\"b",method="GET",le="0.005"} 1"#
        ));
        assert!(text.contains(
            r#"http_request_duration_seconds_bucket{route="/a\"b",method="GET",le="0.05"} 2"#
        ));
        assert!(text.contains(
            r#"http_request_duration_seconds_bucket{route="/a\"b",method="GET",le="30"} 2"#
        ));
        assert!(text.contains(
            r#"http_request_duration_seconds_bucket{route="/a\"b",method="GET",le="+Inf"} 3"#
        ));
        assert!(
            text.contains(r#"http_request_duration_seconds_count{route="/a\"b",method="GET"} 3"#)
        );
        assert!(text.contains(r#"backtest_runs_total{status="completed"} 2"#));
        assert!(text.contains(r#"backtest_runs_total{status="queued"} 0"#));
        assert!(text.contains("backtest_build_info{version=\""));
    }
}
