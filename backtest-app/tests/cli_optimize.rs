//! `backtest optimize` as users run it: JSON and CSV output, random search,
//! walk-forward, and errors, against the library's own grid search and
//! against separate optimize runs over each fold's training dates.

use std::path::PathBuf;
use std::process::{Command, Output};

use backtest_adapter::data::load_csv;
use backtest_core::engine::TradingSettings;
use backtest_core::optimizer::{grid_search, Objective};
use serde_json::{json, Value};

const GRID: &str = r#"{"period": {"start": 8, "stop": 20, "step": 4}, "oversold": [25, 30, 35]}"#;

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/GOOG.csv")
}

fn optimize(extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backtest"))
        .arg("optimize")
        .arg("--data")
        .arg(data())
        .args(["--rule", "RSI"])
        .args(extra)
        .output()
        .expect("the binary runs")
}

fn ok_json(extra: &[&str]) -> Value {
    let out = optimize(extra);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Not a terminal here: no progress bar on stderr.
    assert!(!String::from_utf8_lossy(&out.stderr).contains("combinations (eta"));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn ok_text(extra: &[&str]) -> String {
    let out = optimize(extra);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn failure(extra: &[&str]) -> String {
    let out = optimize(extra);
    assert_eq!(out.status.code(), Some(2), "bad input exits 2");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The CLI's default trading settings.
fn cli_settings() -> TradingSettings {
    TradingSettings::default()
        .with_initial_capital(100_000.0)
        .with_fee_rate(0.001)
        .with_slippage_bps(0.0)
        .with_position_size(10_000.0)
}

/// `[params, rule_id, metrics]` per row, the comparable part of a result.
fn rows(results: &Value) -> Vec<Value> {
    results
        .as_array()
        .expect("results")
        .iter()
        .map(|r| json!([r["params"], r["rule_id"], r["metrics"]]))
        .collect()
}

#[test]
fn json_equals_the_library_grid_search() {
    let out = ok_json(&["--grid", GRID, "--objective", "total_return"]);
    let series = load_csv(data()).expect("loads").series;
    let grid: Value = serde_json::from_str(GRID).expect("grid");
    let reference = grid_search(
        &series,
        "RSI",
        &json!({}),
        &grid,
        &cli_settings(),
        Objective::TotalReturn,
    )
    .expect("searches");
    let expected = serde_json::to_value(&reference.results).expect("serialisable");
    assert_eq!(out["combinations"], json!(12));
    assert_eq!(out["grid_size"], json!(12));
    assert_eq!(
        out["indicators_computed"],
        json!(reference.indicators_computed)
    );
    assert_eq!(rows(&out["results"]), rows(&expected));
    let indices: Vec<u64> = out["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["grid_index"].as_u64())
        .collect();
    let mut sorted = indices.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..12).collect::<Vec<_>>());
}

#[test]
fn csv_carries_the_json_rows_exactly() {
    let args = ["--grid", GRID, "--top", "5"];
    let out = ok_json(&args);
    let csv = ok_text(&[&args[..], &["--format", "csv"]].concat());
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    assert_eq!(
        header,
        [
            "rank",
            "grid_index",
            "rule_id",
            "overbought",
            "oversold",
            "period",
            "total_return_pct",
            "sharpe_ratio",
            "max_drawdown_pct",
            "num_trades",
            "profit_factor"
        ]
    );
    let body: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let results = out["results"].as_array().expect("results");
    assert_eq!(body.len(), 5);
    for (i, (cells, r)) in body.iter().zip(results).enumerate() {
        assert_eq!(cells[0], (i + 1).to_string());
        assert_eq!(cells[1], r["grid_index"].to_string());
        assert_eq!(cells[2], r["rule_id"].as_str().expect("rule_id"));
        for (name, cell) in header[3..].iter().zip(&cells[3..]) {
            let expected = r["params"]
                .get(*name)
                .or_else(|| r["metrics"].get(*name))
                .expect("column");
            match expected.as_f64() {
                // Bit-exact: the cell is the shortest round-trip text.
                Some(x) => assert_eq!(
                    cell.parse::<f64>().map(f64::to_bits),
                    Ok(x.to_bits()),
                    "{name}"
                ),
                None => assert_eq!(*cell, "", "{name} undefined"),
            }
        }
    }
}

#[test]
fn random_search_is_reproducible_and_a_subset_of_the_grid() {
    let big = r#"{"period": {"start": 5, "stop": 25, "step": 1}, "oversold": {"start": 20, "stop": 40, "step": 5}}"#;
    let a = ok_json(&["--grid", big, "--random", "15", "--seed", "7"]);
    let b = ok_json(&["--grid", big, "--random", "15", "--seed", "7"]);
    let c = ok_json(&["--grid", big, "--random", "15", "--seed", "8"]);
    assert_eq!(rows(&a["results"]), rows(&b["results"]));
    assert_ne!(rows(&a["results"]), rows(&c["results"]));
    assert_eq!(
        (a["combinations"].clone(), a["grid_size"].clone()),
        (json!(15), json!(105))
    );
    assert_eq!(a["search"], json!({"random": {"samples": 15, "seed": 7}}));
    let full = rows(&ok_json(&["--grid", big])["results"]);
    for row in rows(&a["results"]) {
        assert!(
            full.contains(&row),
            "{row} is a grid row with the same metrics"
        );
    }
}

#[test]
fn each_walk_forward_fold_equals_an_optimize_run_over_its_training_dates() {
    let grid = r#"{"period": [8, 14, 20], "oversold": [25, 35]}"#;
    let out = ok_json(&[
        "--grid",
        grid,
        "--walk-forward",
        "500:300",
        "--objective",
        "total_return",
    ]);
    let folds = out["folds"].as_array().expect("folds");
    assert_eq!(folds.len(), (2148 - 500) / 300);
    assert_eq!(
        out["walk_forward"],
        json!({"train_bars": 500, "test_bars": 300, "step_bars": 300, "anchored": false})
    );
    assert_eq!(
        out["oos_equity_curve"].as_array().map(Vec::len),
        Some(folds.len() * 300)
    );
    for fold in folds {
        let (start, end) = (
            fold["train_start"].as_str().expect("date"),
            fold["train_end"].as_str().expect("date"),
        );
        let alone = ok_json(&[
            "--grid",
            grid,
            "--objective",
            "total_return",
            "--start",
            start,
            "--end",
            end,
            "--top",
            "1",
        ]);
        assert_eq!(
            fold["best_params"], alone["results"][0]["params"],
            "{start}..{end}"
        );
        assert_eq!(
            fold["in_sample"], alone["results"][0]["metrics"],
            "{start}..{end}"
        );
        assert!(fold["train_end"].as_str() < fold["test_start"].as_str());
    }
    let csv = ok_text(&[
        "--grid",
        grid,
        "--walk-forward",
        "500:300",
        "--objective",
        "total_return",
        "--format",
        "csv",
    ]);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("fold,train_start,train_end,test_start,test_end,rule_id,overbought,oversold,period,is_total_return_pct"));
    assert_eq!(lines.len(), folds.len() + 1);
    assert!(lines[1].starts_with(&format!(
        "1,{},",
        folds[0]["train_start"].as_str().expect("date")
    )));
}

#[test]
fn stop_settings_are_grid_dimensions() {
    let grid = r#"{"period": [10, 14], "stop_loss_pct": [null, 3, 6]}"#;
    let out = ok_json(&["--grid", grid, "--take-profit-pct", "12"]);
    let series = load_csv(data()).expect("loads").series;
    let reference = grid_search(
        &series,
        "RSI",
        &json!({}),
        &serde_json::from_str(grid).expect("grid"),
        &cli_settings().with_take_profit_pct(Some(12.0)),
        Objective::Sharpe,
    )
    .expect("searches");
    assert_eq!(out["combinations"], json!(6));
    let expected = serde_json::to_value(&reference.results).expect("serialisable");
    assert_eq!(rows(&out["results"]), rows(&expected));
    let stops: Vec<&Value> = out["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| &r["params"]["stop_loss_pct"])
        .collect();
    assert!(stops.contains(&&json!(null)) && stops.contains(&&json!(6.0)));
    let stderr = failure(&["--grid", r#"{"stop_loss_pct": [5, 100]}"#]);
    assert!(stderr.contains("stop_loss_pct"), "{stderr}");
}

#[test]
fn bad_input_is_named_and_exits_2() {
    let cases: [(&[&str], &str); 7] = [
        (
            &["--grid", GRID, "--walk-forward", "500"],
            "TRAIN:TEST[:STEP]",
        ),
        (
            &["--grid", GRID, "--walk-forward", "a:b"],
            "TRAIN:TEST[:STEP]",
        ),
        (
            &["--grid", GRID, "--walk-forward", "0:100"],
            "walk_forward.train_bars",
        ),
        (&["--grid", GRID, "--walk-forward", "2000:500"], "no fold"),
        (
            &[
                "--grid",
                r#"{"period": {"start": 5, "stop": 9, "step": 0}}"#,
            ],
            "period",
        ),
        (&["--grid", r#"{"period": [500]}"#], "period"),
        (&["--grid", GRID, "--random", "13"], "search.random.samples"),
    ];
    for (args, needle) in cases {
        let stderr = failure(args);
        assert!(
            stderr.contains(needle),
            "{args:?}: `{stderr}` lacks `{needle}`"
        );
    }
    assert!(failure(&["--grid", GRID, "--seed", "3"]).contains("--random"));
}
