//! The versions an edit replaced, per document: read as a history, and popped to undo.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::{Result, now_unix};

/// A stored document that can be edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edited {
    Tutorial(i64),
    Material(i64),
}

impl Edited {
    /// The column that points at the document, and its id.
    fn column(self) -> (&'static str, i64) {
        match self {
            Edited::Tutorial(id) => ("tutorial_id", id),
            Edited::Material(id) => ("material_id", id),
        }
    }
}

/// One earlier version, without its document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub title: String,
    /// When the edit that replaced this version was made.
    pub edited_at: i64,
}

/// How many earlier versions of a document are kept; the oldest go first.
pub const KEPT_VERSIONS: i64 = 50;

/// Keeps the version an edit is about to replace.
pub fn record(
    tx: &Transaction<'_>,
    document: Edited,
    title: &str,
    replaced: &serde_json::Value,
) -> Result<()> {
    let (column, id) = document.column();
    tx.execute(
        &format!(
            "INSERT INTO document_history ({column}, title, document, edited_at) VALUES (?1, ?2, ?3, ?4)"
        ),
        params![id, title, replaced.to_string(), now_unix()],
    )?;
    tx.execute(
        &format!(
            "DELETE FROM document_history WHERE {column} = ?1 AND id NOT IN (
                 SELECT id FROM document_history WHERE {column} = ?1 ORDER BY id DESC LIMIT ?2)"
        ),
        params![id, KEPT_VERSIONS],
    )?;
    Ok(())
}

/// The document's earlier versions, the latest first.
pub fn list(conn: &Connection, document: Edited) -> Result<Vec<HistoryEntry>> {
    let (column, id) = document.column();
    let mut statement = conn.prepare_cached(&format!(
        "SELECT id, title, edited_at FROM document_history WHERE {column} = ?1 ORDER BY id DESC"
    ))?;
    let rows = statement.query_map([id], |row| {
        Ok(HistoryEntry {
            id: row.get(0)?,
            title: row.get(1)?,
            edited_at: row.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Removes and returns the latest earlier version (its title and document), to undo the
/// edit that replaced it.
pub fn take_latest(
    tx: &Transaction<'_>,
    document: Edited,
) -> Result<Option<(String, serde_json::Value)>> {
    let (column, id) = document.column();
    let latest: Option<(i64, String, String)> = tx
        .query_row(
            &format!(
                "SELECT id, title, document FROM document_history WHERE {column} = ?1 ORDER BY id DESC LIMIT 1"
            ),
            [id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let Some((entry, title, document)) = latest else {
        return Ok(None);
    };
    tx.execute("DELETE FROM document_history WHERE id = ?1", [entry])?;
    Ok(Some((title, serde_json::from_str(&document)?)))
}
