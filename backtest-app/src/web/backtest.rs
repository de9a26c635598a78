//! `POST /run_backtest`: one backtest, run synchronously, result inline.
//!
//! The body is the SPEC §4 request without `run_id` (the server issues one,
//! a UUID4, for the logs, the `X-Run-Id` header and error bodies), plus
//! `"charts": true|false` (default true). The backtest is CPU-bound and runs
//! on the blocking thread pool, with parsed market data cached between
//! requests ([`DataCache`]). At most [`SyncSlots`] runs compute at once
//! (`MAX_SYNC_RUNS`, the number of cores by default); a request finding every
//! slot taken gets 503 with `Retry-After` instead of queueing unboundedly. Synchronous runs are not stored in the
//! database: submit through `POST /api/backtests` for a stored run.

use backtest_adapter::contract::{BacktestRequest, BacktestResult, ValidatedRequest};
use backtest_adapter::data::DataDir;
use rocket::data::{Data, Limits};
use rocket::http::{ContentType, Method};
use rocket::tokio::sync::{OwnedSemaphorePermit, Semaphore};
use rocket::{post, routes, Route, State};
use std::sync::Arc;
use tracing::Instrument;

use super::auth::Caller;
use super::body;
use super::error::ApiError;
use super::metrics::{Metrics, SyncOutcome};
use super::openapi::{component, schema, Content, Operation, ResponseHeader};
use super::quota::SubmitLimiter;
use super::telemetry::{new_id, RequestInfo};
use crate::runner::{self, DataCache};

/// The routes of this module.
pub fn routes() -> Vec<Route> {
    routes![run_backtest]
}

/// The `X-Run-Id` header of a run's answers.
pub(crate) const RUN_ID_DOC: ResponseHeader = ResponseHeader {
    name: "X-Run-Id",
    description: "The run's id, as in the logs.",
    required: true,
    kind: "string",
};

/// The documentation of this module's routes (see [`super::openapi`]).
pub fn docs() -> Vec<Operation> {
    vec![Operation::new(
        Method::Post,
        "/run_backtest",
        "backtests",
        "Run one backtest now",
    )
    .describe(
        "Runs synchronously and answers the SPEC §4 result; not stored (submit \
                 through `POST /api/backtests` for a stored run). 503 with `Retry-After` \
                 when every synchronous slot is busy.",
    )
    .bearer()
    .body(
        run_request_schema,
        "A backtest request (`run_id` is issued by the server).",
    )
    .reply(200, "The result.", Content::Json(schema::<BacktestResult>))
    .header(RUN_ID_DOC)
    .errors(&[429, 500, 503])]
}

/// The body of `/run_backtest` and `POST /api/backtests`.
pub(crate) fn run_request_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut object = super::api::settings_schema(generator);
    object.insert("title".into(), "RunRequest".into());
    object.insert(
        "examples".into(),
        serde_json::json!([{
            "ticker": "AAPL",
            "rule_type": "RSI",
            "params": { "period": 14 },
            "start_date": "2020-01-01",
            "end_date": "2020-12-31",
            "charts": false,
        }]),
    );
    component(generator, "RunRequest", object.into())
}

/// Seconds a client is asked to wait when every slot is taken (a run takes
/// well under a second).
const RETRY_AFTER_SECS: u64 = 1;

/// The slots for synchronous runs (managed state).
#[derive(Debug, Clone)]
pub struct SyncSlots(Arc<Semaphore>);

impl SyncSlots {
    /// `n` slots.
    #[must_use]
    pub fn new(n: usize) -> Self {
        Self(Arc::new(Semaphore::new(n)))
    }

    /// A free slot, held until the permit is dropped; `None` when all are taken.
    #[must_use]
    pub fn try_acquire(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.0).try_acquire_owned().ok()
    }
}

/// Parses and validates a `/run_backtest` (or `/api/backtests`) body, once,
/// naming the run `run_id` (issued by the server).
///
/// # Errors
/// 400 naming the field.
pub fn parse_request(text: &str, run_id: &str) -> Result<ValidatedRequest, ApiError> {
    body::expect_object_text(text)?;
    let mut request = BacktestRequest::from_json(text)?;
    if request.run_id.is_some() {
        return Err(ApiError::input(
            "run_id",
            "run_id is issued by the server; leave it out of the request",
        ));
    }
    request.run_id = Some(run_id.to_owned());
    Ok(request.into_validated()?)
}

#[post("/run_backtest", data = "<data>")]
#[allow(clippy::too_many_arguments, reason = "Rocket guards are arguments")]
async fn run_backtest(
    caller: Caller,
    limiter: &State<SubmitLimiter>,
    info: &RequestInfo,
    limits: &Limits,
    data_dir: &State<DataDir>,
    cache: &State<Arc<DataCache>>,
    metrics: &State<Metrics>,
    slots: &State<SyncSlots>,
    data: Data<'_>,
) -> Result<(ContentType, String), ApiError> {
    let run_id = new_id();
    info.set_run_id(&run_id);
    let outcome = async {
        caller.check_rate(limiter)?;
        let text = body::read_text(data, limits).await?;
        let valid = parse_request(&text, &run_id)?;
        let Some(slot) = slots.try_acquire() else {
            tracing::warn!(run_id, "every synchronous run slot is taken");
            return Err(ApiError::Busy {
                run_id: Some(run_id.clone()),
                retry_after: RETRY_AFTER_SECS,
            });
        };
        tracing::info!(
            run_id,
            ticker = valid.ticker,
            rule_type = valid.rule.rule_type(),
            charts = valid.request().charts,
            "backtest started"
        );
        let dir = DataDir::clone(data_dir);
        let cache = Arc::clone(cache.inner());
        let span = tracing::Span::current();
        let joined = rocket::tokio::task::spawn_blocking(move || {
            // The slot is freed when the computation ends, even if the
            // client has gone.
            let _slot = slot;
            span.in_scope(|| -> Result<(String, Option<u64>), ApiError> {
                let (result, _) = runner::run(&valid, &dir, &cache)?;
                let json = result.to_json().map_err(|e| {
                    ApiError::internal(None, format_args!("cannot encode the result: {e}"))
                })?;
                Ok((json, result.metrics.map(|m| m.num_trades)))
            })
        })
        .await;
        match joined {
            Ok(Ok((json, trades))) => {
                tracing::info!(run_id, trades, "backtest completed");
                Ok((ContentType::JSON, json))
            }
            Ok(Err(e)) => Err(e.with_run_id(&run_id)),
            Err(e) => Err(ApiError::internal(
                Some(&run_id),
                format_args!("the backtest task failed: {e}"),
            )),
        }
    }
    .instrument(info.span.clone())
    .await;
    metrics.observe_sync_run(match &outcome {
        Ok(_) => SyncOutcome::Completed,
        Err(ApiError::Input { .. } | ApiError::TooLarge { .. }) => SyncOutcome::Invalid,
        Err(ApiError::Busy { .. } | ApiError::TooManyRequests { .. }) => SyncOutcome::Busy,
        Err(_) => SyncOutcome::Error,
    });
    if let Err(ApiError::Input { field, message }) = &outcome {
        tracing::info!(parent: &info.span, run_id, field, message, "backtest rejected");
    }
    outcome
}
