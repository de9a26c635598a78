//! Authentication (issue 13): the [`Caller`] request guard.
//!
//! With `AUTH_MODE=off` every request is the anonymous caller, who owns ''
//! and sees everything (the embedded quick start). With `AUTH_MODE=token`
//! a handler taking a [`Caller`] runs only for a request carrying
//! `Authorization: Bearer TOKEN` of a live token (see [`crate::db::tokens`]);
//! any other request is answered 401 with `WWW-Authenticate: Bearer` by the
//! [`unauthorized`] catcher, before the body is read. Every `/api/*`,
//! `/run_backtest` and `/status/*` handler takes a `Caller`, so the
//! requirement is visible in each signature (and a test checks that every
//! such mounted route refuses an anonymous request).
//!
//! The token is never logged or echoed: only the token's name goes into the
//! request span (`owner`).

use rocket::http::{ContentType, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};
use rocket::{catch, State};
use rocket_db_pools::Database;
use serde_json::json;

use super::quota::SubmitLimiter;
use super::telemetry::RequestInfo;
use super::ApiError;
use crate::config::{AppConfig, AuthMode};
use crate::db::{tokens, Db, Scope};

/// Longest `Authorization` value looked at; real tokens are 67 characters.
const MAX_TOKEN_LEN: usize = 256;

/// Who is calling: a token's name and rights, or the anonymous caller of
/// `AUTH_MODE=off`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    name: Option<String>,
    admin: bool,
}

impl Caller {
    /// The caller of `AUTH_MODE=off`: owns '', sees everything.
    pub fn anonymous() -> Self {
        Self {
            name: None,
            admin: true,
        }
    }

    /// The holder of a token.
    pub fn token(name: String, admin: bool) -> Self {
        Self {
            name: Some(name),
            admin,
        }
    }

    /// What goes into the `owner` column of rows this caller creates.
    pub fn owner(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }

    /// Whether this is the anonymous caller (no per-token quotas apply).
    pub fn is_anonymous(&self) -> bool {
        self.name.is_none()
    }

    /// The rows this caller may see and delete.
    pub fn scope(&self) -> Scope<'_> {
        if self.admin {
            Scope::All
        } else {
            Scope::Owner(self.owner())
        }
    }

    /// The per-token submission rate limit: 429 with `Retry-After` when
    /// this token submitted too often. The anonymous caller is not limited.
    ///
    /// # Errors
    /// [`ApiError::TooManyRequests`].
    pub fn check_rate(&self, limiter: &SubmitLimiter) -> Result<(), ApiError> {
        let Some(name) = &self.name else {
            return Ok(());
        };
        limiter.check(name).map_err(|retry_after| {
            tracing::info!(owner = name, retry_after, "submission rate limit reached");
            ApiError::TooManyRequests {
                message: format!(
                    "too many submissions: at most {} a minute per token; retry in {retry_after} s",
                    limiter.per_minute()
                ),
                retry_after,
            }
        })
    }
}

/// Why a request has no [`Caller`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// No `Authorization` header.
    Missing,
    /// An `Authorization` header that is not `Bearer TOKEN`.
    Malformed,
    /// A token that is unknown or revoked.
    Rejected,
    /// The token could not be checked (the database failed; logged).
    Unavailable,
}

impl AuthFailure {
    fn status(self) -> Status {
        match self {
            Self::Unavailable => Status::ServiceUnavailable,
            _ => Status::Unauthorized,
        }
    }

    fn message(self) -> &'static str {
        match self {
            Self::Missing => "authentication required: send Authorization: Bearer TOKEN",
            Self::Malformed => "malformed Authorization header: expected Bearer TOKEN",
            Self::Rejected => "invalid or revoked token",
            Self::Unavailable => "cannot check the token: database unavailable",
        }
    }

    /// The `WWW-Authenticate` challenge (RFC 6750 §3).
    fn challenge(self) -> &'static str {
        match self {
            Self::Missing | Self::Unavailable => "Bearer realm=\"backtest\"",
            Self::Malformed => "Bearer realm=\"backtest\", error=\"invalid_request\"",
            Self::Rejected => "Bearer realm=\"backtest\", error=\"invalid_token\"",
        }
    }
}

/// The request's authentication outcome, computed once per request.
#[derive(Debug)]
struct Authenticated(Result<Caller, AuthFailure>);

/// The token of an `Authorization: Bearer TOKEN` value.
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(char::is_whitespace)?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer")
        && !token.is_empty()
        && token.len() <= MAX_TOKEN_LEN
        && token.bytes().all(|b| b.is_ascii_graphic()))
    .then_some(token)
}

