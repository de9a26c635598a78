//! The `api_tokens` table: who may use the API in `AUTH_MODE=token`.
//!
//! A token is `bt_` followed by 64 hex digits: 256 bits from the operating
//! system's random source. Only its SHA-256 is stored, so a copy of the
//! database grants nothing; the token itself is shown once, by
//! `backtest token create`. A token's name is the owner recorded on the
//! runs and presets it creates.

use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use subtle::ConstantTimeEq;

use super::{now, text, text_required};

/// What every token starts with (lets secret scanners recognise a leak).
pub const TOKEN_PREFIX: &str = "bt_";
/// Random bytes in a token.
pub const TOKEN_BYTES: usize = 32;
/// Longest token name, in characters (the owner columns are `VARCHAR(100)`).
pub const MAX_NAME_CHARS: usize = 100;

/// A token's row, without its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The unique name, the owner of what the token creates.
    pub name: String,
    /// Whether the token sees and deletes everyone's runs and presets.
    pub admin: bool,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, once revoked.
    pub revoked_at: Option<String>,
}

/// Why a token could not be created or revoked.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The name is unusable.
    #[error("invalid token name: {0}")]
    InvalidName(String),
    /// A token of that name exists (revoked or not: names are never reused,
    /// so an owner's history stays one person's).
    #[error("a token named `{0}` already exists")]
    Duplicate(String),
    /// No token of that name.
    #[error("no token named `{0}`")]
    Unknown(String),
    /// The token was revoked before.
    #[error("the token `{0}` is already revoked")]
    AlreadyRevoked(String),
    /// The operating system's random source failed.
    #[error("cannot draw random bytes for a token: {0}")]
    Random(String),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Checks a token name: 1 to 100 characters, no control characters, no
/// surrounding white space. Anything else is allowed and stored verbatim
/// (it only ever travels as a bound SQL parameter).
///
/// # Errors
/// [`TokenError::InvalidName`] saying what is wrong.
pub fn validate_name(name: &str) -> Result<&str, TokenError> {
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS {
        return Err(TokenError::InvalidName(format!(
            "must be 1 to {MAX_NAME_CHARS} characters, got {chars}"
        )));
    }
    if name.trim() != name {
        return Err(TokenError::InvalidName(
            "must not start or end with white space".to_owned(),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(TokenError::InvalidName(
            "must not contain control characters".to_owned(),
        ));
    }
    Ok(name)
}

/// A new random token.
///
/// # Errors
/// When the operating system's random source fails.
pub fn generate() -> Result<String, TokenError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| TokenError::Random(e.to_string()))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

/// The stored form of a token: its SHA-256, in hex.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn flag(row: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    // An INTEGER on SQLite, an INT on MySQL: accept any width.
    row.try_get::<bool, _>(column)
        .or_else(|_| row.try_get::<i64, _>(column).map(|v| v != 0))
        .or_else(|_| row.try_get::<i32, _>(column).map(|v| v != 0))
        .or_else(|_| row.try_get::<i16, _>(column).map(|v| v != 0))
}

fn info(row: &AnyRow) -> Result<TokenInfo, sqlx::Error> {
    Ok(TokenInfo {
        name: text_required(row, "name")?,
        admin: flag(row, "is_admin")?,
        created_at: text_required(row, "created_at")?,
        revoked_at: text(row, "revoked_at")?,
    })
}

/// Creates a token named `name` and returns it (the only time it exists
/// outside the client).
///
/// # Errors
/// An invalid or taken name, the random source, the database.
pub async fn create(pool: &AnyPool, name: &str, admin: bool) -> Result<String, TokenError> {
    let name = validate_name(name)?;
    let token = generate()?;
    let mut tx = pool.begin().await?;
    // Not `fetch_optional` (see the `db` module docs).
    let taken = sqlx::query("SELECT id FROM api_tokens WHERE name = ?")
        .bind(name)
        .fetch_all(&mut *tx)
        .await?;
    if !taken.is_empty() {
        return Err(TokenError::Duplicate(name.to_owned()));
    }
    let inserted = sqlx::query(
        "INSERT INTO api_tokens (name, token_hash, is_admin, created_at) VALUES (?, ?, ?, ?)",
    )
    .bind(name)
    .bind(hash(&token))
    .bind(i32::from(admin))
    .bind(now())
    .execute(&mut *tx)
    .await;
    match inserted {
        // A concurrent create of the same name loses on the unique key.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(TokenError::Duplicate(name.to_owned()))
        }
        Err(e) => return Err(e.into()),
        Ok(_) => {}
    }
    tx.commit().await?;
    Ok(token)
}

/// Every token, by name.
///
/// # Errors
/// The database.
pub async fn list(pool: &AnyPool) -> Result<Vec<TokenInfo>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT name, is_admin, created_at, revoked_at FROM api_tokens ORDER BY name")
            .fetch_all(pool)
            .await?;
    rows.iter().map(info).collect()
}

/// Revokes the token `name`: from now on it is refused.
///
/// # Errors
/// An unknown or already revoked name, the database.
pub async fn revoke(pool: &AnyPool, name: &str) -> Result<(), TokenError> {
    let mut tx = pool.begin().await?;
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL")
            .bind(now())
            .bind(name)
            .execute(&mut *tx)
            .await?;
    if done.rows_affected() == 1 {
        tx.commit().await?;
        return Ok(());
    }
    let known = sqlx::query("SELECT id FROM api_tokens WHERE name = ?")
        .bind(name)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    if known.is_empty() {
        Err(TokenError::Unknown(name.to_owned()))
    } else {
        Err(TokenError::AlreadyRevoked(name.to_owned()))
    }
}

/// The live (not revoked) token that `presented` is, if any.
///
/// The lookup is by hash, so what the database compares is a SHA-256 the
/// client cannot steer byte by byte; the match is then confirmed with a
/// constant-time comparison, and no branch depends on how much of a wrong
/// token was right.
///
/// # Errors
/// The database.
pub async fn authenticate(
    pool: &AnyPool,
    presented: &str,
) -> Result<Option<TokenInfo>, sqlx::Error> {
    let presented_hash = hash(presented);
    // Not `fetch_optional` (see the `db` module docs).
    let rows = sqlx::query(
        "SELECT name, token_hash, is_admin, created_at, revoked_at FROM api_tokens WHERE token_hash = ?",
    )
    .bind(&presented_hash)
    .fetch_all(pool)
    .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let stored = text_required(row, "token_hash")?;
    if !bool::from(stored.as_bytes().ct_eq(presented_hash.as_bytes())) {
        return Ok(None);
    }
    let token = info(row)?;
    Ok(token.revoked_at.is_none().then_some(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = generate().expect("random");
        let b = generate().expect("random");
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX));
        // 256 bits: 64 hex digits after the prefix.
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 2 * TOKEN_BYTES);
        assert!(a[TOKEN_PREFIX.len()..]
            .bytes()
            .all(|c| c.is_ascii_hexdigit()));
        // The SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn names_are_checked_but_not_restricted_to_a_charset() {
        for good in [
            "alice",
            "ci-bot.2",
            "'; DROP TABLE api_tokens; --",
            "../../etc/passwd",
            "Zoë",
        ] {
            assert_eq!(validate_name(good).ok(), Some(good));
        }
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        for bad in ["", " alice", "bob ", "a\nb", "a\u{0}b", long.as_str()] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
    }
}
