//! Access control through the web app (issue 13), each test on a fresh
//! SQLite file and on the MySQL/MariaDB database of `TEST_MYSQL_URL` (see
//! `support/mod.rs`): every protected route refuses anonymous callers, a
//! revoked token is refused, another token's runs and presets do not exist
//! for a caller (404), and hostile text is stored verbatim or rejected.
//! Quotas and sweeps: `auth_quota.rs`.

#[macro_use]
mod support;

use backtest_app::db::runs::{self, Admission, AdmissionLimits};
use backtest_app::db::tokens;
use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::Client;
use serde_json::json;
use support::auth::{bearer, call, json_body, pool, token, token_client as client};
use support::{new_run, unique, Kind, TestDb};

on_both_databases!(
    every_protected_route_refuses_anonymous_callers,
    metrics_is_open_unless_configured,
    revoked_token_is_401,
    another_tokens_runs_and_presets_are_404,
    hostile_text_is_stored_verbatim_or_rejected,
);

/// Whether issue 13 protects `path` (`/metrics` only when configured).
fn protected(path: &str) -> bool {
    path.starts_with("/api/")
        || path == "/api"
        || path == "/run_backtest"
        || path.starts_with("/status/")
        || path == "/metrics"
}

/// A concrete path for a mounted route: dynamic segments get a sample value
/// that every parameter type of the app parses (`<path..>` a real file).
fn concrete(route_path: &str) -> String {
    route_path
        .split('/')
        .map(|segment| {
            if segment.starts_with('<') && segment.ends_with("..>") {
                "css/app.css"
            } else if segment.starts_with('<') {
                "1"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every route mounted on the app, enumerated from Rocket itself, so a new
/// route without the [`Caller`](backtest_app::web::auth::Caller) guard fails
/// here: without a token it would answer something else than 401.
async fn every_protected_route_refuses_anonymous_callers(db: TestDb) {
    let client = client(&db, true).await;
    let name = unique("route-check");
    let good = token(&client, &name, false).await;
    let routes: Vec<(Method, String)> = client
        .rocket()
        .routes()
        .map(|route| (route.method, route.uri.path().to_string()))
        .collect();
    let mut checked = Vec::new();
    for (method, route_path) in &routes {
        let path = concrete(route_path);
        let body = (*method == Method::Post).then(|| json!({}));
        if !protected(route_path) {
            let response = client.req(*method, path.clone()).dispatch().await;
            assert_ne!(
                response.status(),
                Status::Unauthorized,
                "{method} {route_path} is public and must not ask for a token"
            );
            continue;
        }
        checked.push(route_path.clone());
        for presented in [
            None,
            Some("Bearer bt_0123"),
            Some("Basic YWxpY2U6cHc="),
            Some("Bearer"),
        ] {
            let mut request = client.req(*method, path.clone());
            if let Some(value) = presented {
                request.add_header(Header::new("Authorization", value));
            }
            if let Some(body) = &body {
                request.add_header(ContentType::JSON);
                request.set_body(body.to_string());
            }
            let response = request.dispatch().await;
            assert_eq!(
                response.status(),
                Status::Unauthorized,
                "{method} {route_path} with {presented:?} must be 401"
            );
            let challenge = response
                .headers()
                .get_one("WWW-Authenticate")
                .unwrap_or_default()
                .to_owned();
            assert!(
                challenge.starts_with("Bearer"),
                "{method} {route_path}: {challenge:?}"
            );
            if presented == Some("Bearer bt_0123") {
                assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
            }
            assert_eq!(response.content_type(), Some(ContentType::JSON));
            let body = json_body(response).await;
            assert!(
                body["error"].as_str().is_some_and(|e| !e.is_empty()),
                "{body}"
            );
        }
        // The same request with the token gets past the guard.
        let mut request = client.req(*method, path.clone()).header(bearer(&good));
        if let Some(body) = &body {
            request.add_header(ContentType::JSON);
            request.set_body(body.to_string());
        }
        let status = request.dispatch().await.status();
        assert_ne!(
            status,
            Status::Unauthorized,
            "{method} {route_path} with a token"
        );
    }
    for expected in [
        "/api/backtests",
        "/api/runs",
        "/api/rules",
        "/api/strategies",
        "/api/strategies/<id>",
        "/run_backtest",
        "/status/<run_id>",
        "/metrics",
    ] {
        assert!(
            checked.iter().any(|p| p == expected),
            "{expected} is not mounted or not checked: {checked:?}"
        );
    }
    // The dashboard, its assets, /health and /ready need no token.
    for open in ["/", "/static/css/app.css", "/health", "/ready"] {
        let response = client.get(open).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "{open}");
    }
}

async fn metrics_is_open_unless_configured(db: TestDb) {
    let client = client(&db, false).await;
    let response = client.get("/metrics").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let response = client.get("/api/runs").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
}

async fn revoked_token_is_401(db: TestDb) {
    let client = client(&db, false).await;
    let name = unique("revoked");
    let secret = token(&client, &name, false).await;
    let (status, body) = call(&client, Method::Get, "/api/runs", Some(&secret), None).await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["total"], 0, "a new token sees no runs");
    tokens::revoke(pool(&client), &name).await.expect("revoke");
    let response = client
        .get("/api/runs")
        .header(bearer(&secret))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert!(response
        .headers()
        .get_one("WWW-Authenticate")
        .is_some_and(|c| c.contains("invalid_token")));
    assert_eq!(
        json_body(response).await["error"],
        "invalid or revoked token"
    );
    // Revoking twice, or an unknown name, is an error naming the cause.
    assert!(matches!(
        tokens::revoke(pool(&client), &name).await,
        Err(tokens::TokenError::AlreadyRevoked(_))
    ));
    assert!(matches!(
        tokens::revoke(pool(&client), &unique("nobody")).await,
        Err(tokens::TokenError::Unknown(_))
    ));
    // A name is never reused, even once revoked.
    assert!(matches!(
        tokens::create(pool(&client), &name, false).await,
        Err(tokens::TokenError::Duplicate(_))
    ));
}

const NO_CAPS: AdmissionLimits = AdmissionLimits {
    max_active_for_owner: None,
    max_queued: u32::MAX,
};

async fn another_tokens_runs_and_presets_are_404(db: TestDb) {
    let client = client(&db, false).await;
    let (alice_name, bob_name) = (unique("alice"), unique("bob"));
    let alice = token(&client, &alice_name, false).await;
    let bob = token(&client, &bob_name, false).await;
    let admin = token(&client, &unique("admin"), true).await;

    let run_id = uuid::Uuid::new_v4().to_string();
    let admitted = runs::admit_queued(pool(&client), &new_run(&run_id), &alice_name, NO_CAPS)
        .await
        .expect("store alice's run");
    assert_eq!(admitted, Admission::Admitted);
    let status_path = format!("/status/{run_id}");
    let (status, body) = call(&client, Method::Get, &status_path, Some(&alice), None).await;
    assert_eq!(status, Status::Ok, "{body}");
    let (status, body) = call(&client, Method::Get, &status_path, Some(&bob), None).await;
    assert_eq!(status, Status::NotFound, "{body}");
    assert_eq!(
        body["error"],
        format!("no run with id {run_id}"),
        "as for an unknown id"
    );
    let (status, _) = call(&client, Method::Get, &status_path, Some(&admin), None).await;
    assert_eq!(status, Status::Ok, "an admin reads every run");

    let (_, page) = call(
        &client,
        Method::Get,
        "/api/runs?limit=100",
        Some(&alice),
        None,
    )
    .await;
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["runs"][0]["run_id"], run_id.as_str());
    assert_eq!(page["runs"][0]["owner"], alice_name.as_str());
    let (_, page) = call(
        &client,
        Method::Get,
        "/api/runs?limit=100",
        Some(&bob),
        None,
    )
    .await;
    assert_eq!(page["total"], 0, "bob sees none of alice's runs: {page}");
    assert_eq!(page["runs"], json!([]));

    let preset = json!({"name": "momentum", "ticker": "GOOG", "rule_type": "RSI"});
    let (status, created) = call(
        &client,
        Method::Post,
        "/api/strategies",
        Some(&alice),
        Some(&preset),
    )
    .await;
    assert_eq!(status, Status::Created, "{created}");
    assert_eq!(created["owner"], alice_name.as_str());
    let alice_preset = created["id"].as_i64().expect("an id");
    let (status, _) = call(
        &client,
        Method::Post,
        "/api/strategies",
        Some(&alice),
        Some(&preset),
    )
    .await;
    assert_eq!(status, Status::Conflict, "alice's names are unique");
    // The same name is free for another owner: names are unique per owner.
    let (status, created) = call(
        &client,
        Method::Post,
        "/api/strategies",
        Some(&bob),
        Some(&preset),
    )
    .await;
    assert_eq!(status, Status::Created, "{created}");
    let bob_preset = created["id"].as_i64().expect("an id");

    let (_, listed) = call(&client, Method::Get, "/api/strategies", Some(&bob), None).await;
    let ids: Vec<i64> = listed
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|p| p["id"].as_i64())
        .collect();
    assert_eq!(ids, vec![bob_preset], "bob lists only his own");
    let delete_alice = format!("/api/strategies/{alice_preset}");
    let (status, body) = call(&client, Method::Delete, &delete_alice, Some(&bob), None).await;
    assert_eq!(status, Status::NotFound, "{body}");
    assert_eq!(body["error"], format!("no preset with id {alice_preset}"));
    let (_, listed) = call(&client, Method::Get, "/api/strategies", Some(&alice), None).await;
    assert!(
        listed
            .as_array()
            .is_some_and(|l| l.iter().any(|p| p["id"] == alice_preset)),
        "bob's delete left alice's preset alone: {listed}"
    );

    let (_, listed) = call(&client, Method::Get, "/api/strategies", Some(&admin), None).await;
    let owners: Vec<&str> = listed
        .as_array()
        .expect("an array")
        .iter()
        .filter(|p| p["id"] == alice_preset || p["id"] == bob_preset)
        .filter_map(|p| p["owner"].as_str())
        .collect();
    assert_eq!(owners.len(), 2, "an admin sees both: {listed}");
    assert!(owners.contains(&alice_name.as_str()) && owners.contains(&bob_name.as_str()));
    for id in [alice_preset, bob_preset] {
        let (status, _) = call(
            &client,
            Method::Delete,
            &format!("/api/strategies/{id}"),
            Some(&admin),
            None,
        )
        .await;
        assert_eq!(status, Status::Ok, "an admin deletes any preset");
    }
    runs::fail(pool(&client), &run_id, "finished by the test")
        .await
        .expect("fail the run");
}

