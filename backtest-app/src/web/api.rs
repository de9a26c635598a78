//! JSON API: strategy presets, rule metadata and the history of runs.
//! Every route needs a [`Caller`]; presets and runs are those of the
//! caller's scope (its own, or all for an admin or with `AUTH_MODE=off`).
//!
//! - `GET /api/strategies`: every preset, by name (a JSON array).
//! - `POST /api/strategies`: `{"name": ..., <request fields>}` where the
//!   request fields are those of `/run_backtest` (`ticker` required, the
//!   rest optional) and are validated the same way; 201 with the stored
//!   preset, 409 when the caller already has a preset of that name.
//! - `DELETE /api/strategies/<id>`: 200 `{"deleted": id}`, 404 when absent.
//! - `GET /api/rules`: the rule registry with parameter metadata.
//! - `GET /api/runs?page=&limit=`: runs newest first, `limit` 1..=100
//!   (default 20), `page` from 1;
//!   `{"runs": [...], "page", "limit", "total"}`.

use backtest_adapter::contract::BacktestRequest;
use backtest_core::rules::{describe_rules, RuleInfo};
use rocket::data::{Data, Limits};
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{delete, get, post, routes, Route};
use serde::Serialize;
use serde_json::{json, Map, Value};
use tracing::Instrument;

use super::auth::Caller;
use super::body;
use super::error::ApiError;
use super::telemetry::RequestInfo;
use crate::db::runs::RunSummary;
use crate::db::strategies::{self, CreateError, Preset};
use crate::db::{self, Db};

/// Longest preset name, in characters.
pub const MAX_PRESET_NAME_CHARS: usize = 100;
/// Default page size of `/api/runs`.
pub const DEFAULT_RUNS_LIMIT: i64 = 20;
/// Largest page size of `/api/runs`.
pub const MAX_RUNS_LIMIT: i64 = 100;

/// The routes of this module.
pub fn routes() -> Vec<Route> {
    routes![
        list_strategies,
        create_strategy,
        delete_strategy,
        rules,
        runs
    ]
}

#[get("/api/strategies")]
async fn list_strategies(
    caller: Caller,
    info: &RequestInfo,
    db: &Db,
) -> Result<Json<Vec<Preset>>, ApiError> {
    strategies::list(db, caller.scope())
        .instrument(info.span.clone())
        .await
        .map(Json)
        .map_err(|e| info.span.in_scope(|| ApiError::database(None, &e)))
}

/// A checked preset: what [`strategies::create`] stores.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPreset {
    /// Trimmed name, 1 to 100 characters.
    pub name: String,
    /// Validated, upper-cased ticker.
    pub ticker: String,
    /// Canonical rule type.
    pub rule_type: String,
    /// The other request settings as given, with `params` completed by the
    /// rule's defaults.
    pub config: Map<String, Value>,
}

