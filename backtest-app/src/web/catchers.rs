//! JSON catchers: whatever goes wrong before or around a handler (no
//! matching route, a failed guard, an oversized body), clients get JSON,
//! never Rocket's HTML pages.

use rocket::http::Status;
use rocket::request::Request;
use rocket::response::{self, Responder};
use rocket::{catch, catchers, Catcher};
use serde_json::{json, Value};

use super::error::json_response;
use super::telemetry::RequestInfo;

/// Every catcher of the app.
pub fn catchers() -> Vec<Catcher> {
    catchers![
        bad_request,
        not_found,
        payload_too_large,
        unprocessable,
        internal,
        default
    ]
}

/// A JSON body with a status, answered by catchers.
#[derive(Debug)]
pub struct JsonError {
    status: Status,
    body: Value,
}

impl<'r> Responder<'r, 'static> for JsonError {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        Ok(json_response(self.status, &self.body))
    }
}

fn error(status: Status, body: Value) -> JsonError {
    JsonError { status, body }
}

#[catch(400)]
fn bad_request(_req: &Request<'_>) -> JsonError {
    error(
        Status::BadRequest,
        json!({ "error": "bad request", "field": "request" }),
    )
}

#[catch(404)]
fn not_found(req: &Request<'_>) -> JsonError {
    let path = req.uri().path();
    let message = if path.starts_with("/api/") || path == "/api" {
        format!("no API endpoint {} {}", req.method(), path)
    } else {
        format!("not found: {} {}", req.method(), path)
    };
    error(Status::NotFound, json!({ "error": message }))
}

#[catch(413)]
fn payload_too_large(req: &Request<'_>) -> JsonError {
    let limit = req
        .limits()
        .get("json")
        .map_or_else(|| "the configured limit".to_owned(), |l| l.to_string());
    error(
        Status::PayloadTooLarge,
        json!({ "error": format!("request body too large (limit {limit})"), "field": "body" }),
    )
}

#[catch(422)]
fn unprocessable(_req: &Request<'_>) -> JsonError {
    error(
        Status::BadRequest,
        json!({ "error": "the request could not be understood", "field": "request" }),
    )
}

#[catch(500)]
fn internal(req: &Request<'_>) -> JsonError {
    let info = RequestInfo::of(req);
    error(
        Status::InternalServerError,
        json!({ "error": "Internal server error", "run_id": info.run_id(), "request_id": info.id }),
    )
}

#[catch(default)]
fn default(status: Status, req: &Request<'_>) -> JsonError {
    if status.code >= 500 {
        let info = RequestInfo::of(req);
        return error(
            status,
            json!({ "error": "Internal server error", "run_id": info.run_id(), "request_id": info.id }),
        );
    }
    error(
        status,
        json!({ "error": status.reason().unwrap_or("error").to_ascii_lowercase() }),
    )
}
