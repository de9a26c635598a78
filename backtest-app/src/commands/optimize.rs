//! `backtest optimize`: parallel grid search.

use std::time::Instant;

use backtest_core::optimizer::{grid_search, Objective};
use serde_json::json;

use super::{load, parse_json, request, select};
use crate::cli::OptimizeArgs;
use crate::input_error;

pub fn run(args: &OptimizeArgs) -> anyhow::Result<()> {
    let grid = parse_json("--grid", &args.grid)?;
    let base = parse_json("--params", &args.params)?;
    let objective: Objective = args.objective.parse().map_err(input_error)?;
    let data = load(&args.data.data)?;
    let series = select(&data, &args.settings)?;
    // Only the trading settings of the request apply; the grid supplies params.
    let settings = request(
        &args.data.data,
        &args.rule,
        "{}",
        &args.settings,
        &data,
        false,
    )?
    .settings();
    let started = Instant::now();
    let mut search = grid_search(&series, &args.rule, &base, &grid, &settings, objective)
        .map_err(input_error)?;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
    if let Some(top) = args.top {
        search.results.truncate(top);
    }
    let out = json!({
        "rule_type": args.rule.to_ascii_uppercase(),
        "objective": objective,
        "combinations": search.combinations,
        "skipped": search.skipped,
        "indicators_computed": search.indicators_computed,
        "elapsed_ms": elapsed_ms,
        "results": search.results,
    });
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}
