//! Batch generation: a curriculum with every lesson's tutorial and exercises, written
//! through the store, with progress, cancellation and resumption. It lives beside the
//! Studio, not in `content`, because generators do not touch the database.
//!
//! The curriculum tree and its exercises are stored in one transaction; then each lesson's
//! tutorial is stored and attached in its own transaction. A run that is killed or
//! cancelled leaves only whole lessons behind, and the next run with the same request
//! finds the curriculum again and skips every lesson that already has its tutorial.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::content::ContentError;
use crate::content::export::to_json;
use crate::content::template;
use crate::content::types::{Curriculum, Level, Tutorial};
use crate::store::{
    LessonIndex, NewCurriculum, NewExercise, NewLesson, NewModule, NewTutorial, Store, curricula,
    tutorials,
};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRequest {
    pub key: String,
    pub level: Level,
    pub weeks: u32,
    /// Resume this stored curriculum instead of looking one up by title.
    pub resume: Option<i64>,
}

/// Reported before each step and once at the end (`done == total`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BatchProgress {
    pub done: usize,
    pub total: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BatchOutcome {
    pub curriculum_id: i64,
    pub lessons: usize,
    /// Tutorials written by this run.
    pub tutorials_written: usize,
    /// Lessons already complete from an earlier run.
    pub lessons_skipped: usize,
}

/// The library row of a tutorial: its searchable columns and the whole document.
pub fn tutorial_row(tutorial: &Tutorial) -> Result<NewTutorial, ContentError> {
    let document: serde_json::Value =
        serde_json::from_str(&to_json(tutorial)).map_err(|error| ContentError::Malformed {
            what: "tutorial",
            message: error.to_string(),
        })?;
    Ok(NewTutorial {
        title: tutorial.title.clone(),
        topic: tutorial.topic.clone(),
        music_key: Some(tutorial.music.key.clone()),
        level: tutorial.overview.difficulty.to_string(),
        instrument: tutorial.instrument.clone(),
        schema_version: tutorial.schema_version,
        document,
    })
}

fn new_curriculum(curriculum: &Curriculum) -> Result<NewCurriculum, ContentError> {
    let modules = curriculum
        .modules
        .iter()
        .map(|module| {
            let lessons = module
                .lessons
                .iter()
                .map(|lesson| {
                    let exercises =
                        template::exercises(&lesson.topic, &lesson.key, lesson.difficulty)?
                            .into_iter()
                            .map(|exercise| {
                                Ok(NewExercise {
                                    kind: exercise.kind,
                                    title: exercise.title.clone(),
                                    difficulty: exercise.difficulty.to_string(),
                                    content: serde_json::to_value(&exercise).map_err(|error| {
                                        ContentError::Malformed {
                                            what: "exercise",
                                            message: error.to_string(),
                                        }
                                    })?,
                                })
                            })
                            .collect::<Result<Vec<_>, ContentError>>()?;
                    Ok(NewLesson {
                        title: lesson.title.clone(),
                        topic: Some(lesson.topic.clone()),
                        music_key: Some(lesson.key.clone()),
                        concepts: lesson.concepts.clone(),
                        difficulty: lesson.difficulty.to_string(),
                        duration_minutes: lesson.duration_minutes,
                        prerequisites: lesson
                            .prerequisites
                            .iter()
                            .map(|p| LessonIndex {
                                module: p.module as usize,
                                lesson: p.lesson as usize,
                            })
                            .collect(),
                        exercises,
                    })
                })
                .collect::<Result<Vec<_>, ContentError>>()?;
            Ok(NewModule {
                title: module.title.clone(),
                week_start: module.week_start,
                week_end: module.week_end,
                lessons,
            })
        })
        .collect::<Result<Vec<_>, ContentError>>()?;
    Ok(NewCurriculum {
        title: curriculum.title.clone(),
        instrument: curriculum.instrument.clone(),
        level: curriculum.level.to_string(),
        duration_weeks: curriculum.duration_weeks,
        description: curriculum.description.clone(),
        modules,
    })
}

