//! `backtest`: the stock-backtest command line, web app and worker.

mod cli;
mod commands;
mod fetch;

use std::process::ExitCode;

use clap::Parser;

/// Exit status for bad input (a missing file, a malformed row, bad params...).
const EXIT_INPUT: u8 = 2;
/// Exit status for everything else.
const EXIT_FAILURE: u8 = 1;

/// An error caused by what the user asked for, as opposed to a system fault.
#[derive(Debug)]
pub struct InputError(pub anyhow::Error);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for InputError {}

/// Wraps any error as an input error (exit status 2).
pub fn input_error(err: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(InputError(err.into()))
}

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
