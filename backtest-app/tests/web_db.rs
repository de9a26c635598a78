//! Web tests of the database routes, each run twice: against a fresh
//! SQLite file (`sqlite::...`) and against the MySQL/MariaDB database of
//! `TEST_MYSQL_URL` (`mysql::...`; see `support/mod.rs` for
//! `SKIP_MYSQL_TESTS`). On both backends each test has a database of its
//! own, so counts and pages are exact.

#[macro_use]
mod support;

use backtest_app::db::runs;
use backtest_app::db::Db;
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket_db_pools::Database;
use serde_json::{json, Value};
use support::{unique, Kind, TestDb};

async fn client(db: &TestDb) -> Client {
    support::started_client(db.config()).await
}

async fn json_body(response: LocalResponse<'_>) -> Value {
    let text = response.into_string().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

async fn post_json(client: &Client, path: &str, body: &Value) -> (Status, Value) {
    let response = client
        .post(path)
        .header(ContentType::JSON)
        .body(body.to_string())
        .dispatch()
        .await;
    let status = response.status();
    (status, json_body(response).await)
}

async fn get_json(client: &Client, path: &str) -> (Status, Value) {
    let response = client.get(path).dispatch().await;
    let status = response.status();
    (status, json_body(response).await)
}

on_both_databases!(
    ready_when_the_database_answers,
    presets_create_list_load_delete,
    duplicate_preset_name_is_409,
    concurrent_presets_are_created_or_409_never_500,
    malformed_presets_are_400,
    runs_are_paginated_newest_first,
    metrics_count_runs_by_status,
    database_down_is_503_json,
    status_serves_the_stored_result_verbatim,
);

async fn ready_when_the_database_answers(db: TestDb) {
    let client = client(&db).await;
    let (status, body) = get_json(&client, "/ready").await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["status"], "ready");
}

