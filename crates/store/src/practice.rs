//! Assignments, practice items with their schedule, and answers.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::Serialize;

use super::{Result, StoreError};

/// What a teacher assigns: one tutorial or one curriculum.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAssignment {
    pub student_id: i64,
    pub tutorial_id: Option<i64>,
    pub curriculum_id: Option<i64>,
    pub pass_threshold: f64,
    pub assigned_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssignmentRow {
    pub id: i64,
    pub tutorial_id: Option<i64>,
    pub curriculum_id: Option<i64>,
    /// The tutorial's or curriculum's title.
    pub title: String,
    pub pass_threshold: f64,
    pub assigned_at: i64,
    pub items: i64,
}

/// An item drawn from an assignment, new and due at `due`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewItem {
    pub assignment_id: i64,
    pub student_id: i64,
    pub lesson_id: Option<i64>,
    pub prerequisites: Vec<i64>,
    pub position: i64,
    pub skill: String,
    pub item: serde_json::Value,
    pub due: i64,
}

/// An item with its place in the schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemRow {
    pub id: i64,
    pub assignment_id: i64,
    pub lesson_id: Option<i64>,
    pub prerequisites: Vec<i64>,
    pub pass_threshold: f64,
    pub position: i64,
    pub skill: String,
    pub item: serde_json::Value,
    pub stability: Option<f64>,
    pub difficulty: Option<f64>,
    pub due: i64,
    pub last_review: Option<i64>,
    pub reviews: i64,
    pub lapses: i64,
    pub streak: i64,
    pub last_correct: Option<bool>,
    /// When the item was first answered.
    pub first_answered: Option<i64>,
}

/// An item's schedule after an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleUpdate {
    pub stability: f64,
    pub difficulty: f64,
    pub due: i64,
    pub reviews: i64,
    pub lapses: i64,
    pub streak: i64,
}

/// One answer, as given.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAnswer {
    pub item_id: i64,
    pub student_id: i64,
    pub answered_at: i64,
    pub answer: String,
    pub correct: bool,
    pub rating: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerRow {
    pub item_id: i64,
    pub skill: String,
    pub answered_at: i64,
    pub answer: String,
    pub correct: bool,
    pub rating: String,
}

pub fn insert_assignment(tx: &Transaction<'_>, assignment: &NewAssignment) -> Result<i64> {
    if !(assignment.pass_threshold > 0.0 && assignment.pass_threshold <= 1.0) {
        return Err(StoreError::Invalid {
            field: "pass threshold",
            reason: format!(
                "{} is not a share between 0 and 1 (0.8 is 80%)",
                assignment.pass_threshold
            ),
        });
    }
    let inserted = tx.execute(
        "INSERT INTO assignments (student_id, tutorial_id, curriculum_id, pass_threshold, assigned_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            assignment.student_id,
            assignment.tutorial_id,
            assignment.curriculum_id,
            assignment.pass_threshold,
            assignment.assigned_at
        ],
    );
    match inserted {
        Err(rusqlite::Error::SqliteFailure(error, _))
            if error.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            Err(StoreError::Invalid {
                field: "assignment",
                reason: "the student already has it".into(),
            })
        }
        other => {
            other?;
            Ok(tx.last_insert_rowid())
        }
    }
}

