//! Prometheus metrics in the text exposition format (version 0.0.4),
//! encoded by the `prometheus` crate.
//!
//! | Series | Type | Labels |
//! |---|---|---|
//! | `http_requests_total` | counter | `method`, `route`, `status` |
//! | `http_request_duration_seconds` | histogram | `method`, `route` |
//! | `backtest_runs` | gauge | `status` (runs in the database per status) |
//! | `backtest_sync_runs_total` | counter | `outcome` (`completed`, `invalid`, `busy`, `error`) |
//! | `backtest_build_info` | gauge | `version` (always 1) |
//! | `process_resident_memory_bytes` | gauge | |
//!
//! `route` is the matched route's URI template (`/api/strategies/<id>`), or
//! `unmatched`, so label values stay few whatever clients send.
//! `backtest_runs` and the memory gauge are read at scrape time: when the
//! database cannot be asked, `backtest_runs` is left out rather than stale.

use std::time::Duration;

use prometheus::{
    Encoder, Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

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
    /// Every run slot was taken (503).
    Busy,
    /// A system error (500).
    Error,
}

impl SyncOutcome {
    const ALL: [Self; 4] = [Self::Completed, Self::Invalid, Self::Busy, Self::Error];

    fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Invalid => "invalid",
            Self::Busy => "busy",
            Self::Error => "error",
        }
    }
}

/// The app's metrics registry (managed state).
#[derive(Debug)]
pub struct Metrics {
    /// Counted as they happen.
    registry: Registry,
    requests: IntCounterVec,
    durations: HistogramVec,
    sync_runs: IntCounterVec,
    /// Set at each scrape, each in a registry of its own so a scrape that
    /// cannot read the value omits the series instead of serving it stale.
    runs: IntGaugeVec,
    runs_registry: Registry,
    memory: Gauge,
    memory_registry: Registry,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A registry with every series registered.
    ///
    /// # Panics
    /// Never: the descriptors are constants and registered once each.
    #[must_use]
    #[allow(clippy::expect_used)]
    pub fn new() -> Self {
        // Only a programming error (a duplicate or malformed name) fails here.
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route template, method and status.",
            ),
            &["route", "method", "status"],
        )
        .expect("valid http_requests_total");
        let durations = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency in seconds by route template and method.",
            )
            .buckets(BUCKETS.to_vec()),
            &["route", "method"],
        )
        .expect("valid http_request_duration_seconds");
        let sync_runs = IntCounterVec::new(
            Opts::new(
                "backtest_sync_runs_total",
                "Synchronous /run_backtest runs by outcome.",
            ),
            &["outcome"],
        )
        .expect("valid backtest_sync_runs_total");
        // Every outcome is present from the start (0 until it happens).
        for outcome in SyncOutcome::ALL {
            sync_runs.with_label_values(&[outcome.as_str()]);
        }
        let build = GaugeVec::new(
            Opts::new("backtest_build_info", "Build information; always 1."),
            &["version"],
        )
        .expect("valid backtest_build_info");
        build
            .with_label_values(&[env!("CARGO_PKG_VERSION")])
            .set(1.0);
        let memory = Gauge::new(
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
        )
        .expect("valid process_resident_memory_bytes");
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(durations.clone()),
            Box::new(sync_runs.clone()),
            Box::new(build),
        ] {
            registry.register(collector).expect("registered once");
        }
        let runs_registry = Registry::new();
        let runs = IntGaugeVec::new(
            Opts::new("backtest_runs", "Runs stored in the database by status."),
            &["status"],
        )
        .expect("valid backtest_runs");
        runs_registry
            .register(Box::new(runs.clone()))
            .expect("registered once");
        let memory_registry = Registry::new();
        memory_registry
            .register(Box::new(memory.clone()))
            .expect("registered once");
        Self {
            registry,
            requests,
            durations,
            sync_runs,
            runs,
            runs_registry,
            memory,
            memory_registry,
        }
    }

    /// Counts one request and its latency.
    pub fn observe_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.durations
            .with_label_values(&[route, method])
            .observe(elapsed.as_secs_f64());
    }

    /// Counts one synchronous run.
    pub fn observe_sync_run(&self, outcome: SyncOutcome) {
        self.sync_runs.with_label_values(&[outcome.as_str()]).inc();
    }

    /// The exposition text; `runs` are the database's counts per status
    /// (`None` when the database could not be asked).
    pub fn render(&self, runs: Option<&[(RunState, i64)]>) -> String {
        let mut families = self.registry.gather();
        if let Some(runs) = runs {
            for state in RunState::ALL {
                let n: i64 = runs
                    .iter()
                    .filter(|(s, _)| *s == state)
                    .map(|(_, n)| n)
                    .sum();
                self.runs.with_label_values(&[state.as_str()]).set(n);
            }
            families.extend(self.runs_registry.gather());
        }
        if let Some(rss) = resident_memory_bytes() {
            // Bytes fit f64 exactly up to 2^53.
            #[allow(clippy::cast_precision_loss)]
            self.memory.set(rss as f64);
            families.extend(self.memory_registry.gather());
        }
        let mut out = Vec::with_capacity(4096);
        if let Err(e) = TextEncoder::new().encode(&families, &mut out) {
            tracing::error!(error = %e, "cannot encode the metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
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
        assert!(text.contains(r#"http_requests_total{method="GET",route="/a\"b",status="200"} 2"#));
        assert!(text.contains(r#"http_requests_total{method="GET",route="/a\"b",status="404"} 1"#));
        assert!(text.contains(
            r#"http_request_duration_seconds_bucket{method="GET",route="/a\"b",le="0.005"} 1"#
        ));
        assert!(text.contains(
            r#"http_request_duration_seconds_bucket{method="GET",route="/a\"b",le="0.05"} 2"#
        ));
        assert!(text.contains(
            r#"http_request_duration_seconds_bucket{method="GET",route="/a\"b",le="30"} 2"#
        ));
        assert!(text.contains(
            r#"http_request_duration_seconds_bucket{method="GET",route="/a\"b",le="+Inf"} 3"#
        ));
        assert!(
            text.contains(r#"http_request_duration_seconds_count{method="GET",route="/a\"b"} 3"#)
        );
        assert!(text.contains(r#"backtest_runs{status="completed"} 2"#));
        assert!(text.contains(r#"backtest_runs{status="queued"} 0"#));
        assert!(text.contains(r#"backtest_sync_runs_total{outcome="error"} 0"#));
        assert!(text.contains("backtest_build_info{version=\""));
        assert!(
            !text.contains("backtest_runs_total"),
            "a gauge never ends in _total"
        );
    }

    #[test]
    fn runs_are_left_out_without_the_database() {
        let text = Metrics::default().render(None);
        assert!(!text.contains("backtest_runs{"), "{text}");
        assert!(text.contains("# TYPE backtest_sync_runs_total counter"));
    }
}
