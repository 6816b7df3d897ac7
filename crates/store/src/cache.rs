//! The response cache: answers keyed by a hash of their request, valid until they expire.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::{Result, now_unix};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CachedResponse {
    pub key: String,
    pub value: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Stores `value` under `key` for `ttl_seconds`, replacing an earlier entry.
pub fn put(tx: &Transaction<'_>, key: &str, value: &str, ttl_seconds: i64) -> Result<()> {
    let now = now_unix();
    tx.execute(
        "INSERT INTO response_cache (key, value, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at, expires_at = excluded.expires_at",
        params![key, value, now, now.saturating_add(ttl_seconds.max(0))],
    )?;
    Ok(())
}

/// The entry under `key` if it has not expired.
pub fn get(conn: &Connection, key: &str) -> Result<Option<CachedResponse>> {
    Ok(conn
        .query_row(
            "SELECT value, created_at, expires_at FROM response_cache WHERE key = ?1 AND expires_at > ?2",
            params![key, now_unix()],
            |row| {
                Ok(CachedResponse {
                    key: key.to_string(),
                    value: row.get(0)?,
                    created_at: row.get(1)?,
                    expires_at: row.get(2)?,
                })
            },
        )
        .optional()?)
}

/// Deletes expired entries and returns how many there were.
pub fn purge_expired(tx: &Transaction<'_>) -> Result<usize> {
    Ok(tx.execute(
        "DELETE FROM response_cache WHERE expires_at <= ?1",
        [now_unix()],
    )?)
}
