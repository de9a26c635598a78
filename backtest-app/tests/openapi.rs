//! The OpenAPI document (`GET /openapi.json`) against the real app: every
//! route mounted on the Rocket instance is in the document and every
//! documented operation is mounted and reaches its handler through the real
//! router; query and path parameters match the routes'; the bearer scheme is
//! declared exactly where the server refuses anonymous callers (each 401
//! documented with its `WWW-Authenticate` header); every `$ref` resolves.
//! The document's validity against the OpenAPI 3.1 specification is
//! checked by openapi-spec-validator and its agreement with the server's
//! answers by schemathesis (`scripts/fuzz-api`).

mod support;

use std::collections::BTreeSet;

use backtest_app::config::{AppConfig, AuthMode};
use rocket::http::{Method, Status};
use rocket::local::asynchronous::Client;
use serde_json::Value;
use support::TestDb;

/// Mounted routes that are deliberately not operations, with the reason.
const NOT_OPERATIONS: &[(&str, &str)] = &[(
    "/static/",
    "the file server's assets (CSS, JS, vendored libraries)",
)];

async fn client(db: &TestDb, auth_mode: AuthMode) -> Client {
    support::started_client(AppConfig {
        auth_mode,
        ..db.config()
    })
    .await
}

async fn document(client: &Client) -> Value {
    let response = client.get("/openapi.json").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let text = response.into_string().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// `(METHOD, /a/{b})` of every operation in `doc`.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            out.push((method.to_ascii_uppercase(), path.clone(), operation.clone()));
        }
    }
    out
}

