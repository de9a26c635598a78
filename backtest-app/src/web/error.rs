//! API errors as JSON responses.
//!
//! | Case | Status | Body |
//! |---|---|---|
//! | bad input | 400 | `{"error": "...", "field": "..."}` |
//! | unknown resource | 404 | `{"error": "..."}` |
//! | taken preset name | 409 | `{"error": "...", "field": "name"}` |
//! | no, a malformed, an invalid or a revoked token (`AUTH_MODE=token`) | 401 + `WWW-Authenticate: Bearer` | `{"error": "..."}` (the [`super::auth`] catcher) |
//! | body too large | 413 | `{"error": "...", "field": "body"}` |
//! | a token's quota or rate limit reached | 429 + `Retry-After` | `{"error": "..."}` |
//! | every synchronous run slot taken | 503 + `Retry-After` | `{"error": "...", "run_id"}` |
//! | too many runs queued in the database | 503 + `Retry-After` | `{"error": "...", "run_id"}` |
//! | database unreachable | 503 | `{"error": "Database unavailable", "run_id", "request_id"}` |
//! | anything else | 500 | `{"error": "Internal server error", "run_id", "request_id"}` |
//!
//! System errors never carry their detail to the client: the detail is
//! logged (with `request_id` and `run_id`) when the error is created.

use std::fmt::Display;

use backtest_adapter::contract::ContractError;
use backtest_adapter::pipeline::RunError;
use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use serde_json::{json, Value};

use super::telemetry::RequestInfo;

/// The JSON body of every error answer: [`ApiError`], the catchers and the
/// 401 of a refused token. Documents the shape for the OpenAPI document.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ErrorBody {
    /// What went wrong, for people.
    pub error: String,
    /// The request field at fault (400, 409, 413).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The run or sweep concerned (500, 503), `null` when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<Option<String>>,
    /// The request's id, as in the logs (500, 503).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// An error answered as JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 400: the request is invalid; `field` names the culprit.
    Input { field: String, message: String },
    /// 404: no such resource.
    NotFound(String),
    /// 409: the resource conflicts with an existing one.
    Conflict { field: String, message: String },
    /// 413: the body exceeds the configured limit.
    TooLarge { limit: String },
    /// 429: the caller's quota or rate limit is reached; retry after
    /// `retry_after` seconds.
    TooManyRequests { message: String, retry_after: u64 },
    /// 503: the database already holds the most queued runs allowed
    /// (`MAX_QUEUED_RUNS`); retry after `retry_after` seconds.
    QueueFull {
        run_id: Option<String>,
        retry_after: u64,
    },
    /// 503: every synchronous run slot is taken; retry after `retry_after`
    /// seconds.
    Busy {
        run_id: Option<String>,
        retry_after: u64,
    },
    /// 503: the database cannot be reached (the detail was logged).
    Unavailable { run_id: Option<String> },
    /// 500: a system fault (the detail was logged).
    Internal { run_id: Option<String> },
}

impl ApiError {
    /// A 400 about `field`.
    pub fn input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Input {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A 500; logs `detail` (in the current span, so with the request id).
    pub fn internal(run_id: Option<&str>, detail: impl Display) -> Self {
        tracing::error!(run_id, error = %detail, "internal error");
        Self::Internal {
            run_id: run_id.map(str::to_owned),
        }
    }

    /// A 503 for an unreachable database or a 500 for any other database
    /// error; logs the detail.
    pub fn database(run_id: Option<&str>, err: &sqlx::Error) -> Self {
        if is_unavailable(err) {
            tracing::error!(run_id, error = %err, "database unavailable");
            Self::Unavailable {
                run_id: run_id.map(str::to_owned),
            }
        } else {
            Self::internal(run_id, format_args!("database error: {err}"))
        }
    }

    /// The error about run `run_id`: system errors name it in their body.
    #[must_use]
    pub fn with_run_id(self, run_id: &str) -> Self {
        let named = |id: Option<String>| id.or_else(|| Some(run_id.to_owned()));
        match self {
            Self::Internal { run_id } => Self::Internal {
                run_id: named(run_id),
            },
            Self::Unavailable { run_id } => Self::Unavailable {
                run_id: named(run_id),
            },
            Self::Busy {
                run_id,
                retry_after,
            } => Self::Busy {
                run_id: named(run_id),
                retry_after,
            },
            other => other,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> Status {
        match self {
            Self::Input { .. } => Status::BadRequest,
            Self::NotFound(_) => Status::NotFound,
            Self::Conflict { .. } => Status::Conflict,
            Self::TooLarge { .. } => Status::PayloadTooLarge,
            Self::TooManyRequests { .. } => Status::TooManyRequests,
            Self::Busy { .. } | Self::QueueFull { .. } | Self::Unavailable { .. } => {
                Status::ServiceUnavailable
            }
            Self::Internal { .. } => Status::InternalServerError,
        }
    }

    /// The JSON body; `request_id` goes into system errors.
    pub fn body(&self, request_id: &str) -> Value {
        match self {
            Self::Input { field, message } | Self::Conflict { field, message } => {
                json!({ "error": message, "field": field })
            }
            Self::NotFound(message) | Self::TooManyRequests { message, .. } => {
                json!({ "error": message })
            }
            Self::QueueFull {
                run_id,
                retry_after,
            } => json!({
                "error": format!(
                    "the platform's queue is full; retry in {retry_after} s"
                ),
                "run_id": run_id,
            }),
            Self::TooLarge { limit } => json!({
                "error": format!("request body too large (limit {limit})"),
                "field": "body",
            }),
            Self::Busy {
                run_id,
                retry_after,
            } => json!({
                "error": format!(
                    "every backtest slot is busy; retry in {retry_after} s or submit through POST /api/backtests"
                ),
                "run_id": run_id,
            }),
            Self::Unavailable { run_id } => json!({
                "error": "Database unavailable",
                "run_id": run_id,
                "request_id": request_id,
            }),
            Self::Internal { run_id } => json!({
                "error": "Internal server error",
                "run_id": run_id,
                "request_id": request_id,
            }),
        }
    }
}

impl From<RunError> for ApiError {
    /// 400 naming the field for the request's faults, else a 500 (logged
    /// here, in the current span; add the run with [`ApiError::with_run_id`]).
    fn from(e: RunError) -> Self {
        match e {
            RunError::Invalid(contract) => contract.into(),
            e if e.is_user_error() => Self::input(e.field().unwrap_or("request"), e.to_string()),
            e => Self::internal(None, format_args!("{e:#}")),
        }
    }
}

impl From<ContractError> for ApiError {
    fn from(e: ContractError) -> Self {
        Self::Input {
            field: e.field,
            message: e.message,
        }
    }
}

/// Whether a database error means "cannot reach the database" rather than
/// a failing statement.
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    matches!(
        err,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed
    )
}

/// A JSON response with `status`.
pub fn json_response<'r>(status: Status, body: &Value) -> Response<'r> {
    let text = body.to_string();
    Response::build()
        .status(status)
        .header(ContentType::JSON)
        .sized_body(text.len(), std::io::Cursor::new(text))
        .finalize()
}

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let info = RequestInfo::of(req);
        let mut response = json_response(self.status(), &self.body(&info.id));
        if let Self::Busy { retry_after, .. }
        | Self::QueueFull { retry_after, .. }
        | Self::TooManyRequests { retry_after, .. } = &self
        {
            response.set_raw_header("Retry-After", retry_after.to_string());
        }
        Ok(response)
    }
}
