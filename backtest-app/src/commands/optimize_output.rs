//! `backtest optimize` output: JSON documents and CSV tables.

use std::fmt::Write as _;

use backtest_core::optimizer::Objective;
use backtest_core::sweep::{FoldResult, RankedResult, SweepPlan, WalkForward, WalkForwardResult};
use backtest_core::EngineMetrics;
use serde_json::{json, Value};

/// Metric columns, in the order users read them.
const METRICS: [&str; 5] = [
    "total_return_pct",
    "sharpe_ratio",
    "max_drawdown_pct",
    "num_trades",
    "profit_factor",
];

/// A bar's timestamp as its date (daily bars) or its UTC time (intraday).
pub(super) fn date(ts: i64) -> String {
    match chrono::DateTime::from_timestamp(ts, 0) {
        Some(t) if ts % 86_400 == 0 => t.format("%Y-%m-%d").to_string(),
        Some(t) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => ts.to_string(),
    }
}

/// The walk-forward document: windows, folds with dates, the stitched
/// out-of-sample curve and the efficiency.
pub(super) fn walk_forward_json(
    plan: &SweepPlan,
    objective: Objective,
    windows: &WalkForward,
    result: &WalkForwardResult,
    elapsed_ms: f64,
) -> Value {
    let (folds, curve) = walk_forward_parts(result);
    json!({
        "rule_type": plan.rule_type(),
        "objective": objective,
        "walk_forward": {
            "train_bars": windows.train_bars,
            "test_bars": windows.test_bars,
            "step_bars": windows.step_bars.unwrap_or(windows.test_bars),
            "anchored": windows.anchored,
        },
        "combinations_per_fold": plan.len(),
        "elapsed_ms": elapsed_ms,
        "folds": folds,
        "oos_equity_curve": curve,
        "efficiency": result.efficiency,
    })
}

/// The folds (with dates) and the stitched out-of-sample curve as JSON,
/// as `backtest optimize --walk-forward` and `GET /api/sweeps/<id>` show them.
pub(crate) fn walk_forward_parts(result: &WalkForwardResult) -> (Vec<Value>, Vec<Value>) {
    let folds = result
        .folds
        .iter()
        .map(|f| {
            json!({
                "train_start": date(f.train_start),
                "train_end": date(f.train_end),
                "test_start": date(f.test_start),
                "test_end": date(f.test_end),
                "best_params": f.best_params,
                "rule_id": f.rule_id,
                "in_sample": f.in_sample,
                "out_of_sample": f.out_of_sample,
            })
        })
        .collect();
    let curve = result
        .oos_equity_curve
        .iter()
        .map(|&(ts, equity)| json!({"date": date(ts), "equity": equity}))
        .collect();
    (folds, curve)
}

/// One row per combination, best first: rank, grid index, rule id, each
/// parameter, each metric. Undefined metrics are empty cells.
pub(super) fn grid_csv(results: &[RankedResult]) -> String {
    let names = param_names(results.first().map(|r| &r.result.params));
    let mut out = String::new();
    let mut header = vec!["rank".to_owned(), "grid_index".into(), "rule_id".into()];
    header.extend(names.iter().cloned());
    header.extend(METRICS.iter().map(|m| (*m).to_owned()));
    line(&mut out, &header);
    for (i, r) in results.iter().enumerate() {
        let mut cells = vec![
            (i + 1).to_string(),
            r.grid_index.to_string(),
            r.result.rule_id.clone(),
        ];
        cells.extend(names.iter().map(|n| cell(&r.result.params[n.as_str()])));
        cells.extend(metric_cells(&r.result.metrics));
        line(&mut out, &cells);
    }
    out
}

/// One row per fold: windows, rule id, best parameters, in-sample then
/// out-of-sample metrics (`is_` / `oos_` prefixes).
pub(super) fn walk_forward_csv(result: &WalkForwardResult) -> String {
    let names = param_names(result.folds.first().map(|f| &f.best_params));
    let mut out = String::new();
    let mut header: Vec<String> = [
        "fold",
        "train_start",
        "train_end",
        "test_start",
        "test_end",
        "rule_id",
    ]
    .iter()
    .map(|h| (*h).to_owned())
    .collect();
    header.extend(names.iter().cloned());
    for prefix in ["is_", "oos_"] {
        header.extend(METRICS.iter().map(|m| format!("{prefix}{m}")));
    }
    line(&mut out, &header);
    for (i, f) in result.folds.iter().enumerate() {
        line(&mut out, &fold_cells(i, f, &names));
    }
    out
}

fn fold_cells(i: usize, f: &FoldResult, names: &[String]) -> Vec<String> {
    let mut cells = vec![
        (i + 1).to_string(),
        date(f.train_start),
        date(f.train_end),
        date(f.test_start),
        date(f.test_end),
        f.rule_id.clone(),
    ];
    cells.extend(names.iter().map(|n| cell(&f.best_params[n.as_str()])));
    cells.extend(metric_cells(&f.in_sample));
    cells.extend(metric_cells(&f.out_of_sample));
    cells
}

fn param_names(params: Option<&Value>) -> Vec<String> {
    params
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

fn metric_cells(metrics: &EngineMetrics) -> Vec<String> {
    let value = serde_json::to_value(metrics).unwrap_or(Value::Null);
    METRICS.iter().map(|m| cell(&value[*m])).collect()
}

/// A JSON value as a CSV cell: numbers exactly as JSON writes them (shortest
/// round-trip), null as empty, anything else as text.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Appends one CSV record, quoting cells that need it (RFC 4180).
fn line(out: &mut String, cells: &[String]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if c.contains([',', '"', '\n', '\r']) {
            let _ = write!(out, "\"{}\"", c.replace('"', "\"\""));
        } else {
            out.push_str(c);
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_only_when_needed() {
        let mut out = String::new();
        line(
            &mut out,
            &["a".into(), "b,c".into(), "say \"hi\"".into(), String::new()],
        );
        assert_eq!(out, "a,\"b,c\",\"say \"\"hi\"\"\",\n");
    }

    #[test]
    fn dates_are_days_for_daily_bars() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(86_400 + 3_600), "1970-01-02T01:00:00Z");
    }
}