/// Validates a preset body: the name, then every request field exactly as
/// `/run_backtest` would.
///
/// # Errors
/// 400 naming the field.
pub fn parse_preset(text: &str) -> Result<NewPreset, ApiError> {
    let mut fields = body::parse_object(text)?;
    let name = match fields.remove("name") {
        None | Some(Value::Null) => {
            return Err(ApiError::input("name", "missing field `name`"));
        }
        Some(Value::String(name)) => name,
        Some(other) => {
            return Err(ApiError::input(
                "name",
                format!("invalid type: {}, expected a string", kind(&other)),
            ));
        }
    };
    let name = name.trim().to_owned();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_PRESET_NAME_CHARS {
        return Err(ApiError::input(
            "name",
            format!("must be 1 to {MAX_PRESET_NAME_CHARS} characters, got {chars}"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::input(
            "name",
            "must not contain control characters",
        ));
    }
    if fields.contains_key("run_id") {
        return Err(ApiError::input(
            "run_id",
            "a preset holds settings, not a run; leave run_id out",
        ));
    }
    let valid = BacktestRequest::from_value(Value::Object(fields.clone()))?.into_validated()?;
    let mut config = fields;
    config.remove("ticker");
    config.remove("rule_type");
    config.insert("params".to_owned(), valid.rule.params());
    Ok(NewPreset {
        name,
        ticker: valid.ticker,
        rule_type: valid.rule.rule_type().to_owned(),
        config,
    })
}

/// The JSON type of a value, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[post("/api/strategies", data = "<data>")]
async fn create_strategy(
    caller: Caller,
    info: &RequestInfo,
    limits: &Limits,
    db: &Db,
    data: Data<'_>,
) -> Result<(Status, Json<Preset>), ApiError> {
    async {
        let text = body::read_text(data, limits).await?;
        let preset = parse_preset(&text)?;
        match strategies::create(
            db,
            caller.owner(),
            &preset.name,
            &preset.ticker,
            &preset.rule_type,
            &preset.config,
        )
        .await
        {
            Ok(created) => {
                tracing::info!(id = created.id, name = created.name, "preset created");
                Ok((Status::Created, Json(created)))
            }
            Err(CreateError::Duplicate(name)) => Err(ApiError::Conflict {
                field: "name".to_owned(),
                message: format!("a preset named `{name}` already exists"),
            }),
            Err(CreateError::Database(e)) => Err(ApiError::database(None, &e)),
        }
    }
    .instrument(info.span.clone())
    .await
}

#[delete("/api/strategies/<id>")]
async fn delete_strategy(
    caller: Caller,
    info: &RequestInfo,
    db: &Db,
    id: &str,
) -> Result<Json<Value>, ApiError> {
    async {
        let id: i64 = id
            .parse()
            .ok()
            .filter(|&n: &i64| n > 0)
            .ok_or_else(|| ApiError::input("id", "the preset id must be a positive integer"))?;
        match strategies::delete(db, caller.scope(), id).await {
            Ok(true) => {
                tracing::info!(id, "preset deleted");
                Ok(Json(json!({ "deleted": id })))
            }
            Ok(false) => Err(ApiError::NotFound(format!("no preset with id {id}"))),
            Err(e) => Err(ApiError::database(None, &e)),
        }
    }
    .instrument(info.span.clone())
    .await
}

#[get("/api/rules")]
fn rules(_caller: Caller) -> Json<Vec<RuleInfo>> {
    Json(describe_rules())
}

/// A page of `/api/runs`.
#[derive(Debug, Serialize)]
pub struct RunsPage {
    /// The runs, newest first.
    pub runs: Vec<RunSummary>,
    /// Page number, from 1.
    pub page: i64,
    /// Page size.
    pub limit: i64,
    /// Runs the caller may see.
    pub total: i64,
}

/// Parses the paging parameters of `/api/runs`.
///
/// # Errors
/// 400 naming `page` or `limit`.
pub fn parse_paging(page: Option<&str>, limit: Option<&str>) -> Result<(i64, i64), ApiError> {
    let page = match page {
        None => 1,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|&p| (1..=1_000_000).contains(&p))
            .ok_or_else(|| ApiError::input("page", "must be an integer from 1 to 1000000"))?,
    };
    let limit = match limit {
        None => DEFAULT_RUNS_LIMIT,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|&l| (1..=MAX_RUNS_LIMIT).contains(&l))
            .ok_or_else(|| {
                ApiError::input(
                    "limit",
                    format!("must be an integer from 1 to {MAX_RUNS_LIMIT}"),
                )
            })?,
    };
    Ok((page, limit))
}

#[get("/api/runs?<page>&<limit>")]
async fn runs(
    caller: Caller,
    info: &RequestInfo,
    db: &Db,
    page: Option<&str>,
    limit: Option<&str>,
) -> Result<Json<RunsPage>, ApiError> {
    async {
        let (page, limit) = parse_paging(page, limit)?;
        let (runs, total) = db::runs::list(db, caller.scope(), limit, (page - 1) * limit)
            .await
            .map_err(|e| ApiError::database(None, &e))?;
        Ok(Json(RunsPage {
            runs,
            page,
            limit,
            total,
        }))
    }
    .instrument(info.span.clone())
    .await
}
