//! The `sweeps` and `sweep_shards` tables: one row per parameter sweep and
//! one per shard (result rows are in [`super::sweep_results`]).
//!
//! Sweep states: `queued` -> `running` -> `completed` | `failed` |
//! `cancelled`. Shard states: `queued` -> `running` -> `completed` |
//! `failed`. As for runs, every transition's `WHERE` requires a non-final
//! state, so a late or duplicate worker cannot revive a finished sweep.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::{count_where, integer, lock_admission, now, text, text_required, Scope};

/// Longest stored error message (the columns are `VARCHAR(1000)`).
const MAX_ERROR_CHARS: usize = 1000;

/// Where a sweep is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SweepState {
    /// Accepted, no shard has started.
    Queued,
    /// At least one shard has started.
    Running,
    /// Every shard completed.
    Completed,
    /// A shard exhausted its retries (or the launcher failed); rows done are kept.
    Failed,
    /// Cancelled by a user; shards stop at their next batch.
    Cancelled,
}

impl SweepState {
    /// All states.
    pub const ALL: [Self; 5] = [
        Self::Queued,
        Self::Running,
        Self::Completed,
        Self::Failed,
        Self::Cancelled,
    ];

    /// Database and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the sweep can still change.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

impl fmt::Display for SweepState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SweepState {
    type Err = sqlx::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown sweep status `{s}`").into()))
    }
}

/// A sweep row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sweep {
    pub sweep_id: String,
    pub ticker: String,
    pub rule_type: String,
    pub objective: String,
    pub status: SweepState,
    #[serde(skip)]
    pub request_json: String,
    pub total: i64,
    pub shards: i64,
    #[serde(skip)]
    pub result_json: Option<String>,
    pub error_message: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// The token name that submitted it ('' in `AUTH_MODE=off`).
    #[serde(skip)]
    pub owner: String,
}

/// A shard row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shard {
    pub shard: i64,
    /// `queued`, `running`, `completed` or `failed`.
    pub status: String,
    /// Combinations stored by this shard.
    pub done: i64,
    pub attempts: i64,
    pub worker: Option<String>,
    pub error_message: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

impl Shard {
    /// Whether this shard has finished its part.
    pub fn is_completed(&self) -> bool {
        self.status == "completed"
    }
}

/// What the web stores when it accepts a sweep.
#[derive(Debug, Clone)]
pub struct NewSweep<'a> {
    pub sweep_id: &'a str,
    pub ticker: &'a str,
    pub rule_type: &'a str,
    pub objective: &'a str,
    pub request_json: &'a str,
    pub total: i64,
    pub shards: i64,
    /// The submitting token's name ('' in `AUTH_MODE=off`).
    pub owner: &'a str,
    /// Most active (queued or running) sweeps of `owner`; `None`: no cap.
    pub max_active_for_owner: Option<u32>,
}

const COLUMNS: &str =
    "sweep_id, ticker, rule_type, objective, status, request_json, total, shards, \
     result_json, error_message, created_at, started_at, finished_at, owner";

fn sweep(row: &AnyRow) -> Result<Sweep, sqlx::Error> {
    Ok(Sweep {
        sweep_id: text_required(row, "sweep_id")?,
        ticker: text_required(row, "ticker")?,
        rule_type: text_required(row, "rule_type")?,
        objective: text_required(row, "objective")?,
        status: text_required(row, "status")?.parse()?,
        request_json: text_required(row, "request_json")?,
        total: integer(row, "total")?,
        shards: integer(row, "shards")?,
        result_json: text(row, "result_json")?,
        error_message: text(row, "error_message")?,
        created_at: text_required(row, "created_at")?,
        started_at: text(row, "started_at")?,
        finished_at: text(row, "finished_at")?,
        owner: text(row, "owner")?.unwrap_or_default(),
    })
}

fn cut(message: &str) -> String {
    message.chars().take(MAX_ERROR_CHARS).collect()
}

