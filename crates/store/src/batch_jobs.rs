//! Which curriculum each batch request planned.

use rusqlite::{Connection, OptionalExtension, Transaction};

use super::Result;

/// Records that `request` planned curriculum `curriculum_id`.
pub fn record(tx: &Transaction<'_>, request: &str, curriculum_id: i64) -> Result<()> {
    tx.execute(
        // A request whose curriculum went to the trash plans a new one.
        "INSERT INTO batch_jobs (request, curriculum_id) VALUES (?1, ?2)
         ON CONFLICT (request) DO UPDATE SET curriculum_id = excluded.curriculum_id",
        (request, curriculum_id),
    )?;
    Ok(())
}

/// The curriculum `request` planned, if it is still in the library.
pub fn curriculum_for(conn: &Connection, request: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT b.curriculum_id FROM batch_jobs b JOIN curricula c ON c.id = b.curriculum_id
             WHERE b.request = ?1 AND c.deleted_at IS NULL",
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
