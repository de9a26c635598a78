//! `backtest run`: one backtest on a CSV file, result JSON on stdout.

use backtest_adapter::pipeline::{run_validated_with, RunError};

use super::{load, request, ticker_of};
use crate::cli::RunArgs;
use crate::input_error;

pub fn run(args: &RunArgs) -> anyhow::Result<()> {
    let data = load(&args.data.data)?;
    let mut request = request(
        &args.data.data,
        &args.rule,
        &args.params,
        &args.settings,
        &data,
        !args.no_charts,
    )?;
    let benchmark = match &args.benchmark {
        Some(path) => {
            // The file's name labels the benchmark in the result and charts.
            request.benchmark = Some(ticker_of(path).unwrap_or_else(|| "BENCHMARK".to_owned()));
            Some(load(path)?)
        }
        None => None,
    };
    let valid = request
        .into_validated()
        .map_err(|e| input_error(RunError::from(e)))?;
    let result = run_validated_with(&valid, &data, benchmark.as_ref()).map_err(|e| {
        if e.is_user_error() {
            input_error(e)
        } else {
            anyhow::Error::new(e)
        }
    })?;
    println!("{}", result.to_json()?);
    Ok(())
}
