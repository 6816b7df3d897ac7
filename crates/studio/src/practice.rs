//! Practice, as the window and the command line see it: students, what a teacher assigns
//! them, today's items, answers scored by the theory engine and scheduled by FSRS, and
//! progress. Everything here is offline: no network, no model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use cadence_practice::{assessment, item, midi, progress, schedule, score, session};

use crate::content::{Level, Tutorial};
use crate::store::practice::{self as rows, ItemRow, NewAnswer, NewAssignment, NewItem};
use crate::store::{Store, StoreError, curricula, students, tutorials};
use crate::{Studio, StudioError};
use item::{Item, Skill, items_from_music};
use progress::{Answered, Progress, progress, rfc3339};
use schedule::{Schedule, play_along_tempo, review};
use score::ScoreError;
use session::{Candidate, DEFAULT_PASS_THRESHOLD, Lesson, NEW_ITEMS, SESSION_ITEMS, todays_items};

/// The tempo a play-along aims for when its lesson names none.
const DEFAULT_TEMPO_BPM: u32 = 80;

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

fn item_of(row: &ItemRow) -> Result<Item, PracticeError> {
    serde_json::from_value(row.item.clone())
        .map_err(|e| PracticeError::Studio(StoreError::from(e).into()))
}

fn schedule_of(row: &ItemRow) -> Schedule {
    Schedule {
        memory: row
            .stability
            .zip(row.difficulty)
            .map(|(s, d)| (s as f32, d as f32)),
        due: row.due,
        last_review: row.last_review,
        reviews: row.reviews as u32,
        lapses: row.lapses as u32,
        streak: row.streak as u32,
    }
}

fn candidates(items: &[ItemRow]) -> (Vec<Candidate>, Vec<Lesson>) {
    let mut lessons: BTreeMap<i64, Lesson> = BTreeMap::new();
    let candidates = items
        .iter()
        .map(|row| {
            if let Some(lesson) = row.lesson_id {
                lessons.entry(lesson).or_insert_with(|| Lesson {
                    id: lesson,
                    prerequisites: row.prerequisites.clone(),
                    pass_threshold: row.pass_threshold,
                });
            }
            Candidate {
                id: row.id,
                lesson: row.lesson_id,
                schedule: schedule_of(row),
                last_correct: row.last_correct,
            }
        })
        .collect();
    (candidates, lessons.into_values().collect())
}

/// A lesson's items, with where they come from in the curriculum.
struct LessonItems {
    lesson: Option<i64>,
    prerequisites: Vec<i64>,
    items: Vec<Item>,
}

impl Studio {
    fn student(&self, store: &Store, id: i64) -> Result<students::Student, PracticeError> {
        store
            .read(|conn| students::get(conn, id))?
            .ok_or(PracticeError::NoSuchStudent(id))
    }

    /// Adds a student: a name, a level (beginner, intermediate or advanced) and an
    /// instrument (piano when none is given).
    pub fn add_student(
        &self,
        store: &Store,
        name: &str,
        level: &str,
        instrument: &str,
    ) -> Result<StudentView, PracticeError> {
        let name = crate::limits::short_field("name", name)?;
        let level: Level = level
            .parse()
            .map_err(|e: crate::content::ContentError| PracticeError::Invalid(e.to_string()))?;
        let instrument = match instrument.trim() {
            "" => "piano".to_string(),
            other => crate::limits::short_field("instrument", other)?,
        };
        let new = students::NewStudent {
            name,
            instrument,
            level: level.as_str().to_string(),
        };
        let id = store.write(|tx| students::insert(tx, &new))?;
        Ok(self.student(store, id)?.into())
    }

    pub fn list_students(&self, store: &Store) -> Result<Vec<StudentView>, PracticeError> {
        Ok(store
            .read(students::list)?
            .into_iter()
            .map(StudentView::from)
            .collect())
    }

