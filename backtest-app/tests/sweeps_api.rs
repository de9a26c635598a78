//! Sweeps through the API end to end, on SQLite and MySQL/MariaDB
//! (`TEST_MYSQL_URL`; each test its own database): the real `backtest
//! serve` with the local launcher spawning real shard workers, checked
//! against `backtest optimize` run separately on the same file.
//!
//! - 1, 3 and 8 shards: the stored rows equal optimize's row for row (same
//!   order, same parameters, metrics equal to the last bit), every
//!   combination stored exactly once; pages, best row and heatmap agree;
//!   the detail carries the backtest request the combinations run with;
//! - walk-forward with 3 shards: folds, out-of-sample curve and efficiency
//!   equal `optimize --walk-forward`, and each fold's choice equals an
//!   optimize run over that fold's training dates;
//! - every rejection the issue lists is a 400 naming the field.

mod jobs_common;
mod sweeps_common;

use jobs_common::{Kind, Server, TestDb};
use serde_json::{json, Value};
use sweeps_common::{all_results, body, get, optimize, rows, submit, wait_completed, TICKER};

fn grid() -> Value {
    json!({"period": {"start": 8, "stop": 20, "step": 4}, "oversold": [25, 30], "overbought": [65, 75]})
}

fn shards_equal_optimize(kind: Kind) {
    let Some(db) = TestDb::of(kind) else { return };
    let server = Server::start(&db.url, &[]);
    let reference = optimize(&grid(), &["--objective", "sharpe"]);
    let expected = rows(reference["results"].as_array().expect("results"));
    assert_eq!(expected.len(), 16);
    for shards in [1u64, 3, 8] {
        let id = submit(
            &server,
            &body(&grid(), &json!({"shards": shards, "objective": "sharpe"})),
        );
        let detail = wait_completed(&server, &id);
        assert_eq!(
            detail["progress"],
            json!({"done": 16, "total": 16, "shards_done": shards, "shards": shards}),
            "{detail}"
        );
        let results = all_results(&server, &id, 16);
        assert_eq!(
            rows(&results),
            expected,
            "{shards} shards differ from optimize"
        );
        assert_eq!(
            json!([
                detail["best"]["params"],
                detail["best"]["rule_id"],
                detail["best"]["metrics"]
            ]),
            expected[0]
        );
        for sql in [
            format!("SELECT COUNT(*) FROM sweep_results WHERE sweep_id = '{id}'"),
            format!(
                "SELECT COUNT(DISTINCT combo_index) FROM sweep_results WHERE sweep_id = '{id}'"
            ),
        ] {
            assert_eq!(db.count(&sql), 16, "{sql}");
        }
        for key in ["created_at", "started_at", "finished_at"] {
            assert!(detail[key].is_string(), "{key}: {detail}");
        }
        // The settings a client needs to run one combination in full.
        assert_eq!(detail["request"]["ticker"], TICKER, "{detail}");
        assert_eq!(detail["request"]["rule_type"], "RSI", "{detail}");
        assert_eq!(detail["request"]["params"], json!({}), "{detail}");
        assert!(detail["error_message"].is_null());
    }
    let id = submit(&server, &body(&grid(), &json!({"shards": 2})));
    wait_completed(&server, &id);
    // Pages: the same order, cut.
    let page = get(&server, &format!("/api/sweeps/{id}/results?page=2&limit=5"));
    assert_eq!(page["total"], 16);
    assert_eq!(
        rows(page["results"].as_array().expect("results")),
        expected[5..10].to_vec()
    );
    // Another order: optimize ranked by total return.
    let by_return = optimize(&grid(), &["--objective", "total_return"]);
    let page = get(
        &server,
        &format!("/api/sweeps/{id}/results?sort=total_return_pct&order=desc&limit=16"),
    );
    assert_eq!(
        rows(page["results"].as_array().expect("results")),
        rows(by_return["results"].as_array().expect("results"))
    );
    heatmap_matches_optimize(&server, &id, &reference);
    let list = get(&server, "/api/sweeps?limit=2");
    assert_eq!(list["total"], 4);
    assert_eq!(list["sweeps"][0]["sweep_id"], id.as_str(), "newest first");
}

