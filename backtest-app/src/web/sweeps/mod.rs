//! Parameter sweeps over HTTP (issue 12).
//!
//! - `POST /api/sweeps`: a backtest request without `params`, plus `grid`,
//!   `objective`, `shards`, `search`, `walk_forward` (see
//!   [`SweepSpec::parse`]); validated up to the data (ticker file, date
//!   range, walk-forward folds) so that a doomed sweep is a 400 naming the
//!   field, never a failed run; stored `queued` with its shards in one
//!   transaction; the launcher starts the shards; `202 {"sweep_id",
//!   "status_url"}`.
//! - `GET /api/sweeps?page=&limit=`: newest first, with progress.
//! - `GET /api/sweeps/<id>`: status, progress, best, timestamps, error; a
//!   walk-forward's folds, out-of-sample curve and efficiency.
//! - `GET /api/sweeps/<id>/results?sort=&order=&page=&limit=&fold=`.
//! - `GET /api/sweeps/<id>/heatmap?x=&y=&metric=&fold=` and
//!   `.../heatmap.png` (the same data, drawn).
//! - `DELETE /api/sweeps/<id>`: cancels; shards stop at their next batch.
//!   409 when the sweep is already final.

use std::sync::Arc;

use backtest_adapter::charts::heatmap_png;
use backtest_adapter::data::DataDir;
use backtest_adapter::pipeline::RunError;
use rocket::data::{Data, Limits};
use rocket::http::ContentType;
use rocket::serde::json::Json;
use rocket::{delete, get, post, routes, Route, State};
use serde::Serialize;
use serde_json::Value;
use sqlx::AnyPool;
use tracing::Instrument;

use super::api::parse_paging;
use super::auth::Caller;
use super::body;
use super::error::ApiError;
use super::jobs_routes::{Accepted, QUOTA_RETRY_AFTER_SECS};
use super::quota::SubmitLimiter;
use super::telemetry::{new_id, RequestInfo};
use crate::config::AppConfig;
use crate::db::sweeps::{self, NewSweep, Sweep};
use crate::db::Db;
use crate::jobs::{short, JobLauncher};
use crate::runner::DataCache;
use crate::sweeps::spec::{contract_error, SweepSpec};
use crate::sweeps::view::{
    self, Heatmap, PageQuery, ResultsPage, SweepDetail, SweepsPage, ViewError,
};

mod docs;

pub use docs::docs;

/// The routes of this module.
pub fn routes() -> Vec<Route> {
    routes![
        submit,
        list,
        detail,
        results,
        heatmap,
        heatmap_png_route,
        cancel
    ]
}

/// The body of a 202 for a sweep.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SweepSubmitted {
    /// The sweep's id (a UUID).
    pub sweep_id: String,
    /// Where to poll: `/api/sweeps/<sweep_id>`.
    pub status_url: String,
}

/// The body of a cancelled sweep.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Cancelled {
    /// The sweep's id.
    pub sweep_id: String,
    /// Always `cancelled`.
    pub status: &'static str,
}

fn view_error(err: ViewError, sweep_id: &str) -> ApiError {
    match err {
        ViewError::Input(e) => ApiError::from(e),
        ViewError::Database(e) => ApiError::database(Some(sweep_id), &e),
        ViewError::Stored(detail) => ApiError::internal(Some(sweep_id), detail),
    }
}

fn run_error(err: RunError, sweep_id: &str) -> ApiError {
    match err {
        RunError::Invalid(contract) => ApiError::from(contract),
        e if e.is_user_error() => ApiError::input(e.field().unwrap_or("request"), e.to_string()),
        e => ApiError::internal(Some(sweep_id), format_args!("{e:#}")),
    }
}

