//! Helpers shared by integration tests: test databases (a temporary SQLite
//! file, or the MySQL/MariaDB database named by `TEST_MYSQL_URL`), the
//! repository's paths and an [`AppConfig`] for tests.
//!
//! MySQL variants of a test call [`TestDb::mysql`]: without
//! `TEST_MYSQL_URL` they fail with a clear message, unless
//! `SKIP_MYSQL_TESTS=1`, which makes them return `None` (skip).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use backtest_app::config::AppConfig;

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
        }
    }

    /// The database of `TEST_MYSQL_URL`; `None` (skip) when it is unset and
    /// `SKIP_MYSQL_TESTS=1`.
    ///
    /// # Panics
    /// When `TEST_MYSQL_URL` is unset and `SKIP_MYSQL_TESTS` is not `1`.
    pub fn mysql() -> Option<Self> {
        match std::env::var("TEST_MYSQL_URL") {
            Ok(url) if !url.trim().is_empty() => Some(Self {
                url: url.trim().to_owned(),
                kind: Kind::MySql,
                tmp: None,
            }),
            _ if std::env::var("SKIP_MYSQL_TESTS").as_deref() == Ok("1") => {
                eprintln!("SKIP_MYSQL_TESTS=1: skipping a MySQL test");
                None
            }
            _ => panic!(
                "TEST_MYSQL_URL is not set: the MySQL variants of the database tests need a \
                 MySQL/MariaDB database, e.g. \
                 TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/backtest_dev \
                 (create it first: mysql -uroot -h127.0.0.1 -e 'CREATE DATABASE IF NOT EXISTS backtest_dev'); \
                 set SKIP_MYSQL_TESTS=1 to skip them"
            ),
        }
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
    }
}