/// Rocket's `/a/<b>` written as OpenAPI's `/a/{b}`.
fn templated(path: &str) -> String {
    path.split('/')
        .map(
            |s| match s.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
                Some(name) => format!("{{{name}}}"),
                None => s.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

fn parameter_names(operation: &Value, location: &str) -> BTreeSet<String> {
    operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == location)
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect()
}

/// A concrete URL for an operation: path parameters filled by their schema.
fn concrete(path: &str, operation: &Value) -> String {
    let mut url = path.to_owned();
    for param in operation["parameters"].as_array().into_iter().flatten() {
        if param["in"] != "path" {
            continue;
        }
        let name = param["name"].as_str().unwrap_or_default();
        let value = if param["schema"]["type"] == "integer" {
            "987654"
        } else {
            "00000000-0000-4000-8000-000000000000"
        };
        url = url.replace(&format!("{{{name}}}"), value);
    }
    url
}

fn method(name: &str) -> Method {
    name.parse()
        .unwrap_or_else(|_| panic!("unknown method {name}"))
}

#[rocket::async_test]
async fn every_mounted_route_is_documented_and_every_operation_is_mounted() {
    let db = TestDb::sqlite();
    let client = client(&db, AuthMode::Off).await;
    let doc = document(&client).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let documented = operations(&doc);
    let mut missing = Vec::new();
    let mut mounted = BTreeSet::new();
    for route in client.rocket().routes() {
        let path = route.uri.path().to_string();
        if NOT_OPERATIONS
            .iter()
            .any(|(prefix, _)| path.starts_with(prefix))
        {
            continue;
        }
        let key = (route.method.as_str().to_owned(), templated(&path));
        mounted.insert(key.clone());
        let Some((_, _, operation)) = documented
            .iter()
            .find(|(m, p, _)| (m, p) == (&key.0, &key.1))
        else {
            missing.push(format!("{} {}", key.0, key.1));
            continue;
        };
        // The route's own query and path parameter names, from its URI.
        let query: BTreeSet<String> = route
            .uri
            .query()
            .map(|q| {
                q.split('&')
                    .filter_map(|p| p.strip_prefix('<')?.strip_suffix('>'))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(parameter_names(operation, "query"), query, "{key:?}");
        let in_path: BTreeSet<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('<')?.strip_suffix('>'))
            .map(str::to_owned)
            .collect();
        assert_eq!(parameter_names(operation, "path"), in_path, "{key:?}");
        assert!(
            operation["responses"]
                .as_object()
                .is_some_and(|r| !r.is_empty()),
            "{key:?} documents no response"
        );
    }
    assert!(
        missing.is_empty(),
        "mounted routes missing from /openapi.json: {missing:?}"
    );
    let unmounted: Vec<_> = documented
        .iter()
        .filter(|(m, p, _)| !mounted.contains(&(m.clone(), p.clone())))
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    assert!(
        unmounted.is_empty(),
        "documented but not mounted: {unmounted:?}"
    );
    // The assertions above hold only if the document lists something.
    assert!(documented.len() >= 20, "{}", documented.len());
}

#[rocket::async_test]
async fn documented_operations_reach_their_handlers() {
    let db = TestDb::sqlite();
    let client = client(&db, AuthMode::Off).await;
    let doc = document(&client).await;
    for (name, path, operation) in operations(&doc) {
        let url = concrete(&path, &operation);
        let response = client.req(method(&name), url.clone()).dispatch().await;
        let status = response.status();
        let body = response.into_string().await.unwrap_or_default();
        // The catch-all 404 (no route matched) names the method and path;
        // a handler's own 404 names the missing resource.
        assert!(
            !(status == Status::NotFound
                && (body.contains("no API endpoint") || body.contains("not found:"))),
            "{name} {url}: no route answered: {body}"
        );
        let documented = operation["responses"]
            .get(status.code.to_string())
            .is_some();
        assert!(documented, "{name} {url}: undocumented {status}: {body}");
    }
}

/// Whether every alternative of the operation's `security` is the bearer
/// scheme (an empty alternative `{}` makes it optional).
fn requires_bearer(operation: &Value) -> bool {
    operation["security"]
        .as_array()
        .is_some_and(|s| !s.is_empty() && s.iter().all(|r| r.get("bearerAuth").is_some()))
}

#[rocket::async_test]
async fn bearer_security_is_declared_where_the_server_enforces_it() {
    let db = TestDb::sqlite();
    let client = client(&db, AuthMode::Token).await;
    let doc = document(&client).await;
    let scheme = &doc["components"]["securitySchemes"]["bearerAuth"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    let mut protected = 0;
    for (name, path, operation) in operations(&doc) {
        let needs_token = requires_bearer(&operation);
        let url = concrete(&path, &operation);
        let response = client.req(method(&name), url.clone()).dispatch().await;
        let status = response.status();
        if needs_token {
            protected += 1;
            assert_eq!(status, Status::Unauthorized, "{name} {url}");
            assert!(response.headers().get_one("WWW-Authenticate").is_some());
            let answer = &operation["responses"]["401"];
            assert!(
                answer["headers"]["WWW-Authenticate"]["required"] == true,
                "{name} {path}: the 401 does not document WWW-Authenticate"
            );
        } else {
            assert_ne!(status, Status::Unauthorized, "{name} {url}");
        }
    }
    // SPEC: every /api/*, /run_backtest and /status/* operation.
    for (name, path, operation) in operations(&doc) {
        let api =
            path.starts_with("/api/") || path == "/run_backtest" || path.starts_with("/status/");
        assert_eq!(
            api,
            requires_bearer(&operation),
            "{name} {path}: {}",
            operation["security"]
        );
    }
    assert!(protected >= 15, "{protected}");
}

/// Every `$ref` in `node` (recursively), as JSON pointers.
fn refs(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                out.push(target.clone());
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[rocket::async_test]
async fn every_reference_resolves_and_errors_share_one_schema() {
    let db = TestDb::sqlite();
    let client = client(&db, AuthMode::Off).await;
    let doc = document(&client).await;
    let mut targets = Vec::new();
    refs(&doc, &mut targets);
    assert!(!targets.is_empty());
    for target in targets {
        let pointer = target.strip_prefix('#').unwrap_or(&target);
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {target}");
    }
    // Every link names a documented operation and one of its parameters.
    let ids: Vec<(String, Value)> = operations(&doc)
        .into_iter()
        .map(|(_, _, op)| {
            (
                op["operationId"].as_str().unwrap_or_default().to_owned(),
                op,
            )
        })
        .collect();
    let mut links = 0;
    for (name, path, operation) in operations(&doc) {
        for answer in operation["responses"].as_object().into_iter().flatten() {
            for (link, spec) in answer.1["links"].as_object().into_iter().flatten() {
                links += 1;
                let target = spec["operationId"].as_str().unwrap_or_default();
                let Some((_, op)) = ids.iter().find(|(id, _)| id == target) else {
                    panic!("{name} {path}: link {link} to unknown operation {target}");
                };
                for parameter in spec["parameters"].as_object().into_iter().flatten() {
                    assert!(
                        parameter_names(op, "path").contains(parameter.0),
                        "{name} {path}: link {link}: {target} has no {}",
                        parameter.0
                    );
                }
            }
        }
    }
    assert!(links >= 7, "{links}");
    // Every documented error of the API is the app's JSON error body.
    for (name, path, operation) in operations(&doc) {
        for (status, answer) in operation["responses"].as_object().into_iter().flatten() {
            if status.starts_with('4') || status.starts_with('5') {
                if path == "/ready" {
                    continue; // its 503 is the probe's own body
                }
                assert_eq!(
                    answer["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{name} {path} {status}"
                );
            }
        }
    }
}