#[post("/api/sweeps", data = "<data>")]
#[allow(clippy::too_many_arguments, reason = "Rocket request guards")]
async fn submit(
    caller: Caller,
    limiter: &State<SubmitLimiter>,
    info: &RequestInfo,
    limits: &Limits,
    config: &State<AppConfig>,
    data_dir: &State<DataDir>,
    db: &Db,
    launcher: &State<Arc<dyn JobLauncher>>,
    cache: &State<Arc<DataCache>>,
    data: Data<'_>,
) -> Result<Accepted, ApiError> {
    let sweep_id = new_id();
    info.set_run_id(&sweep_id);
    let outcome = async {
        caller.check_rate(limiter)?;
        let text = body::read_text(data, limits).await?;
        let fields = body::parse_object(&text)?;
        let (spec, plan) = SweepSpec::parse(
            fields,
            config.sweep_max_combinations,
            config.sweep_default_shards,
        )?;
        let dir = DataDir::clone(data_dir);
        let cache = Arc::clone(cache);
        let checked = spec.clone();
        let folds = rocket::tokio::task::spawn_blocking(move || -> Result<usize, ApiError> {
            let id = String::new();
            let valid = checked.request.validate().map_err(ApiError::from)?;
            let path = dir
                .resolve(&valid.ticker, valid.settings.timeframe)
                .map_err(|e| run_error(RunError::from_data(e, &checked.request), &id))?;
            let data = cache
                .load(&path)
                .map_err(|e| run_error(RunError::from_data(e, &checked.request), &id))?;
            let series = checked.select(&data.data).map_err(|e| run_error(e, &id))?;
            let folds = checked
                .folds(series.len())
                .map_err(|e| ApiError::from(contract_error(&e)))?;
            Ok(folds.map_or(1, |f| f.len()))
        })
        .await
        .map_err(|e| ApiError::internal(Some(&sweep_id), format_args!("submit task: {e}")))??;
        let total = plan.len().saturating_mul(folds as u64);
        let request_json = serde_json::to_string(&spec)
            .map_err(|e| ApiError::internal(Some(&sweep_id), format_args!("encode: {e}")))?;
        let valid = spec.request.validate()?;
        let objective = serde_json::to_value(spec.objective)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "sharpe".to_owned());
        sweeps::insert_queued(
            db,
            &NewSweep {
                sweep_id: &sweep_id,
                ticker: &valid.ticker,
                rule_type: plan.rule_type(),
                objective: &objective,
                request_json: &request_json,
                total: i64::try_from(total).unwrap_or(i64::MAX),
                shards: i64::try_from(spec.shards).unwrap_or(1),
                owner: caller.owner(),
                max_active_for_owner: (!caller.is_anonymous())
                    .then_some(config.quota_max_active_sweeps),
            },
        )
        .await
        .map_err(|e| ApiError::database(Some(&sweep_id), &e))?
        .map_err(|active| {
            tracing::info!(sweep_id, active, "active-sweep quota reached");
            ApiError::TooManyRequests {
                message: format!(
                    "this token already has {active} queued or running sweeps (the quota is {}); \
                     retry when one has finished",
                    config.quota_max_active_sweeps
                ),
                retry_after: QUOTA_RETRY_AFTER_SECS,
            }
        })?;
        tracing::info!(
            sweep_id,
            ticker = valid.ticker,
            rule_type = plan.rule_type(),
            combinations = total,
            shards = spec.shards,
            launcher = launcher.mode(),
            "sweep queued"
        );
        if let Err(e) = launcher.launch_sweep(&sweep_id, spec.shards).await {
            let message = short(&format!("could not start the shards: {e:#}"), 300);
            if let Err(db_err) = sweeps::fail(db, &sweep_id, &message).await {
                tracing::error!(sweep_id, error = %db_err, "cannot mark the sweep failed");
            }
            return Err(ApiError::internal(Some(&sweep_id), message));
        }
        let status_url = format!("/api/sweeps/{sweep_id}");
        let body = SweepSubmitted {
            sweep_id: sweep_id.clone(),
            status_url: status_url.clone(),
        };
        Accepted::new(&sweep_id, status_url, &body)
    }
    .instrument(info.span.clone())
    .await;
    if let Err(ApiError::Input { field, message }) = &outcome {
        tracing::info!(parent: &info.span, sweep_id, field, message, "sweep rejected");
    }
    outcome
}

