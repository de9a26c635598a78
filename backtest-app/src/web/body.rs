//! Request bodies (and query parameters) read by hand, so that every way a
//! request can be wrong is a JSON error with a field rather than one of
//! Rocket's HTML pages or a silently ignored value.

use rocket::data::{Data, Limits, ToByteUnit};
use serde_json::{Map, Value};

use super::error::ApiError;

/// Reads the whole body as UTF-8 text under the `json` limit.
///
/// # Errors
/// 413 when the body exceeds the limit; 400 (`field: "body"`) when it cannot
/// be read, is not UTF-8, or is empty.
pub async fn read_text(data: Data<'_>, limits: &Limits) -> Result<String, ApiError> {
    let limit = limits.get("json").unwrap_or_else(|| 1.mebibytes());
    let bytes =
        data.open(limit).into_bytes().await.map_err(|e| {
            ApiError::input("body", format!("the request body could not be read: {e}"))
        })?;
    if !bytes.is_complete() {
        return Err(ApiError::TooLarge {
            limit: limit.to_string(),
        });
    }
    let text = String::from_utf8(bytes.into_inner()).map_err(|e| {
        ApiError::input(
            "body",
            format!(
                "the request body is not valid UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    if text.trim().is_empty() {
        return Err(ApiError::input(
            "body",
            "the request body is empty; expected a JSON object",
        ));
    }
    Ok(text)
}

/// Checks that `text` looks like a JSON object before a typed parser sees
/// it, for a clearer message than "invalid type: sequence".
///
/// # Errors
/// 400 (`field: "body"`) naming what the body is instead.
pub fn expect_object_text(text: &str) -> Result<(), ApiError> {
    match text.trim_start().chars().next() {
        Some('{') => Ok(()),
        Some('[') => Err(ApiError::input(
            "body",
            "the request body must be a JSON object, not an array",
        )),
        _ => Err(ApiError::input(
            "body",
            "the request body must be a JSON object",
        )),
    }
}

/// Parses `text` as a JSON object.
///
/// # Errors
/// 400 (`field: "body"`) for malformed JSON or a non-object.
pub fn parse_object(text: &str) -> Result<Map<String, Value>, ApiError> {
    expect_object_text(text)?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::input(
            "body",
            "the request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::input(
            "body",
            format!("malformed JSON: {}", strip_position(&e)),
        )),
    }
}

/// serde_json's message without its ` at line L column C` suffix.
fn strip_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// The value of a query parameter given at most once. Handlers take every
/// value (`Vec<&str>`) because Rocket's `Option<&str>` turns a repeated
/// parameter into `None`, silently dropping what the caller asked for.
///
/// # Errors
/// 400 naming `field` when it is given more than once.
pub fn at_most_once<'a>(field: &str, values: &[&'a str]) -> Result<Option<&'a str>, ApiError> {
    match values {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => Err(ApiError::input(
            field,
            format!("given {} times; give it at most once", values.len()),
        )),
    }
}