    /// Assigns a tutorial or a curriculum to a student and draws its practice items. A
    /// curriculum's lessons open in order: each waits for the lessons it builds on to be
    /// passed at `pass_threshold` (80% when None).
    pub fn assign(
        &self,
        store: &Store,
        student: i64,
        what: Assignable,
        pass_threshold: Option<f64>,
        now: i64,
    ) -> Result<Assigned, PracticeError> {
        self.student(store, student)?;
        let pass_threshold = pass_threshold.unwrap_or(DEFAULT_PASS_THRESHOLD);
        if !(pass_threshold > 0.0 && pass_threshold <= 1.0) {
            return Err(PracticeError::Invalid(format!(
                "the pass threshold must be a share above 0 and at most 1 (0.8 is 80%); got {pass_threshold}"
            )));
        }
        let (title, lessons) = match what {
            Assignable::Tutorial(id) => {
                let opened = self.open_tutorial(store, id)?;
                let items = tutorial_items(&opened.tutorial, DEFAULT_TEMPO_BPM);
                (
                    opened.tutorial.title.clone(),
                    vec![LessonItems {
                        lesson: None,
                        prerequisites: Vec::new(),
                        items,
                    }],
                )
            }
            Assignable::Curriculum(id) => self.curriculum_items(store, id)?,
        };
        let count: usize = lessons.iter().map(|l| l.items.len()).sum();
        if count == 0 {
            return Err(PracticeError::NothingToPractise(title));
        }
        let (tutorial_id, curriculum_id) = match what {
            Assignable::Tutorial(id) => (Some(id), None),
            Assignable::Curriculum(id) => (None, Some(id)),
        };
        let assignment = store.write(|tx| {
            let assignment = rows::insert_assignment(
                tx,
                &NewAssignment {
                    student_id: student,
                    tutorial_id,
                    curriculum_id,
                    pass_threshold,
                    assigned_at: now,
                },
            )?;
            let mut position = 0;
            for lesson in &lessons {
                for item in &lesson.items {
                    rows::insert_item(
                        tx,
                        &NewItem {
                            assignment_id: assignment,
                            student_id: student,
                            lesson_id: lesson.lesson,
                            prerequisites: lesson.prerequisites.clone(),
                            position,
                            skill: item.skill().as_str().to_string(),
                            item: serde_json::to_value(item)?,
                            due: now,
                        },
                    )?;
                    position += 1;
                }
            }
            Ok(assignment)
        })?;
        Ok(Assigned {
            assignment,
            title,
            items: count,
        })
    }

    /// Each lesson of a curriculum that has its tutorial, with the lessons it builds on: the
    /// ones the curriculum names, or else the lesson before it.
    fn curriculum_items(
        &self,
        store: &Store,
        id: i64,
    ) -> Result<(String, Vec<LessonItems>), PracticeError> {
        let tree = store
            .read(|conn| curricula::get(conn, id))?
            .ok_or(StoreError::NotFound {
                what: "curriculum",
                id,
            })?;
        let mut lessons: Vec<LessonItems> = Vec::new();
        for lesson in tree.modules.iter().flat_map(|m| &m.lessons) {
            let Some(tutorial_id) = lesson.tutorial_id else {
                continue;
            };
            let Some(row) = store.read(|conn| tutorials::get(conn, tutorial_id))? else {
                continue;
            };
            let (tutorial, _) = crate::content::export::tutorial_from_value(row.document)
                .map_err(StudioError::from)?;
            let tempo = lesson
                .exercises
                .iter()
                .find_map(|e| e.content.get("tempo_bpm").and_then(|t| t.as_u64()))
                .map_or(DEFAULT_TEMPO_BPM, |t| t as u32);
            let items = tutorial_items(&tutorial, tempo);
            if items.is_empty() {
                continue;
            }
            let with_items: Vec<i64> = lessons.iter().filter_map(|l| l.lesson).collect();
            let named: Vec<i64> = lesson
                .prerequisite_ids
                .iter()
                .copied()
                .filter(|p| with_items.contains(p))
                .collect();
            let prerequisites = if named.is_empty() {
                with_items.last().copied().into_iter().collect()
            } else {
                named
            };
            lessons.push(LessonItems {
                lesson: Some(lesson.id),
                prerequisites,
                items,
            });
        }
        Ok((tree.title, lessons))
    }

    /// Today's session: due items first, then new ones, of the lessons open to the student.
    pub fn practice_today(
        &self,
        store: &Store,
        student: i64,
        now: i64,
    ) -> Result<Vec<PracticeItemView>, PracticeError> {
        self.student(store, student)?;
        let items = store.read(|conn| rows::items_of(conn, student))?;
        let (candidates, lessons) = candidates(&items);
        let chosen = todays_items(&candidates, &lessons, now, SESSION_ITEMS, NEW_ITEMS);
        chosen
            .into_iter()
            .filter_map(|id| items.iter().find(|row| row.id == id))
            .map(|row| {
                let item = item_of(row)?;
                let schedule = schedule_of(row);
                let (chords, tempo_bpm) = match &item {
                    Item::PlayAlong {
                        chords, target_bpm, ..
                    } => (
                        chords.clone(),
                        Some(play_along_tempo(*target_bpm, schedule.streak)),
                    ),
                    _ => (Vec::new(), None),
                };
                let voicings = chords
                    .iter()
                    .map(|symbol| {
                        symbol
                            .parse::<crate::theory::Chord>()
                            .map(|chord| item::stacked(&chord.notes(), 3))
                            .unwrap_or_default()
                    })
                    .collect();
                Ok(PracticeItemView {
                    id: row.id,
                    kind: item.kind().to_string(),
                    skill: item.skill(),
                    question: item.question(),
                    key: item.key().map(str::to_string),
                    numeral: item.numeral().map(str::to_string),
                    choices: item.choices().to_vec(),
                    sound: item.sound(),
                    chords,
                    voicings,
                    tempo_bpm,
                    new: schedule.is_new(),
                    playable: !matches!(item, Item::PlayAlong { .. }) && item.chord_notes().is_ok(),
                })
            })
            .collect()
    }

