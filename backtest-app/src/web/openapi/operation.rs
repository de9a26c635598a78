//! The documentation of one route ([`Operation`]), declared beside its
//! handler by each web module, and the schemas of its bodies.

use rocket::http::Method;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::Value;

use crate::web::error::ErrorBody;

/// Builds a body's schema in a generator (a `$ref` for named types).
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// The schema of `T`: a `$ref` into `components/schemas` for named types.
pub fn schema<T: JsonSchema + ?Sized>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// Registers `schema` as the component `name` (once) and returns its `$ref`.
pub fn component(generator: &mut SchemaGenerator, name: &str, schema: Schema) -> Schema {
    generator
        .definitions_mut()
        .entry(name.to_owned())
        .or_insert_with(|| schema.to_value());
    Schema::new_ref(format!("#/components/schemas/{name}"))
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Open,
    /// A bearer token when `AUTH_MODE=token`.
    Bearer,
    /// Anyone, or a bearer token when `METRICS_REQUIRE_TOKEN` is set.
    Optional,
}

/// A body of an answer.
#[derive(Debug, Clone, Copy)]
pub enum Content {
    /// No body described.
    None,
    /// `application/json` with this schema.
    Json(SchemaFn),
    /// `text/html`.
    Html,
    /// `text/plain` (the Prometheus exposition format).
    Text,
    /// `image/png`.
    Png,
}

/// A response header.
#[derive(Debug, Clone, Copy)]
pub struct ResponseHeader {
    /// Header name.
    pub name: &'static str,
    /// What it carries.
    pub description: &'static str,
    /// Whether every such answer carries it.
    pub required: bool,
    /// Its JSON Schema type (`string` or `integer`).
    pub kind: &'static str,
}

/// One answer of an operation.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// When it is given.
    pub description: &'static str,
    /// Its body.
    pub content: Content,
    /// Headers it carries.
    pub headers: Vec<ResponseHeader>,
    /// Operations its body leads to.
    pub links: Vec<Link>,
}

/// An OpenAPI link: a value of an answer's body that another operation
/// takes as a parameter (the new run's id for its status, ...).
#[derive(Debug, Clone, Copy)]
pub struct Link {
    /// The link's name.
    pub name: &'static str,
    /// The target operation's method.
    pub method: Method,
    /// The target operation's path, as Rocket writes it.
    pub path: &'static str,
    /// The target's parameter.
    pub parameter: &'static str,
    /// The runtime expression giving it (`$response.body#/run_id`).
    pub value: &'static str,
}

/// A path or query parameter (where it goes comes from the route's URI).
#[derive(Debug, Clone)]
pub struct Param {
    /// Name, as in the route's URI.
    pub name: &'static str,
    /// What it means.
    pub description: &'static str,
    /// Its JSON Schema.
    pub schema: Value,
}

/// The documentation of one route, declared beside its handler.
#[derive(Debug, Clone)]
pub struct Operation {
    /// HTTP method.
    pub method: Method,
    /// The route's path as Rocket writes it (`/api/strategies/<id>`), no query.
    pub path: &'static str,
    /// Group in the reference page.
    pub tag: &'static str,
    /// One line.
    pub summary: &'static str,
    /// More, in Markdown.
    pub description: &'static str,
    /// Who may call it.
    pub access: Access,
    /// Path and query parameters.
    pub params: Vec<Param>,
    /// The JSON request body, if any.
    pub request: Option<(SchemaFn, &'static str)>,
    /// Every answer.
    pub replies: Vec<Reply>,
}

const RETRY_AFTER: ResponseHeader = ResponseHeader {
    name: "Retry-After",
    description: "Seconds to wait before retrying.",
    required: true,
    kind: "integer",
};

impl Operation {
    /// An open operation with no parameters, body or answers yet.
    #[must_use]
    pub fn new(
        method: Method,
        path: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Self {
        Self {
            method,
            path,
            tag,
            summary,
            description: "",
            access: Access::Open,
            params: Vec::new(),
            request: None,
            replies: Vec::new(),
        }
    }

    /// With a longer description.
    #[must_use]
    pub fn describe(mut self, description: &'static str) -> Self {
        self.description = description;
        self
    }

    /// Needs a bearer token (`AUTH_MODE=token`): adds the 401 answer and the
    /// 503 of a token that cannot be checked.
    #[must_use]
    pub fn bearer(mut self) -> Self {
        self.access = Access::Bearer;
        self.errors(&[401, 503])
    }

    /// A bearer token when so configured: adds the 401 answer.
    #[must_use]
    pub fn optional_bearer(mut self) -> Self {
        self.access = Access::Optional;
        self.errors(&[401, 503])
    }

    /// A path or query parameter.
    #[must_use]
    pub fn param(mut self, name: &'static str, description: &'static str, schema: Value) -> Self {
        self.params.push(Param {
            name,
            description,
            schema,
        });
        self
    }

    /// A JSON request body: adds the 400 (invalid) and 413 (too large) answers.
    #[must_use]
    pub fn body(mut self, schema: SchemaFn, description: &'static str) -> Self {
        self.request = Some((schema, description));
        self.errors(&[400, 413])
    }

    /// An answer.
    #[must_use]
    pub fn reply(mut self, status: u16, description: &'static str, content: Content) -> Self {
        self.replies.retain(|r| r.status != status);
        self.replies.push(Reply {
            status,
            description,
            content,
            headers: Vec::new(),
            links: Vec::new(),
        });
        self
    }

    /// A link on the answer added last.
    #[must_use]
    pub fn link(mut self, link: Link) -> Self {
        if let Some(reply) = self.replies.last_mut() {
            reply.links.push(link);
        }
        self
    }

    /// A header on the answer added last.
    #[must_use]
    pub fn header(mut self, header: ResponseHeader) -> Self {
        if let Some(reply) = self.replies.last_mut() {
            reply.headers.push(header);
        }
        self
    }

    /// The app's JSON error answers ([`ErrorBody`]) for `statuses`, with
    /// the headers each carries; statuses already described are kept.
    #[must_use]
    pub fn errors(mut self, statuses: &[u16]) -> Self {
        for &status in statuses {
            if self.replies.iter().any(|r| r.status == status) {
                continue;
            }
            let (description, headers): (&'static str, Vec<ResponseHeader>) = match status {
                400 => ("Invalid request; `field` names the culprit.", vec![]),
                401 => (
                    "No, a malformed, an unknown or a revoked bearer token (`AUTH_MODE=token`).",
                    vec![ResponseHeader {
                        name: "WWW-Authenticate",
                        description: "The bearer challenge (RFC 6750).",
                        required: true,
                        kind: "string",
                    }],
                ),
                404 => ("No such resource (or another token's).", vec![]),
                409 => (
                    "Conflicts with the resource's state; `field` names why.",
                    vec![],
                ),
                413 => ("The request body exceeds the configured limit.", vec![]),
                429 => (
                    "The token's quota or submission rate limit is reached.",
                    vec![RETRY_AFTER],
                ),
                500 => (
                    "A system fault; the body names the request (and run) for the logs.",
                    vec![],
                ),
                503 => (
                    "Busy, the queue is full, or the database is unreachable.",
                    vec![ResponseHeader {
                        required: false,
                        ..RETRY_AFTER
                    }],
                ),
                _ => ("Error.", vec![]),
            };
            self.replies.push(Reply {
                status,
                description,
                content: Content::Json(schema::<ErrorBody>),
                headers,
                links: Vec::new(),
            });
        }
        self
    }
}
