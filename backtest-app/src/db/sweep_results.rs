//! The `sweep_results` table: one row per combination (and walk-forward
//! fold) of a sweep, written by its shard in batches.
//!
//! A row's key is `(sweep_id, combo_index)` with `combo_index = fold *
//! plan size + position in the plan`. Batches insert with "ignore
//! duplicates" and add only the rows actually inserted to the shard's
//! `done`, in one transaction: a resumed or duplicate shard can neither
//! store a combination twice nor count it twice.

use backtest_core::optimizer::Objective;
use sqlx::{AnyPool, Row};

use super::{integer, text, text_required, Backend};

/// Rows per `INSERT` statement (14 placeholders each, well under both
/// backends' limits).
const ROWS_PER_STATEMENT: usize = 200;

/// One row to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewResult {
    pub combo_index: i64,
    pub fold: i64,
    pub grid_index: i64,
    /// The rule's parameters (all of them) as JSON.
    pub params_json: String,
    pub rule_id: Option<String>,
    /// `Some` for an evaluated combination: the exact metrics JSON and the
    /// ordering columns.
    pub metrics: Option<StoredMetrics>,
    /// Why the rule rejected the combination (`None` when evaluated).
    pub skip_reason: Option<String>,
}

/// The metrics of an evaluated combination.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMetrics {
    pub json: String,
    pub total_return_pct: f64,
    pub sharpe_ratio: Option<f64>,
    pub max_drawdown_pct: f64,
    pub profit_factor: Option<f64>,
    pub num_trades: i64,
}

/// A stored evaluated combination.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResult {
    pub grid_index: i64,
    pub fold: i64,
    pub rule_id: Option<String>,
    pub params_json: String,
    pub metrics_json: String,
}

/// What result pages are ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    TotalReturn,
    Sharpe,
    MaxDrawdown,
    ProfitFactor,
    NumTrades,
    GridIndex,
}

impl SortKey {
    /// Every key, for messages.
    pub const ALL: [Self; 6] = [
        Self::TotalReturn,
        Self::Sharpe,
        Self::MaxDrawdown,
        Self::ProfitFactor,
        Self::NumTrades,
        Self::GridIndex,
    ];

    /// The column (also the API name: the metric's name in `metrics`).
    pub fn column(self) -> &'static str {
        match self {
            Self::TotalReturn => "total_return_pct",
            Self::Sharpe => "sharpe_ratio",
            Self::MaxDrawdown => "max_drawdown_pct",
            Self::ProfitFactor => "profit_factor",
            Self::NumTrades => "num_trades",
            Self::GridIndex => "grid_index",
        }
    }

    /// A key by its column name or objective name (`sharpe`, ...).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.column() == name)
            .or_else(|| name.parse::<Objective>().ok().map(Self::of))
    }

    /// The column an objective ranks by.
    pub fn of(objective: Objective) -> Self {
        match objective {
            Objective::TotalReturn => Self::TotalReturn,
            Objective::MaxDrawdown => Self::MaxDrawdown,
            Objective::ProfitFactor => Self::ProfitFactor,
            _ => Self::Sharpe,
        }
    }

    /// Whether larger is better (the default order is best first).
    pub fn descending_by_default(self) -> bool {
        !matches!(self, Self::MaxDrawdown | Self::GridIndex)
    }
}

/// The `ORDER BY` of a page: undefined values last, then the value, ties in
/// grid order. With an objective's key and default direction this is
/// exactly the order of `backtest_core::sweep::rank`.
fn order_by(key: SortKey, descending: bool) -> String {
    let column = key.column();
    let direction = if descending { "DESC" } else { "ASC" };
    if key == SortKey::GridIndex {
        format!("grid_index {direction}")
    } else {
        format!("({column} IS NULL), {column} {direction}, grid_index ASC")
    }
}

/// Stores a batch of `shard`'s rows and advances its `done`, in one
/// transaction. Returns the rows actually inserted (rows stored before are
/// ignored).
pub async fn insert_batch(
    pool: &AnyPool,
    backend: Backend,
    sweep_id: &str,
    shard: i64,
    rows: &[NewResult],
) -> Result<u64, sqlx::Error> {
    let verb = match backend {
        Backend::Sqlite => "INSERT OR IGNORE",
        Backend::MySql => "INSERT IGNORE",
    };
    let mut tx = pool.begin().await?;
    let mut inserted = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let placeholders =
            vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "{verb} INTO sweep_results (sweep_id, combo_index, fold, grid_index, outcome, rule_id, params_json, \
             metrics_json, skip_reason, total_return_pct, sharpe_ratio, max_drawdown_pct, profit_factor, num_trades) \
             VALUES {placeholders}"
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            let m = row.metrics.as_ref();
            query = query
                .bind(sweep_id)
                .bind(row.combo_index)
                .bind(row.fold)
                .bind(row.grid_index)
                .bind(if m.is_some() { "evaluated" } else { "skipped" })
                .bind(row.rule_id.as_deref())
                .bind(row.params_json.as_str())
                .bind(m.map(|m| m.json.as_str()))
                .bind(row.skip_reason.as_deref())
                .bind(m.map(|m| m.total_return_pct))
                .bind(m.and_then(|m| m.sharpe_ratio))
                .bind(m.map(|m| m.max_drawdown_pct))
                .bind(m.and_then(|m| m.profit_factor))
                .bind(m.map(|m| m.num_trades));
        }
        inserted += query.execute(&mut *tx).await?.rows_affected();
    }
    sqlx::query("UPDATE sweep_shards SET done = done + ? WHERE sweep_id = ? AND shard = ?")
        .bind(i64::try_from(inserted).unwrap_or(i64::MAX))
        .bind(sweep_id)
        .bind(shard)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(inserted)
}