/// Inserts a `queued` sweep and its `queued` shards in one transaction,
/// unless the owner already has `max_active_for_owner` active sweeps: then
/// nothing is stored and `Err(active)` tells how many.
///
/// The transaction first updates the single `work_admission` row (as runs
/// do), so concurrent submissions of one owner count one after another.
pub async fn insert_queued(
    pool: &AnyPool,
    new: &NewSweep<'_>,
) -> Result<Result<(), i64>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    lock_admission(&mut tx).await?;
    if let Some(max) = new.max_active_for_owner {
        let active = count_where(
            &mut tx,
            "SELECT COUNT(*) AS n FROM sweeps WHERE owner = ? AND status IN ('queued', 'running')",
            Some(new.owner),
        )
        .await?;
        if active >= i64::from(max) {
            tx.rollback().await?;
            return Ok(Err(active));
        }
    }
    sqlx::query(
        "INSERT INTO sweeps (sweep_id, ticker, rule_type, objective, status, request_json, total, shards, created_at, owner) \
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)",
    )
    .bind(new.sweep_id)
    .bind(new.ticker)
    .bind(new.rule_type)
    .bind(new.objective)
    .bind(new.request_json)
    .bind(new.total)
    .bind(new.shards)
    .bind(now())
    .bind(new.owner)
    .execute(&mut *tx)
    .await?;
    for shard in 0..new.shards {
        sqlx::query(
            "INSERT INTO sweep_shards (sweep_id, shard, status, done, attempts) VALUES (?, ?, 'queued', 0, 0)",
        )
        .bind(new.sweep_id)
        .bind(shard)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// The sweep row.
pub async fn get(pool: &AnyPool, sweep_id: &str) -> Result<Option<Sweep>, sqlx::Error> {
    // Not `fetch_optional` (see the `db` module docs).
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM sweeps WHERE sweep_id = ?"))
        .bind(sweep_id)
        .fetch_all(pool)
        .await?;
    rows.first().map(sweep).transpose()
}

/// The sweep's status alone (what a shard checks between batches).
pub async fn status(pool: &AnyPool, sweep_id: &str) -> Result<Option<SweepState>, sqlx::Error> {
    let rows = sqlx::query("SELECT status FROM sweeps WHERE sweep_id = ?")
        .bind(sweep_id)
        .fetch_all(pool)
        .await?;
    rows.first()
        .map(|row| text_required(row, "status")?.parse())
        .transpose()
}

/// A page of the sweeps in `scope`, newest first, and their total count.
pub async fn list(
    pool: &AnyPool,
    scope: Scope<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Sweep>, i64), sqlx::Error> {
    let filter = scope.and_owner();
    let sql = format!(
        "SELECT {COLUMNS} FROM sweeps WHERE 1 = 1{filter} \
         ORDER BY created_at DESC, sweep_id DESC LIMIT ? OFFSET ?"
    );
    let rows = scope
        .bind(sqlx::query(&sql))
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
    let sweeps = rows.iter().map(sweep).collect::<Result<Vec<_>, _>>()?;
    let sql = format!("SELECT COUNT(*) AS n FROM sweeps WHERE 1 = 1{filter}");
    let total: i64 = scope
        .bind(sqlx::query(&sql))
        .fetch_one(pool)
        .await?
        .try_get("n")?;
    Ok((sweeps, total))
}

/// Ids of the sweeps that are not final, oldest first.
pub async fn unfinished(pool: &AnyPool) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT sweep_id FROM sweeps WHERE status IN ('queued', 'running') ORDER BY created_at, sweep_id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| text_required(r, "sweep_id")).collect()
}

