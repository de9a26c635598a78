//! Operations endpoints: liveness, readiness and Prometheus metrics.

use std::time::Duration;

use rocket::http::{ContentType, Status};
use rocket::serde::json::Json;
use rocket::{get, routes, Route, State};
use serde_json::{json, Value};

use super::auth::MetricsAccess;
use super::metrics::Metrics;
use crate::db::{self, Db};

/// How long `/ready` and `/metrics` wait for the database.
pub const DB_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The routes of this module.
pub fn routes() -> Vec<Route> {
    routes![health, ready, metrics]
}

/// Liveness: 200 while the process serves requests.
#[get("/health")]
fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: 200 when `SELECT 1` succeeds on the pool, else 503.
#[get("/ready")]
async fn ready(db: Option<&Db>) -> (Status, Json<Value>) {
    let Some(db) = db else {
        return (
            Status::ServiceUnavailable,
            Json(json!({ "status": "unavailable", "error": "no database pool" })),
        );
    };
    let check =
        rocket::tokio::time::timeout(DB_CHECK_TIMEOUT, sqlx::query("SELECT 1").execute(&**db))
            .await;
    match check {
        Ok(Ok(_)) => (Status::Ok, Json(json!({ "status": "ready" }))),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                Status::ServiceUnavailable,
                Json(json!({ "status": "unavailable", "error": "database unreachable" })),
            )
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            (
                Status::ServiceUnavailable,
                Json(json!({ "status": "unavailable", "error": "database timed out" })),
            )
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
