//! Helpers of the access-control tests: a web app in `AUTH_MODE=token`,
//! tokens, and requests with or without a bearer token.

use backtest_app::config::AuthMode;
use backtest_app::db::{tokens, Db};
use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket_db_pools::Database;
use serde_json::Value;

use super::TestDb;

/// The web app on `db` in `AUTH_MODE=token`.
pub async fn token_client(db: &TestDb, metrics_require_token: bool) -> Client {
    let config = backtest_app::config::AppConfig {
        auth_mode: AuthMode::Token,
        metrics_require_token,
        ..db.config()
    };
    super::started_client(config).await
}

/// The web's pool.
pub fn pool(client: &Client) -> &sqlx::AnyPool {
    Db::fetch(client.rocket()).expect("the pool")
}

/// A new token named `name`.
pub async fn token(client: &Client, name: &str, admin: bool) -> String {
    tokens::create(pool(client), name, admin)
        .await
        .expect("create a token")
}

pub fn bearer(token: &str) -> Header<'static> {
    Header::new("Authorization", format!("Bearer {token}"))
}

pub async fn json_body(response: LocalResponse<'_>) -> Value {
    let text = response.into_string().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// `method path` with an optional bearer token and JSON body.
pub async fn call(
    client: &Client,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (Status, Value) {
    let mut request = client.req(method, path.to_owned());
    if let Some(token) = token {
        request.add_header(bearer(token));
    }
    if let Some(body) = body {
        request.add_header(ContentType::JSON);
        request.set_body(body.to_string());
    }
    let response = request.dispatch().await;
    let status = response.status();
    (status, json_body(response).await)
}