/// The shards of a sweep, by number.
pub async fn shards(pool: &AnyPool, sweep_id: &str) -> Result<Vec<Shard>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT shard, status, done, attempts, worker, error_message, started_at, finished_at \
         FROM sweep_shards WHERE sweep_id = ? ORDER BY shard",
    )
    .bind(sweep_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Shard {
                shard: integer(row, "shard")?,
                status: text_required(row, "status")?,
                done: integer(row, "done")?,
                attempts: integer(row, "attempts")?,
                worker: text(row, "worker")?,
                error_message: text(row, "error_message")?,
                started_at: text(row, "started_at")?,
                finished_at: text(row, "finished_at")?,
            })
        })
        .collect()
}

/// A worker claims a shard (`queued`/`running` -> `running`, one more
/// attempt) and the sweep (`queued` -> `running`). False when the sweep is
/// final or the shard already completed: the worker must then do nothing.
pub async fn claim_shard(
    pool: &AnyPool,
    sweep_id: &str,
    shard: i64,
    worker: &str,
) -> Result<bool, sqlx::Error> {
    let at = now();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE sweeps SET status = 'running', started_at = COALESCE(started_at, ?) \
         WHERE sweep_id = ? AND status IN ('queued', 'running')",
    )
    .bind(&at)
    .bind(sweep_id)
    .execute(&mut *tx)
    .await?;
    let claimed = sqlx::query(
        "UPDATE sweep_shards SET status = 'running', attempts = attempts + 1, worker = ?, \
         started_at = COALESCE(started_at, ?), error_message = NULL \
         WHERE sweep_id = ? AND shard = ? AND status IN ('queued', 'running', 'failed') \
         AND EXISTS (SELECT 1 FROM sweeps WHERE sweep_id = ? AND status = 'running')",
    )
    .bind(worker)
    .bind(&at)
    .bind(sweep_id)
    .bind(shard)
    .bind(sweep_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(claimed.rows_affected() == 1)
}

/// Marks a shard `completed`.
pub async fn complete_shard(
    pool: &AnyPool,
    sweep_id: &str,
    shard: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sweep_shards SET status = 'completed', finished_at = ? \
         WHERE sweep_id = ? AND shard = ? AND status <> 'completed'",
    )
    .bind(now())
    .bind(sweep_id)
    .bind(shard)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a shard attempt `failed` with its reason (the launcher may retry it).
pub async fn fail_shard(
    pool: &AnyPool,
    sweep_id: &str,
    shard: i64,
    message: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sweep_shards SET status = 'failed', error_message = ?, finished_at = ? \
         WHERE sweep_id = ? AND shard = ? AND status IN ('queued', 'running')",
    )
    .bind(cut(message))
    .bind(now())
    .bind(sweep_id)
    .bind(shard)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves a non-final sweep to `state` (`failed` or `cancelled`) with an
/// optional message; false when it was already final.
async fn finish(
    pool: &AnyPool,
    sweep_id: &str,
    state: SweepState,
    message: Option<&str>,
    result_json: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sweeps SET status = ?, error_message = ?, result_json = ?, finished_at = ? \
         WHERE sweep_id = ? AND status IN ('queued', 'running')",
    )
    .bind(state.as_str())
    .bind(message.map(cut))
    .bind(result_json)
    .bind(now())
    .bind(sweep_id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Fails a sweep with its reason, keeping every stored row.
pub async fn fail(pool: &AnyPool, sweep_id: &str, message: &str) -> Result<bool, sqlx::Error> {
    finish(pool, sweep_id, SweepState::Failed, Some(message), None).await
}

/// Cancels a sweep; its shards stop at their next batch.
pub async fn cancel(pool: &AnyPool, sweep_id: &str) -> Result<bool, sqlx::Error> {
    finish(pool, sweep_id, SweepState::Cancelled, None, None).await
}

/// Completes a sweep (with the walk-forward result, if any).
pub async fn complete(
    pool: &AnyPool,
    sweep_id: &str,
    result_json: Option<&str>,
) -> Result<bool, sqlx::Error> {
    finish(pool, sweep_id, SweepState::Completed, None, result_json).await
}
