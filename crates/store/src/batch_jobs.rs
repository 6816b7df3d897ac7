//! Which curriculum each batch request planned.

use rusqlite::{Connection, OptionalExtension, Transaction};

use super::Result;

/// Records that `request` planned curriculum `curriculum_id`.
pub fn record(tx: &Transaction<'_>, request: &str, curriculum_id: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO batch_jobs (request, curriculum_id) VALUES (?1, ?2)",
        (request, curriculum_id),
    )?;
    Ok(())
}

/// The curriculum `request` planned, if it is still in the library.
pub fn curriculum_for(conn: &Connection, request: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT curriculum_id FROM batch_jobs WHERE request = ?1",
            [request],
            |row| row.get(0),
        )
        .optional()?)
}

/// The request that planned curriculum `id`; none for curricula made otherwise.
pub fn request_for(conn: &Connection, curriculum_id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT request FROM batch_jobs WHERE curriculum_id = ?1",
            [curriculum_id],
            |row| row.get(0),
        )
        .optional()?)
}
