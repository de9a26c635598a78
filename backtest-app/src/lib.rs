//! The stock-backtest platform: CLI commands, the Rocket web app, the
//! database layer, and the job launcher and worker. The `backtest` binary is
//! a thin wrapper over this library so integration tests can build the same
//! web app.

pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod fetch;
pub mod jobs;
pub mod logging;
pub mod runner;
pub mod sweeps;
pub mod web;

/// `0.1.0 (abc1234)`: the package version and, when the build had `GIT_SHA`
/// set (the image build passes it), the commit's first 7 characters, so a
/// running pod says what it runs.
pub fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        let sha = option_env!("GIT_SHA").map(str::trim).unwrap_or_default();
        if sha.is_empty() {
            env!("CARGO_PKG_VERSION").to_owned()
        } else {
            let short: String = sha.chars().take(7).collect();
            format!("{} ({short})", env!("CARGO_PKG_VERSION"))
        }
    })
}

/// Exit status for bad input (a missing file, a malformed row, bad params...).
pub const EXIT_INPUT: u8 = 2;
/// Exit status for everything else.
pub const EXIT_FAILURE: u8 = 1;

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
