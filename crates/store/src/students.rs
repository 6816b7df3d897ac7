//! Students and their practice records.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::{Result, StoreError, now_unix, require_non_empty};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStudent {
    pub name: String,
    pub instrument: String,
    pub level: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Student {
    pub id: i64,
    pub name: String,
    pub instrument: String,
    pub level: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPracticeRecord {
    pub student_id: i64,
    pub exercise_id: Option<i64>,
    pub tutorial_id: Option<i64>,
    pub duration_seconds: u32,
    pub tempo_bpm: Option<u32>,
    pub accuracy: Option<f64>,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PracticeRecord {
    pub id: i64,
    pub student_id: i64,
    pub exercise_id: Option<i64>,
    pub tutorial_id: Option<i64>,
    pub practised_at: i64,
    pub duration_seconds: u32,
    pub tempo_bpm: Option<u32>,
    pub accuracy: Option<f64>,
    pub notes: String,
}

pub fn insert(tx: &Transaction<'_>, student: &NewStudent) -> Result<i64> {
    require_non_empty("student name", &student.name)?;
    tx.execute(
        "INSERT INTO students (name, instrument, level, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![student.name, student.instrument, student.level, now_unix()],
    )?;
    Ok(tx.last_insert_rowid())
}

const STUDENT_COLUMNS: &str = "id, name, instrument, level, created_at";

fn student_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Student> {
    Ok(Student {
        id: row.get(0)?,
        name: row.get(1)?,
        instrument: row.get(2)?,
        level: row.get(3)?,
        created_at: row.get(4)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Student>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {STUDENT_COLUMNS} FROM students WHERE id = ?1"
    ))?;
    Ok(statement.query_row([id], student_row).optional()?)
}

pub fn list(conn: &Connection) -> Result<Vec<Student>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {STUDENT_COLUMNS} FROM students ORDER BY name COLLATE NOCASE, id"
    ))?;
    let rows = statement.query_map([], student_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn record_practice(tx: &Transaction<'_>, record: &NewPracticeRecord) -> Result<i64> {
    if record.duration_seconds == 0 {
        return Err(StoreError::Invalid {
            field: "practice duration",
            reason: "must be at least one second".into(),
        });
    }
    if let Some(accuracy) = record.accuracy.filter(|a| !(0.0..=1.0).contains(a)) {
        return Err(StoreError::Invalid {
            field: "accuracy",
            reason: format!("{accuracy} is not a fraction between 0 and 1"),
        });
    }
    tx.execute(
        "INSERT INTO practice_records (student_id, exercise_id, tutorial_id, practised_at, duration_seconds, tempo_bpm, accuracy, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            record.student_id,
            record.exercise_id,
            record.tutorial_id,
            now_unix(),
            record.duration_seconds,
            record.tempo_bpm,
            record.accuracy,
            record.notes
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn practice_of(conn: &Connection, student_id: i64) -> Result<Vec<PracticeRecord>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, exercise_id, tutorial_id, practised_at, duration_seconds, tempo_bpm, accuracy, notes
         FROM practice_records WHERE student_id = ?1 ORDER BY practised_at DESC, id DESC",
    )?;
    let rows = statement.query_map([student_id], |row| {
        Ok(PracticeRecord {
            id: row.get(0)?,
            student_id,
            exercise_id: row.get(1)?,
            tutorial_id: row.get(2)?,
            practised_at: row.get(3)?,
            duration_seconds: row.get(4)?,
            tempo_bpm: row.get(5)?,
            accuracy: row.get(6)?,
            notes: row.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
