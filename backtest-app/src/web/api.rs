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
use rocket::http::{Method, Status};
use rocket::serde::json::Json;
use rocket::{delete, get, post, routes, Route};
use serde::Serialize;
use serde_json::{json, Map, Value};
use tracing::Instrument;

use super::auth::Caller;
use super::body;
use super::error::ApiError;
use super::openapi::{component, schema, Content, Link, Operation};
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

/// The documentation of this module's routes (see [`super::openapi`]).
pub fn docs() -> Vec<Operation> {
    vec![
        Operation::new(
            Method::Get,
            "/api/strategies",
            "presets",
            "The caller's presets",
        )
        .bearer()
        .reply(
            200,
            "Every preset, by name.",
            Content::Json(schema::<Vec<Preset>>),
        )
        .errors(&[500]),
        Operation::new(Method::Post, "/api/strategies", "presets", "Save a preset")
            .describe(
                "The fields of a `/run_backtest` request (validated the same way) and a \
                 `name`, unique per token.",
            )
            .bearer()
            .body(preset_request_schema, "A name and backtest settings.")
            .reply(201, "The stored preset.", Content::Json(schema::<Preset>))
            .link(Link {
                name: "delete",
                method: Method::Delete,
                path: "/api/strategies/<id>",
                parameter: "id",
                value: "$response.body#/id",
            })
            .errors(&[409, 500]),
        Operation::new(
            Method::Delete,
            "/api/strategies/<id>",
            "presets",
            "Delete a preset",
        )
        .bearer()
        .param(
            "id",
            "The preset's id.",
            json!({ "type": "integer", "format": "int64", "minimum": 1 }),
        )
        .reply(200, "Deleted.", Content::Json(schema::<Deleted>))
        .errors(&[400, 404, 500]),
        Operation::new(Method::Get, "/api/rules", "rules", "The rule registry")
            .bearer()
            .reply(
                200,
                "Every rule type with its parameters.",
                Content::Json(schema::<Vec<RuleInfo>>),
            ),
        Operation::new(
            Method::Get,
            "/api/runs",
            "runs",
            "Stored runs, newest first",
        )
        .bearer()
        .param("page", "Page number, from 1.", paging_schema(1_000_000))
        .param(
            "limit",
            "Page size (default 20).",
            paging_schema(MAX_RUNS_LIMIT),
        )
        .reply(200, "A page of runs.", Content::Json(schema::<RunsPage>))
        .errors(&[400, 500]),
    ]
}

/// A paging parameter's schema: an integer from 1 to `max`.
pub(crate) fn paging_schema(max: i64) -> Value {
    json!({ "type": "integer", "minimum": 1, "maximum": max })
}

/// `BacktestRequest`'s schema as the server takes it: the server issues
/// `run_id`, so it is left out.
pub(crate) fn settings_schema(generator: &mut schemars::SchemaGenerator) -> Map<String, Value> {
    let mut object = <BacktestRequest as schemars::JsonSchema>::json_schema(generator)
        .to_value()
        .as_object()
        .cloned()
        .unwrap_or_default();
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        properties.remove("run_id");
        // The contract reads `"params": null` as `{}` (its committed
        // schema, a released snapshot, says object only).
        if let Some(Value::Object(params)) = properties.get_mut("params") {
            params.insert("type".into(), json!(["object", "null"]));
        }
    }
    object
}

/// The body of `POST /api/strategies`.
fn preset_request_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut object = settings_schema(generator);
    object.insert("title".into(), json!("PresetRequest"));
    object.insert(
        "examples".into(),
        json!([{ "name": "RSI 14 on AAPL", "ticker": "AAPL", "rule_type": "RSI" }]),
    );
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        properties.insert(
            "name".into(),
            json!({
                "description": "The preset's name, unique per token (trimmed).",
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_PRESET_NAME_CHARS,
            }),
        );
    }
    if let Some(Value::Array(required)) = object.get_mut("required") {
        required.push(json!("name"));
    }
    component(generator, "PresetRequest", object.into())
}

/// `{"deleted": id}`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Deleted {
    /// The deleted preset's id.
    pub deleted: i64,
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
) -> Result<Json<Deleted>, ApiError> {
    async {
        let id: i64 = id
            .parse()
            .ok()
            .filter(|&n: &i64| n > 0)
            .ok_or_else(|| ApiError::input("id", "the preset id must be a positive integer"))?;
        match strategies::delete(db, caller.scope(), id).await {
            Ok(true) => {
                tracing::info!(id, "preset deleted");
                Ok(Json(Deleted { deleted: id }))
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
#[derive(Debug, Serialize, schemars::JsonSchema)]
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
    page: Vec<&str>,
    limit: Vec<&str>,
) -> Result<Json<RunsPage>, ApiError> {
    async {
        let (page, limit) = parse_paging(
            body::at_most_once("page", &page)?,
            body::at_most_once("limit", &limit)?,
        )?;
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
