//! Assessments and the results students get on them.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Result, StoreError, enum_from_sql, now_unix, require_non_empty};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentKind {
    Diagnostic,
    Milestone,
    Module,
    Final,
}

impl AssessmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentKind::Diagnostic => "diagnostic",
            AssessmentKind::Milestone => "milestone",
            AssessmentKind::Module => "module",
            AssessmentKind::Final => "final",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAssessment {
    pub curriculum_id: Option<i64>,
    pub module_id: Option<i64>,
    pub kind: AssessmentKind,
    pub title: String,
    pub document: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub id: i64,
    pub curriculum_id: Option<i64>,
    pub module_id: Option<i64>,
    pub kind: AssessmentKind,
    pub title: String,
    pub document: serde_json::Value,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewResult {
    pub assessment_id: i64,
    pub student_id: i64,
    /// Fraction of the marks obtained, 0.0 to 1.0.
    pub score: f64,
    pub answers: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentResult {
    pub id: i64,
    pub assessment_id: i64,
    pub student_id: i64,
    pub score: f64,
    pub answers: serde_json::Value,
    pub taken_at: i64,
}

pub fn insert(tx: &Transaction<'_>, assessment: &NewAssessment) -> Result<i64> {
    require_non_empty("assessment title", &assessment.title)?;
    tx.execute(
        "INSERT INTO assessments (curriculum_id, module_id, kind, title, document, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            assessment.curriculum_id,
            assessment.module_id,
            assessment.kind.as_str(),
            assessment.title,
            assessment.document.to_string(),
            now_unix()
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Assessment>> {
    let row = conn
        .query_row(
            "SELECT curriculum_id, module_id, kind, title, document, created_at FROM assessments WHERE id = ?1",
            [id],
            |row| {
                Ok((
                    row.get::<_, Option<i64>>(0)?,
                    row.get::<_, Option<i64>>(1)?,
                    enum_from_sql::<AssessmentKind>(&row.get::<_, String>(2)?)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, i64>(5)?,
                ))
            },
        )
        .optional()?;
    row.map(
        |(curriculum_id, module_id, kind, title, document, created_at)| {
            Ok(Assessment {
                id,
                curriculum_id,
                module_id,
                kind,
                title,
                document: serde_json::from_str(&document)?,
                created_at,
            })
        },
    )
    .transpose()
}

pub fn record_result(tx: &Transaction<'_>, result: &NewResult) -> Result<i64> {
    if !(0.0..=1.0).contains(&result.score) {
        return Err(StoreError::Invalid {
            field: "score",
            reason: format!("{} is not a fraction between 0 and 1", result.score),
        });
    }
    tx.execute(
        "INSERT INTO assessment_results (assessment_id, student_id, score, answers, taken_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            result.assessment_id,
            result.student_id,
            result.score,
            result.answers.to_string(),
            now_unix()
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn results_for_student(conn: &Connection, student_id: i64) -> Result<Vec<AssessmentResult>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, assessment_id, score, answers, taken_at FROM assessment_results
         WHERE student_id = ?1 ORDER BY taken_at DESC, id DESC",
    )?;
    let rows = statement
        .query_map([student_id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, f64>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, assessment_id, score, answers, taken_at)| {
            Ok(AssessmentResult {
                id,
                assessment_id,
                student_id,
                score,
                answers: serde_json::from_str(&answers)?,
                taken_at,
            })
        })
        .collect()
}
