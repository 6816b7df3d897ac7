//! Practice, as the window and the command line see it: students, what a teacher assigns
//! them, today's items, answers scored by the theory engine and scheduled by FSRS, and
//! progress. Everything here is offline: no network, no model.

//!
//! Layout: `assign` adds students and draws items from what a teacher assigns, `sessions`
//! gives today's items and keeps answers, `records` reports progress, assessments taken and
//! the record a teacher exports.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use cadence_practice::{assessment, item, midi, progress, schedule, score, session};

use crate::StudioError;
use crate::store::{StoreError, students};
use item::Skill;
use progress::Progress;
use score::ScoreError;

mod assign;
mod records;
mod sessions;

#[derive(Debug, thiserror::Error)]
pub enum PracticeError {
    #[error(transparent)]
    Studio(#[from] StudioError),
    #[error("student {0} does not exist; `cadence student list` shows the students")]
    NoSuchStudent(i64),
    #[error("item {item} is not one of student {student}'s; `cadence practice today` lists them")]
    NoSuchItem { student: i64, item: i64 },
    #[error("{0} has no chords to practise yet; assign a lesson with a progression")]
    NothingToPractise(String),
    #[error("{0}")]
    Answer(#[from] ScoreError),
    #[error("{0}")]
    Invalid(String),
}

impl From<crate::limits::InputError> for PracticeError {
    fn from(error: crate::limits::InputError) -> Self {
        PracticeError::Studio(error.into())
    }
}

impl From<StoreError> for PracticeError {
    fn from(error: StoreError) -> Self {
        PracticeError::Studio(error.into())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StudentView {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub level: String,
    pub instrument: String,
}

impl From<students::Student> for StudentView {
    fn from(student: students::Student) -> Self {
        StudentView {
            id: student.id,
            name: student.name,
            level: student.level,
            instrument: student.instrument,
        }
    }
}

/// What a teacher assigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Assignable {
    Tutorial(#[ts(type = "number")] i64),
    Curriculum(#[ts(type = "number")] i64),
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Assigned {
    #[ts(type = "number")]
    pub assignment: i64,
    pub title: String,
    #[ts(type = "number")]
    pub items: usize,
}

/// An item as the student sees it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PracticeItemView {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: String,
    pub skill: Skill,
    pub question: String,
    pub key: Option<String>,
    pub numeral: Option<String>,
    pub choices: Vec<String>,
    /// Notes the window plays (ear training), lowest first, with octaves.
    pub sound: Vec<String>,
    /// For a play-along: its chords, each voiced from the bass (notes with octaves), and the
    /// tempo to play them at today.
    pub chords: Vec<String>,
    pub voicings: Vec<Vec<String>>,
    pub tempo_bpm: Option<u32>,
    /// Whether the item is asked for the first time.
    pub new: bool,
    /// Whether the item can be answered by playing its chord on a keyboard.
    pub playable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AnswerResult {
    pub correct: bool,
    pub expected: String,
    pub feedback: String,
    /// When the item comes back, RFC 3339.
    pub due: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AssignmentView {
    #[ts(type = "number")]
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub pass_threshold: f64,
    #[ts(type = "number")]
    pub items: i64,
}

/// An assessment a student took.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AttemptView {
    #[ts(type = "number")]
    pub material: i64,
    pub title: String,
    pub score: f64,
    /// RFC 3339.
    pub taken_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StudentProgress {
    pub student: StudentView,
    pub assignments: Vec<AssignmentView>,
    /// Assessments taken, newest first.
    pub assessments: Vec<AttemptView>,
    pub progress: Progress,
    /// Items due now or new, ready for today's session.
    #[ts(type = "number")]
    pub due_today: usize,
}
