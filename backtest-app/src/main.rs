//! `backtest`: the stock-backtest command line, web app and worker.

use std::process::ExitCode;

use backtest_app::{cli, commands, InputError, EXIT_FAILURE, EXIT_INPUT};
use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let code = if err.downcast_ref::<InputError>().is_some() {
                EXIT_INPUT
            } else {
                EXIT_FAILURE
            };
            eprintln!("error: {err:#}");
            ExitCode::from(code)
        }
    }
}