/// z[row for y][column for x] equals optimize's metric at those two
/// parameters, the third held at the best row's value.
fn heatmap_matches_optimize(server: &Server, id: &str, reference: &Value) {
    let map = get(
        server,
        &format!("/api/sweeps/{id}/heatmap?x=oversold&y=period&metric=total_return_pct"),
    );
    let results = reference["results"].as_array().expect("results");
    let best = &results[0]["params"];
    assert_eq!(map["x"], json!([25, 30]));
    assert_eq!(map["y"], json!([8, 12, 16, 20]));
    assert_eq!(map["fixed"], *best);
    for (yi, period) in map["y"].as_array().expect("y").iter().enumerate() {
        for (xi, oversold) in map["x"].as_array().expect("x").iter().enumerate() {
            let row = results
                .iter()
                .find(|r| {
                    let p = &r["params"];
                    p["period"].as_f64() == period.as_f64()
                        && p["oversold"].as_f64() == oversold.as_f64()
                        && p["overbought"] == best["overbought"]
                })
                .expect("optimize has the cell");
            assert_eq!(
                map["z"][yi][xi], row["metrics"]["total_return_pct"],
                "cell ({xi}, {yi})"
            );
        }
    }
    let (code, png) = server.http(
        "GET",
        &format!("/api/sweeps/{id}/heatmap.png?x=period&y=overbought"),
        None,
    );
    assert_eq!(code, 200);
    assert!(png.starts_with("\u{fffd}PNG"), "a PNG body");
}

#[test]
fn shards_equal_optimize_sqlite() {
    shards_equal_optimize(Kind::Sqlite);
}

#[test]
fn shards_equal_optimize_mysql() {
    shards_equal_optimize(Kind::MySql);
}

fn walk_forward_matches_optimize(kind: Kind) {
    let Some(db) = TestDb::of(kind) else { return };
    let server = Server::start(&db.url, &[]);
    let grid = json!({"period": [10, 14, 20], "oversold": [25, 30]});
    let windows = json!({"train_bars": 1000, "test_bars": 500});
    let id = submit(
        &server,
        &body(
            &grid,
            &json!({"shards": 3, "objective": "total_return", "walk_forward": windows}),
        ),
    );
    let detail = wait_completed(&server, &id);
    let cli = optimize(
        &grid,
        &["--objective", "total_return", "--walk-forward", "1000:500"],
    );
    let folds = detail["folds"].as_array().expect("folds");
    let cli_folds = cli["folds"].as_array().expect("folds").len();
    assert!(cli_folds > 1, "several folds");
    assert_eq!(folds.len(), cli_folds);
    assert_eq!(detail["folds"], cli["folds"]);
    assert_eq!(detail["oos_equity_curve"], cli["oos_equity_curve"]);
    assert_eq!(detail["efficiency"], cli["efficiency"]);
    assert_eq!(detail["progress"]["total"], 6 * cli_folds);
    assert_eq!(detail["walk_forward"]["step_bars"], 500);
    for fold in folds {
        let train_start = fold["train_start"].as_str().expect("date");
        let train_end = fold["train_end"].as_str().expect("date");
        assert!(
            train_end < fold["test_start"].as_str().expect("date"),
            "training ends before testing starts"
        );
        let own = optimize(
            &grid,
            &[
                "--objective",
                "total_return",
                "--start",
                train_start,
                "--end",
                train_end,
            ],
        );
        assert_eq!(fold["best_params"], own["results"][0]["params"], "{fold}");
        assert_eq!(fold["in_sample"], own["results"][0]["metrics"], "{fold}");
    }
    assert_eq!(
        detail["best"]["params"],
        folds.last().expect("a fold")["best_params"]
    );
    let last = get(
        &server,
        &format!("/api/sweeps/{id}/results?fold={}&limit=6", cli_folds - 1),
    );
    assert_eq!(last["total"], 6);
}

#[test]
fn walk_forward_matches_optimize_sqlite() {
    walk_forward_matches_optimize(Kind::Sqlite);
}

