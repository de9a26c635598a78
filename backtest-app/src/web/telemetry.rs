//! Per-request telemetry: a request id (from `X-Request-Id` or a new UUID,
//! echoed in the response), a tracing span per request carrying
//! `request_id` and, once one is issued, `run_id`, one log line per request,
//! and the HTTP metrics.

use std::sync::OnceLock;
use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Data, Response};
use tracing::Span;

use super::metrics::Metrics;

/// Request and response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";
/// Response header carrying the run id of requests that issued one.
pub const RUN_ID_HEADER: &str = "X-Run-Id";
/// Longest accepted incoming request id.
pub const MAX_REQUEST_ID_LEN: usize = 128;
/// `route` label of requests that matched no route.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// What the app knows about the request being served.
#[derive(Debug)]
pub struct RequestInfo {
    /// Correlation id: the client's `X-Request-Id` when sane, else a UUID4.
    pub id: String,
    /// When the request arrived.
    pub start: Instant,
    /// The request's span; handlers run inside it.
    pub span: Span,
    run_id: OnceLock<String>,
}

impl RequestInfo {
    fn new(id: String, method: &str, path: &str) -> Self {
        let span = tracing::info_span!(
            "request",
            request_id = %id,
            method,
            path,
            run_id = tracing::field::Empty,
            // The token's name once authenticated (never the token).
            owner = tracing::field::Empty,
        );
        Self {
            id,
            start: Instant::now(),
            span,
            run_id: OnceLock::new(),
        }
    }

    /// The request's info (created by the [`Telemetry`] fairing).
    pub fn of<'r>(req: &'r Request<'_>) -> &'r Self {
        req.local_cache(|| Self::new(new_id(), req.method().as_str(), req.uri().path().as_str()))
    }

    /// Attaches a run id to the request: its span, log line and the
    /// `X-Run-Id` response header. Only the first call counts.
    pub fn set_run_id(&self, run_id: &str) {
        if self.run_id.set(run_id.to_owned()).is_ok() {
            self.span.record("run_id", run_id);
        }
    }

    /// The run id, if the request issued or named one.
    pub fn run_id(&self) -> Option<&str> {
        self.run_id.get().map(String::as_str)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for &'r RequestInfo {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(RequestInfo::of(req))
    }
}

/// A fresh request or run id (UUID4).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// An incoming request id is kept when it is 1 to 128 visible ASCII
/// characters (nothing that could forge a log line or a header).
pub fn valid_request_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_REQUEST_ID_LEN && id.bytes().all(|b| b.is_ascii_graphic())
}

/// The telemetry fairing: request id, span, log line, metrics.
#[derive(Debug, Clone, Copy, Default)]
pub struct Telemetry;

#[rocket::async_trait]
impl Fairing for Telemetry {
    fn info(&self) -> Info {
        Info {
            name: "Request telemetry",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _data: &mut Data<'_>) {
        let id = req
            .headers()
            .get_one(REQUEST_ID_HEADER)
            .filter(|id| valid_request_id(id))
            .map_or_else(new_id, str::to_owned);
        let info = RequestInfo::new(id, req.method().as_str(), req.uri().path().as_str());
        req.local_cache(|| info);
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let info = RequestInfo::of(req);
        let elapsed = info.start.elapsed();
        res.set_raw_header(REQUEST_ID_HEADER, info.id.clone());
        if let Some(run_id) = info.run_id() {
            res.set_raw_header(RUN_ID_HEADER, run_id.to_owned());
        }
        let route = req.route().map_or(UNMATCHED_ROUTE, |r| r.uri.path());
        let method = req.method().as_str();
        let status = res.status().code;
        if let Some(metrics) = req.rocket().state::<Metrics>() {
            metrics.observe_request(route, method, status, elapsed);
        }
        let duration_ms = elapsed.as_secs_f64() * 1000.0;
        let path = req.uri().path().as_str();
        if matches!(route, "/health" | "/ready" | "/metrics") && status < 500 {
            tracing::debug!(
                request_id = %info.id, method, path, route, status, duration_ms, "request"
            );
        } else if status >= 500 {
            tracing::warn!(
                request_id = %info.id, run_id = info.run_id(), method, path, route, status, duration_ms,
                "request"
            );
        } else {
            tracing::info!(
                request_id = %info.id, run_id = info.run_id(), method, path, route, status, duration_ms,
                "request"
            );
        }
    }
}
