//! Web tests that need no shared database: every non-database route,
//! `/run_backtest` on the demo data, a table of malformed requests, JSON
//! errors for unknown routes, request ids and `/metrics`. Each test gets
//! its own temporary SQLite database (the app needs one to start).

mod malformed_cases;
mod support;

use malformed_cases::malformed_requests;
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::{json, Value};
use support::TestDb;

async fn client() -> (Client, TestDb) {
    let db = TestDb::sqlite();
    let client = support::started_client(db.config()).await;
    (client, db)
}

async fn json_body(response: LocalResponse<'_>) -> Value {
    let text = response.into_string().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn is_json(response: &LocalResponse<'_>) -> bool {
    response.content_type() == Some(ContentType::JSON)
}

#[rocket::async_test]
async fn health_is_ok() {
    let (client, _db) = client().await;
    let response = client.get("/health").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert!(is_json(&response));
    assert_eq!(json_body(response).await, json!({"status": "ok"}));
}

#[rocket::async_test]
async fn dashboard_renders_with_tickers_and_rules() {
    let (client, _db) = client().await;
    let response = client.get("/").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::HTML));
    let html = response.into_string().await.unwrap_or_default();
    assert!(html.contains("GOOG"), "tickers from the data directory");
    for select in [
        r#"<option value="AAPL" selected>"#,
        r#"<option value="SPY" selected>"#,
    ] {
        assert!(html.contains(select), "AAPL and SPY preselected: {select}");
    }
    assert!(html.contains("MACD"), "rule types");
    assert!(html.contains(env!("CARGO_PKG_VERSION")), "version");
}

#[rocket::async_test]
async fn static_assets_are_served() {
    let (client, _db) = client().await;
    let response = client.get("/static/css/app.css").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::CSS));
    // The dashboard's ES modules: browsers run them only with a JavaScript type.
    for module in ["/static/js/main.js", "/static/js/dash/api.js"] {
        let response = client.get(module).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "{module}");
        assert_eq!(
            response.content_type(),
            Some(ContentType::JavaScript),
            "{module}"
        );
    }
    let response = client.get("/static/../Cargo.toml").dispatch().await;
    assert_eq!(response.status(), Status::NotFound);
    assert!(is_json(&response));
}

#[rocket::async_test]
async fn rules_list_parameter_metadata() {
    let (client, _db) = client().await;
    let response = client.get("/api/rules").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let rules = json_body(response).await;
    let rules = rules.as_array().expect("an array of rules");
    let rsi = rules
        .iter()
        .find(|r| r["rule_type"] == "RSI")
        .expect("RSI is listed");
    assert!(rsi["description"].as_str().is_some_and(|d| !d.is_empty()));
    let params = rsi["params"].as_array().expect("RSI params");
    assert!(params.iter().any(|p| p["name"] == "period"));
    assert!(rules.len() >= 5, "the registry has several rules");
}

#[rocket::async_test]
async fn run_backtest_returns_the_full_result() {
    let (client, _db) = client().await;
    let response = client
        .post("/run_backtest")
        .header(ContentType::JSON)
        .body(
            json!({
                "ticker": "GOOG", "rule_type": "RSI",
                "params": {"period": 14, "oversold": 30, "overbought": 70},
                "start_date": "2005-01-01", "end_date": "2012-12-31",
                "charts": false
            })
            .to_string(),
        )
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert!(is_json(&response));
    let run_id = response
        .headers()
        .get_one("X-Run-Id")
        .expect("X-Run-Id header")
        .to_owned();
    let result = json_body(response).await;
    assert_eq!(result["status"], "completed");
    assert_eq!(result["run_id"], run_id.as_str());
    assert!(uuid::Uuid::parse_str(&run_id).is_ok_and(|u| u.get_version_num() == 4));
    assert_eq!(result["rule_id"], "RSI_14_30_70");
    assert!(result["metrics"]["num_trades"].as_u64().is_some());
    assert!(result["equity_curve"]
        .as_array()
        .is_some_and(|c| c.len() > 1500));
    assert!(result["chart_base64"].is_null(), "charts: false");
}

