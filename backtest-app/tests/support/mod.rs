//! Helpers shared by integration tests: test databases (a temporary SQLite
//! file, or the MySQL/MariaDB database named by `TEST_MYSQL_URL`), the
//! repository's paths and an [`AppConfig`] for tests.
//!
//! MySQL variants of a test call [`TestDb::mysql`]: without
//! `TEST_MYSQL_URL` they fail with a clear message, unless
//! `SKIP_MYSQL_TESTS=1`, which makes them return `None` (skip).

#![allow(dead_code)]

pub mod auth;

use std::path::{Path, PathBuf};

use backtest_app::config::AppConfig;
use backtest_app::db::runs::NewRun;

/// Runs each `async fn NAME(db: TestDb)` of the calling test file twice, as
/// `sqlite::NAME` on a fresh SQLite file and `mysql::NAME` on a fresh
/// MySQL/MariaDB database (skipped with `SKIP_MYSQL_TESTS=1`).
#[allow(unused_macros)]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[rocket::async_test]
                async fn $name() {
                    if let Some(db) = super::TestDb::of(super::Kind::Sqlite) {
                        super::$name(db).await;
                    }
                }
            )*
        }
        mod mysql {
            $(
                #[rocket::async_test]
                async fn $name() {
                    if let Some(db) = super::TestDb::of(super::Kind::MySql) {
                        super::$name(db).await;
                    }
                }
            )*
        }
    };
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

/// The bundled demo data (`data/`, with `GOOG.csv`).
pub fn data_dir() -> PathBuf {
    repo_root().join("data")
}

/// A unique suffix for names and ids in a shared database.
pub fn unique(prefix: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}-{}", &id[..12])
}

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A fresh SQLite file in a temporary directory.
    Sqlite,
    /// The MySQL/MariaDB database of `TEST_MYSQL_URL`.
    MySql,
}

/// A database for one test; a temporary SQLite directory is removed on drop.
#[derive(Debug)]
pub struct TestDb {
    /// The `DATABASE_URL`.
    pub url: String,
    /// Which backend.
    pub kind: Kind,
    tmp: Option<PathBuf>,
    /// `TEST_MYSQL_URL` and the database to drop there.
    drop_mysql: Option<(String, String)>,
}

impl TestDb {
    /// A fresh SQLite database file (`sqlite://<tmp>/test.db?mode=rwc`).
    pub fn sqlite() -> Self {
        let tmp = std::env::temp_dir().join(unique("backtest-test"));
        std::fs::create_dir_all(&tmp).expect("cannot create a temporary directory");
        let url = format!("sqlite://{}?mode=rwc", tmp.join("test.db").display());
        Self {
            url,
            kind: Kind::Sqlite,
            tmp: Some(tmp),
            drop_mysql: None,
        }
    }

    /// A fresh database on the server of `TEST_MYSQL_URL`, dropped with
    /// this value; `None` (skip) when it is unset and `SKIP_MYSQL_TESTS=1`.
    /// Each test has its own, so no other test's launcher (which recovers
    /// unfinished runs and sweeps at start-up) can touch its rows.
    ///
    /// # Panics
    /// When `TEST_MYSQL_URL` is unset and `SKIP_MYSQL_TESTS` is not `1`, or
    /// the database cannot be created.
    pub fn mysql() -> Option<Self> {
        let admin_url = match std::env::var("TEST_MYSQL_URL") {
            Ok(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ if std::env::var("SKIP_MYSQL_TESTS").as_deref() == Ok("1") => {
                eprintln!("SKIP_MYSQL_TESTS=1: skipping a MySQL test");
                return None;
            }
            _ => panic!(
                "TEST_MYSQL_URL is not set: the MySQL variants of the database tests need a \
                 MySQL/MariaDB server, e.g. \
                 TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/backtest_dev \
                 (create it first: mysql -uroot -h127.0.0.1 -e 'CREATE DATABASE IF NOT EXISTS backtest_dev'); \
                 the user needs CREATE/DROP DATABASE (each test uses its own database); \
                 set SKIP_MYSQL_TESTS=1 to skip them"
            ),
        };
        let (base, query) = admin_url
            .split_once('?')
            .map_or((admin_url.as_str(), String::new()), |(b, q)| {
                (b, format!("?{q}"))
            });
        let server = base.rsplit_once('/').map_or(base, |(s, _)| s);
        let name = unique("backtest_t").replace('-', "_");
        on_own_runtime(&admin_url, &format!("CREATE DATABASE {name}"))
            .expect("CREATE DATABASE (the TEST_MYSQL_URL user needs the privilege)");
        Some(Self {
            url: format!("{server}/{name}{query}"),
            kind: Kind::MySql,
            tmp: None,
            drop_mysql: Some((admin_url, name)),
        })
    }

    /// The database of `kind` (`None`: skipped MySQL).
    pub fn of(kind: Kind) -> Option<Self> {
        match kind {
            Kind::Sqlite => Some(Self::sqlite()),
            Kind::MySql => Self::mysql(),
        }
    }

    /// A test configuration on this database: demo data, schema migrated
    /// at start-up, pretty logs.
    pub fn config(&self) -> AppConfig {
        AppConfig {
            database_url: self.url.clone(),
            data_dir: data_dir(),
            db_auto_migrate: Some(true),
            ..AppConfig::default()
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_dir_all(tmp);
        }
        if let Some((admin_url, name)) = self.drop_mysql.take() {
            let _ = on_own_runtime(&admin_url, &format!("DROP DATABASE IF EXISTS {name}"));
        }
    }
}

/// Runs one statement on `url` from a thread and runtime of its own, so
/// that it works both inside and outside a test's async runtime.
fn on_own_runtime(url: &str, sql: &str) -> Result<(), String> {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.block_on(async {
            let pool = backtest_app::db::connect(&url, 1)
                .await
                .map_err(|e| format!("{e:#}"))?;
            sqlx::query(&sql)
                .execute(&pool)
                .await
                .map_err(|e| e.to_string())?;
            pool.close().await;
            Ok(())
        })
    })
    .join()
    .map_err(|_| "the database thread panicked".to_owned())?
}

/// The web app of `config` as an in-process client, returned once its job
/// launcher's start-up recovery has run: runs a test then inserts are its
/// own, not unfinished work a previous web left behind.
pub async fn started_client(config: AppConfig) -> rocket::local::asynchronous::Client {
    let client = rocket::local::asynchronous::Client::tracked(backtest_app::web::rocket(config))
        .await
        .expect("the web app starts and migrates its database");
    if let Some(recovery) = client
        .rocket()
        .state::<backtest_app::web::jobs_routes::StartupRecovery>()
    {
        recovery.finished().await;
    }
    client
}

/// A queued run of `run_id` (GOOG, RSI).
pub fn new_run(run_id: &str) -> NewRun<'_> {
    NewRun {
        run_id,
        ticker: "GOOG",
        rule_type: "RSI",
        rule_id: Some("RSI_14_30_70"),
        request_json: r#"{"ticker":"GOOG"}"#,
        params_json: "{}",
        fingerprint: None,
    }
}