#[test]
fn walk_forward_matches_optimize_mysql() {
    walk_forward_matches_optimize(Kind::MySql);
}

#[test]
fn rejections_name_the_field() {
    let db = TestDb::sqlite();
    let server = Server::start(&db.url, &[]);
    let g = grid();
    let cases = [
        (body(&json!({}), &json!({})), "grid"),
        (json!({"ticker": TICKER}).to_string(), "grid"),
        (body(&json!({"nope": [1, 2]}), &json!({})), "grid.nope"),
        (
            body(
                &json!({"period": {"start": 5, "stop": 20, "step": 0}}),
                &json!({}),
            ),
            "grid.period",
        ),
        (
            body(
                &json!({"period": {"start": 20, "stop": 5, "step": -5}}),
                &json!({}),
            ),
            "grid.period",
        ),
        (body(&json!({"period": [1, 14]}), &json!({})), "grid.period"),
        (
            body(&json!({"oversold": [150]}), &json!({})),
            "grid.oversold",
        ),
        (
            body(
                &json!({"period": {"start": 2, "stop": 200, "step": 1},
                        "oversold": {"start": 1, "stop": 49, "step": 1},
                        "overbought": {"start": 51, "stop": 99, "step": 1}}),
                &json!({}),
            ),
            "grid",
        ),
        (
            body(
                &g,
                &json!({"walk_forward": {"train_bars": 50000, "test_bars": 500}}),
            ),
            "walk_forward",
        ),
        (
            body(
                &g,
                &json!({"walk_forward": {"train_bars": 0, "test_bars": 500}}),
            ),
            "walk_forward.train_bars",
        ),
        (body(&g, &json!({"objective": "luck"})), "objective"),
        (body(&g, &json!({"shards": 0})), "shards"),
        (body(&g, &json!({"shards": 17})), "shards"),
        (
            body(&g, &json!({"search": {"random": {"samples": 0}}})),
            "search.random.samples",
        ),
        (body(&g, &json!({"params": {"period": 14}})), "params"),
        (body(&g, &json!({"ticker": "ZZZZNOTHERE"})), "ticker"),
        (body(&g, &json!({"rule_type": "NOPE"})), "rule_type"),
        (body(&g, &json!({"start_date": "2031-01-01"})), "start_date"),
        (body(&g, &json!({"fee_rate": 2})), "fee_rate"),
        ("[1]".to_owned(), "body"),
    ];
    for (request, field) in &cases {
        let (code, text) = server.http("POST", "/api/sweeps", Some(request));
        assert_eq!(code, 400, "{request}: {text}");
        let v: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(v["field"], *field, "{request}: {text}");
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM sweeps"), 0, "nothing stored");
    // Bad ids and queries.
    let (code, text) = server.http("GET", "/api/sweeps/not-a-uuid", None);
    assert_eq!((code, field(&text)), (400, "sweep_id".to_owned()));
    let unknown = uuid::Uuid::new_v4();
    let (code, _) = server.http("GET", &format!("/api/sweeps/{unknown}"), None);
    assert_eq!(code, 404);
    let id = submit(
        &server,
        &body(&json!({"period": [10, 14]}), &json!({"shards": 1})),
    );
    wait_completed(&server, &id);
    for (query, field_name) in [
        ("results?sort=luck", "sort"),
        ("results?order=up", "order"),
        ("results?limit=3", "limit"),
        ("results?page=0", "page"),
        ("results?fold=1", "fold"),
        ("heatmap?x=period&y=oversold", "y"),
        ("heatmap?y=period", "x"),
    ] {
        let (code, text) = server.http("GET", &format!("/api/sweeps/{id}/{query}"), None);
        assert_eq!(
            (code, field(&text)),
            (400, field_name.to_owned()),
            "{query}: {text}"
        );
    }
    let (code, text) = server.http("DELETE", &format!("/api/sweeps/{id}"), None);
    assert_eq!((code, field(&text)), (409, "sweep_id".to_owned()), "{text}");
}

fn field(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v["field"].as_str().map(str::to_owned))
        .unwrap_or_default()
}
