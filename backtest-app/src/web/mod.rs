//! The Rocket web app: dashboard and REST API (SPEC §5).
//!
//! [`rocket`] assembles everything: configuration (Rocket's figment plus the
//! [`AppConfig`]), the database pool, schema migration when allowed, request
//! telemetry (request ids, JSON logs, Prometheus metrics), the routes and
//! JSON catchers so that API clients never see an HTML error page.
//!
//! | Method | Path | Handler |
//! |---|---|---|
//! | GET | `/` | [`dashboard`] |
//! | POST | `/run_backtest` | [`backtest`] |
//! | GET/POST | `/api/strategies`, DELETE `/api/strategies/<id>` | [`api`] |
//! | GET | `/api/rules`, `/api/runs` | [`api`] |
//! | GET | `/health`, `/ready`, `/metrics` | [`ops`] |
//! | POST | `/api/backtests`, GET `/status/<run_id>` | `jobs_routes` |
//!
//! With `AUTH_MODE=token` every `/api/*`, `/run_backtest` and `/status/*`
//! route needs a bearer token ([`auth::Caller`]); `/health`, `/ready`, the
//! dashboard and its assets never do, `/metrics` when
//! `METRICS_REQUIRE_TOKEN` says so.
//! | POST/GET | `/api/sweeps`, GET/DELETE `/api/sweeps/<id>`, GET `.../results`, `.../heatmap`, `.../heatmap.png` | [`sweeps`] |
//! | GET | `/openapi.json`, `/docs` | [`openapi`] |

pub mod api;
pub mod auth;
pub mod backtest;
pub mod body;
pub mod catchers;
pub mod dashboard;
pub mod error;
pub mod jobs_routes;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod quota;
pub mod security_headers;
pub mod sweeps;
pub mod telemetry;

use std::path::{Path, PathBuf};

use backtest_adapter::data::DataDir;
use rocket::data::{ByteUnit, Limits};
use rocket::fairing::AdHoc;
use rocket::figment::providers::{Env, Serialized};
use rocket::figment::Figment;
use rocket::fs::{FileServer, Options};
use rocket::{Build, Rocket};
use rocket_db_pools::Database;
use rocket_dyn_templates::Template;
use serde::Deserialize;

use crate::config::{AppConfig, AuthMode};
use crate::db::{self, Db};

pub use error::ApiError;

/// Largest accepted request body (JSON and plain text), unless `Rocket.toml`
/// or `ROCKET_LIMITS` say otherwise.
pub const DEFAULT_BODY_LIMIT: ByteUnit = ByteUnit::Mebibyte(1);

/// Default size of the web's database pool (`databases.backtest.max_connections`).
pub const DEFAULT_POOL_SIZE: usize = 8;

/// Where the dashboard's templates and static assets are. From the
/// environment (`TEMPLATE_DIR`, `STATIC_DIR`) or Rocket's configuration
/// (`template_dir`, `static_dir`); otherwise the first existing of
/// `backtest-app/<name>` (run from the repository root) and `<name>` (run
/// from the crate directory, or `/app` in the container image).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebPaths {
    /// Tera templates (`index.html.tera`).
    pub template_dir: PathBuf,
    /// Files served under `/static`.
    pub static_dir: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
struct PathSettings {
    template_dir: Option<PathBuf>,
    static_dir: Option<PathBuf>,
}

impl WebPaths {
    /// Resolves the directories from `figment` (Rocket's) and the environment.
    pub fn resolve(figment: &Figment) -> Self {
        let settings: PathSettings = figment
            .clone()
            .merge(
                Env::raw()
                    .only(&["TEMPLATE_DIR", "STATIC_DIR"])
                    .map(|k| k.as_str().to_ascii_lowercase().into()),
            )
            .extract()
            .unwrap_or_default();
        Self {
            template_dir: settings
                .template_dir
                .unwrap_or_else(|| default_dir("templates")),
            static_dir: settings.static_dir.unwrap_or_else(|| default_dir("static")),
        }
    }
}

/// `backtest-app/<name>` if it exists, else `<name>`.
fn default_dir(name: &str) -> PathBuf {
    let in_repo = Path::new("backtest-app").join(name);
    if in_repo.is_dir() {
        in_repo
    } else {
        PathBuf::from(name)
    }
}

