//! Structured logging to stdout (JSON lines by default). Lines about a run
//! carry its `run_id` through a tracing span field.

use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogFormat;

/// Rocket logs through the `log` crate, which the subscriber captures too
/// (whatever Rocket's own `log_level`); its launch banner and per-request
/// lines would duplicate the app's, so only its warnings and errors pass,
/// unless `LOG_LEVEL` names a `rocket` target itself.
const QUIET_TARGETS: [&str; 3] = [
    "rocket=warn",
    "rocket_dyn_templates=warn",
    "rocket_db_pools=warn",
];

/// The filter for `level` with [`QUIET_TARGETS`] added.
fn filter(level: &str) -> EnvFilter {
    let with_quiet = |level: &str| {
        let mut spec = level.to_owned();
        if !level.contains("rocket") {
            for directive in QUIET_TARGETS {
                spec.push(',');
                spec.push_str(directive);
            }
        }
        spec
    };
    EnvFilter::try_new(with_quiet(level)).unwrap_or_else(|_| EnvFilter::new(with_quiet("info")))
}

/// Installs the global subscriber; a second call is a no-op.
pub fn init(level: &str, format: LogFormat) {
    let filter = filter(level);
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stdout);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}
