//! Database: one schema on SQLite (embedded default) or MySQL (production),
//! through sqlx's `Any` driver so web and worker share one code path.
//!
//! Timestamps are stored as RFC 3339 UTC strings (`VARCHAR(40)`): portable,
//! sortable, and shown as-is by the API. Large JSON goes in `TEXT` (SQLite)
//! or `MEDIUMTEXT`/`LONGTEXT` (MySQL); see `migrations/`.
//!
//! Never use `fetch_optional` here: with sqlx 0.7.4's Any driver on MySQL, a
//! `fetch_optional` that finds no row leaves the rest of the result unread,
//! so the next statement on that connection hangs (inside a transaction) or
//! the connection never goes back to the pool (sqlx issue #2647, fixed only
//! in 0.8). Queries for at most one row use `fetch_all` and take the first.

pub mod runs;
pub mod strategies;
pub mod sweep_results;
pub mod sweeps;
pub mod tokens;

use std::time::Duration;

use anyhow::{bail, Context};
use rocket_db_pools::Database;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Row};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static MYSQL_MIGRATIONS: Migrator = sqlx::migrate!("migrations/mysql");

/// The web's pool, managed by rocket_db_pools (config key `databases.backtest`).
#[derive(Database, Debug)]
#[database("backtest")]
pub struct Db(AnyPool);

/// Whose rows a query sees: an admin (or anyone with `AUTH_MODE=off`)
/// sees all, any other token only its own. Rows outside the scope behave
/// as if they did not exist (404, never 403: their existence is private).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Every owner's rows.
    All,
    /// The rows of this owner only.
    Owner(&'a str),
}

impl Scope<'_> {
    /// ` AND owner = ?` (to bind with [`Scope::bind`]) or nothing.
    pub(crate) fn and_owner(self) -> &'static str {
        match self {
            Self::All => "",
            Self::Owner(_) => " AND owner = ?",
        }
    }

    /// Whether a row of `owner` is inside the scope.
    pub fn admits(self, owner: &str) -> bool {
        match self {
            Self::All => true,
            Self::Owner(own) => own == owner,
        }
    }
}

impl<'q> Scope<'q> {
    /// Binds the owner of [`Scope::and_owner`], if any.
    pub(crate) fn bind(
        self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        match self {
            Self::All => query,
            Self::Owner(owner) => query.bind(owner),
        }
    }
}

/// Which server a `DATABASE_URL` points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite://path?mode=rwc`
    Sqlite,
    /// `mysql://user:pass@host:3306/db`
    MySql,
}

impl Backend {
    /// Detects the backend from a URL's scheme.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            Ok(Self::MySql)
        } else {
            bail!(
                "DATABASE_URL must start with sqlite: or mysql:// (got scheme of `{}`)",
                scheme(url)
            )
        }
    }

    fn migrator(self) -> &'static Migrator {
        match self {
            Self::Sqlite => &SQLITE_MIGRATIONS,
            Self::MySql => &MYSQL_MIGRATIONS,
        }
    }
}

/// The scheme of a URL, for messages that must not echo credentials.
fn scheme(url: &str) -> &str {
    url.split(':').next().unwrap_or_default()
}

/// Registers the Any drivers; needed once before any Any pool connects.
pub fn install_drivers() {
    sqlx::any::install_default_drivers();
}

/// Opens a pool (used by the worker and the CLI; the web's pool comes from
/// rocket_db_pools with the same URL).
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<AnyPool> {
    install_drivers();
    Backend::from_url(url)?;
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
        .with_context(|| format!("cannot connect to the {} database", scheme(url)))
}

/// Applies pending migrations for `backend`.
pub async fn migrate(pool: &AnyPool, backend: Backend) -> anyhow::Result<()> {
    let mut conn = pool
        .acquire()
        .await
        .context("cannot reach the database to migrate it")?;
    match backend {
        Backend::Sqlite => {
            // WAL lets the web read while workers write; the setting persists in the file.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&mut *conn)
                .await
                .context("cannot enable WAL on the SQLite database")?;
        }
        Backend::MySql => {
            // Several replicas (or tests) may migrate at once. sqlx's own lock
            // asks GET_LOCK with a negative timeout, which MariaDB does not
            // treat as "wait forever", so take a waiting lock here on the
            // connection that runs the migrations (locks are re-entrant).
            sqlx::query("SELECT GET_LOCK('backtest_schema_migrate', 60)")
                .execute(&mut *conn)
                .await
                .context("cannot take the migration lock")?;
        }
    }
    let outcome = backend.migrator().run_direct(&mut *conn).await;
    if backend == Backend::MySql {
        let _ = sqlx::query("SELECT RELEASE_LOCK('backtest_schema_migrate')")
            .execute(&mut *conn)
            .await;
    }
    outcome.context("database migration failed")?;
    Ok(())
}

/// The current time as stored in the database.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A text column. Through the Any driver MySQL returns `TEXT` columns as
/// bytes, so accept either.
pub(crate) fn text(row: &AnyRow, column: &str) -> Result<Option<String>, sqlx::Error> {
    // sqlx 0.7.4's Any values never report `is_null()`, so `Option<_>` does
    // not decode a NULL: recognise it by its type name first.
    let raw = row.try_get_raw(column)?;
    if sqlx::TypeInfo::name(&*sqlx::ValueRef::type_info(&raw)) == "NULL" {
        return Ok(None);
    }
    match row.try_get::<Option<String>, _>(column) {
        Ok(value) => Ok(value),
        Err(_) => {
            let bytes: Option<Vec<u8>> = row.try_get(column)?;
            bytes
                .map(|b| String::from_utf8(b).map_err(|e| sqlx::Error::Decode(Box::new(e))))
                .transpose()
        }
    }
}

/// A non-null text column.
pub(crate) fn text_required(row: &AnyRow, column: &str) -> Result<String, sqlx::Error> {
    text(row, column)?.ok_or_else(|| sqlx::Error::ColumnNotFound(format!("{column} is NULL")))
}

/// An integer column: MySQL's `INT` arrives as i32 through the Any driver,
/// `BIGINT` and SQLite integers as i64.
pub(crate) fn integer(row: &AnyRow, column: &str) -> Result<i64, sqlx::Error> {
    row.try_get::<i64, _>(column)
        .or_else(|_| row.try_get::<i32, _>(column).map(i64::from))
}

/// Takes the admission lock: updates the single `work_admission` row, whose
/// write lock (a row lock on MySQL, the database write lock on SQLite) is
/// held until the transaction ends, so concurrent submissions count their
/// caps one after another.
pub(crate) async fn lock_admission(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE work_admission SET admitted = admitted + 1 WHERE id = 1")
        .execute(conn)
        .await?;
    Ok(())
}

/// `SELECT COUNT(*) AS n ...` with an optional owner bound to its `?`.
pub(crate) async fn count_where(
    conn: &mut sqlx::AnyConnection,
    sql: &str,
    owner: Option<&str>,
) -> Result<i64, sqlx::Error> {
    let mut query = sqlx::query(sql);
    if let Some(owner) = owner {
        query = query.bind(owner);
    }
    let row = query.fetch_one(conn).await?;
    row.try_get::<i64, _>("n")
        .or_else(|_| row.try_get::<i32, _>("n").map(i64::from))
}