#[rocket::async_test]
async fn benchmark_and_stops_in_the_result() {
    let (client, _db) = client().await;
    let run = |benchmark: Value| {
        let mut body = json!({
            "ticker": "AAPL", "start_date": "2015-01-01", "end_date": "2019-12-31",
            "stop_loss_pct": 3, "charts": false
        });
        body["benchmark"] = benchmark;
        let client = &client;
        async move {
            let response = client
                .post("/run_backtest")
                .header(ContentType::JSON)
                .body(body.to_string())
                .dispatch()
                .await;
            assert_eq!(response.status(), Status::Ok);
            json_body(response).await
        }
    };
    let spy = run(json!("spy")).await;
    assert_eq!(spy["benchmark"], "SPY");
    let curve = spy["benchmark_curve"].as_array().expect("benchmark_curve");
    assert_eq!(
        curve.len(),
        spy["equity_curve"].as_array().map_or(0, Vec::len)
    );
    assert_eq!(curve[0]["equity"], 100000.0);
    assert!(spy["trades"]
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t["exit_reason"] == "stop_loss")));
    assert!(spy["signals"]
        .as_array()
        .is_some_and(|s| s.iter().any(|s| s["exit_reason"] == "stop_loss")));
    let own = run(Value::Null).await;
    assert_eq!(own["benchmark"], "AAPL");
    assert_ne!(own["metrics"]["beta"], spy["metrics"]["beta"]);
    assert_eq!(
        own["trades"], spy["trades"],
        "the benchmark does not change the trades"
    );

    // The asynchronous submit refuses an unknown benchmark before queueing.
    let response = client
        .post("/api/backtests")
        .header(ContentType::JSON)
        .body(r#"{"ticker": "AAPL", "benchmark": "ZZZZ"}"#)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    assert_eq!(json_body(response).await["field"], "benchmark");
}