    fn student_item(
        &self,
        store: &Store,
        student: i64,
        item: i64,
    ) -> Result<ItemRow, PracticeError> {
        self.student(store, student)?;
        store
            .read(|conn| rows::item_of(conn, student, item))?
            .ok_or(PracticeError::NoSuchItem { student, item })
    }

    /// Scores an answer with the theory engine, keeps it, and moves the item in the schedule.
    pub fn answer_item(
        &self,
        store: &Store,
        student: i64,
        item_id: i64,
        answer: &str,
        now: i64,
    ) -> Result<AnswerResult, PracticeError> {
        let answer = crate::limits::answer(answer)?;
        let row = self.student_item(store, student, item_id)?;
        let scored = score::score(&item_of(&row)?, answer)?;
        self.record(store, student, &row, &scored, answer, now)
    }

    /// Scores the keys played on the on-screen or a MIDI keyboard against the item's chord,
    /// keeps the answer and moves the item in the schedule.
    pub fn answer_played(
        &self,
        store: &Store,
        student: i64,
        item_id: i64,
        keys: &[u8],
        now: i64,
    ) -> Result<AnswerResult, PracticeError> {
        if let Some(key) = keys.iter().find(|key| **key > 127) {
            return Err(PracticeError::Invalid(format!(
                "{key} is not a MIDI key; keys run from 0 to 127"
            )));
        }
        let row = self.student_item(store, student, item_id)?;
        let scored = score::score_played(&item_of(&row)?, keys)?;
        let played: Vec<String> = keys.iter().map(ToString::to_string).collect();
        let answer = format!("played keys {}", played.join(" "));
        self.record(store, student, &row, &scored, &answer, now)
    }

    /// Keeps a scored answer and moves its item in the schedule, together.
    fn record(
        &self,
        store: &Store,
        student: i64,
        row: &ItemRow,
        scored: &score::Scored,
        answer: &str,
        now: i64,
    ) -> Result<AnswerResult, PracticeError> {
        let next = review(&schedule_of(row), scored.rating, now)
            .map_err(|e| PracticeError::Invalid(e.to_string()))?;
        let (stability, difficulty) = next.memory.unwrap_or_default();
        store.write(|tx| {
            rows::record_answer(
                tx,
                &NewAnswer {
                    item_id: row.id,
                    student_id: student,
                    answered_at: now,
                    answer: answer.to_string(),
                    correct: scored.correct,
                    rating: scored.rating.as_str(),
                },
                &rows::ScheduleUpdate {
                    stability: f64::from(stability),
                    difficulty: f64::from(difficulty),
                    due: next.due,
                    reviews: i64::from(next.reviews),
                    lapses: i64::from(next.lapses),
                    streak: i64::from(next.streak),
                },
            )
        })?;
        Ok(AnswerResult {
            correct: scored.correct,
            expected: scored.expected.clone(),
            feedback: scored.feedback.clone(),
            due: rfc3339(next.due),
        })
    }

