//! Operations endpoints: liveness, readiness and Prometheus metrics.

use std::time::Duration;

use rocket::http::{ContentType, Method, Status};
use rocket::serde::json::Json;
use rocket::{get, routes, Route, State};
use serde::Serialize;

use super::auth::MetricsAccess;
use super::metrics::Metrics;
use super::openapi::{schema, Content, Operation};
use crate::db::{self, Db};

/// How long `/ready` and `/metrics` wait for the database.
pub const DB_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The routes of this module.
pub fn routes() -> Vec<Route> {
    routes![health, ready, metrics]
}

/// The documentation of this module's routes (see [`super::openapi`]).
pub fn docs() -> Vec<Operation> {
    vec![
        Operation::new(Method::Get, "/health", "operations", "Liveness")
            .reply(200, "The process serves requests.", Content::Json(schema::<Probe>)),
        Operation::new(Method::Get, "/ready", "operations", "Readiness")
            .reply(200, "The database answers.", Content::Json(schema::<Probe>))
            .reply(503, "The database does not answer.", Content::Json(schema::<Probe>)),
        Operation::new(Method::Get, "/metrics", "operations", "Prometheus metrics")
            .describe("Needs a bearer token when `METRICS_REQUIRE_TOKEN` is set (with `AUTH_MODE=token`).")
            .optional_bearer()
            .reply(200, "The text exposition format, version 0.0.4.", Content::Text),
    ]
}

/// The body of `/health` and `/ready`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Probe {
    /// `ok` (`/health`), `ready` or `unavailable` (`/ready`).
    pub status: &'static str,
    /// Why it is unavailable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
}

impl Probe {
    fn unavailable(error: &'static str) -> (Status, Json<Self>) {
        (
            Status::ServiceUnavailable,
            Json(Self {
                status: "unavailable",
                error: Some(error),
            }),
        )
    }
}

/// Liveness: 200 while the process serves requests.
#[get("/health")]
fn health() -> Json<Probe> {
    Json(Probe {
        status: "ok",
        error: None,
    })
}

/// Readiness: 200 when `SELECT 1` succeeds on the pool, else 503.
#[get("/ready")]
async fn ready(db: Option<&Db>) -> (Status, Json<Probe>) {
    let Some(db) = db else {
        return Probe::unavailable("no database pool");
    };
    let check =
        rocket::tokio::time::timeout(DB_CHECK_TIMEOUT, sqlx::query("SELECT 1").execute(&**db))
            .await;
    match check {
        Ok(Ok(_)) => (
            Status::Ok,
            Json(Probe {
                status: "ready",
                error: None,
            }),
        ),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            Probe::unavailable("database unreachable")
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            Probe::unavailable("database timed out")
        }
    }
}

/// Prometheus text exposition; needs a token when `METRICS_REQUIRE_TOKEN`
/// is set in `token` mode.
#[get("/metrics")]
async fn metrics(
    _access: MetricsAccess,
    metrics: &State<Metrics>,
    db: Option<&Db>,
) -> (ContentType, String) {
    let runs = match db {
        Some(db) => {
            match rocket::tokio::time::timeout(DB_CHECK_TIMEOUT, db::runs::count_by_status(db))
                .await
            {
                Ok(Ok(runs)) => Some(runs),
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "cannot count runs for /metrics");
                    None
                }
                Err(_) => {
                    tracing::warn!("counting runs for /metrics timed out");
                    None
                }
            }
        }
        None => None,
    };
    let content_type =
        ContentType::new("text", "plain").with_params([("version", "0.0.4"), ("charset", "utf-8")]);
    (content_type, metrics.render(runs.as_deref()))
}