async fn presets_create_list_load_delete(db: TestDb) {
    let client = client(&db).await;
    let name = unique("preset");
    let (status, created) = post_json(
        &client,
        "/api/strategies",
        &json!({
            "name": format!("  {name}  "),
            "ticker": "goog",
            "rule_type": "rsi",
            "params": {"period": 10},
            "start_date": "2005-01-01",
            "end_date": "2010-12-31",
            "initial_capital": 50000,
            "fee_rate": 0.002,
            "slippage_bps": 5,
            "position_size": 50,
            "size_type": "percent",
            "direction": "longshort",
            "timeframe": "1d"
        }),
    )
    .await;
    assert_eq!(status, Status::Created, "{created}");
    assert_eq!(created["name"], name.as_str(), "name is trimmed");
    assert_eq!(created["ticker"], "GOOG", "ticker is upper-cased");
    assert_eq!(created["rule_type"], "RSI", "rule type is canonical");
    assert_eq!(
        created["params"],
        json!({"period": 10, "oversold": 30.0, "overbought": 70.0}),
        "params completed with the rule's defaults"
    );
    assert_eq!(created["size_type"], "percent");
    assert_eq!(created["initial_capital"], 50000);
    let id = created["id"].as_i64().expect("an integer id");
    assert!(created["created_at"].as_str().is_some());

    let (status, list) = get_json(&client, "/api/strategies").await;
    assert_eq!(status, Status::Ok);
    let listed = list
        .as_array()
        .expect("an array")
        .iter()
        .find(|p| p["id"] == id)
        .cloned()
        .expect("the new preset is listed");
    assert_eq!(listed, created, "the list returns what was stored");

    // A loaded preset is a valid request once its name and id are dropped.
    let mut request = listed;
    if let Some(map) = request.as_object_mut() {
        for key in ["id", "name", "created_at"] {
            map.remove(key);
        }
        map.insert("charts".to_owned(), json!(false));
    }
    let (status, result) = post_json(&client, "/run_backtest", &request).await;
    assert_eq!(status, Status::Ok, "{result}");
    assert_eq!(result["rule_id"], "RSI_10_30_70");

    let response = client
        .delete(format!("/api/strategies/{id}"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(json_body(response).await, json!({"deleted": id}));
    let response = client
        .delete(format!("/api/strategies/{id}"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::NotFound);
    let body = json_body(response).await;
    assert_eq!(body["error"], format!("no preset with id {id}"));
    let (_, list) = get_json(&client, "/api/strategies").await;
    assert!(!list
        .as_array()
        .is_some_and(|l| l.iter().any(|p| p["id"] == id)));

    for bad_id in ["abc", "0", "-3", "1.5", "99999999999999999999"] {
        let response = client
            .delete(format!("/api/strategies/{bad_id}"))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::BadRequest, "{bad_id}");
        assert_eq!(json_body(response).await["field"], "id");
    }
}

async fn duplicate_preset_name_is_409(db: TestDb) {
    let client = client(&db).await;
    let name = unique("dup");
    let preset = json!({"name": name, "ticker": "GOOG"});
    let (status, first) = post_json(&client, "/api/strategies", &preset).await;
    assert_eq!(status, Status::Created, "{first}");
    let (status, body) = post_json(
        &client,
        "/api/strategies",
        &json!({"name": name, "ticker": "GOOG", "rule_type": "MACD"}),
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(
        body,
        json!({"error": format!("a preset named `{name}` already exists"), "field": "name"})
    );
    // Nothing half-written: exactly one preset carries the name.
    let (_, list) = get_json(&client, "/api/strategies").await;
    let same: Vec<&Value> = list
        .as_array()
        .map(|l| l.iter().filter(|p| p["name"] == name.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(same.len(), 1);
    assert_eq!(same[0]["rule_type"], "RSI");
}

/// Regression (found by the API fuzzing): presets saved at the same time
/// made SQLite answer "database is locked", a 500, because the insert
/// followed a read in the same transaction.
async fn concurrent_presets_are_created_or_409_never_500(db: TestDb) {
    let client = client(&db).await;
    let names = [unique("race-a"), unique("race-b")];
    let bodies: Vec<String> = (0..16)
        .map(|i| json!({"name": names[i % 2], "ticker": "GOOG"}).to_string())
        .collect();
    let responses = futures_util::future::join_all(bodies.iter().map(|body| {
        client
            .post("/api/strategies")
            .header(ContentType::JSON)
            .body(body)
            .dispatch()
    }))
    .await;
    let mut created = 0;
    for response in responses {
        let status = response.status();
        let body = json_body(response).await;
        match status {
            Status::Created => created += 1,
            Status::Conflict => assert_eq!(body["field"], "name", "{body}"),
            other => panic!("{other}: {body}"),
        }
    }
    // Each name once.
    assert_eq!(created, 2);
    let (_, list) = get_json(&client, "/api/strategies").await;
    for name in &names {
        let count = list.as_array().map_or(0, |l| {
            l.iter().filter(|p| p["name"] == name.as_str()).count()
        });
        assert_eq!(count, 1, "{name}: {list}");
    }
}

async fn malformed_presets_are_400(db: TestDb) {
    let client = client(&db).await;
    let name = unique("bad");
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"ticker": "GOOG"}), "name", "missing field `name`"),
        (json!({"name": "", "ticker": "GOOG"}), "name", "1 to 100"),
        (json!({"name": "   ", "ticker": "GOOG"}), "name", "1 to 100"),
        (
            json!({"name": "x".repeat(101), "ticker": "GOOG"}),
            "name",
            "1 to 100",
        ),
        (json!({"name": 7, "ticker": "GOOG"}), "name", "invalid type"),
        (
            json!({"name": "a\u{7}b", "ticker": "GOOG"}),
            "name",
            "control",
        ),
        (json!({"name": name}), "ticker", "missing field `ticker`"),
        (
            json!({"name": name, "ticker": "../etc/passwd"}),
            "ticker",
            "invalid ticker",
        ),
        (
            json!({"name": name, "ticker": "GOOG", "rule_type": "NOPE"}),
            "rule_type",
            "NOPE",
        ),
        (
            json!({"name": name, "ticker": "GOOG", "params": {"period": 0}}),
            "params.period",
            "[2, 200]",
        ),
        (
            json!({"name": name, "ticker": "GOOG", "fee_rate": 1.0}),
            "fee_rate",
            "[0, 1)",
        ),
        (
            json!({"name": name, "ticker": "GOOG", "initial_capital": -5}),
            "initial_capital",
            "positive",
        ),
        (
            json!({"name": name, "ticker": "GOOG", "start_date": "2020-02-31"}),
            "start_date",
            "not a valid date",
        ),
        (
            json!({"name": name, "ticker": "GOOG", "colour": "red"}),
            "colour",
            "unknown field",
        ),
        (
            json!({"name": name, "ticker": "GOOG", "run_id": "x"}),
            "run_id",
            "not a run",
        ),
        (json!([{"name": name}]), "body", "not an array"),
    ];
    for (body, field, message) in cases {
        let (status, answer) = post_json(&client, "/api/strategies", &body).await;
        assert_eq!(status, Status::BadRequest, "{body} -> {answer}");
        assert_eq!(answer["field"], field, "{body} -> {answer}");
        assert!(
            answer["error"]
                .as_str()
                .is_some_and(|e| e.contains(message)),
            "{body} -> {answer}"
        );
    }
    let response = client
        .post("/api/strategies")
        .body(r#"{"name": "x", "#)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    assert_eq!(json_body(response).await["field"], "body");
    // None of them was stored.
    let (_, list) = get_json(&client, "/api/strategies").await;
    assert!(!list
        .as_array()
        .is_some_and(|l| l.iter().any(|p| p["name"] == name.as_str())));
}

/// Inserts `n` queued runs with fresh ids; returns the ids.
async fn insert_runs(client: &Client, n: usize) -> Vec<String> {
    let pool = Db::fetch(client.rocket()).expect("the pool");
    let mut ids = Vec::new();
    for _ in 0..n {
        let run_id = uuid::Uuid::new_v4().to_string();
        runs::insert_queued(pool, &support::new_run(&run_id))
            .await
            .expect("insert a run");
        ids.push(run_id);
        // Distinct created_at (millisecond resolution) for a stable order.
        rocket::tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    ids
}

/// Marks the test's runs failed so that no launcher picks them up later.
async fn finish_runs(client: &Client, ids: &[String]) {
    let pool = Db::fetch(client.rocket()).expect("the pool");
    for id in ids {
        runs::fail(pool, id, "finished by the test")
            .await
            .expect("fail a run");
    }
}

async fn runs_are_paginated_newest_first(db: TestDb) {
    let client = client(&db).await;
    let ids = insert_runs(&client, 5).await;

    let (status, page) = get_json(&client, "/api/runs?page=1&limit=2").await;
    assert_eq!(status, Status::Ok, "{page}");
    assert_eq!(page["page"], 1);
    assert_eq!(page["limit"], 2);
    let total = page["total"].as_i64().expect("total");
    assert!(total >= 5);
    assert_eq!(page["runs"].as_array().map(Vec::len), Some(2));
    let run = &page["runs"][0];
    for key in ["run_id", "ticker", "rule_type", "status", "created_at"] {
        assert!(!run[key].is_null(), "{key} in {run}");
    }

    // Walk every page: each of our runs appears once, newest first.
    let mut seen = Vec::new();
    let pages = (total + 99) / 100 + 1;
    for number in 1..=pages {
        let (status, page) = get_json(&client, &format!("/api/runs?page={number}&limit=100")).await;
        assert_eq!(status, Status::Ok);
        for run in page["runs"].as_array().cloned().unwrap_or_default() {
            if let Some(id) = run["run_id"].as_str() {
                if ids.iter().any(|i| i == id) {
                    seen.push(id.to_owned());
                }
            }
        }
    }
    let mut expected = ids.clone();
    expected.reverse();
    assert_eq!(seen, expected, "each run once, newest first");

    // Alone in this database: exact pages.
    assert_eq!(total, 5);
    let (_, page) = get_json(&client, "/api/runs?page=3&limit=2").await;
    assert_eq!(page["runs"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["runs"][0]["run_id"], ids[0].as_str());
    let (_, page) = get_json(&client, "/api/runs?page=4&limit=2").await;
    assert_eq!(page["runs"], json!([]));
    let (_, page) = get_json(&client, "/api/runs").await;
    assert_eq!(page["limit"], 20);
    assert_eq!(page["runs"].as_array().map(Vec::len), Some(5));
    finish_runs(&client, &ids).await;
}

/// The value of a series line, e.g. `backtest_runs{status="queued"}`.
fn series_value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

/// Stores `result_json` as the completed result of `run_id`, whatever state a
/// launcher of a concurrent test has moved it to.
async fn store_result(client: &Client, run_id: &str, result_json: &str) {
    let pool = Db::fetch(client.rocket()).expect("the pool");
    sqlx::query(
        "UPDATE backtest_results SET status = 'completed', result_json = ?, fingerprint = 'f1' \
         WHERE run_id = ?",
    )
    .bind(result_json)
    .bind(run_id)
    .execute(&**pool)
    .await
    .expect("store a result");
}

async fn status_serves_the_stored_result_verbatim(db: TestDb) {
    let client = client(&db).await;
    let ids = insert_runs(&client, 2).await;
    let (status, unfinished) = get_json(&client, &format!("/status/{}", ids[0])).await;
    assert_eq!(status, Status::Ok);
    if unfinished["status"] != "completed" {
        assert!(unfinished["result"].is_null(), "{unfinished}");
    }

    // Spacing and number spelling a re-encoder would change.
    let stored = r#"{"status": "completed",  "total": 1.50, "nested": {"b": [1, 2e0]}}"#;
    store_result(&client, &ids[0], stored).await;
    let response = client.get(format!("/status/{}", ids[0])).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let text = response.into_string().await.unwrap_or_default();
    assert!(
        text.contains(&format!(r#""result":{stored}"#)),
        "result not verbatim: {text}"
    );
    let body: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(body["run_id"], ids[0].as_str());
    assert_eq!(body["status"], "completed");
    assert_eq!(body["fingerprint"], "f1");
    assert_eq!(body["result"]["nested"]["b"][1], 2.0);

    // A corrupt stored result is a 500, never invalid JSON sent on.
    store_result(&client, &ids[1], r#"{"status": "comp"#).await;
    let (status, body) = get_json(&client, &format!("/status/{}", ids[1])).await;
    assert_eq!(status, Status::InternalServerError, "{body}");
}

async fn metrics_text(client: &Client) -> String {
    let response = client.get("/metrics").dispatch().await;
    response.into_string().await.unwrap_or_default()
}

async fn metrics_count_runs_by_status(db: TestDb) {
    let client = client(&db).await;
    let before = metrics_text(&client).await;
    let queued = r#"backtest_runs{status="queued"}"#;
    let failed = r#"backtest_runs{status="failed"}"#;
    let queued_before = series_value(&before, queued).expect("queued series");
    let ids = insert_runs(&client, 2).await;
    let pool = Db::fetch(client.rocket()).expect("the pool");
    let failed_now = runs::fail(pool, &ids[0], "test failure")
        .await
        .expect("fail a run");
    assert!(failed_now, "the queued run is failed by this call");
    let after = metrics_text(&client).await;
    let queued_after = series_value(&after, queued).expect("queued series");
    let failed_after = series_value(&after, failed).expect("failed series");
    assert_eq!(queued_before, 0.0);
    assert_eq!(queued_after, 1.0);
    assert_eq!(failed_after, 1.0);
    assert_eq!(
        series_value(&after, r#"backtest_runs{status="failed"}"#),
        Some(1.0)
    );
    assert!(after.contains(r#"backtest_runs{status="completed"}"#));
    assert!(after.contains(r#"backtest_runs{status="running"}"#));
    finish_runs(&client, &ids[1..]).await;
}

async fn database_down_is_503_json(db: TestDb) {
    let client = client(&db).await;
    Db::fetch(client.rocket()).expect("the pool").close().await;

    let (status, body) = get_json(&client, "/ready").await;
    assert_eq!(status, Status::ServiceUnavailable);
    assert_eq!(body["status"], "unavailable");

    let (status, body) = get_json(&client, "/api/strategies").await;
    assert_eq!(status, Status::ServiceUnavailable, "{body}");
    assert_eq!(body["error"], "Database unavailable");
    assert!(body["request_id"].as_str().is_some());
    let (status, body) = post_json(
        &client,
        "/api/strategies",
        &json!({"name": unique("down"), "ticker": "GOOG"}),
    )
    .await;
    assert_eq!(status, Status::ServiceUnavailable, "{body}");
    let (status, _) = get_json(&client, "/api/runs").await;
    assert_eq!(status, Status::ServiceUnavailable);

    // What needs no database keeps working.
    let (status, _) = get_json(&client, "/health").await;
    assert_eq!(status, Status::Ok);
    let (status, result) = post_json(
        &client,
        "/run_backtest",
        &json!({"ticker": "GOOG", "charts": false, "start_date": "2010-01-01"}),
    )
    .await;
    assert_eq!(status, Status::Ok, "{result}");
    let response = client.get("/metrics").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let text = response.into_string().await.unwrap_or_default();
    assert!(text.contains("http_requests_total"));
    assert!(!text.contains("backtest_runs{"), "no stale run counts");
}