/// Generates (or finishes) a template curriculum with all its tutorials and exercises.
pub fn run(
    store: &Store,
    request: &BatchRequest,
    on_progress: &mut dyn FnMut(&BatchProgress),
    cancel: &AtomicBool,
) -> Result<BatchOutcome, ContentError> {
    let curriculum = template::curriculum(&request.key, request.level, request.weeks)?;
    let lessons: Vec<_> = curriculum.modules.iter().flat_map(|m| &m.lessons).collect();
    let total = lessons.len() + 1;
    on_progress(&BatchProgress {
        done: 0,
        total,
        message: format!("outline: {}", curriculum.title),
    });
    let existing = match request.resume {
        Some(id) => Some(id),
        None => store.read(|conn| {
            Ok(curricula::list(conn)?
                .into_iter()
                .find(|c| {
                    c.title == curriculum.title
                        && c.level == curriculum.level.as_str()
                        && c.duration_weeks == curriculum.duration_weeks
                })
                .map(|c| c.id))
        })?,
    };
    let curriculum_id = match existing {
        Some(id) => id,
        None => {
            let new = new_curriculum(&curriculum)?;
            store.write(|tx| curricula::insert(tx, &new))?
        }
    };
    let tree = store
        .read(|conn| curricula::get(conn, curriculum_id))?
        .ok_or(crate::store::StoreError::NotFound {
            what: "curriculum",
            id: curriculum_id,
        })?;
    let stored: Vec<_> = tree.modules.iter().flat_map(|m| &m.lessons).collect();
    let same_lessons = stored.len() == lessons.len()
        && stored
            .iter()
            .zip(&lessons)
            .all(|(row, lesson)| row.title == lesson.title);
    if !same_lessons {
        return Err(ContentError::ResumeMismatch { id: curriculum_id });
    }
    let mut outcome = BatchOutcome {
        curriculum_id,
        lessons: lessons.len(),
        tutorials_written: 0,
        lessons_skipped: 0,
    };
    for (index, (lesson, row)) in lessons.iter().zip(&stored).enumerate() {
        if row.tutorial_id.is_some() {
            outcome.lessons_skipped += 1;
            continue;
        }
        if cancel.load(Ordering::Relaxed) {
            return Err(ContentError::Cancelled);
        }
        on_progress(&BatchProgress {
            done: index + 1,
            total,
            message: format!("tutorial: {}", lesson.title),
        });
        let tutorial = template::tutorial(&lesson.topic, &lesson.key, lesson.difficulty)?;
        let new = tutorial_row(&tutorial)?;
        let lesson_id = row.id;
        store.write(|tx| {
            let tutorial_id = tutorials::insert(tx, &new)?;
            curricula::attach_tutorial(tx, lesson_id, tutorial_id)
        })?;
        outcome.tutorials_written += 1;
    }
    on_progress(&BatchProgress {
        done: total,
        total,
        message: format!("done: {}", curriculum.title),
    });
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelled_run_resumes_without_duplicates() {
        let dir = std::env::temp_dir().join(format!("cadence-batch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("library.sqlite3");
        let _ = std::fs::remove_file(&path);
        let store = Store::open(&path).unwrap();
        let request = BatchRequest {
            key: "C".into(),
            level: Level::Beginner,
            weeks: 4,
            resume: None,
        };
        let cancel = AtomicBool::new(false);
        let mut seen = Vec::new();
        let first = run(
            &store,
            &request,
            &mut |progress| {
                seen.push(progress.clone());
                if progress.done == 2 {
                    cancel.store(true, Ordering::Relaxed);
                }
            },
            &cancel,
        );
        assert!(matches!(first, Err(ContentError::Cancelled)));
        assert_eq!(seen.last().unwrap().done, 2);
        cancel.store(false, Ordering::Relaxed);
        let mut last = None;
        let second = run(&store, &request, &mut |p| last = Some(p.clone()), &cancel).unwrap();
        assert_eq!(second.lessons, 4);
        assert_eq!(second.lessons_skipped, 2);
        assert_eq!(second.tutorials_written, 2);
        assert_eq!(last.unwrap().done, 5);
        let (curricula_count, tutorial_count, exercise_count): (i64, i64, i64) = store
            .read(|conn| {
                Ok(conn.query_row(
                    "SELECT (SELECT count(*) FROM curricula), (SELECT count(*) FROM tutorials), (SELECT count(*) FROM exercises)",
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )?)
            })
            .unwrap();
        assert_eq!((curricula_count, tutorial_count), (1, 4));
        assert!(exercise_count >= 8);
        let other = BatchRequest {
            key: "D".into(),
            resume: Some(second.curriculum_id),
            ..request
        };
        assert!(matches!(
            run(&store, &other, &mut |_| {}, &cancel),
            Err(ContentError::ResumeMismatch { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
