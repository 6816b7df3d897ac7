//! Materials made on their own: an exercise, a theory analysis, an assessment or a
//! lesson-plan part, stored as its JSON document plus the columns the library lists by.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};

use super::{Result, StoreError, now_unix, require_non_empty};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMaterial {
    /// `exercise`, `theory_analysis`, `assessment` or `lesson_plan_part`.
    pub kind: String,
    pub title: String,
    pub topic: String,
    pub music_key: Option<String>,
    pub level: Option<String>,
    pub grade: Option<String>,
    pub instrument: String,
    pub schema_version: u32,
    pub document: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MaterialRow {
    pub id: i64,
    pub material: NewMaterial,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MaterialSummary {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub topic: String,
    pub music_key: Option<String>,
    pub level: Option<String>,
    pub grade: Option<String>,
}

pub fn insert(tx: &Transaction<'_>, material: &NewMaterial) -> Result<i64> {
    require_non_empty("material title", &material.title)?;
    require_non_empty("material topic", &material.topic)?;
    let now = now_unix();
    tx.execute(
        "INSERT INTO materials (kind, title, topic, music_key, level, grade, instrument, schema_version, document, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
        params![
            material.kind,
            material.title,
            material.topic,
            material.music_key,
            material.level,
            material.grade,
            material.instrument,
            material.schema_version,
            material.document.to_string(),
            now
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<MaterialRow>> {
    let row = conn
        .query_row(
            "SELECT kind, title, topic, music_key, level, grade, instrument, schema_version, document, created_at, updated_at
             FROM materials WHERE id = ?1",
            [id],
            |row| {
                Ok((
                    MaterialRow {
                        id,
                        material: NewMaterial {
                            kind: row.get(0)?,
                            title: row.get(1)?,
                            topic: row.get(2)?,
                            music_key: row.get(3)?,
                            level: row.get(4)?,
                            grade: row.get(5)?,
                            instrument: row.get(6)?,
                            schema_version: row.get(7)?,
                            document: serde_json::Value::Null,
                        },
                        created_at: row.get(9)?,
                        updated_at: row.get(10)?,
                    },
                    row.get::<_, String>(8)?,
                ))
            },
        )
        .optional()?;
    row.map(|(mut stored, document)| {
        stored.material.document = serde_json::from_str(&document)?;
        Ok(stored)
    })
    .transpose()
}

fn summary(row: &Row<'_>) -> rusqlite::Result<MaterialSummary> {
    Ok(MaterialSummary {
        id: row.get(0)?,
        kind: row.get(1)?,
        title: row.get(2)?,
        topic: row.get(3)?,
        music_key: row.get(4)?,
        level: row.get(5)?,
        grade: row.get(6)?,
    })
}

/// Materials whose title, topic or key contains `query` (case-insensitive), newest first.
pub fn search(conn: &Connection, query: &str) -> Result<Vec<MaterialSummary>> {
    let pattern = super::like_pattern(query);
    let mut statement = conn.prepare_cached(
        "SELECT id, kind, title, topic, music_key, level, grade FROM materials
         WHERE title LIKE ?1 ESCAPE '\\' OR topic LIKE ?1 ESCAPE '\\' OR music_key LIKE ?1 ESCAPE '\\'
         ORDER BY updated_at DESC, id DESC",
    )?;
    let rows = statement.query_map([pattern], summary)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn rename(tx: &Transaction<'_>, id: i64, title: &str) -> Result<()> {
    require_non_empty("material title", title)?;
    let changed = tx.execute(
        "UPDATE materials SET title = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, title, now_unix()],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            what: "material",
            id,
        });
    }
    Ok(())
}

/// Writes an edited version of a material over the stored one; its kind stays.
pub fn replace(tx: &Transaction<'_>, id: i64, material: &NewMaterial) -> Result<()> {
    require_non_empty("material title", &material.title)?;
    let changed = tx.execute(
        "UPDATE materials SET title = ?2, topic = ?3, music_key = ?4, level = ?5, grade = ?6,
         instrument = ?7, schema_version = ?8, document = ?9, updated_at = ?10 WHERE id = ?1",
        params![
            id,
            material.title,
            material.topic,
            material.music_key,
            material.level,
            material.grade,
            material.instrument,
            material.schema_version,
            material.document.to_string(),
            now_unix()
        ],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            what: "material",
            id,
        });
    }
    Ok(())
}

pub fn delete(tx: &Transaction<'_>, id: i64) -> Result<()> {
    if tx.execute("DELETE FROM materials WHERE id = ?1", [id])? == 0 {
        return Err(StoreError::NotFound {
            what: "material",
            id,
        });
    }
    Ok(())
}
