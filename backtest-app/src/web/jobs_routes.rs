//! Asynchronous runs over HTTP (SPEC §6).
//!
//! - `POST /api/backtests`: validates the SPEC §4 request (400 naming the
//!   field, as `/run_backtest`), issues a UUID4 `run_id`, computes the
//!   fingerprint (request + data file + engine version), stores the run as
//!   `queued` (one transaction: a database failure leaves nothing behind and
//!   answers 503/500 with the `run_id`), asks the [`JobLauncher`] for a
//!   worker, and answers `202 {"run_id", "status_url"}`. The run belongs to
//!   the [`Caller`]. With `AUTH_MODE=token` a token submitting too often is
//!   429, one with `QUOTA_MAX_ACTIVE_RUNS` queued or running runs too; with
//!   `MAX_QUEUED_RUNS` runs queued in all, any submission is 503. Both carry
//!   `Retry-After`, and the counts and the insert are one atomic step
//!   ([`runs::admit_queued`]), so concurrent submissions cannot slip past.
//!   If the launcher refuses after the insert, the run is marked `failed`
//!   ("could not start a worker: ...") and the answer is 500 with the
//!   `run_id`: the client learns at once and `/status` tells why. Should
//!   even that write fail, the run stays `queued` and the launcher's sweep
//!   relaunches it, so it is never lost.
//! - `GET /status/<run_id>`: `{"run_id", "status", "fingerprint",
//!   "created_at", "started_at", "finished_at", "error_message", "result"}`,
//!   `result` being the stored SPEC §4 result (byte for byte) once
//!   `completed`, else `null`. A malformed id is 400 (`field: "run_id"`), an
//!   unknown one, or another token's (unless the caller is an admin), 404.
//!
//! [`launcher_fairing`] builds the launcher at ignite (from the managed
//! [`AppConfig`] and the [`Db`] pool), manages it as `Arc<dyn JobLauncher>`,
//! at liftoff recovers the runs a previous web left unfinished, and at
//! shutdown (SIGTERM) stops the launcher's background work and drains its
//! workers within Rocket's `shutdown.grace`.

use std::sync::Arc;

use backtest_adapter::data::DataDir;
use backtest_adapter::pipeline::RunError;
use rocket::data::{Data, Limits};
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::{ContentType, Header, Method};
use rocket::{get, post, routes, Build, Orbit, Responder, Rocket, Route, State};
use serde::Serialize;
use serde_json::json;
use serde_json::value::RawValue;
use tracing::Instrument;

use super::auth::Caller;
use super::backtest::parse_request;
use super::body;
use super::error::ApiError;
use super::openapi::{schema, Content, Link, Operation, ResponseHeader};
use super::quota::SubmitLimiter;
use super::telemetry::{new_id, RequestInfo};
use crate::config::AppConfig;
use crate::db::runs::{self, Admission, AdmissionLimits, NewRun, RunState};
use crate::db::{self, Db};
use crate::jobs::fingerprint::Submission;
use crate::jobs::{self, short, JobLauncher};
use crate::runner::{self, DataCache};

/// The routes of this module.
pub fn routes() -> Vec<Route> {
    routes![submit, status]
}

/// The `Location` header of a 202.
pub(crate) const LOCATION_DOC: ResponseHeader = ResponseHeader {
    name: "Location",
    description: "Where to poll (`status_url`).",
    required: true,
    kind: "string",
};

