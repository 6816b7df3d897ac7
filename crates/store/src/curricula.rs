//! Curricula → modules → lessons → exercises, written and read as one tree.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Result, StoreError, enum_from_sql, now_unix, require_non_empty};

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

/// A curriculum's words: its title and description, its modules' titles in order, and its
/// lessons' titles by lesson id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurriculumTexts {
    pub title: String,
    pub description: String,
    pub module_titles: Vec<String>,
    pub lesson_titles: Vec<(i64, String)>,
}

/// Rewrites a curriculum's words in one transaction's worth of updates; every module must
/// be named and every lesson must be one of this curriculum's.
pub fn set_texts(tx: &Transaction<'_>, id: i64, texts: &CurriculumTexts) -> Result<()> {
    require_non_empty("curriculum title", &texts.title)?;
    if tx.execute(
        "UPDATE curricula SET title = ?2, description = ?3, updated_at = ?4
         WHERE id = ?1 AND deleted_at IS NULL",
        params![id, texts.title, texts.description, now_unix()],
    )? == 0
    {
        return Err(StoreError::NotFound {
            what: "curriculum",
            id,
        });
    }
    let modules: Vec<i64> = {
        let mut statement =
            tx.prepare_cached("SELECT id FROM modules WHERE curriculum_id = ?1 ORDER BY position")?;
        let ids = statement.query_map([id], |row| row.get(0))?;
        ids.collect::<rusqlite::Result<_>>()?
    };
    if modules.len() != texts.module_titles.len() {
        return Err(StoreError::Invalid {
            field: "module titles",
            reason: format!(
                "the curriculum has {} modules; got {} titles",
                modules.len(),
                texts.module_titles.len()
            ),
        });
    }
    let mut name_module = tx.prepare_cached("UPDATE modules SET title = ?2 WHERE id = ?1")?;
    for (module, title) in modules.iter().zip(&texts.module_titles) {
        require_non_empty("module title", title)?;
        name_module.execute(params![module, title])?;
    }
    let mut name_lesson = tx.prepare_cached(
        "UPDATE lessons SET title = ?2 WHERE id = ?1
         AND module_id IN (SELECT id FROM modules WHERE curriculum_id = ?3)",
    )?;
    for (lesson, title) in &texts.lesson_titles {
        require_non_empty("lesson title", title)?;
        if name_lesson.execute(params![lesson, title, id])? == 0 {
            return Err(StoreError::NotFound {
                what: "lesson of this curriculum",
                id: *lesson,
            });
        }
    }
    Ok(())
}

/// How long a deleted curriculum waits in the trash for its deletion to be undone.
pub const TRASH_DAYS: i64 = 30;

/// Moves a curriculum to the trash: it leaves the library, its students' practice with it,
/// until [`restore`] brings it back or [`empty_trash`] deletes it.
pub fn trash(tx: &Transaction<'_>, id: i64) -> Result<()> {
    if tx.execute(
        "UPDATE curricula SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
        params![id, now_unix()],
    )? == 0
    {
        return Err(StoreError::NotFound {
            what: "curriculum",
            id,
        });
    }
    Ok(())
}

/// Brings a curriculum back from the trash, as it was, within [`TRASH_DAYS`] of its deletion.
pub fn restore(tx: &Transaction<'_>, id: i64) -> Result<()> {
    if tx.execute(
        "UPDATE curricula SET deleted_at = NULL WHERE id = ?1 AND deleted_at > ?2",
        params![id, trash_horizon()],
    )? == 0
    {
        return Err(StoreError::NotFound {
            what: "deleted curriculum",
            id,
        });
    }
    Ok(())
}

/// When a curriculum deleted at or before it has been in the trash for [`TRASH_DAYS`].
fn trash_horizon() -> i64 {
    now_unix() - TRASH_DAYS * 86_400
}

/// Deletes, with everything under them, the curricula that have been in the trash for
/// [`TRASH_DAYS`]; returns how many.
pub fn empty_trash(tx: &Transaction<'_>) -> Result<usize> {
    Ok(tx.execute(
        "DELETE FROM curricula WHERE deleted_at IS NOT NULL AND deleted_at <= ?1",
        [trash_horizon()],
    )?)
}

/// A curriculum in the trash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrashedCurriculum {
    pub id: i64,
    pub title: String,
    pub deleted_at: i64,
}

