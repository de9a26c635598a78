//! The `backtest_results` table: one row per run, written by web and worker.
//!
//! State machine: `queued` -> `running` -> `completed` | `failed`. Final
//! states are never left: every transition's `WHERE` requires a non-final
//! state, so a retried or duplicate worker cannot overwrite a result.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::{count_where, lock_admission, now, text, text_required, Scope};

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    /// Accepted, waiting for a worker.
    Queued,
    /// A worker has claimed it.
    Running,
    /// The result is stored.
    Completed,
    /// It failed; `error_message` says why.
    Failed,
}

impl RunState {
    /// All states, for metrics.
    pub const ALL: [Self; 4] = [Self::Queued, Self::Running, Self::Completed, Self::Failed];

    /// Database and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Failed => "failed",
        }
    }

    /// Whether the run can still change.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Failed)
    }
}

impl fmt::Display for RunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RunState {
    type Err = sqlx::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown run status `{s}`").into()))
    }
}

/// A full row.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub run_id: String,
    pub ticker: String,
    pub rule_type: String,
    pub rule_id: Option<String>,
    pub status: RunState,
    pub request_json: String,
    pub params_json: String,
    pub metrics_json: Option<String>,
    pub result_json: Option<String>,
    pub error_message: Option<String>,
    pub fingerprint: Option<String>,
    pub worker: Option<String>,
    pub attempts: i64,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// The token name that submitted it; '' when anonymous (`AUTH_MODE=off`).
    pub owner: String,
}

/// A row without the large JSON columns, for listings.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RunSummary {
    pub run_id: String,
    pub ticker: String,
    pub rule_type: String,
    pub rule_id: Option<String>,
    pub status: RunState,
    pub error_message: Option<String>,
    pub fingerprint: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// The token name that submitted it; absent when anonymous.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// What the web stores when it accepts a run.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub run_id: &'a str,
    pub ticker: &'a str,
    pub rule_type: &'a str,
    pub rule_id: Option<&'a str>,
    pub request_json: &'a str,
    pub params_json: &'a str,
    pub fingerprint: Option<&'a str>,
}

const SUMMARY_COLUMNS: &str =
    "run_id, ticker, rule_type, rule_id, status, error_message, fingerprint, created_at, started_at, finished_at, owner";

/// Longest stored error message (the column is `VARCHAR(1000)`).
const MAX_ERROR_CHARS: usize = 1000;

fn summary(row: &AnyRow) -> Result<RunSummary, sqlx::Error> {
    Ok(RunSummary {
        run_id: text_required(row, "run_id")?,
        ticker: text_required(row, "ticker")?,
        rule_type: text_required(row, "rule_type")?,
        rule_id: text(row, "rule_id")?,
        status: text_required(row, "status")?.parse()?,
        error_message: text(row, "error_message")?,
        fingerprint: text(row, "fingerprint")?,
        created_at: text_required(row, "created_at")?,
        started_at: text(row, "started_at")?,
        finished_at: text(row, "finished_at")?,
        owner: text(row, "owner")?.filter(|owner| !owner.is_empty()),
    })
}

async fn insert(
    conn: &mut sqlx::AnyConnection,
    run: &NewRun<'_>,
    owner: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO backtest_results (run_id, ticker, rule_type, rule_id, status, request_json, params_json, fingerprint, attempts, created_at, owner) \
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, 0, ?, ?)",
    )
    .bind(run.run_id)
    .bind(run.ticker)
    .bind(run.rule_type)
    .bind(run.rule_id)
    .bind(run.request_json)
    .bind(run.params_json)
    .bind(run.fingerprint)
    .bind(now())
    .bind(owner)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Inserts an anonymous `queued` run, with no quota.
pub async fn insert_queued(pool: &AnyPool, run: &NewRun<'_>) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    insert(&mut tx, run, "").await?;
    tx.commit().await
}

/// The caps [`admit_queued`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdmissionLimits {
    /// Most `queued` or `running` runs of the owner; `None`: no cap.
    pub max_active_for_owner: Option<u32>,
    /// Most `queued` runs of everyone together.
    pub max_queued: u32,
}

/// What [`admit_queued`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The run is stored as `queued`.
    Admitted,
    /// Refused: the owner already has `active` queued or running runs.
    OwnerQuota { active: i64 },
    /// Refused: `queued` runs already wait in the database.
    QueueFull { queued: i64 },
}

/// Stores a `queued` run of `owner` if the caps allow it.
///
/// Counting and inserting are one transaction that first updates the single
/// `work_admission` row: that write lock (a row lock on MySQL, the database
/// write lock on SQLite) is held until commit, so concurrent submissions
/// count one after another and cannot both slip under a cap.
pub async fn admit_queued(
    pool: &AnyPool,
    run: &NewRun<'_>,
    owner: &str,
    limits: AdmissionLimits,
) -> Result<Admission, sqlx::Error> {
    let mut tx = pool.begin().await?;
    lock_admission(&mut tx).await?;
    let queued = count_where(
        &mut tx,
        "SELECT COUNT(*) AS n FROM backtest_results WHERE status = 'queued'",
        None,
    )
    .await?;
    if queued >= i64::from(limits.max_queued) {
        tx.rollback().await?;
        return Ok(Admission::QueueFull { queued });
    }
    if let Some(max) = limits.max_active_for_owner {
        let active = count_where(
            &mut tx,
            "SELECT COUNT(*) AS n FROM backtest_results WHERE owner = ? AND status IN ('queued', 'running')",
            Some(owner),
        )
        .await?;
        if active >= i64::from(max) {
            tx.rollback().await?;
            return Ok(Admission::OwnerQuota { active });
        }
    }
    insert(&mut tx, run, owner).await?;
    tx.commit().await?;
    Ok(Admission::Admitted)
}

