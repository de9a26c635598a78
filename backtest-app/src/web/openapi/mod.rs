//! `GET /openapi.json`: the OpenAPI 3.1 document of the HTTP API, and
//! `GET /docs`, a reference page that renders it with the vendored Swagger
//! UI (no CDN; no inline script or style, as the CSP requires).
//!
//! The document is built at ignite from two sources, so that it cannot
//! drift from the code:
//!
//! - the routes actually mounted on the Rocket instance (method, path and
//!   query parameter names come from each route's URI), and
//! - the [`Operation`] metadata each web module declares beside its handlers
//!   (`docs()` next to `routes()`): summary, access, parameter schemas, the
//!   request body and every answer with its status, body and headers.
//!
//! Bodies are described by the JSON Schemas `schemars` derives from the real
//! Rust types (OpenAPI 3.1's schema dialect is JSON Schema 2020-12, what
//! `schemars` emits), collected under `components/schemas` and referenced
//! with `$ref`. A mounted route without metadata is left out of the
//! document and logged; the coverage test fails on it, as it does on
//! metadata for a route that is not mounted.

use std::collections::BTreeMap;

use rocket::fairing::{AdHoc, Fairing};
use rocket::http::{ContentType, Method};
use rocket::{get, routes, Route, State};
use schemars::generate::SchemaSettings;
use schemars::SchemaGenerator;
use serde_json::{json, Map, Value};

mod operation;

pub use operation::{
    component, schema, Access, Content, Link, Operation, Param, Reply, ResponseHeader, SchemaFn,
};

/// A mounted route left out of the document on purpose, with the reason.
#[derive(Debug, Clone, Copy)]
pub struct Undocumented {
    /// Path prefix of the routes concerned.
    pub prefix: &'static str,
    /// Why.
    pub reason: &'static str,
}

/// Mounted routes that are not API operations.
pub const UNDOCUMENTED: &[Undocumented] = &[Undocumented {
    prefix: "/static/",
    reason: "static files (the dashboard's and the reference page's CSS, JS and \
             vendored libraries), served by the file server, not API operations",
}];

/// A mounted route as the document sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountedRoute {
    /// HTTP method.
    pub method: Method,
    /// Rocket's path (`/api/strategies/<id>`).
    pub path: String,
    /// Query parameter names, in order.
    pub query: Vec<String>,
}