async fn authenticate(req: &Request<'_>) -> Result<Caller, AuthFailure> {
    let mode = req
        .rocket()
        .state::<AppConfig>()
        .map_or(AuthMode::Token, |config| config.auth_mode);
    if mode == AuthMode::Off {
        return Ok(Caller::anonymous());
    }
    let mut values = req.headers().get("Authorization");
    let Some(value) = values.next() else {
        return Err(AuthFailure::Missing);
    };
    if values.next().is_some() {
        return Err(AuthFailure::Malformed);
    }
    let token = bearer(value).ok_or(AuthFailure::Malformed)?;
    let info = RequestInfo::of(req);
    let Some(db) = Db::fetch(req.rocket()) else {
        info.span
            .in_scope(|| tracing::error!("the database pool is missing"));
        return Err(AuthFailure::Unavailable);
    };
    match tokens::authenticate(db, token).await {
        Ok(Some(found)) => {
            info.span.record("owner", found.name.as_str());
            Ok(Caller::token(found.name, found.admin))
        }
        Ok(None) => {
            info.span
                .in_scope(|| tracing::info!("request with an invalid or revoked token"));
            Err(AuthFailure::Rejected)
        }
        Err(e) => {
            // The error is the database's; the token is not part of it.
            info.span
                .in_scope(|| tracing::error!(error = %e, "cannot check a token"));
            Err(AuthFailure::Unavailable)
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Caller {
    type Error = AuthFailure;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let done = req
            .local_cache_async(async { Authenticated(authenticate(req).await) })
            .await;
        match &done.0 {
            Ok(caller) => Outcome::Success(caller.clone()),
            Err(failure) => Outcome::Error((failure.status(), *failure)),
        }
    }
}

/// Access to `/metrics`: a [`Caller`] when `METRICS_REQUIRE_TOKEN` is set
/// (in `token` mode), anyone otherwise.
#[derive(Debug, Clone, Copy)]
pub struct MetricsAccess;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for MetricsAccess {
    type Error = AuthFailure;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let required = req
            .guard::<&State<AppConfig>>()
            .await
            .succeeded()
            .is_some_and(|c| c.auth_mode == AuthMode::Token && c.metrics_require_token);
        if !required {
            return Outcome::Success(Self);
        }
        req.guard::<Caller>().await.map(|_| Self)
    }
}

/// The 401 answer: JSON with the reason and the `WWW-Authenticate`
/// challenge.
#[derive(Debug)]
pub struct Unauthorized(AuthFailure);

impl<'r> Responder<'r, 'static> for Unauthorized {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        let body = json!({ "error": self.0.message() }).to_string();
        Ok(Response::build()
            .status(Status::Unauthorized)
            .header(ContentType::JSON)
            .raw_header("WWW-Authenticate", self.0.challenge())
            .sized_body(body.len(), std::io::Cursor::new(body))
            .finalize())
    }
}

/// Catcher of 401: every refused [`Caller`] ends here.
#[catch(401)]
pub fn unauthorized(req: &Request<'_>) -> Unauthorized {
    let failure = req
        .local_cache(|| Authenticated(Err(AuthFailure::Missing)))
        .0
        .as_ref()
        .err()
        .copied()
        .filter(|f| *f != AuthFailure::Unavailable)
        .unwrap_or(AuthFailure::Missing);
    Unauthorized(failure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_values_are_parsed_strictly() {
        assert_eq!(bearer("Bearer bt_abc"), Some("bt_abc"));
        assert_eq!(bearer("bearer   bt_abc "), Some("bt_abc"));
        for bad in [
            "",
            "Bearer",
            "Bearer ",
            "Basic dXNlcjpwYXNz",
            "bt_abc",
            "Bearer a b",
        ] {
            assert_eq!(bearer(bad), None, "{bad:?}");
        }
        assert_eq!(
            bearer(&format!("Bearer {}", "x".repeat(MAX_TOKEN_LEN + 1))),
            None
        );
    }

    #[test]
    fn only_admins_and_the_anonymous_caller_see_everything() {
        assert_eq!(Caller::anonymous().scope(), Scope::All);
        assert_eq!(Caller::anonymous().owner(), "");
        assert_eq!(Caller::token("root".into(), true).scope(), Scope::All);
        let alice = Caller::token("alice".into(), false);
        assert_eq!(alice.scope(), Scope::Owner("alice"));
        assert!(alice.scope().admits("alice"));
        assert!(!alice.scope().admits("bob"));
        assert!(!alice.scope().admits(""));
    }
}