/// The documentation of this module's routes (see [`super::openapi`]).
pub fn docs() -> Vec<Operation> {
    vec![
        Operation::new(
            Method::Post,
            "/api/backtests",
            "backtests",
            "Submit a stored run",
        )
        .describe(
            "Validates the request, stores the run as `queued` and starts a worker; poll \
                 `status_url`. 429 when the token's rate limit or active-run quota is reached, \
                 503 when the platform's queue is full (both with `Retry-After`).",
        )
        .bearer()
        .body(
            super::backtest::run_request_schema,
            "A backtest request (`run_id` is issued by the server).",
        )
        .reply(202, "Queued.", Content::Json(schema::<Submitted>))
        .header(LOCATION_DOC)
        .link(Link {
            name: "status",
            method: Method::Get,
            path: "/status/<run_id>",
            parameter: "run_id",
            value: "$response.body#/run_id",
        })
        .errors(&[429, 500, 503]),
        Operation::new(
            Method::Get,
            "/status/<run_id>",
            "backtests",
            "A stored run's status and result",
        )
        .bearer()
        .param(
            "run_id",
            "The run's id (a UUID).",
            json!({ "type": "string", "format": "uuid" }),
        )
        .reply(
            200,
            "The run; `result` once completed.",
            Content::Json(schema::<StatusBody<'static>>),
        )
        .errors(&[400, 404, 500]),
    ]
}

/// The body of a 202 for a run.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Submitted {
    /// The run's id (a UUID).
    pub run_id: String,
    /// Where to poll: `/status/<run_id>`.
    pub status_url: String,
}

/// A 202 with the id of the queued work and where to poll (also the
/// `Location` header); runs and sweeps alike.
#[derive(Debug, Responder)]
#[response(status = 202, content_type = "json")]
pub struct Accepted {
    body: String,
    location: Header<'static>,
}

impl Accepted {
    /// `body` (naming `id` and `status_url`) as JSON, `Location: status_url`.
    pub(crate) fn new(
        id: &str,
        status_url: String,
        body: &impl Serialize,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            body: serde_json::to_string(body)
                .map_err(|e| ApiError::internal(Some(id), format_args!("cannot encode: {e}")))?,
            location: Header::new("Location", status_url),
        })
    }
}

/// Seconds a client over its active-run quota is asked to wait (a run takes
/// seconds).
pub(crate) const QUOTA_RETRY_AFTER_SECS: u64 = 5;
/// Seconds a client is asked to wait when the queue is full.
const QUEUE_RETRY_AFTER_SECS: u64 = 10;

#[post("/api/backtests", data = "<data>")]
#[allow(clippy::too_many_arguments, reason = "Rocket guards are arguments")]
async fn submit(
    caller: Caller,
    limiter: &State<SubmitLimiter>,
    config: &State<AppConfig>,
    info: &RequestInfo,
    limits: &Limits,
    data_dir: &State<DataDir>,
    db: &Db,
    launcher: &State<Arc<dyn JobLauncher>>,
    cache: &State<Arc<DataCache>>,
    data: Data<'_>,
) -> Result<Accepted, ApiError> {
    let run_id = new_id();
    info.set_run_id(&run_id);
    let outcome = async {
        caller.check_rate(limiter)?;
        let text = body::read_text(data, limits).await?;
        let valid = parse_request(&text, &run_id)?;
        let dir = DataDir::clone(data_dir);
        let cache = Arc::clone(cache);
        let run = rocket::tokio::task::spawn_blocking(move || -> Result<Submission, RunError> {
            let file = runner::check(&valid, &dir, &cache)?;
            Ok(Submission::new(&valid, &file)?)
        })
        .await
        .map_err(|e| ApiError::internal(Some(&run_id), format_args!("submit task: {e}")))?
        .map_err(|e| ApiError::from(e).with_run_id(&run_id))?;
        let limits = AdmissionLimits {
            max_active_for_owner: (!caller.is_anonymous()).then_some(config.quota_max_active_runs),
            max_queued: config.max_queued_runs,
        };
        let admission = runs::admit_queued(
            db,
            &NewRun {
                run_id: &run.run_id,
                ticker: &run.ticker,
                rule_type: &run.rule_type,
                rule_id: Some(&run.rule_id),
                request_json: &run.request_json,
                params_json: &run.params_json,
                fingerprint: Some(&run.fingerprint),
            },
            caller.owner(),
            limits,
        )
        .await
        .map_err(|e| ApiError::database(Some(&run_id), &e))?;
        match admission {
            Admission::Admitted => {}
            Admission::OwnerQuota { active } => {
                tracing::info!(run_id, active, "active-run quota reached");
                return Err(ApiError::TooManyRequests {
                    message: format!(
                        "this token already has {active} queued or running runs (the quota is {}); \
                         retry when one has finished",
                        config.quota_max_active_runs
                    ),
                    retry_after: QUOTA_RETRY_AFTER_SECS,
                });
            }
            Admission::QueueFull { queued } => {
                tracing::warn!(run_id, queued, "the run queue is full");
                return Err(ApiError::QueueFull {
                    run_id: Some(run_id.clone()),
                    retry_after: QUEUE_RETRY_AFTER_SECS,
                });
            }
        }
        tracing::info!(
            run_id,
            ticker = run.ticker,
            rule_type = run.rule_type,
            fingerprint = run.fingerprint,
            launcher = launcher.mode(),
            "run queued"
        );
        if let Err(e) = launcher.launch(&run_id).await {
            let message = short(&format!("could not start a worker: {e:#}"), 300);
            if let Err(db_err) = runs::fail(db, &run_id, &message).await {
                tracing::error!(
                    run_id,
                    error = %db_err,
                    "cannot mark the run failed; it stays queued for the launcher's sweep"
                );
            }
            return Err(ApiError::internal(Some(&run_id), message));
        }
        let status_url = format!("/status/{run_id}");
        let body = Submitted {
            run_id: run_id.clone(),
            status_url: status_url.clone(),
        };
        Accepted::new(&run_id, status_url, &body)
    }
    .instrument(info.span.clone())
    .await;
    if let Err(ApiError::Input { field, message }) = &outcome {
        tracing::info!(parent: &info.span, run_id, field, message, "run rejected");
    }
    outcome
}