pub fn assignments_of(conn: &Connection, student_id: i64) -> Result<Vec<AssignmentRow>> {
    let mut statement = conn.prepare_cached(
        "SELECT a.id, a.tutorial_id, a.curriculum_id, coalesce(t.title, c.title, ''),
                a.pass_threshold, a.assigned_at,
                (SELECT count(*) FROM practice_items i WHERE i.assignment_id = a.id)
         FROM assignments a
         LEFT JOIN tutorials t ON t.id = a.tutorial_id
         LEFT JOIN curricula c ON c.id = a.curriculum_id
         WHERE a.student_id = ?1 AND c.deleted_at IS NULL ORDER BY a.assigned_at, a.id",
    )?;
    let rows = statement.query_map([student_id], |row| {
        Ok(AssignmentRow {
            id: row.get(0)?,
            tutorial_id: row.get(1)?,
            curriculum_id: row.get(2)?,
            title: row.get(3)?,
            pass_threshold: row.get(4)?,
            assigned_at: row.get(5)?,
            items: row.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn insert_item(tx: &Transaction<'_>, item: &NewItem) -> Result<i64> {
    tx.execute(
        "INSERT INTO practice_items (assignment_id, student_id, lesson_id, prerequisites, position, skill, item, due)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            item.assignment_id,
            item.student_id,
            item.lesson_id,
            serde_json::to_string(&item.prerequisites)?,
            item.position,
            item.skill,
            item.item.to_string(),
            item.due
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

const ITEM_COLUMNS: &str = "i.id, i.assignment_id, i.lesson_id, i.prerequisites, a.pass_threshold,
     i.position, i.skill, i.item, i.stability, i.difficulty, i.due, i.last_review, i.reviews,
     i.lapses, i.streak, i.last_correct,
     (SELECT min(p.answered_at) FROM practice_answers p WHERE p.item_id = i.id)
     FROM practice_items i JOIN assignments a ON a.id = i.assignment_id
     LEFT JOIN curricula c ON c.id = a.curriculum_id";

fn item_row(row: &Row<'_>) -> rusqlite::Result<(ItemRow, String, String)> {
    Ok((
        ItemRow {
            id: row.get(0)?,
            assignment_id: row.get(1)?,
            lesson_id: row.get(2)?,
            prerequisites: Vec::new(),
            pass_threshold: row.get(4)?,
            position: row.get(5)?,
            skill: row.get(6)?,
            item: serde_json::Value::Null,
            stability: row.get(8)?,
            difficulty: row.get(9)?,
            due: row.get(10)?,
            last_review: row.get(11)?,
            reviews: row.get(12)?,
            lapses: row.get(13)?,
            streak: row.get(14)?,
            last_correct: row.get(15)?,
            first_answered: row.get(16)?,
        },
        row.get(3)?,
        row.get(7)?,
    ))
}

fn with_json((mut row, prerequisites, item): (ItemRow, String, String)) -> Result<ItemRow> {
    row.prerequisites = serde_json::from_str(&prerequisites)?;
    row.item = serde_json::from_str(&item)?;
    Ok(row)
}

/// Every item assigned to the student, in the order assigned.
pub fn items_of(conn: &Connection, student_id: i64) -> Result<Vec<ItemRow>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS} WHERE i.student_id = ?1 AND c.deleted_at IS NULL ORDER BY a.assigned_at, a.id, i.position, i.id"
    ))?;
    let rows = statement
        .query_map([student_id], item_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(with_json).collect()
}

/// One of the student's items.
pub fn item_of(conn: &Connection, student_id: i64, item_id: i64) -> Result<Option<ItemRow>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS} WHERE i.student_id = ?1 AND i.id = ?2 AND c.deleted_at IS NULL"
    ))?;
    statement
        .query_row(params![student_id, item_id], item_row)
        .optional()?
        .map(with_json)
        .transpose()
}

/// Keeps an answer and moves its item in the schedule, together.
pub fn record_answer(
    tx: &Transaction<'_>,
    answer: &NewAnswer,
    schedule: &ScheduleUpdate,
) -> Result<()> {
    let changed = tx.execute(
        "UPDATE practice_items SET stability = ?1, difficulty = ?2, due = ?3, last_review = ?4,
             reviews = ?5, lapses = ?6, streak = ?7, last_correct = ?8
         WHERE id = ?9 AND student_id = ?10",
        params![
            schedule.stability,
            schedule.difficulty,
            schedule.due,
            answer.answered_at,
            schedule.reviews,
            schedule.lapses,
            schedule.streak,
            answer.correct,
            answer.item_id,
            answer.student_id
        ],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            what: "practice item",
            id: answer.item_id,
        });
    }
    tx.execute(
        "INSERT INTO practice_answers (item_id, student_id, answered_at, answer, correct, rating)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            answer.item_id,
            answer.student_id,
            answer.answered_at,
            answer.answer,
            answer.correct,
            answer.rating
        ],
    )?;
    Ok(())
}

/// Every answer the student gave, oldest first.
pub fn answers_of(conn: &Connection, student_id: i64) -> Result<Vec<AnswerRow>> {
    let mut statement = conn.prepare_cached(
        "SELECT p.item_id, i.skill, p.answered_at, p.answer, p.correct, p.rating
         FROM practice_answers p JOIN practice_items i ON i.id = p.item_id
         JOIN assignments a ON a.id = i.assignment_id
         LEFT JOIN curricula c ON c.id = a.curriculum_id
         WHERE p.student_id = ?1 AND c.deleted_at IS NULL ORDER BY p.answered_at, p.id",
    )?;
    let rows = statement.query_map([student_id], |row| {
        Ok(AnswerRow {
            item_id: row.get(0)?,
            skill: row.get(1)?,
            answered_at: row.get(2)?,
            answer: row.get(3)?,
            correct: row.get(4)?,
            rating: row.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An assessment a student took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptRow {
    pub material_id: i64,
    pub title: String,
    pub score: f64,
    pub taken_at: i64,
}

pub fn insert_attempt(
    tx: &Transaction<'_>,
    material_id: i64,
    student_id: i64,
    score: f64,
    answers: &serde_json::Value,
    taken_at: i64,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO assessment_attempts (material_id, student_id, score, answers, taken_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            material_id,
            student_id,
            score,
            answers.to_string(),
            taken_at
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The assessments a student took, newest first.
pub fn attempts_of(conn: &Connection, student_id: i64) -> Result<Vec<AttemptRow>> {
    let mut statement = conn.prepare_cached(
        "SELECT t.material_id, m.title, t.score, t.taken_at
         FROM assessment_attempts t JOIN materials m ON m.id = t.material_id
         WHERE t.student_id = ?1 ORDER BY t.taken_at DESC, t.id DESC",
    )?;
    let rows = statement.query_map([student_id], |row| {
        Ok(AttemptRow {
            material_id: row.get(0)?,
            title: row.get(1)?,
            score: row.get(2)?,
            taken_at: row.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
