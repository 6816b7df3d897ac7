//! Tutorials: the JSON document plus the columns the library searches and sorts by.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::{Result, StoreError, now_unix, require_non_empty};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTutorial {
    pub title: String,
    pub topic: String,
    pub music_key: Option<String>,
    pub level: String,
    pub instrument: String,
    pub schema_version: u32,
    pub document: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TutorialRow {
    pub id: i64,
    pub title: String,
    pub topic: String,
    pub music_key: Option<String>,
    pub level: String,
    pub instrument: String,
    pub schema_version: u32,
    pub document: serde_json::Value,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TutorialSummary {
    pub id: i64,
    pub title: String,
    pub topic: String,
    pub music_key: Option<String>,
    pub level: String,
}

pub fn insert(tx: &Transaction<'_>, tutorial: &NewTutorial) -> Result<i64> {
    require_non_empty("tutorial title", &tutorial.title)?;
    require_non_empty("tutorial topic", &tutorial.topic)?;
    let now = now_unix();
    tx.execute(
        "INSERT INTO tutorials (title, topic, music_key, level, instrument, schema_version, document, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            tutorial.title,
            tutorial.topic,
            tutorial.music_key,
            tutorial.level,
            tutorial.instrument,
            tutorial.schema_version,
            tutorial.document.to_string(),
            now
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<TutorialRow>> {
    let row = conn
        .query_row(
            "SELECT title, topic, music_key, level, instrument, schema_version, document, created_at, updated_at
             FROM tutorials WHERE id = ?1",
            [id],
            |row| {
                Ok((
                    TutorialRow {
                        id,
                        title: row.get(0)?,
                        topic: row.get(1)?,
                        music_key: row.get(2)?,
                        level: row.get(3)?,
                        instrument: row.get(4)?,
                        schema_version: row.get(5)?,
                        document: serde_json::Value::Null,
                        created_at: row.get(7)?,
                        updated_at: row.get(8)?,
                    },
                    row.get::<_, String>(6)?,
                ))
            },
        )
        .optional()?;
    row.map(|(mut tutorial, document)| {
        tutorial.document = serde_json::from_str(&document)?;
        Ok(tutorial)
    })
    .transpose()
}

/// Tutorials whose title, topic or key contains `query` (case-insensitive), newest first.
pub fn search(conn: &Connection, query: &str) -> Result<Vec<TutorialSummary>> {
    let pattern = super::like_pattern(query);
    let mut statement = conn.prepare_cached(
        "SELECT id, title, topic, music_key, level FROM tutorials
         WHERE title LIKE ?1 ESCAPE '\\' OR topic LIKE ?1 ESCAPE '\\' OR music_key LIKE ?1 ESCAPE '\\'
         ORDER BY updated_at DESC, id DESC",
    )?;
    let rows = statement.query_map([pattern], |row| {
        Ok(TutorialSummary {
            id: row.get(0)?,
            title: row.get(1)?,
            topic: row.get(2)?,
            music_key: row.get(3)?,
            level: row.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn rename(tx: &Transaction<'_>, id: i64, title: &str) -> Result<()> {
    require_non_empty("tutorial title", title)?;
    let changed = tx.execute(
        "UPDATE tutorials SET title = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, title, now_unix()],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            what: "tutorial",
            id,
        });
    }
    Ok(())
}

/// Writes an edited version of a tutorial over the stored one.
pub fn replace(tx: &Transaction<'_>, id: i64, tutorial: &NewTutorial) -> Result<()> {
    require_non_empty("tutorial title", &tutorial.title)?;
    let changed = tx.execute(
        "UPDATE tutorials SET title = ?2, topic = ?3, music_key = ?4, level = ?5, instrument = ?6,
         schema_version = ?7, document = ?8, updated_at = ?9 WHERE id = ?1",
        params![
            id,
            tutorial.title,
            tutorial.topic,
            tutorial.music_key,
            tutorial.level,
            tutorial.instrument,
            tutorial.schema_version,
            tutorial.document.to_string(),
            now_unix()
        ],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            what: "tutorial",
            id,
        });
    }
    Ok(())
}

pub fn delete(tx: &Transaction<'_>, id: i64) -> Result<()> {
    if tx.execute("DELETE FROM tutorials WHERE id = ?1", [id])? == 0 {
        return Err(StoreError::NotFound {
            what: "tutorial",
            id,
        });
    }
    Ok(())
}