/// The body of `GET /status/<run_id>`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct StatusBody<'a> {
    /// The run's id.
    run_id: &'a str,
    /// Where the run is.
    status: RunState,
    /// Request, data file and engine version, hashed.
    fingerprint: Option<&'a str>,
    /// When it was accepted.
    created_at: &'a str,
    /// When a worker claimed it.
    started_at: Option<&'a str>,
    /// When it completed or failed.
    finished_at: Option<&'a str>,
    /// Why it failed.
    error_message: Option<&'a str>,
    /// The stored result, `null` until the run completed.
    #[schemars(with = "Option<backtest_adapter::contract::BacktestResult>")]
    result: Option<&'a RawValue>,
}

#[get("/status/<run_id>")]
async fn status(
    caller: Caller,
    info: &RequestInfo,
    db: &Db,
    run_id: &str,
) -> Result<(ContentType, String), ApiError> {
    let Ok(uuid) = uuid::Uuid::parse_str(run_id) else {
        return Err(ApiError::input("run_id", "not a run id (expected a UUID)"));
    };
    let run_id = uuid.hyphenated().to_string();
    info.set_run_id(&run_id);
    let run = runs::get(db, &run_id)
        .instrument(info.span.clone())
        .await
        .map_err(|e| {
            let _entered = info.span.enter();
            ApiError::database(Some(&run_id), &e)
        })?
        .filter(|run| caller.scope().admits(&run.owner))
        .ok_or_else(|| ApiError::NotFound(format!("no run with id {run_id}")))?;
    // The stored result goes out verbatim (byte-identical to what the worker
    // wrote), checked as JSON but not re-parsed into values.
    let result = match (&run.status, run.result_json.as_deref()) {
        (RunState::Completed, Some(raw)) => match serde_json::from_str::<&RawValue>(raw) {
            Ok(raw) => Some(raw),
            Err(e) => {
                let _entered = info.span.enter();
                return Err(ApiError::internal(
                    Some(&run_id),
                    format_args!("completed run with an invalid stored result: {e}"),
                ));
            }
        },
        (RunState::Completed, None) => {
            let _entered = info.span.enter();
            return Err(ApiError::internal(
                Some(&run_id),
                "completed run without a stored result",
            ));
        }
        _ => None,
    };
    let body = serde_json::to_string(&StatusBody {
        run_id: &run.run_id,
        status: run.status,
        fingerprint: run.fingerprint.as_deref(),
        created_at: &run.created_at,
        started_at: run.started_at.as_deref(),
        finished_at: run.finished_at.as_deref(),
        error_message: run.error_message.as_deref(),
        result,
    })
    .map_err(|e| ApiError::internal(Some(&run_id), format_args!("cannot encode: {e}")))?;
    Ok((ContentType::JSON, body))
}