/// The query of a heatmap, each parameter given at most once.
#[derive(Debug, Clone, Copy)]
struct HeatmapQuery<'a> {
    x: Option<&'a str>,
    y: Option<&'a str>,
    metric: Option<&'a str>,
    fold: Option<&'a str>,
}

impl<'a> HeatmapQuery<'a> {
    fn of(
        x: &[&'a str],
        y: &[&'a str],
        metric: &[&'a str],
        fold: &[&'a str],
    ) -> Result<Self, ApiError> {
        Ok(Self {
            x: body::at_most_once("x", x)?,
            y: body::at_most_once("y", y)?,
            metric: body::at_most_once("metric", metric)?,
            fold: body::at_most_once("fold", fold)?,
        })
    }
}

/// The sweep `id` names (400 for a malformed id, 404 for an unknown one).
/// Another token's sweep is 404 too, as if it did not exist.
async fn load(
    info: &RequestInfo,
    caller: &Caller,
    pool: &AnyPool,
    id: &str,
) -> Result<Sweep, ApiError> {
    let Ok(uuid) = uuid::Uuid::parse_str(id) else {
        return Err(ApiError::input(
            "sweep_id",
            "not a sweep id (expected a UUID)",
        ));
    };
    let sweep_id = uuid.hyphenated().to_string();
    info.set_run_id(&sweep_id);
    sweeps::get(pool, &sweep_id)
        .instrument(info.span.clone())
        .await
        .map_err(|e| {
            let _entered = info.span.enter();
            ApiError::database(Some(&sweep_id), &e)
        })?
        .filter(|sweep| caller.scope().admits(&sweep.owner))
        .ok_or_else(|| ApiError::NotFound(format!("no sweep with id {sweep_id}")))
}

#[get("/api/sweeps?<page>&<limit>")]
async fn list(
    caller: Caller,
    info: &RequestInfo,
    db: &Db,
    page: Vec<&str>,
    limit: Vec<&str>,
) -> Result<Json<SweepsPage>, ApiError> {
    async {
        let (page, limit) = parse_paging(
            body::at_most_once("page", &page)?,
            body::at_most_once("limit", &limit)?,
        )?;
        let (rows, total) = sweeps::list(db, caller.scope(), limit, (page - 1) * limit)
            .await
            .map_err(|e| ApiError::database(None, &e))?;
        let mut out = Vec::with_capacity(rows.len());
        for sweep in &rows {
            out.push(
                view::summary(db, sweep)
                    .await
                    .map_err(|e| view_error(e, &sweep.sweep_id))?,
            );
        }
        Ok(Json(SweepsPage {
            sweeps: out,
            page,
            limit,
            total,
        }))
    }
    .instrument(info.span.clone())
    .await
}

#[get("/api/sweeps/<id>")]
async fn detail(
    caller: Caller,
    info: &RequestInfo,
    db: &Db,
    id: &str,
) -> Result<Json<SweepDetail>, ApiError> {
    let sweep = load(info, &caller, db, id).await?;
    view::detail(db, &sweep)
        .instrument(info.span.clone())
        .await
        .map(Json)
        .map_err(|e| info.span.in_scope(|| view_error(e, &sweep.sweep_id)))
}

#[get("/api/sweeps/<id>/results?<sort>&<order>&<page>&<limit>&<fold>")]
#[allow(clippy::too_many_arguments, reason = "Rocket query parameters")]
async fn results(
    caller: Caller,
    info: &RequestInfo,
    db: &Db,
    id: &str,
    sort: Vec<&str>,
    order: Vec<&str>,
    page: Vec<&str>,
    limit: Vec<&str>,
    fold: Vec<&str>,
) -> Result<Json<ResultsPage>, ApiError> {
    let query = PageQuery {
        sort: body::at_most_once("sort", &sort)?,
        order: body::at_most_once("order", &order)?,
        page: body::at_most_once("page", &page)?,
        limit: body::at_most_once("limit", &limit)?,
        fold: body::at_most_once("fold", &fold)?,
    };
    let sweep = load(info, &caller, db, id).await?;
    view::results(db, &sweep, &query)
        .instrument(info.span.clone())
        .await
        .map(Json)
        .map_err(|e| info.span.in_scope(|| view_error(e, &sweep.sweep_id)))
}

#[get("/api/sweeps/<id>/heatmap?<x>&<y>&<metric>&<fold>")]
#[allow(clippy::too_many_arguments, reason = "Rocket query parameters")]
async fn heatmap(
    caller: Caller,
    info: &RequestInfo,
    db: &Db,
    id: &str,
    x: Vec<&str>,
    y: Vec<&str>,
    metric: Vec<&str>,
    fold: Vec<&str>,
) -> Result<Json<Heatmap>, ApiError> {
    let query = HeatmapQuery::of(&x, &y, &metric, &fold)?;
    let sweep = load(info, &caller, db, id).await?;
    view::heatmap(db, &sweep, query.x, query.y, query.metric, query.fold)
        .instrument(info.span.clone())
        .await
        .map(Json)
        .map_err(|e| info.span.in_scope(|| view_error(e, &sweep.sweep_id)))
}

#[get("/api/sweeps/<id>/heatmap.png?<x>&<y>&<metric>&<fold>")]
#[allow(clippy::too_many_arguments, reason = "Rocket query parameters")]
async fn heatmap_png_route(
    caller: Caller,
    info: &RequestInfo,
    db: &Db,
    id: &str,
    x: Vec<&str>,
    y: Vec<&str>,
    metric: Vec<&str>,
    fold: Vec<&str>,
) -> Result<(ContentType, Vec<u8>), ApiError> {
    let query = HeatmapQuery::of(&x, &y, &metric, &fold)?;
    let sweep = load(info, &caller, db, id).await?;
    let map = view::heatmap(db, &sweep, query.x, query.y, query.metric, query.fold)
        .instrument(info.span.clone())
        .await
        .map_err(|e| info.span.in_scope(|| view_error(e, &sweep.sweep_id)))?;
    let label = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let title = format!(
        "{} {} · {} by {} and {}",
        sweep.ticker, sweep.rule_type, map.metric, map.x_name, map.y_name
    );
    let xs: Vec<String> = map.x.iter().map(label).collect();
    let ys: Vec<String> = map.y.iter().map(label).collect();
    let z = map.z.clone();
    let (x_name, y_name) = (map.x_name.clone(), map.y_name.clone());
    let png = rocket::tokio::task::spawn_blocking(move || {
        heatmap_png(&title, &x_name, &y_name, &xs, &ys, &z)
    })
    .await
    .map_err(|e| ApiError::internal(Some(&sweep.sweep_id), format_args!("heatmap task: {e}")))?
    .map_err(|e| ApiError::internal(Some(&sweep.sweep_id), e))?;
    Ok((ContentType::PNG, png))
}

#[delete("/api/sweeps/<id>")]
async fn cancel(
    caller: Caller,
    info: &RequestInfo,
    db: &Db,
    id: &str,
) -> Result<Json<Cancelled>, ApiError> {
    let sweep = load(info, &caller, db, id).await?;
    let cancelled = sweeps::cancel(db, &sweep.sweep_id)
        .instrument(info.span.clone())
        .await
        .map_err(|e| {
            info.span
                .in_scope(|| ApiError::database(Some(&sweep.sweep_id), &e))
        })?;
    if !cancelled {
        let status = sweeps::status(db, &sweep.sweep_id)
            .await
            .ok()
            .flatten()
            .unwrap_or(sweep.status);
        return Err(ApiError::Conflict {
            field: "sweep_id".to_owned(),
            message: format!("the sweep is already {status}"),
        });
    }
    info.span
        .in_scope(|| tracing::info!(sweep_id = %sweep.sweep_id, "sweep cancelled"));
    Ok(Json(Cancelled {
        sweep_id: sweep.sweep_id,
        status: "cancelled",
    }))
}
