//! `backtest run`: one backtest on a CSV file, result JSON on stdout.

use backtest_adapter::pipeline::{run_validated, RunError};

use super::{load, request};
use crate::cli::RunArgs;
use crate::input_error;

pub fn run(args: &RunArgs) -> anyhow::Result<()> {
    let data = load(&args.data.data)?;
    let request = request(
        &args.data.data,
        &args.rule,
        &args.params,
        &args.settings,
        &data,
        !args.no_charts,
    )?;
    let valid = request
        .into_validated()
        .map_err(|e| input_error(RunError::from(e)))?;
    let result = run_validated(&valid, &data).map_err(|e| {
        if e.is_user_error() {
            input_error(e)
        } else {
            anyhow::Error::new(e)
        }
    })?;
    println!("{}", result.to_json()?);
    Ok(())
}