/// The combination indices stored in `lo..hi`.
pub async fn stored_indices(
    pool: &AnyPool,
    sweep_id: &str,
    lo: i64,
    hi: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT combo_index FROM sweep_results WHERE sweep_id = ? AND combo_index >= ? AND combo_index < ?",
    )
    .bind(sweep_id)
    .bind(lo)
    .bind(hi)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| integer(r, "combo_index")).collect()
}

fn stored(row: &sqlx::any::AnyRow) -> Result<StoredResult, sqlx::Error> {
    Ok(StoredResult {
        grid_index: integer(row, "grid_index")?,
        fold: integer(row, "fold")?,
        rule_id: text(row, "rule_id")?,
        params_json: text_required(row, "params_json")?,
        metrics_json: text_required(row, "metrics_json")?,
    })
}

const RESULT_COLUMNS: &str = "grid_index, fold, rule_id, params_json, metrics_json";

/// A page of `fold`'s evaluated combinations and how many there are.
pub async fn page(
    pool: &AnyPool,
    sweep_id: &str,
    fold: i64,
    key: SortKey,
    descending: bool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<StoredResult>, i64), sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {RESULT_COLUMNS} FROM sweep_results \
         WHERE sweep_id = ? AND fold = ? AND outcome = 'evaluated' \
         ORDER BY {} LIMIT ? OFFSET ?",
        order_by(key, descending)
    ))
    .bind(sweep_id)
    .bind(fold)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let results = rows.iter().map(stored).collect::<Result<Vec<_>, _>>()?;
    let total = evaluated(pool, sweep_id, fold).await?;
    Ok((results, total))
}

/// Evaluated combinations of `fold`.
pub async fn evaluated(pool: &AnyPool, sweep_id: &str, fold: i64) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "SELECT COUNT(*) AS n FROM sweep_results WHERE sweep_id = ? AND fold = ? AND outcome = 'evaluated'",
    )
    .bind(sweep_id)
    .bind(fold)
    .fetch_one(pool)
    .await?
    .try_get("n")
}

/// The best evaluated combination of `fold` by `objective` (ties: the
/// lowest grid index), as the core's ranking picks it.
pub async fn best(
    pool: &AnyPool,
    sweep_id: &str,
    fold: i64,
    objective: Objective,
) -> Result<Option<StoredResult>, sqlx::Error> {
    let key = SortKey::of(objective);
    let (rows, _) = page(pool, sweep_id, fold, key, key.descending_by_default(), 1, 0).await?;
    Ok(rows.into_iter().next())
}

/// The evaluated combinations of `fold` at `grid_indices` (any missing are
/// simply absent).
pub async fn at_grid_indices(
    pool: &AnyPool,
    sweep_id: &str,
    fold: i64,
    grid_indices: &[i64],
) -> Result<Vec<StoredResult>, sqlx::Error> {
    let mut out = Vec::with_capacity(grid_indices.len());
    for chunk in grid_indices.chunks(500) {
        let placeholders = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT {RESULT_COLUMNS} FROM sweep_results \
             WHERE sweep_id = ? AND fold = ? AND outcome = 'evaluated' AND grid_index IN ({placeholders})"
        );
        let mut query = sqlx::query(&sql).bind(sweep_id).bind(fold);
        for index in chunk {
            query = query.bind(*index);
        }
        for row in query.fetch_all(pool).await? {
            out.push(stored(&row)?);
        }
    }
    Ok(out)
}

/// Rows stored for a sweep (evaluated or skipped), for progress checks.
pub async fn count(pool: &AnyPool, sweep_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM sweep_results WHERE sweep_id = ?")
        .bind(sweep_id)
        .fetch_one(pool)
        .await?
        .try_get("n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objective_order_is_best_first_with_ties_in_grid_order() {
        assert_eq!(
            order_by(SortKey::Sharpe, true),
            "(sharpe_ratio IS NULL), sharpe_ratio DESC, grid_index ASC"
        );
        assert_eq!(SortKey::parse("max_drawdown"), Some(SortKey::MaxDrawdown));
        assert_eq!(SortKey::parse("num_trades"), Some(SortKey::NumTrades));
        assert_eq!(SortKey::parse("rule_id"), None);
        assert!(!SortKey::MaxDrawdown.descending_by_default());
    }
}