impl MountedRoute {
    /// The method, path and query names of `route`.
    pub fn of(route: &Route) -> Self {
        let query = route
            .uri
            .query()
            .map(|q| {
                q.split('&')
                    .filter_map(|part| {
                        let name = part.strip_prefix('<')?.strip_suffix('>')?;
                        Some(name.trim_end_matches("..").to_owned())
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            method: route.method,
            path: route.uri.path().to_owned(),
            query,
        }
    }

    /// Whether [`UNDOCUMENTED`] lists it.
    pub fn is_exempt(&self) -> bool {
        UNDOCUMENTED.iter().any(|u| self.path.starts_with(u.prefix))
    }
}

/// `/a/<b>/c` as OpenAPI writes it: `/a/{b}/c`.
pub fn openapi_path(rocket_path: &str) -> String {
    rocket_path
        .split('/')
        .map(
            |segment| match segment.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
                Some(name) => format!("{{{}}}", name.trim_end_matches("..")),
                None => segment.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// The names of `<...>` path segments.
fn path_params(rocket_path: &str) -> Vec<String> {
    rocket_path
        .split('/')
        .filter_map(|s| s.strip_prefix('<').and_then(|s| s.strip_suffix('>')))
        .map(|s| s.trim_end_matches("..").to_owned())
        .collect()
}

/// Every operation the web modules declare.
pub fn operations() -> Vec<Operation> {
    [
        super::dashboard::docs(),
        super::backtest::docs(),
        super::api::docs(),
        super::ops::docs(),
        super::jobs_routes::docs(),
        super::sweeps::docs(),
        docs(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// What [`build`] found besides the document.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Mounted, not exempt, and without metadata (`METHOD path`).
    pub undocumented: Vec<String>,
    /// Metadata without a mounted route.
    pub unmounted: Vec<String>,
    /// Query or path parameters of a route without metadata, or metadata
    /// for parameters a route does not have.
    pub parameter_mismatches: Vec<String>,
}

impl Coverage {
    /// Whether the document and the routes agree.
    pub fn is_complete(&self) -> bool {
        self.undocumented.is_empty()
            && self.unmounted.is_empty()
            && self.parameter_mismatches.is_empty()
    }
}

/// The OpenAPI 3.1 document of `routes` described by `operations`.
pub fn build(routes: &[MountedRoute], operations: &[Operation]) -> (Value, Coverage) {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator();
    let mut coverage = Coverage::default();
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut documented = vec![false; operations.len()];

    for route in routes {
        if route.is_exempt() {
            continue;
        }
        let Some(index) = operations
            .iter()
            .position(|op| op.method == route.method && op.path == route.path)
        else {
            coverage
                .undocumented
                .push(format!("{} {}", route.method, route.path));
            continue;
        };
        documented[index] = true;
        let op = &operations[index];
        let path_names = path_params(&route.path);
        let mut declared: Vec<&str> = op.params.iter().map(|p| p.name).collect();
        let mut parameters = Vec::new();
        for (location, names) in [("path", &path_names), ("query", &route.query)] {
            for name in names {
                let Some(param) = op.params.iter().find(|p| p.name == name) else {
                    coverage.parameter_mismatches.push(format!(
                        "{} {}: {location} parameter `{name}` is not described",
                        route.method, route.path
                    ));
                    continue;
                };
                declared.retain(|d| d != name);
                parameters.push(json!({
                    "name": name,
                    "in": location,
                    "required": location == "path",
                    "description": param.description,
                    "schema": param.schema,
                }));
            }
        }
        for name in declared {
            coverage.parameter_mismatches.push(format!(
                "{} {}: described parameter `{name}` is not in the route",
                route.method, route.path
            ));
        }
        let operation = operation_object(op, route, parameters, &mut generator);
        paths.entry(openapi_path(&route.path)).or_default().insert(
            route.method.as_str().to_ascii_lowercase(),
            Value::Object(operation),
        );
    }
    for (op, seen) in operations.iter().zip(documented) {
        if !seen {
            coverage
                .unmounted
                .push(format!("{} {}", op.method, op.path));
        }
    }

    let mut tags: Vec<&str> = operations.iter().map(|op| op.tag).collect();
    tags.sort_unstable();
    tags.dedup();
    let document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "stock-backtest API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Backtests, stored runs, strategy presets, parameter sweeps and \
                operations endpoints. With `AUTH_MODE=token` every `/api/*`, `/run_backtest` \
                and `/status/*` operation needs `Authorization: Bearer TOKEN` \
                (`backtest token create`); with `AUTH_MODE=off` none does. Every error is JSON \
                (`ErrorBody`).",
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" },
        },
        "tags": tags.iter().map(|t| json!({ "name": t })).collect::<Vec<_>>(),
        "paths": paths,
        "components": {
            "schemas": generator.take_definitions(true),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token from `backtest token create` \
                        (needed when `AUTH_MODE=token`).",
                },
            },
        },
    });
    (document, coverage)
}

fn operation_object(
    op: &Operation,
    route: &MountedRoute,
    parameters: Vec<Value>,
    generator: &mut SchemaGenerator,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("tags".into(), json!([op.tag]));
    out.insert("summary".into(), json!(op.summary));
    if !op.description.is_empty() {
        out.insert("description".into(), json!(op.description));
    }
    out.insert(
        "operationId".into(),
        json!(operation_id(route.method, &route.path)),
    );
    if !parameters.is_empty() {
        out.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some((schema_fn, description)) = op.request {
        out.insert(
            "requestBody".into(),
            json!({
                "required": true,
                "description": description,
                "content": { "application/json": { "schema": schema_fn(generator) } },
            }),
        );
    }
    let security = match op.access {
        Access::Open => json!([]),
        Access::Bearer => json!([{ "bearerAuth": [] }]),
        Access::Optional => json!([{}, { "bearerAuth": [] }]),
    };
    out.insert("security".into(), security);
    let mut replies: Vec<&Reply> = op.replies.iter().collect();
    replies.sort_by_key(|r| r.status);
    let mut responses = Map::new();
    for reply in replies {
        let mut response = Map::new();
        response.insert("description".into(), json!(reply.description));
        let content = match reply.content {
            Content::None => None,
            Content::Json(schema_fn) => Some(("application/json", schema_fn(generator).to_value())),
            Content::Html => Some(("text/html", json!({ "type": "string" }))),
            Content::Text => Some(("text/plain", json!({ "type": "string" }))),
            Content::Png => Some((
                "image/png",
                json!({ "type": "string", "contentMediaType": "image/png" }),
            )),
        };
        if let Some((media, schema)) = content {
            response.insert("content".into(), json!({ media: { "schema": schema } }));
        }
        if !reply.headers.is_empty() {
            let headers: Map<String, Value> = reply
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_owned(),
                        json!({
                            "description": h.description,
                            "required": h.required,
                            "schema": { "type": h.kind },
                        }),
                    )
                })
                .collect();
            response.insert("headers".into(), Value::Object(headers));
        }
        if !reply.links.is_empty() {
            let links: Map<String, Value> = reply
                .links
                .iter()
                .map(|l| {
                    (
                        l.name.to_owned(),
                        json!({
                            "operationId": operation_id(l.method, l.path),
                            "parameters": { l.parameter: l.value },
                        }),
                    )
                })
                .collect();
            response.insert("links".into(), Value::Object(links));
        }
        responses.insert(reply.status.to_string(), Value::Object(response));
    }
    out.insert("responses".into(), Value::Object(responses));
    out
}