/// Whether the launcher's start-up recovery (runs and sweeps a previous web
/// left unfinished) has been attempted; managed beside the launcher.
#[derive(Debug)]
pub struct StartupRecovery {
    done: Arc<rocket::tokio::sync::watch::Sender<bool>>,
}

impl Default for StartupRecovery {
    fn default() -> Self {
        Self {
            done: Arc::new(rocket::tokio::sync::watch::Sender::new(false)),
        }
    }
}

impl StartupRecovery {
    /// Waits until the start-up recovery has run (successfully or not), so
    /// that work queued afterwards is not taken for a previous web's.
    pub async fn finished(&self) {
        let mut seen = self.done.subscribe();
        // The sender lives in managed state as long as Rocket does.
        let _ = seen.wait_for(|done| *done).await;
    }
}

/// Builds the launcher at ignite, recovers unfinished runs at liftoff and
/// drains the launcher at shutdown.
pub fn launcher_fairing() -> impl Fairing {
    LauncherFairing
}

#[derive(Debug, Clone, Copy)]
struct LauncherFairing;

#[rocket::async_trait]
impl Fairing for LauncherFairing {
    fn info(&self) -> Info {
        Info {
            name: "Job launcher",
            kind: Kind::Ignite | Kind::Liftoff | Kind::Shutdown,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let Some(config) = rocket.state::<AppConfig>().cloned() else {
            tracing::error!("the job launcher needs the managed configuration");
            return Err(rocket);
        };
        // A pool of its own: Rocket closes the web's pool as soon as shutdown
        // begins, while the launcher still reaps or requeues its workers' runs.
        let pool = match db::connect(
            &config.database_url,
            u32::try_from(config.max_concurrent_workers)
                .unwrap_or(u32::MAX)
                .saturating_add(1),
        )
        .await
        {
            Ok(pool) => pool,
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "the job launcher cannot reach the database");
                return Err(rocket);
            }
        };
        match jobs::launcher(&config, pool).await {
            Ok(launcher) => {
                tracing::info!(
                    mode = launcher.mode(),
                    max_concurrent_workers = config.max_concurrent_workers,
                    "job launcher ready"
                );
                Ok(rocket.manage(launcher).manage(StartupRecovery::default()))
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "cannot start the job launcher");
                Err(rocket)
            }
        }
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        if let Some(launcher) = rocket.state::<Arc<dyn JobLauncher>>() {
            let launcher = launcher.clone();
            let done = rocket.state::<StartupRecovery>().map(|r| r.done.clone());
            rocket::tokio::spawn(async move {
                match launcher.recover().await {
                    Ok(()) => tracing::info!("unfinished runs recovered"),
                    Err(e) => tracing::error!(
                        error = %format!("{e:#}"),
                        "cannot recover unfinished runs; the sweep will retry"
                    ),
                }
                if let Some(done) = done {
                    done.send_replace(true);
                }
            });
        }
    }

    async fn on_shutdown(&self, rocket: &Rocket<Orbit>) {
        // Rocket lets in-flight requests finish within `grace`; the
        // launcher's workers get the same period.
        let drain = std::time::Duration::from_secs(u64::from(rocket.config().shutdown.grace));
        if let Some(launcher) = rocket.state::<Arc<dyn JobLauncher>>() {
            tracing::info!(
                grace_secs = drain.as_secs(),
                "shutting down: draining in-flight runs"
            );
            launcher.shutdown(drain).await;
        }
    }
}