/// The curricula in the trash that can still be restored, the latest deleted first.
pub fn trashed(conn: &Connection) -> Result<Vec<TrashedCurriculum>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, title, deleted_at FROM curricula WHERE deleted_at > ?1
         ORDER BY deleted_at DESC, id DESC",
    )?;
    let rows = statement.query_map([trash_horizon()], |row| {
        Ok(TrashedCurriculum {
            id: row.get(0)?,
            title: row.get(1)?,
            deleted_at: row.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Moves a lesson of curriculum `curriculum_id` to `position` (0-based, clamped to the
/// end) of module `module_position` of the same curriculum; the lessons after it move down.
/// Returns how many prerequisite links were dropped because they no longer point back.
pub fn move_lesson(
    tx: &Transaction<'_>,
    curriculum_id: i64,
    lesson_id: i64,
    module_position: usize,
    position: usize,
) -> Result<usize> {
    let from_module: Option<i64> = tx
        .query_row(
            "SELECT l.module_id FROM lessons l JOIN modules m ON m.id = l.module_id
             JOIN curricula c ON c.id = m.curriculum_id
             WHERE l.id = ?1 AND m.curriculum_id = ?2 AND c.deleted_at IS NULL",
            params![lesson_id, curriculum_id],
            |row| row.get(0),
        )
        .optional()?;
    let Some(from_module) = from_module else {
        return Err(StoreError::NotFound {
            what: "lesson of this curriculum",
            id: lesson_id,
        });
    };
    let to_module: Option<i64> = tx
        .query_row(
            "SELECT id FROM modules WHERE curriculum_id = ?1 ORDER BY position, id LIMIT 1 OFFSET ?2",
            params![curriculum_id, module_position as i64],
            |row| row.get(0),
        )
        .optional()?;
    let Some(to_module) = to_module else {
        return Err(StoreError::Invalid {
            field: "module",
            reason: format!(
                "the curriculum has no module {}; choose one of its modules",
                module_position + 1
            ),
        });
    };
    let mut order: Vec<i64> = lesson_order(tx, to_module)?;
    order.retain(|&id| id != lesson_id);
    order.insert(position.min(order.len()), lesson_id);
    // Positions are unique within a module: the lesson leaves its own for one no lesson has.
    tx.execute(
        "UPDATE lessons SET module_id = ?2, position = -1 - id WHERE id = ?1",
        params![lesson_id, to_module],
    )?;
    renumber(tx, &order)?;
    if from_module != to_module {
        renumber(tx, &lesson_order(tx, from_module)?)?;
    }
    // A lesson builds only on lessons before it: links the move turned forward are dropped.
    let dropped = tx.execute(
        "DELETE FROM lesson_prerequisites WHERE (lesson_id, requires_lesson_id) IN (
             SELECT p.lesson_id, p.requires_lesson_id FROM lesson_prerequisites p
             JOIN lessons l ON l.id = p.lesson_id JOIN modules m ON m.id = l.module_id
             JOIN lessons r ON r.id = p.requires_lesson_id JOIN modules rm ON rm.id = r.module_id
             WHERE m.curriculum_id = ?1
               AND (rm.position > m.position OR (rm.position = m.position AND r.position > l.position)))",
        [curriculum_id],
    )?;
    tx.execute(
        "UPDATE curricula SET updated_at = ?2 WHERE id = ?1",
        params![curriculum_id, now_unix()],
    )?;
    Ok(dropped)
}

fn lesson_order(tx: &Transaction<'_>, module_id: i64) -> Result<Vec<i64>> {
    let mut statement =
        tx.prepare_cached("SELECT id FROM lessons WHERE module_id = ?1 ORDER BY position, id")?;
    let ids = statement.query_map([module_id], |row| row.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

/// Gives the lessons `order`'s positions; each first steps aside to a position no lesson
/// holds, so that no two share one on the way.
fn renumber(tx: &Transaction<'_>, order: &[i64]) -> Result<()> {
    let mut aside = tx.prepare_cached("UPDATE lessons SET position = -1 - id WHERE id = ?1")?;
    for id in order {
        aside.execute([id])?;
    }
    let mut place = tx.prepare_cached("UPDATE lessons SET position = ?2 WHERE id = ?1")?;
    for (position, id) in order.iter().enumerate() {
        place.execute(params![id, position as i64])?;
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