/// SQL and path fragments in every text field a client controls.
const HOSTILE: [&str; 5] = [
    "x'; DROP TABLE api_tokens; --",
    "Robert'); DELETE FROM strategy_presets WHERE ('1'='1",
    "../../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "\" OR \"\"=\" %s%n <script>alert(1)</script>",
];

async fn table_rows(client: &Client, table: &str) -> i64 {
    use sqlx::Row;
    let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(pool(client))
        .await
        .unwrap_or_else(|e| panic!("{table} must still exist: {e}"));
    row.try_get::<i64, _>("n").expect("a count")
}

async fn hostile_text_is_stored_verbatim_or_rejected(db: TestDb) {
    let client = client(&db, false).await;
    for (i, text) in HOSTILE.iter().enumerate() {
        // Token names: stored verbatim, recorded verbatim as the owner.
        let name = format!("{text} {}", unique(""));
        let secret = token(&client, &name, false).await;
        assert!(tokens::list(pool(&client))
            .await
            .expect("list")
            .iter()
            .any(|t| t.name == name));
        // Preset names: stored and listed verbatim.
        let preset_name = format!("{text} #{i}");
        let (status, created) = call(
            &client,
            Method::Post,
            "/api/strategies",
            Some(&secret),
            Some(&json!({"name": preset_name, "ticker": "GOOG"})),
        )
        .await;
        assert_eq!(status, Status::Created, "{created}");
        assert_eq!(created["name"], preset_name.as_str());
        assert_eq!(created["owner"], name.as_str());
        let (_, listed) = call(&client, Method::Get, "/api/strategies", Some(&secret), None).await;
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
        assert_eq!(listed[0]["name"], preset_name.as_str());
        // Tickers: rejected with the field named, on every route taking one.
        for path in ["/api/strategies", "/api/backtests", "/run_backtest"] {
            let mut request = json!({"ticker": text});
            if path == "/api/strategies" {
                request["name"] = json!("p");
            }
            let (status, body) =
                call(&client, Method::Post, path, Some(&secret), Some(&request)).await;
            assert_eq!(status, Status::BadRequest, "{path}: {body}");
            assert_eq!(body["field"], "ticker", "{path}: {body}");
        }
        // Ids in paths: 400, never a lookup.
        let escaped: String = text.bytes().map(|b| format!("%{b:02X}")).collect();
        let (status, body) = call(
            &client,
            Method::Get,
            &format!("/status/{escaped}"),
            Some(&secret),
            None,
        )
        .await;
        assert_eq!(status, Status::BadRequest, "{body}");
        assert_eq!(body["field"], "run_id");
        let (status, body) = call(
            &client,
            Method::Delete,
            &format!("/api/strategies/{escaped}"),
            Some(&secret),
            None,
        )
        .await;
        assert_eq!(status, Status::BadRequest, "{body}");
        assert_eq!(body["field"], "id");
    }
    // Nothing was executed: every table is still there and full.
    assert!(table_rows(&client, "api_tokens").await >= HOSTILE.len() as i64);
    assert!(table_rows(&client, "strategy_presets").await >= HOSTILE.len() as i64);
    table_rows(&client, "backtest_results").await;
}
