//! The `strategy_presets` table: saved dashboard settings. A preset belongs
//! to the token that saved it; names are unique per owner.

use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::{now, text, text_required, Scope};

/// A saved preset. `config` holds every other request setting
/// (params, dates, trading settings); presets never carry trading logic.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Preset {
    pub id: i64,
    pub name: String,
    pub ticker: String,
    pub rule_type: String,
    #[serde(flatten)]
    pub config: Map<String, Value>,
    pub created_at: String,
    /// The token name that saved it; absent when anonymous (`AUTH_MODE=off`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// Why a preset could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The name is taken.
    #[error("a preset named `{0}` already exists")]
    Duplicate(String),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn preset(row: &AnyRow) -> Result<Preset, sqlx::Error> {
    let config_text = text_required(row, "config_json")?;
    let config = match serde_json::from_str(&config_text) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    Ok(Preset {
        id: row.try_get("id")?,
        name: text_required(row, "name")?,
        ticker: text_required(row, "ticker")?,
        rule_type: text_required(row, "rule_type")?,
        config,
        created_at: text_required(row, "created_at")?,
        owner: text(row, "owner")?.filter(|owner| !owner.is_empty()),
    })
}

const COLUMNS: &str = "id, name, ticker, rule_type, config_json, created_at, owner";

/// Every preset in `scope`, by name (then owner, then id).
pub async fn list(pool: &AnyPool, scope: Scope<'_>) -> Result<Vec<Preset>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM strategy_presets WHERE 1 = 1{} ORDER BY name, owner, id",
        scope.and_owner()
    );
    let rows = scope.bind(sqlx::query(&sql)).fetch_all(pool).await?;
    rows.iter().map(preset).collect()
}

/// Creates a preset of `owner` in one transaction; a name the owner already
/// uses is [`CreateError::Duplicate`].
pub async fn create(
    pool: &AnyPool,
    owner: &str,
    name: &str,
    ticker: &str,
    rule_type: &str,
    config: &Map<String, Value>,
) -> Result<Preset, CreateError> {
    let config_json = Value::Object(config.clone()).to_string();
    let created_at = now();
    let mut tx = pool.begin().await?;
    // The INSERT comes first and the unique index on (owner, name) decides a
    // taken name. A read before it would make SQLite upgrade the
    // transaction's read lock to a write lock, which fails at once ("database
    // is locked", no busy wait) when another request writes concurrently; a
    // transaction that starts by writing waits for the lock instead.
    let inserted = sqlx::query(
        "INSERT INTO strategy_presets (owner, name, ticker, rule_type, config_json, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(owner)
    .bind(name)
    .bind(ticker)
    .bind(rule_type)
    .bind(&config_json)
    .bind(&created_at)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(CreateError::Duplicate(name.to_owned()))
        }
        Err(e) => return Err(e.into()),
        Ok(_) => {}
    }
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM strategy_presets WHERE owner = ? AND name = ?"
    ))
    .bind(owner)
    .bind(name)
    .fetch_one(&mut *tx)
    .await?;
    let created = preset(&row)?;
    tx.commit().await?;
    Ok(created)
}

/// Deletes a preset in `scope`; false when there is none with that id (or
/// it is another owner's).
pub async fn delete(pool: &AnyPool, scope: Scope<'_>, id: i64) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let sql = format!(
        "DELETE FROM strategy_presets WHERE id = ?{}",
        scope.and_owner()
    );
    let done = scope
        .bind(sqlx::query(&sql).bind(id))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}