/// `get_api_sweeps_id_results` for `GET /api/sweeps/<id>/results`: unique
/// per method and path, stable across builds.
fn operation_id(method: Method, path: &str) -> String {
    let mut id = method.as_str().to_ascii_lowercase();
    for c in path.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('_') {
            id.push('_');
        }
    }
    id.trim_end_matches('_').to_owned()
}

/// The served document (managed state), built once at ignite.
#[derive(Debug, Clone)]
pub struct OpenApiDocument(pub String);

/// Builds the document from the mounted routes at ignite; every route must
/// be mounted before this fairing is attached.
pub fn fairing() -> impl Fairing {
    AdHoc::on_ignite("OpenAPI document", |rocket| async move {
        let routes: Vec<MountedRoute> = rocket.routes().map(MountedRoute::of).collect();
        let (document, coverage) = build(&routes, &operations());
        if !coverage.is_complete() {
            tracing::error!(?coverage, "the OpenAPI document and the routes disagree");
        }
        rocket.manage(OpenApiDocument(document.to_string()))
    })
}

/// The routes of this module.
pub fn routes() -> Vec<Route> {
    routes![openapi_json, reference_page]
}

/// The documentation of this module's routes.
pub fn docs() -> Vec<Operation> {
    vec![
        Operation::new(
            Method::Get,
            "/openapi.json",
            "documentation",
            "This OpenAPI 3.1 document",
        )
        .reply(
            200,
            "The document.",
            Content::Json(schema::<Map<String, Value>>),
        ),
        Operation::new(
            Method::Get,
            "/docs",
            "documentation",
            "The API reference page (renders /openapi.json)",
        )
        .reply(200, "An HTML page.", Content::Html),
    ]
}

#[get("/openapi.json")]
fn openapi_json(document: &State<OpenApiDocument>) -> (ContentType, String) {
    (ContentType::JSON, document.0.clone())
}

/// The reference page: static HTML whose only scripts are files
/// (`static/vendor/swagger-ui`, `static/js/api-docs.js`).
const REFERENCE_PAGE: &str = include_str!("../../../templates/api-docs.html");

#[get("/docs")]
fn reference_page() -> (ContentType, &'static str) {
    (ContentType::HTML, REFERENCE_PAGE)
}