#[rocket::async_test]
async fn run_backtest_renders_charts_by_default() {
    let (client, _db) = client().await;
    let response = client
        .post("/run_backtest")
        .body(r#"{"ticker": "goog", "start_date": "2010-01-01", "end_date": "2011-01-01"}"#)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let result = json_body(response).await;
    for chart in [
        &result["chart_base64"],
        &result["charts"]["drawdown_curve_base64"],
        &result["charts"]["portfolio_orders_base64"],
        &result["charts"]["trade_pnl_base64"],
        &result["charts"]["cumulative_return_base64"],
    ] {
        assert!(
            chart
                .as_str()
                .is_some_and(|c| c.starts_with("data:image/png;base64,")),
            "chart {chart}"
        );
    }
}

#[rocket::async_test]
async fn malformed_requests_are_400_with_field_and_message() {
    let (client, _db) = client().await;
    let cases = malformed_requests();
    assert!(cases.len() >= 40, "at least 40 cases, got {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let response = client
            .post("/run_backtest")
            .header(ContentType::JSON)
            .body(&case.body)
            .dispatch()
            .await;
        let status = response.status();
        let json_type = is_json(&response);
        let text = response.into_string().await.unwrap_or_default();
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let error = body["error"].as_str().unwrap_or_default();
        let field = body["field"].as_str().unwrap_or_default();
        let ok = status == Status::BadRequest
            && json_type
            && field == case.field
            && !error.is_empty()
            && error.contains(case.message);
        if !ok {
            failures.push(format!(
                "{}: got {status} {text} (want 400, field {:?}, message containing {:?})",
                case.name, case.field, case.message
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[rocket::async_test]
async fn oversized_body_is_413_json() {
    let (client, _db) = client().await;
    let padding = "x".repeat(2 * 1024 * 1024);
    let body = format!(r#"{{"ticker": "GOOG", "rule_id": "{padding}"}}"#);
    let response = client.post("/run_backtest").body(body).dispatch().await;
    assert_eq!(response.status(), Status::PayloadTooLarge);
    assert!(is_json(&response));
    let body = json_body(response).await;
    assert_eq!(body["field"], "body");
    assert!(body["error"]
        .as_str()
        .is_some_and(|e| e.contains("too large")));
}

#[rocket::async_test]
async fn unknown_routes_are_json_404() {
    let (client, _db) = client().await;
    for (method, path) in [
        ("GET", "/api/nope"),
        ("GET", "/api"),
        ("POST", "/api/rules"),
        ("PUT", "/api/strategies"),
        ("GET", "/run_backtest"),
        ("GET", "/no/such/page"),
        ("GET", "/static/missing.js"),
    ] {
        let request = match method {
            "GET" => client.get(path),
            "POST" => client.post(path),
            _ => client.put(path),
        };
        let response = request.dispatch().await;
        assert_eq!(response.status(), Status::NotFound, "{method} {path}");
        assert!(is_json(&response), "{method} {path} answers JSON");
        let body = json_body(response).await;
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
}

#[rocket::async_test]
async fn request_ids_are_echoed_or_issued() {
    let (client, _db) = client().await;
    let response = client
        .get("/health")
        .header(Header::new("X-Request-Id", "req-123"))
        .dispatch()
        .await;
    assert_eq!(response.headers().get_one("X-Request-Id"), Some("req-123"));
    let response = client.get("/health").dispatch().await;
    let issued = response
        .headers()
        .get_one("X-Request-Id")
        .unwrap_or_default();
    assert!(uuid::Uuid::parse_str(issued).is_ok(), "issued {issued:?}");
    // An id that could forge log lines is replaced.
    let response = client
        .get("/health")
        .header(Header::new("X-Request-Id", "a b\tc"))
        .dispatch()
        .await;
    let replaced = response
        .headers()
        .get_one("X-Request-Id")
        .unwrap_or_default();
    assert!(
        uuid::Uuid::parse_str(replaced).is_ok(),
        "replaced {replaced:?}"
    );
}

#[rocket::async_test]
async fn metrics_expose_requests_latency_runs_and_build() {
    let (client, _db) = client().await;
    client.get("/health").dispatch().await;
    client.get("/api/nope").dispatch().await;
    client
        .post("/run_backtest")
        .body(r#"{"ticker": "GOOG", "charts": false}"#)
        .dispatch()
        .await;
    client.post("/run_backtest").body("{}").dispatch().await;
    client.delete("/api/strategies/123456789").dispatch().await;
    let response = client.get("/metrics").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let content_type = response
        .content_type()
        .map(|c| c.to_string())
        .unwrap_or_default();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = response.into_string().await.unwrap_or_default();
    for series in [
        "# TYPE http_requests_total counter",
        r#"http_requests_total{method="GET",route="/health",status="200"} 1"#,
        r#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        r#"http_requests_total{method="POST",route="/run_backtest",status="200"} 1"#,
        r#"http_requests_total{method="POST",route="/run_backtest",status="400"} 1"#,
        r#"http_requests_total{method="DELETE",route="/api/strategies/<id>",status="404"} 1"#,
        "# TYPE http_request_duration_seconds histogram",
        r#"http_request_duration_seconds_bucket{method="POST",route="/run_backtest",le="+Inf"} 2"#,
        r#"http_request_duration_seconds_count{method="GET",route="/health"} 1"#,
        r#"backtest_sync_runs_total{outcome="completed"} 1"#,
        r#"backtest_sync_runs_total{outcome="invalid"} 1"#,
        "# TYPE backtest_runs gauge",
        r#"backtest_runs{status="queued"} 0"#,
        r#"backtest_runs{status="completed"} 0"#,
        &format!(
            r#"backtest_build_info{{version="{}"}} 1"#,
            env!("CARGO_PKG_VERSION")
        ),
    ] {
        assert!(text.contains(series), "missing {series:?} in:\n{text}");
    }
    assert!(!text.contains("/api/nope"), "raw paths never become labels");
}

/// Regression (found by the API fuzzing): a query parameter given twice
/// was silently ignored (Rocket's `Option<&str>` reads a repeated field as
/// absent), so `?page=7&page=7` answered page 1.
#[rocket::async_test]
async fn repeated_query_parameters_are_400() {
    let (client, _db) = client().await;
    let sweep = "/api/sweeps/00000000-0000-4000-8000-000000000000";
    for (path, field) in [
        ("/api/runs?page=2&page=2".to_owned(), "page"),
        ("/api/runs?limit=5&limit=6".to_owned(), "limit"),
        ("/api/sweeps?page=1&page=1".to_owned(), "page"),
        (format!("{sweep}/results?order=asc&order=desc"), "order"),
        (format!("{sweep}/results?fold=0&fold=0"), "fold"),
        (format!("{sweep}/heatmap?x=a&x=b&y=c"), "x"),
        (format!("{sweep}/heatmap.png?x=a&y=b&y=c"), "y"),
    ] {
        let response = client.get(path.as_str()).dispatch().await;
        assert_eq!(response.status(), Status::BadRequest, "{path}");
        assert!(is_json(&response), "{path}");
        let body = json_body(response).await;
        assert_eq!(body["field"], field, "{path}: {body}");
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|e| e.contains("2 times")),
            "{path}: {body}"
        );
    }
    // Once is fine.
    let response = client.get("/api/runs?page=1&limit=5").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
}

#[rocket::async_test]
async fn runs_paging_parameters_are_checked() {
    let (client, _db) = client().await;
    for (query, field) in [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=x", "page"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=1e3", "limit"),
    ] {
        let response = client.get(format!("/api/runs?{query}")).dispatch().await;
        assert_eq!(response.status(), Status::BadRequest, "{query}");
        let body = json_body(response).await;
        assert_eq!(body["field"], field, "{query}");
        assert!(body["error"]
            .as_str()
            .is_some_and(|e| e.contains("integer")));
    }
    let response = client.get("/api/runs").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let body = json_body(response).await;
    assert_eq!(
        body,
        json!({"runs": [], "page": 1, "limit": 20, "total": 0})
    );
}

#[rocket::async_test]
async fn sync_runs_beyond_the_slots_are_503_with_retry_after() {
    let db = TestDb::sqlite();
    let mut config = db.config();
    config.max_sync_runs = Some(1);
    let client = support::started_client(config).await;
    let slots = client
        .rocket()
        .state::<backtest_app::web::backtest::SyncSlots>()
        .expect("managed slots")
        .clone();
    let run = || {
        client
            .post("/run_backtest")
            .header(ContentType::JSON)
            .body(r#"{"ticker": "GOOG", "charts": false}"#)
            .dispatch()
    };
    // The one slot is taken, as by a run computing.
    let held = slots.try_acquire().expect("a free slot");
    assert!(slots.try_acquire().is_none(), "one slot only");
    let response = run().await;
    assert_eq!(response.status(), Status::ServiceUnavailable);
    assert_eq!(response.headers().get_one("Retry-After"), Some("1"));
    assert!(is_json(&response));
    let body = json_body(response).await;
    assert!(
        body["error"].as_str().is_some_and(|e| e.contains("retry")),
        "{body}"
    );
    assert!(body["run_id"].is_string(), "{body}");
    // Bad input is still a 400, busy or not.
    let response = client.post("/run_backtest").body("{}").dispatch().await;
    assert_eq!(response.status(), Status::BadRequest);
    drop(held);
    let response = run().await;
    assert_eq!(response.status(), Status::Ok);
    // The run gave its slot back.
    assert!(slots.try_acquire().is_some());
    let text = client
        .get("/metrics")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap_or_default();
    assert!(
        text.contains(r#"backtest_sync_runs_total{outcome="busy"} 1"#),
        "{text}"
    );
}