    /// A student's progress at `now`, days counted in a zone `utc_offset` seconds east of UTC.
    pub fn student_progress(
        &self,
        store: &Store,
        student: i64,
        now: i64,
        utc_offset: i64,
    ) -> Result<StudentProgress, PracticeError> {
        let profile = self.student(store, student)?;
        let (items, answers, assignments, attempts) = store.read(|conn| {
            Ok((
                rows::items_of(conn, student)?,
                rows::answers_of(conn, student)?,
                rows::assignments_of(conn, student)?,
                rows::attempts_of(conn, student)?,
            ))
        })?;
        let skills: Vec<(i64, Skill)> = items
            .iter()
            .filter_map(|row| Skill::parse(&row.skill).map(|skill| (row.id, skill)))
            .collect();
        let answered: Vec<Answered> = answers
            .iter()
            .filter_map(|answer| {
                Some(Answered {
                    item: answer.item_id,
                    skill: Skill::parse(&answer.skill)?,
                    at: answer.answered_at,
                    correct: answer.correct,
                })
            })
            .collect();
        let (candidates, lessons) = candidates(&items);
        let due_today = todays_items(&candidates, &lessons, now, SESSION_ITEMS, NEW_ITEMS).len();
        Ok(StudentProgress {
            student: profile.into(),
            assignments: assignments
                .into_iter()
                .map(|a| AssignmentView {
                    id: a.id,
                    title: a.title,
                    kind: if a.curriculum_id.is_some() {
                        "curriculum"
                    } else {
                        "tutorial"
                    }
                    .to_string(),
                    pass_threshold: a.pass_threshold,
                    items: a.items,
                })
                .collect(),
            assessments: attempts
                .into_iter()
                .map(|a| AttemptView {
                    material: a.material_id,
                    title: a.title,
                    score: a.score,
                    taken_at: rfc3339(a.taken_at),
                })
                .collect(),
            progress: progress(&answered, &skills, now, utc_offset),
            due_today,
        })
    }

    /// A student's record for the teacher: the profile, assignments, progress and every
    /// answer, as JSON.
    pub fn student_record(
        &self,
        store: &Store,
        student: i64,
        now: i64,
    ) -> Result<String, PracticeError> {
        let summary = self.student_progress(store, student, now, 0)?;
        let answers = store.read(|conn| rows::answers_of(conn, student))?;
        let answers: Vec<serde_json::Value> = answers
            .iter()
            .map(|a| {
                serde_json::json!({
                    "item": a.item_id,
                    "skill": a.skill,
                    "answered_at": rfc3339(a.answered_at),
                    "answer": a.answer,
                    "correct": a.correct,
                    "rating": a.rating,
                })
            })
            .collect();
        let record = serde_json::json!({
            "student": summary.student,
            "assignments": summary.assignments,
            "assessments": summary.assessments,
            "progress": summary.progress,
            "answers": answers,
            "exported_at": rfc3339(now),
        });
        Ok(serde_json::to_string_pretty(&record).map_err(StoreError::from)?)
    }
}

impl Studio {
    /// A student takes an assessment from the library: each answer (by question, in order)
    /// is judged by the theory engine, and the score is kept with the student's record.
    pub fn take_assessment(
        &self,
        store: &Store,
        material: i64,
        student: i64,
        answers: &[String],
        now: i64,
    ) -> Result<assessment::AssessmentScore, PracticeError> {
        self.student(store, student)?;
        let opened = self.open_material(store, material)?;
        if opened.kind != crate::materials::MaterialKind::Assessment {
            return Err(PracticeError::Invalid(format!(
                "material {material} is a {}, not an assessment",
                opened.kind.noun()
            )));
        }
        let document: crate::content::Assessment =
            serde_json::from_value(opened.document).map_err(StoreError::from)?;
        if answers.len() > document.questions.len() {
            return Err(PracticeError::Invalid(format!(
                "{} answers for {} questions",
                answers.len(),
                document.questions.len()
            )));
        }
        for answer in answers {
            crate::limits::answer(answer)?;
        }
        let scored = assessment::score_assessment(&document, answers);
        let kept = serde_json::json!({ "answers": answers, "questions": scored.questions });
        store.write(|tx| rows::insert_attempt(tx, material, student, scored.score, &kept, now))?;
        Ok(scored)
    }

    /// Writes a student's record to `path` as JSON, for the teacher.
    pub fn export_student_record_file(
        &self,
        store: &Store,
        student: i64,
        path: &std::path::Path,
        now: i64,
    ) -> Result<crate::library::ExportedFile, PracticeError> {
        let format = crate::library::validate_export_path(path)
            .map_err(|e| PracticeError::Invalid(e.to_string()))?;
        if format != crate::library::ExportFormat::Json {
            return Err(PracticeError::Invalid(
                "a student's record is written as JSON; end the file name in .json".into(),
            ));
        }
        let record = self.student_record(store, student, now)?;
        crate::library::write_export(path, format, record.as_bytes())
            .map_err(|e| PracticeError::Invalid(e.to_string()))
    }
}

/// A tutorial's practice items.
fn tutorial_items(tutorial: &Tutorial, tempo_bpm: u32) -> Vec<Item> {
    items_from_music(&tutorial.title, &tutorial.music, tempo_bpm)
}
