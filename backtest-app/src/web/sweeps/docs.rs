//! The documentation of the sweep routes (see [`crate::web::openapi`]).

use rocket::http::Method;
use serde_json::{json, Value};

use super::{Cancelled, SweepSubmitted};
use crate::sweeps::spec::{Search, WalkForwardSpec, MAX_SHARDS};
use crate::sweeps::view::{Heatmap, ResultsPage, SweepDetail, SweepsPage};
use crate::web::api::{paging_schema, settings_schema, MAX_RUNS_LIMIT};
use crate::web::jobs_routes::LOCATION_DOC;
use crate::web::openapi::{component, schema, Content, Link, Operation};

/// The `id` path parameter of a sweep.
fn sweep_id_param(op: Operation) -> Operation {
    op.param(
        "id",
        "The sweep's id (a UUID).",
        json!({ "type": "string", "format": "uuid" }),
    )
}

/// A link from a new sweep to an operation on it.
fn sweep_link(name: &'static str, method: Method, path: &'static str) -> Link {
    Link {
        name,
        method,
        path,
        parameter: "id",
        value: "$response.body#/sweep_id",
    }
}

/// The `x`, `y`, `metric` and `fold` parameters of a heatmap.
fn heatmap_params(op: Operation) -> Operation {
    sweep_id_param(op)
        .param(
            "x",
            "The grid parameter along x.",
            json!({ "type": "string" }),
        )
        .param(
            "y",
            "The grid parameter along y (not x).",
            json!({ "type": "string" }),
        )
        .param(
            "metric",
            "The metric drawn (default: the sweep's objective).",
            json!({ "type": "string" }),
        )
        .param(
            "fold",
            "The walk-forward fold (default 0).",
            json!({ "type": "integer", "minimum": 0 }),
        )
        .errors(&[400, 404, 500])
}

/// The documentation of this module's routes (see [`super::openapi`]).
pub fn docs() -> Vec<Operation> {
    vec![
        Operation::new(
            Method::Post,
            "/api/sweeps",
            "sweeps",
            "Submit a parameter sweep",
        )
        .describe(
            "A backtest request without `params`, plus `grid`, `objective`, `shards`, \
                 `search` and `walk_forward`; validated up to the data. 429 when the token's \
                 rate limit or active-sweep quota is reached.",
        )
        .bearer()
        .body(sweep_request_schema, "The sweep.")
        .reply(202, "Queued.", Content::Json(schema::<SweepSubmitted>))
        .header(LOCATION_DOC)
        .link(sweep_link("detail", Method::Get, "/api/sweeps/<id>"))
        .link(sweep_link(
            "results",
            Method::Get,
            "/api/sweeps/<id>/results",
        ))
        .link(sweep_link(
            "heatmap",
            Method::Get,
            "/api/sweeps/<id>/heatmap",
        ))
        .link(sweep_link(
            "heatmap_png",
            Method::Get,
            "/api/sweeps/<id>/heatmap.png",
        ))
        .link(sweep_link("cancel", Method::Delete, "/api/sweeps/<id>"))
        .errors(&[429, 500, 503]),
        Operation::new(Method::Get, "/api/sweeps", "sweeps", "Sweeps, newest first")
            .bearer()
            .param("page", "Page number, from 1.", paging_schema(1_000_000))
            .param(
                "limit",
                "Page size (default 20).",
                paging_schema(MAX_RUNS_LIMIT),
            )
            .reply(
                200,
                "A page of sweeps.",
                Content::Json(schema::<SweepsPage>),
            )
            .errors(&[400, 500]),
        sweep_id_param(Operation::new(
            Method::Get,
            "/api/sweeps/<id>",
            "sweeps",
            "A sweep",
        ))
        .bearer()
        .reply(
            200,
            "Status, progress, the request and the best combination.",
            Content::Json(schema::<SweepDetail>),
        )
        .errors(&[400, 404, 500]),
        sweep_id_param(Operation::new(
            Method::Get,
            "/api/sweeps/<id>/results",
            "sweeps",
            "A page of a sweep's results",
        ))
        .bearer()
        .param(
            "sort",
            "A metric or `grid_index` (default: the sweep's objective).",
            json!({ "type": "string" }),
        )
        .param(
            "order",
            "`asc` or `desc`.",
            json!({ "enum": ["asc", "desc"] }),
        )
        .param(
            "page",
            "Page number, from 1.",
            json!({ "type": "integer", "minimum": 1 }),
        )
        .param(
            "limit",
            "Page size, up to the sweep's combinations (default 50).",
            json!({ "type": "integer", "minimum": 1 }),
        )
        .param(
            "fold",
            "The walk-forward fold (default 0).",
            json!({ "type": "integer", "minimum": 0 }),
        )
        .reply(200, "The page.", Content::Json(schema::<ResultsPage>))
        .errors(&[400, 404, 500]),
        heatmap_params(Operation::new(
            Method::Get,
            "/api/sweeps/<id>/heatmap",
            "sweeps",
            "A metric over two grid parameters",
        ))
        .bearer()
        .reply(200, "The heatmap.", Content::Json(schema::<Heatmap>)),
        heatmap_params(Operation::new(
            Method::Get,
            "/api/sweeps/<id>/heatmap.png",
            "sweeps",
            "The heatmap, drawn",
        ))
        .bearer()
        .reply(200, "A PNG image.", Content::Png),
        sweep_id_param(Operation::new(
            Method::Delete,
            "/api/sweeps/<id>",
            "sweeps",
            "Cancel a sweep",
        ))
        .bearer()
        .reply(200, "Cancelled.", Content::Json(schema::<Cancelled>))
        .errors(&[400, 404, 409, 500]),
    ]
}

/// The body of `POST /api/sweeps`: the backtest request without `run_id`
/// and `params`, plus the sweep's own fields.
fn sweep_request_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let search = schema::<Search>(generator).to_value();
    let walk_forward = schema::<WalkForwardSpec>(generator).to_value();
    let mut object = settings_schema(generator);
    object.insert("title".into(), json!("SweepRequest"));
    object.insert(
        "examples".into(),
        json!([{
            "ticker": "AAPL",
            "rule_type": "RSI",
            "grid": { "period": [10, 14], "oversold": { "start": 20, "stop": 30, "step": 10 } },
            "objective": "sharpe",
            "shards": 1,
        }]),
    );
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        properties.remove("params");
        properties.insert(
            "grid".into(),
            json!({
                "description": "Parameter -> a list of values, or `{\"start\", \"stop\", \"step\"}`.",
                "type": "object",
                "additionalProperties": {
                    "anyOf": [
                        { "type": "array" },
                        {
                            "type": "object",
                            "properties": {
                                "start": { "type": "number" },
                                "stop": { "type": "number" },
                                "step": { "type": "number" },
                            },
                            "required": ["start", "stop", "step"],
                        },
                    ],
                },
            }),
        );
        properties.insert(
            "objective".into(),
            json!({
                "description": "What ranks the combinations (default `sharpe`).",
                "enum": ["sharpe", "total_return", "max_drawdown", "profit_factor", null],
            }),
        );
        properties.insert(
            "shards".into(),
            json!({
                "description": "Shards the plan is split into.",
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": MAX_SHARDS,
            }),
        );
        properties.insert(
            "search".into(),
            json!({ "anyOf": [search, { "type": "null" }] }),
        );
        properties.insert(
            "walk_forward".into(),
            json!({ "anyOf": [walk_forward, { "type": "null" }] }),
        );
    }
    if let Some(Value::Array(required)) = object.get_mut("required") {
        required.push(json!("grid"));
    }
    component(generator, "SweepRequest", object.into())
}
