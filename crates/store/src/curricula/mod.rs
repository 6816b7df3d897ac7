//! Curricula → modules → lessons → exercises, written and read as one tree.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Result, StoreError, enum_from_sql, now_unix, require_non_empty};

mod organise;

pub use organise::{
    CurriculumTexts, TRASH_DAYS, TrashedCurriculum, empty_trash, move_lesson, restore, set_texts,
    trash, trashed,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExerciseKind {
    Progression,
    ScalePattern,
    VoicingStudy,
    Lick,
    Rhythm,
}

impl ExerciseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExerciseKind::Progression => "progression",
            ExerciseKind::ScalePattern => "scale_pattern",
            ExerciseKind::VoicingStudy => "voicing_study",
            ExerciseKind::Lick => "lick",
            ExerciseKind::Rhythm => "rhythm",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewExercise {
    pub kind: ExerciseKind,
    pub title: String,
    pub difficulty: String,
    pub content: serde_json::Value,
}

/// Points at a lesson of the same new curriculum by its module and lesson index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonIndex {
    pub module: usize,
    pub lesson: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewLesson {
    pub title: String,
    /// The topic and key the lesson was planned with, as the generators take them.
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default)]
    pub music_key: Option<String>,
    pub concepts: Vec<String>,
    pub difficulty: String,
    pub duration_minutes: u32,
    pub prerequisites: Vec<LessonIndex>,
    pub exercises: Vec<NewExercise>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewModule {
    pub title: String,
    pub week_start: u32,
    pub week_end: u32,
    pub lessons: Vec<NewLesson>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCurriculum {
    pub title: String,
    pub instrument: String,
    pub level: String,
    pub duration_weeks: u32,
    pub description: String,
    pub modules: Vec<NewModule>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredExercise {
    pub id: i64,
    pub kind: ExerciseKind,
    pub title: String,
    pub difficulty: String,
    pub content: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredLesson {
    pub id: i64,
    pub title: String,
    /// None for lessons stored before topics were kept.
    pub topic: Option<String>,
    pub music_key: Option<String>,
    pub concepts: Vec<String>,
    pub difficulty: String,
    pub duration_minutes: u32,
    pub tutorial_id: Option<i64>,
    pub prerequisite_ids: Vec<i64>,
    pub exercises: Vec<StoredExercise>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredModule {
    pub id: i64,
    pub title: String,
    pub week_start: u32,
    pub week_end: u32,
    pub lessons: Vec<StoredLesson>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurriculumTree {
    pub id: i64,
    pub title: String,
    pub instrument: String,
    pub level: String,
    pub duration_weeks: u32,
    pub description: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub modules: Vec<StoredModule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurriculumSummary {
    pub id: i64,
    pub title: String,
    pub instrument: String,
    pub level: String,
    pub duration_weeks: u32,
    pub module_count: u32,
    pub lesson_count: u32,
}

fn validate(curriculum: &NewCurriculum) -> Result<()> {
    require_non_empty("curriculum title", &curriculum.title)?;
    for module in &curriculum.modules {
        require_non_empty("module title", &module.title)?;
        if module.week_start == 0 || module.week_end < module.week_start {
            return Err(StoreError::Invalid {
                field: "module weeks",
                reason: format!(
                    "module `{}` runs from week {} to week {}; weeks start at 1 and must not run backwards",
                    module.title, module.week_start, module.week_end
                ),
            });
        }
        if module.week_end > curriculum.duration_weeks {
            return Err(StoreError::Invalid {
                field: "module weeks",
                reason: format!(
                    "module `{}` ends in week {} but the curriculum lasts {} weeks",
                    module.title, module.week_end, curriculum.duration_weeks
                ),
            });
        }
        for lesson in &module.lessons {
            require_non_empty("lesson title", &lesson.title)?;
            for prerequisite in &lesson.prerequisites {
                let exists = curriculum
                    .modules
                    .get(prerequisite.module)
                    .is_some_and(|m| prerequisite.lesson < m.lessons.len());
                if !exists {
                    return Err(StoreError::Invalid {
                        field: "lesson prerequisites",
                        reason: format!(
                            "lesson `{}` requires module {} lesson {}, which is not in this curriculum",
                            lesson.title, prerequisite.module, prerequisite.lesson
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Inserts a whole curriculum tree and returns the curriculum's id.
pub fn insert(tx: &Transaction<'_>, curriculum: &NewCurriculum) -> Result<i64> {
    validate(curriculum)?;
    let now = now_unix();
    tx.execute(
        "INSERT INTO curricula (title, instrument, level, duration_weeks, description, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![
            curriculum.title,
            curriculum.instrument,
            curriculum.level,
            curriculum.duration_weeks,
            curriculum.description,
            now
        ],
    )?;
    let curriculum_id = tx.last_insert_rowid();
    let mut lesson_ids: Vec<Vec<i64>> = Vec::with_capacity(curriculum.modules.len());
    let mut insert_module = tx.prepare_cached(
        "INSERT INTO modules (curriculum_id, position, title, week_start, week_end) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut insert_lesson = tx.prepare_cached(
        "INSERT INTO lessons (module_id, position, title, concepts, difficulty, duration_minutes, topic, music_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut insert_exercise = tx.prepare_cached(
        "INSERT INTO exercises (lesson_id, position, kind, title, difficulty, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (module_position, module) in curriculum.modules.iter().enumerate() {
        insert_module.execute(params![
            curriculum_id,
            module_position as i64,
            module.title,
            module.week_start,
            module.week_end
        ])?;
        let module_id = tx.last_insert_rowid();
        let mut ids = Vec::with_capacity(module.lessons.len());
        for (lesson_position, lesson) in module.lessons.iter().enumerate() {
            insert_lesson.execute(params![
                module_id,
                lesson_position as i64,
                lesson.title,
                serde_json::to_string(&lesson.concepts)?,
                lesson.difficulty,
                lesson.duration_minutes,
                lesson.topic,
                lesson.music_key
            ])?;
            let lesson_id = tx.last_insert_rowid();
            ids.push(lesson_id);
            for (exercise_position, exercise) in lesson.exercises.iter().enumerate() {
                insert_exercise.execute(params![
                    lesson_id,
                    exercise_position as i64,
                    exercise.kind.as_str(),
                    exercise.title,
                    exercise.difficulty,
                    exercise.content.to_string()
                ])?;
            }
        }
        lesson_ids.push(ids);
    }
    let mut insert_prerequisite = tx.prepare_cached(
        "INSERT INTO lesson_prerequisites (lesson_id, requires_lesson_id) VALUES (?1, ?2)",
    )?;
    for (module, lessons) in curriculum.modules.iter().zip(&lesson_ids) {
        for (lesson, &lesson_id) in module.lessons.iter().zip(lessons) {
            for prerequisite in &lesson.prerequisites {
                let required = lesson_ids[prerequisite.module][prerequisite.lesson];
                insert_prerequisite.execute(params![lesson_id, required])?;
            }
        }
    }
    Ok(curriculum_id)
}

pub fn list(conn: &Connection) -> Result<Vec<CurriculumSummary>> {
    let mut statement = conn.prepare(
        "SELECT c.id, c.title, c.instrument, c.level, c.duration_weeks,
                (SELECT count(*) FROM modules m WHERE m.curriculum_id = c.id),
                (SELECT count(*) FROM lessons l JOIN modules m ON l.module_id = m.id WHERE m.curriculum_id = c.id)
         FROM curricula c WHERE c.deleted_at IS NULL ORDER BY c.updated_at DESC, c.id DESC",
    )?;
    let rows = statement.query_map([], |row| {
        Ok(CurriculumSummary {
            id: row.get(0)?,
            title: row.get(1)?,
            instrument: row.get(2)?,
            level: row.get(3)?,
            duration_weeks: row.get(4)?,
            module_count: row.get(5)?,
            lesson_count: row.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Reads one curriculum with everything under it, in order.
pub fn get(conn: &Connection, id: i64) -> Result<Option<CurriculumTree>> {
    let head = conn
        .query_row(
            "SELECT title, instrument, level, duration_weeks, description, created_at, updated_at
             FROM curricula WHERE id = ?1 AND deleted_at IS NULL",
            [id],
            |row| {
                Ok(CurriculumTree {
                    id,
                    title: row.get(0)?,
                    instrument: row.get(1)?,
                    level: row.get(2)?,
                    duration_weeks: row.get(3)?,
                    description: row.get(4)?,
                    created_at: row.get(5)?,
                    updated_at: row.get(6)?,
                    modules: Vec::new(),
                })
            },
        )
        .optional()?;
    let Some(mut tree) = head else {
        return Ok(None);
    };
    let mut modules = conn.prepare_cached(
        "SELECT id, title, week_start, week_end FROM modules WHERE curriculum_id = ?1 ORDER BY position",
    )?;
    tree.modules = modules
        .query_map([id], |row| {
            Ok(StoredModule {
                id: row.get(0)?,
                title: row.get(1)?,
                week_start: row.get(2)?,
                week_end: row.get(3)?,
                lessons: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    for module in &mut tree.modules {
        module.lessons = lessons_of(conn, module.id)?;
    }
    Ok(Some(tree))
}

fn lessons_of(conn: &Connection, module_id: i64) -> Result<Vec<StoredLesson>> {
    let mut lessons = conn.prepare_cached(
        "SELECT id, title, concepts, difficulty, duration_minutes, tutorial_id, topic, music_key
         FROM lessons WHERE module_id = ?1 ORDER BY position",
    )?;
    let rows = lessons
        .query_map([module_id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, u32>(4)?,
                row.get::<_, Option<i64>>(5)?,
                row.get::<_, Option<String>>(6)?,
                row.get::<_, Option<String>>(7)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut prerequisites = conn.prepare_cached(
        "SELECT requires_lesson_id FROM lesson_prerequisites WHERE lesson_id = ?1 ORDER BY requires_lesson_id",
    )?;
    let mut exercises = conn.prepare_cached(
        "SELECT id, kind, title, difficulty, content FROM exercises WHERE lesson_id = ?1 ORDER BY position",
    )?;
    let mut result = Vec::with_capacity(rows.len());
    for (id, title, concepts, difficulty, duration_minutes, tutorial_id, topic, music_key) in rows {
        let prerequisite_ids = prerequisites
            .query_map([id], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let exercise_rows = exercises
            .query_map([id], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    enum_from_sql::<ExerciseKind>(&row.get::<_, String>(1)?)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let exercises = exercise_rows
            .into_iter()
            .map(|(id, kind, title, difficulty, content)| {
                Ok(StoredExercise {
                    id,
                    kind,
                    title,
                    difficulty,
                    content: serde_json::from_str(&content)?,
                })
            })
            .collect::<Result<_>>()?;
        result.push(StoredLesson {
            id,
            title,
            topic,
            music_key,
            concepts: serde_json::from_str(&concepts)?,
            difficulty,
            duration_minutes,
            tutorial_id,
            prerequisite_ids,
            exercises,
        });
    }
    Ok(result)
}

pub fn rename(tx: &Transaction<'_>, id: i64, title: &str) -> Result<()> {
    require_non_empty("curriculum title", title)?;
    let changed = tx.execute(
        "UPDATE curricula SET title = ?2, updated_at = ?3 WHERE id = ?1 AND deleted_at IS NULL",
        params![id, title, now_unix()],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            what: "curriculum",
            id,
        });
    }
    Ok(())
}

/// Links a lesson that has no tutorial to the tutorial written for it. A lesson that got
/// one meanwhile (another run wrote it), or whose curriculum went to the trash, is refused,
/// so the new tutorial's transaction is rolled back.
pub fn attach_tutorial(tx: &Transaction<'_>, lesson_id: i64, tutorial_id: i64) -> Result<()> {
    if tx.execute(
        "UPDATE lessons SET tutorial_id = ?2 WHERE id = ?1 AND tutorial_id IS NULL
           AND (SELECT c.deleted_at FROM modules m JOIN curricula c ON c.id = m.curriculum_id
                WHERE m.id = lessons.module_id) IS NULL",
        params![lesson_id, tutorial_id],
    )? == 0
    {
        return Err(StoreError::NotFound {
            what: "lesson without a tutorial",
            id: lesson_id,
        });
    }
    Ok(())
}
