//! `backtest optimize`: parallel grid or seeded random search, or a
//! walk-forward analysis, printed as JSON or CSV.

use std::io::IsTerminal;
use std::time::Instant;

use anyhow::anyhow;
use backtest_core::optimizer::{Objective, MAX_COMBINATIONS};
use backtest_core::sweep::{
    evaluate_with_cache, rank, walk_forward, RandomSearch, SweepPlan, WalkForward,
};
use backtest_core::IndicatorCache;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::optimize_output::{grid_csv, walk_forward_csv, walk_forward_json};
use super::{load, parse_json, request, select};
use crate::cli::{OptimizeArgs, OutputFormat};
use crate::input_error;

pub fn run(args: &OptimizeArgs) -> anyhow::Result<()> {
    let grid = parse_json("--grid", &args.grid)?;
    let base = parse_json("--params", &args.params)?;
    let objective: Objective = args.objective.parse().map_err(input_error)?;
    let windows = args
        .walk_forward
        .as_deref()
        .map(|spec| parse_walk_forward(spec, args.anchored))
        .transpose()?;
    let random = args.random.map(|samples| RandomSearch {
        samples,
        seed: args.seed,
    });
    let plan = SweepPlan::new(&args.rule, &base, &grid, random, MAX_COMBINATIONS as u64)
        .map_err(input_error)?;
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

    if let Some(windows) = windows {
        let folds = windows.folds(series.len()).map_err(input_error)?;
        let bar = progress_bar(folds.len() as u64 * plan.len());
        let result = walk_forward(&series, &plan, &windows, &settings, objective, &|| {
            bar.inc(1)
        })
        .map_err(input_error)?;
        bar.finish_and_clear();
        let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
        match args.format {
            OutputFormat::Json => {
                let out = walk_forward_json(&plan, objective, &windows, &result, elapsed_ms);
                println!("{}", serde_json::to_string(&out)?);
            }
            OutputFormat::Csv => print!("{}", walk_forward_csv(&result)),
        }
        return Ok(());
    }

    let bar = progress_bar(plan.len());
    let cache = IndicatorCache::new();
    let rows = evaluate_with_cache(&series, &cache, &plan, 0..plan.len(), &settings, &|| {
        bar.inc(1);
    })
    .map_err(input_error)?;
    bar.finish_and_clear();
    let mut ranking = rank(rows, objective).map_err(input_error)?;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
    if let Some(top) = args.top {
        ranking.results.truncate(top);
    }
    match args.format {
        OutputFormat::Json => {
            let out = json!({
                "rule_type": plan.rule_type(),
                "objective": objective,
                "grid_size": plan.grid_size(),
                "search": random.map(|r| json!({"random": r})),
                "combinations": ranking.evaluated,
                "skipped": ranking.skipped,
                "indicators_computed": cache.len(),
                "elapsed_ms": elapsed_ms,
                "results": ranking.results,
            });
            println!("{}", serde_json::to_string(&out)?);
        }
        OutputFormat::Csv => print!("{}", grid_csv(&ranking.results)),
    }
    Ok(())
}

/// A bar on stderr when it is a terminal; hidden otherwise (pipes, CI).
fn progress_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} combinations (eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

/// `TRAIN:TEST[:STEP]` in bars.
fn parse_walk_forward(spec: &str, anchored: bool) -> anyhow::Result<WalkForward> {
    let invalid = || {
        input_error(anyhow!(
            "--walk-forward: expected TRAIN:TEST[:STEP] as whole numbers of bars, got `{spec}`"
        ))
    };
    let parts = spec
        .split(':')
        .map(|p| p.trim().parse::<usize>().map_err(|_| invalid()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (train_bars, test_bars, step_bars) = match parts[..] {
        [train, test] => (train, test, None),
        [train, test, step] => (train, test, Some(step)),
        _ => return Err(invalid()),
    };
    Ok(WalkForward {
        train_bars,
        test_bars,
        step_bars,
        anchored,
    })
}