/// Rocket's configuration for `config`: Rocket's defaults, our defaults
/// (body limits, pool size), `Rocket.toml`, `ROCKET_*` variables, and last
/// the database URL from [`AppConfig`]. Rocket's own log output is turned
/// off; the app logs through `tracing`.
pub fn figment(config: &AppConfig) -> Figment {
    let limits = Limits::default()
        .limit("json", DEFAULT_BODY_LIMIT)
        .limit("string", DEFAULT_BODY_LIMIT)
        .limit("bytes", DEFAULT_BODY_LIMIT);
    let base = Figment::from(rocket::Config::default()).merge(Serialized::defaults(Defaults {
        limits,
        databases: DatabasesDefaults {
            backtest: PoolDefaults {
                max_connections: DEFAULT_POOL_SIZE,
                connect_timeout: 5,
            },
        },
    }));
    // Rocket.toml and ROCKET_* exactly as `rocket::Config::figment()` reads them.
    let file = Env::var_or("ROCKET_CONFIG", "Rocket.toml");
    let rocket_figment = base
        .merge(
            <rocket::figment::providers::Toml as rocket::figment::providers::Format>::file(file)
                .nested(),
        )
        .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
        .select(rocket::figment::Profile::from_env_or(
            "ROCKET_PROFILE",
            rocket::Config::DEFAULT_PROFILE,
        ));
    let paths = WebPaths::resolve(&rocket_figment);
    rocket_figment
        .merge(("databases.backtest.url", config.database_url.clone()))
        .merge(("template_dir", absolute(&paths.template_dir)))
        .merge(("static_dir", absolute(&paths.static_dir)))
        .merge((rocket::Config::LOG_LEVEL, rocket::config::LogLevel::Off))
        .merge((rocket::Config::CLI_COLORS, false))
}

/// `path` made absolute against the working directory (template paths in
/// a figment are otherwise relative to the file that set them).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[derive(serde::Serialize)]
struct Defaults {
    limits: Limits,
    databases: DatabasesDefaults,
}

#[derive(serde::Serialize)]
struct DatabasesDefaults {
    backtest: PoolDefaults,
}

#[derive(serde::Serialize)]
struct PoolDefaults {
    max_connections: usize,
    connect_timeout: u64,
}

/// Builds the web app for `config` (used by `backtest serve` and by tests).
pub fn rocket(config: AppConfig) -> Rocket<Build> {
    db::install_drivers();
    let figment = figment(&config);
    let paths = WebPaths {
        template_dir: figment
            .extract_inner("template_dir")
            .unwrap_or_else(|_| default_dir("templates")),
        static_dir: figment
            .extract_inner("static_dir")
            .unwrap_or_else(|_| default_dir("static")),
    };
    let data_dir = DataDir::new(config.data_dir.clone());
    let auto_migrate = config.auto_migrate();
    let backend = config.backend();
    let sync_slots = backtest::SyncSlots::new(config.sync_run_limit());
    let limiter = quota::SubmitLimiter::new(config.quota_submits_per_minute);
    let auth_mode = config.auth_mode;

    rocket::custom(figment)
        .attach(telemetry::Telemetry)
        .attach(security_headers::SecurityHeaders)
        .attach(Db::init())
        .attach(AdHoc::try_on_ignite(
            "Database migrations",
            move |rocket| async move {
                let backend = match backend {
                    Ok(backend) => backend,
                    Err(e) => {
                        tracing::error!(error = format!("{e:#}"), "invalid DATABASE_URL");
                        return Err(rocket);
                    }
                };
                if !auto_migrate {
                    tracing::info!(
                        ?backend,
                        "schema migration at start-up is off; run `backtest db migrate`"
                    );
                    return Ok(rocket);
                }
                let Some(pool) = Db::fetch(&rocket) else {
                    tracing::error!("the database pool is missing");
                    return Err(rocket);
                };
                match db::migrate(pool, backend).await {
                    Ok(()) => {
                        tracing::info!(?backend, "database schema is up to date");
                        Ok(rocket)
                    }
                    Err(e) => {
                        tracing::error!(error = format!("{e:#}"), "database migration failed");
                        Err(rocket)
                    }
                }
            },
        ))
        .attach(Template::fairing())
        .attach(AdHoc::on_liftoff("Listening", move |rocket| {
            Box::pin(async move {
                let config = rocket.config();
                tracing::info!(
                    address = %config.address,
                    port = config.port,
                    version = env!("CARGO_PKG_VERSION"),
                    "web server listening"
                );
                match auth_mode {
                    AuthMode::Off => tracing::warn!(
                        "AUTH_MODE=off: the API needs no token, so anyone who reaches this server \
                         can start runs and read or delete every run and preset; set AUTH_MODE=token \
                         beyond a single-user machine"
                    ),
                    AuthMode::Token => {
                        tracing::info!("AUTH_MODE=token: API requests need a bearer token");
                    }
                }
            })
        }))
        .attach(jobs_routes::launcher_fairing())
        .manage(config)
        .manage(sync_slots)
        .manage(limiter)
        .manage(data_dir)
        .manage(std::sync::Arc::new(crate::runner::DataCache::default()))
        .manage(metrics::Metrics::default())
        .mount("/", dashboard::routes())
        .mount("/", backtest::routes())
        .mount("/", api::routes())
        .mount("/", ops::routes())
        .mount("/", jobs_routes::routes())
        .mount("/", sweeps::routes())
        .mount("/", openapi::routes())
        .mount(
            "/static",
            FileServer::new(&paths.static_dir, Options::Missing | Options::NormalizeDirs),
        )
        .register("/", catchers::catchers())
        .register("/", rocket::catchers![auth::unauthorized])
        // Last: the document describes every route mounted above.
        .attach(openapi::fairing())
}