/// The whole row of a run.
pub async fn get(pool: &AnyPool, run_id: &str) -> Result<Option<Run>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT run_id, ticker, rule_type, rule_id, status, request_json, params_json, metrics_json, result_json, \
         error_message, fingerprint, worker, attempts, created_at, started_at, finished_at, owner \
         FROM backtest_results WHERE run_id = ?",
    )
    .bind(run_id)
    // Not `fetch_optional` (see the `db` module docs).
    .fetch_all(pool)
    .await?
    .into_iter()
    .next();
    row.map(|row| {
        Ok(Run {
            run_id: text_required(&row, "run_id")?,
            ticker: text_required(&row, "ticker")?,
            rule_type: text_required(&row, "rule_type")?,
            rule_id: text(&row, "rule_id")?,
            status: text_required(&row, "status")?.parse()?,
            request_json: text_required(&row, "request_json")?,
            params_json: text_required(&row, "params_json")?,
            metrics_json: text(&row, "metrics_json")?,
            result_json: text(&row, "result_json")?,
            error_message: text(&row, "error_message")?,
            fingerprint: text(&row, "fingerprint")?,
            worker: text(&row, "worker")?,
            attempts: row
                .try_get::<i64, _>("attempts")
                .or_else(|_| row.try_get::<i32, _>("attempts").map(i64::from))?,
            created_at: text_required(&row, "created_at")?,
            started_at: text(&row, "started_at")?,
            finished_at: text(&row, "finished_at")?,
            owner: text(&row, "owner")?.unwrap_or_default(),
        })
    })
    .transpose()
}

/// A page of the runs in `scope`, newest first, and their total count.
pub async fn list(
    pool: &AnyPool,
    scope: Scope<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RunSummary>, i64), sqlx::Error> {
    let filter = scope.and_owner();
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM backtest_results WHERE 1 = 1{filter} \
         ORDER BY created_at DESC, run_id DESC LIMIT ? OFFSET ?"
    );
    let rows = scope
        .bind(sqlx::query(&sql))
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
    let runs = rows.iter().map(summary).collect::<Result<Vec<_>, _>>()?;
    let sql = format!("SELECT COUNT(*) AS n FROM backtest_results WHERE 1 = 1{filter}");
    let total: i64 = scope
        .bind(sqlx::query(&sql))
        .fetch_one(pool)
        .await?
        .try_get("n")?;
    Ok((runs, total))
}

/// Runs that are not final, oldest first (for the launcher's reaper).
pub async fn unfinished(pool: &AnyPool) -> Result<Vec<RunSummary>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM backtest_results WHERE status IN ('queued', 'running') ORDER BY created_at, run_id"
    ))
    .fetch_all(pool)
    .await?;
    rows.iter().map(summary).collect()
}

/// Number of runs per status.
pub async fn count_by_status(pool: &AnyPool) -> Result<Vec<(RunState, i64)>, sqlx::Error> {
    let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM backtest_results GROUP BY status")
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| Ok((text_required(row, "status")?.parse()?, row.try_get("n")?)))
        .collect()
}

/// A worker claims a run: `queued`/`running` -> `running`. Returns false when
/// the run is unknown or already final (the worker must then do nothing).
pub async fn mark_running(pool: &AnyPool, run_id: &str, worker: &str) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE backtest_results SET status = 'running', started_at = ?, worker = ?, attempts = attempts + 1 \
         WHERE run_id = ? AND status IN ('queued', 'running')",
    )
    .bind(now())
    .bind(worker)
    .bind(run_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Stores the result and `completed` in one transaction. Returns false (and
/// changes nothing) when the run was already final, so a retried worker never
/// duplicates or overwrites a result.
pub async fn complete(
    pool: &AnyPool,
    run_id: &str,
    rule_id: Option<&str>,
    metrics_json: &str,
    result_json: &str,
    fingerprint: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE backtest_results SET status = 'completed', rule_id = COALESCE(?, rule_id), metrics_json = ?, \
         result_json = ?, fingerprint = ?, error_message = NULL, finished_at = ? \
         WHERE run_id = ? AND status IN ('queued', 'running')",
    )
    .bind(rule_id)
    .bind(metrics_json)
    .bind(result_json)
    .bind(fingerprint)
    .bind(now())
    .bind(run_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a run `failed` with a short message, unless it is already final.
pub async fn fail(pool: &AnyPool, run_id: &str, message: &str) -> Result<bool, sqlx::Error> {
    let message: String = message.chars().take(MAX_ERROR_CHARS).collect();
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE backtest_results SET status = 'failed', error_message = ?, finished_at = ? \
         WHERE run_id = ? AND status IN ('queued', 'running')",
    )
    .bind(message)
    .bind(now())
    .bind(run_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Puts a `running` run back to `queued`: its worker was stopped by a
/// shutdown before it finished, and the next start launches it again.
/// Returns false (and changes nothing) unless the run was `running`.
pub async fn requeue(pool: &AnyPool, run_id: &str) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE backtest_results SET status = 'queued', started_at = NULL \
         WHERE run_id = ? AND status = 'running'",
    )
    .bind(run_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}
