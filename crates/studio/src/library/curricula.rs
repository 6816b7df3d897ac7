//! Curricula in the library: list, open, rename, delete (to the trash, so it can be undone),
//! reorder lessons, and export as one checked document.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use serde::Serialize;
use ts_rs::TS;

use super::{ExportFormat, ExportedFile, LibraryError, validate_export_path, write_export};
use crate::content::schema::DocumentKind;
use crate::content::{
    self, ContentError, Curriculum, CurriculumLesson, CurriculumModule, ExerciseOutline, LessonRef,
    Level,
};
use crate::limits::InputError;
use crate::store::curricula::CurriculumTexts;
use crate::store::{CurriculumTree, Store, StoreError, curricula, tutorials};
use crate::{Studio, StudioError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CurriculumListItem {
    #[ts(type = "number")]
    pub id: i64,
    pub title: String,
    pub level: String,
    pub duration_weeks: u32,
    pub module_count: u32,
    pub lesson_count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CurriculumExerciseItem {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub difficulty: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CurriculumLessonItem {
    #[ts(type = "number")]
    pub id: i64,
    pub title: String,
    pub difficulty: String,
    pub duration_minutes: u32,
    #[ts(type = "number | null")]
    pub tutorial_id: Option<i64>,
    pub exercises: Vec<CurriculumExerciseItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CurriculumModuleItem {
    pub title: String,
    pub week_start: u32,
    pub week_end: u32,
    pub lessons: Vec<CurriculumLessonItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CurriculumDetail {
    #[ts(type = "number")]
    pub id: i64,
    pub title: String,
    pub level: String,
    pub duration_weeks: u32,
    pub description: String,
    pub modules: Vec<CurriculumModuleItem>,
}

/// A stored curriculum's tree, or that there is none with this id.
pub(crate) fn curriculum_tree(store: &Store, id: i64) -> Result<CurriculumTree, StoreError> {
    store
        .read(|conn| curricula::get(conn, id))?
        .ok_or(StoreError::NotFound {
            what: "curriculum",
            id,
        })
}

impl Studio {
    /// A stored curriculum as its document: the tree from SQLite, checked by the theory
    /// engine. Every lesson must have its tutorial: an unfinished batch is not a course yet.
    pub fn curriculum_document(&self, store: &Store, id: i64) -> Result<Curriculum, StudioError> {
        let tree = curriculum_tree(store, id)?;
        let level = |text: &str| Level::from_str(text).map_err(StudioError::from);
        // Prerequisites are stored by lesson id; the document points by position.
        let positions: HashMap<i64, LessonRef> = tree
            .modules
            .iter()
            .enumerate()
            .flat_map(|(m, module)| {
                module.lessons.iter().enumerate().map(move |(l, lesson)| {
                    (
                        lesson.id,
                        LessonRef {
                            module: m as u32,
                            lesson: l as u32,
                        },
                    )
                })
            })
            .collect();
        let mut modules = Vec::new();
        for module in &tree.modules {
            let mut lessons = Vec::new();
            for lesson in &module.lessons {
                let Some(tutorial_id) = lesson.tutorial_id else {
                    return Err(ContentError::Unfinished {
                        lesson: lesson.title.clone(),
                    }
                    .into());
                };
                // Lessons stored before topics were kept name theirs through the tutorial.
                let (topic, key) = match (&lesson.topic, &lesson.music_key) {
                    (Some(topic), Some(key)) => (topic.clone(), key.clone()),
                    _ => {
                        let tutorial = store
                            .read(|conn| tutorials::get(conn, tutorial_id))?
                            .ok_or(StudioError::NoSuchTutorial(tutorial_id))?;
                        (tutorial.topic, tutorial.music_key.unwrap_or_default())
                    }
                };
                lessons.push(CurriculumLesson {
                    title: lesson.title.clone(),
                    topic,
                    key,
                    concepts: lesson.concepts.clone(),
                    difficulty: level(&lesson.difficulty)?,
                    duration_minutes: lesson.duration_minutes,
                    prerequisites: lesson
                        .prerequisite_ids
                        .iter()
                        .filter_map(|id| positions.get(id).copied())
                        .collect(),
                    exercises: lesson
                        .exercises
                        .iter()
                        .map(|exercise| ExerciseOutline {
                            kind: exercise.kind,
                            title: exercise.title.clone(),
                        })
                        .collect(),
                });
            }
            modules.push(CurriculumModule {
                title: module.title.clone(),
                week_start: module.week_start,
                week_end: module.week_end,
                lessons,
            });
        }
        let mut curriculum = Curriculum {
            schema_version: content::SCHEMA_VERSION,
            title: tree.title,
            instrument: tree.instrument,
            level: level(&tree.level)?,
            duration_weeks: tree.duration_weeks,
            description: tree.description,
            modules,
        };
        let report = content::validate::curriculum(&mut curriculum);
        if !report.is_acceptable() {
            return Err(ContentError::Invalid {
                what: "curriculum",
                report,
            }
            .into());
        }
        Ok(curriculum)
    }

    /// Writes a stored curriculum to `path` as JSON.
    pub fn export_curriculum_file(
        &self,
        store: &Store,
        id: i64,
        path: &Path,
    ) -> Result<ExportedFile, LibraryError> {
        let id = crate::limits::library_id(id)?;
        let format = validate_export_path(path)?;
        match format {
            ExportFormat::Midi | ExportFormat::MusicXml => {
                return Err(LibraryError::NotMusic("curriculum"));
            }
            ExportFormat::RomanText => return Err(LibraryError::NotAnalysis("curriculum")),
            ExportFormat::Json => {}
        }
        let curriculum = self.curriculum_document(store, id)?;
        let json = content::export::curriculum_json(&curriculum);
        let value: serde_json::Value = serde_json::from_str(&json).map_err(StoreError::from)?;
        content::export::check_schema(DocumentKind::Curriculum, &value)?;
        write_export(path, format, json.as_bytes())
    }

    pub fn list_curricula(&self, store: &Store) -> Result<Vec<CurriculumListItem>, StudioError> {
        let rows = store.read(curricula::list)?;
        Ok(rows
            .into_iter()
            .map(|row| CurriculumListItem {
                id: row.id,
                title: row.title,
                level: row.level,
                duration_weeks: row.duration_weeks,
                module_count: row.module_count,
                lesson_count: row.lesson_count,
            })
            .collect())
    }

    pub fn open_curriculum(&self, store: &Store, id: i64) -> Result<CurriculumDetail, StudioError> {
        let id = crate::limits::library_id(id)?;
        let tree = curriculum_tree(store, id)?;
        Ok(CurriculumDetail {
            id: tree.id,
            title: tree.title,
            level: tree.level,
            duration_weeks: tree.duration_weeks,
            description: tree.description,
            modules: tree
                .modules
                .into_iter()
                .map(|module| CurriculumModuleItem {
                    title: module.title,
                    week_start: module.week_start,
                    week_end: module.week_end,
                    lessons: module
                        .lessons
                        .into_iter()
                        .map(|lesson| CurriculumLessonItem {
                            id: lesson.id,
                            title: lesson.title,
                            difficulty: lesson.difficulty,
                            duration_minutes: lesson.duration_minutes,
                            tutorial_id: lesson.tutorial_id,
                            exercises: lesson
                                .exercises
                                .into_iter()
                                .map(|exercise| CurriculumExerciseItem {
                                    id: exercise.id,
                                    kind: exercise.kind.as_str().to_string(),
                                    title: exercise.title,
                                    difficulty: exercise.difficulty,
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        })
    }
}

/// A curriculum in the trash, which the Library can restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TrashedCurriculumItem {
    #[ts(type = "number")]
    pub id: i64,
    pub title: String,
    /// When it was deleted (Unix seconds).
    #[ts(type = "number")]
    pub deleted_at: i64,
    /// Until when it can be restored (Unix seconds).
    #[ts(type = "number")]
    pub restorable_until: i64,
}

/// A curriculum after one of its lessons moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MovedLesson {
    pub curriculum: CurriculumDetail,
    /// Prerequisite links dropped because the move put a lesson before one it built on.
    pub prerequisites_dropped: u32,
}

/// A curriculum's words as the window edits them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct CurriculumTextsEdit {
    pub title: String,
    pub description: String,
    /// Every module's title, in the curriculum's order.
    pub module_titles: Vec<String>,
    pub lessons: Vec<LessonTitle>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct LessonTitle {
    #[ts(type = "number")]
    pub id: i64,
    pub title: String,
}

/// A curriculum after its words were edited, and the words it had, to undo the edit with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct EditedCurriculum {
    pub curriculum: CurriculumDetail,
    pub previous: CurriculumTextsEdit,
}

impl CurriculumTextsEdit {
    /// The words of a curriculum as it reads now.
    fn of(detail: &CurriculumDetail) -> Self {
        CurriculumTextsEdit {
            title: detail.title.clone(),
            description: detail.description.clone(),
            module_titles: detail.modules.iter().map(|m| m.title.clone()).collect(),
            lessons: detail
                .modules
                .iter()
                .flat_map(|m| &m.lessons)
                .map(|l| LessonTitle {
                    id: l.id,
                    title: l.title.clone(),
                })
                .collect(),
        }
    }

    /// The words trimmed and bounded, as the store takes them.
    fn bounded(&self) -> Result<CurriculumTexts, InputError> {
        let title = |text: &str| crate::limits::title(text).map(str::to_string);
        let mut named = std::collections::HashSet::new();
        if let Some(twice) = self.lessons.iter().find(|lesson| !named.insert(lesson.id)) {
            return Err(InputError::LessonTwice(twice.id));
        }
        Ok(CurriculumTexts {
            title: title(&self.title)?,
            description: crate::limits::description(&self.description)?.to_string(),
            module_titles: self
                .module_titles
                .iter()
                .map(|t| title(t))
                .collect::<Result<_, _>>()?,
            lesson_titles: self
                .lessons
                .iter()
                .map(|l| Ok((l.id, title(&l.title)?)))
                .collect::<Result<_, InputError>>()?,
        })
    }
}

/// Where a lesson goes: the module (0-based, in the curriculum's order) and its place there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct LessonPlace {
    pub module: u32,
    pub position: u32,
}

impl Studio {
    pub fn rename_curriculum(
        &self,
        store: &Store,
        id: i64,
        title: &str,
    ) -> Result<(), LibraryError> {
        let id = crate::limits::library_id(id)?;
        let title = crate::limits::title(title)?;
        store.write(|tx| curricula::rename(tx, id, title))?;
        Ok(())
    }

    /// Rewrites a curriculum's title, description and module and lesson titles, and hands
    /// back the words it had, so the window can undo the edit.
    pub fn edit_curriculum_texts(
        &self,
        store: &Store,
        id: i64,
        texts: &CurriculumTextsEdit,
    ) -> Result<EditedCurriculum, LibraryError> {
        let id = crate::limits::library_id(id)?;
        let texts = texts.bounded()?;
        let previous = CurriculumTextsEdit::of(&self.open_curriculum(store, id)?);
        store.write(|tx| curricula::set_texts(tx, id, &texts))?;
        Ok(EditedCurriculum {
            curriculum: self.open_curriculum(store, id)?,
            previous,
        })
    }

    /// Moves a curriculum to the trash, whole: [`Studio::restore_curriculum`] undoes it for
    /// [`curricula::TRASH_DAYS`] days (older ones are deleted as the library opens).
    pub fn delete_curriculum(&self, store: &Store, id: i64) -> Result<(), LibraryError> {
        let id = crate::limits::library_id(id)?;
        store.write(|tx| curricula::trash(tx, id))?;
        Ok(())
    }

    /// The deleted curricula that can still be restored, the latest first.
    pub fn trashed_curricula(
        &self,
        store: &Store,
    ) -> Result<Vec<TrashedCurriculumItem>, LibraryError> {
        Ok(store
            .read(curricula::trashed)?
            .into_iter()
            .map(|row| TrashedCurriculumItem {
                id: row.id,
                title: row.title,
                deleted_at: row.deleted_at,
                restorable_until: row.deleted_at + curricula::TRASH_DAYS * 86_400,
            })
            .collect())
    }

    /// Brings a deleted curriculum back from the trash, with its lessons, tutorials and
    /// students' practice as they were.
    pub fn restore_curriculum(&self, store: &Store, id: i64) -> Result<(), LibraryError> {
        let id = crate::limits::library_id(id)?;
        store.write(|tx| curricula::restore(tx, id))?;
        Ok(())
    }

    /// Moves a lesson to another place in its curriculum and returns the curriculum as it
    /// now reads. A lesson builds only on lessons before it, so links the move turned
    /// forward are dropped, and counted.
    pub fn move_lesson(
        &self,
        store: &Store,
        curriculum_id: i64,
        lesson_id: i64,
        to: LessonPlace,
    ) -> Result<MovedLesson, LibraryError> {
        let curriculum_id = crate::limits::library_id(curriculum_id)?;
        let lesson_id = crate::limits::library_id(lesson_id)?;
        let dropped = store.write(|tx| {
            curricula::move_lesson(
                tx,
                curriculum_id,
                lesson_id,
                to.module as usize,
                to.position as usize,
            )
        })?;
        Ok(MovedLesson {
            curriculum: self.open_curriculum(store, curriculum_id)?,
            prerequisites_dropped: dropped as u32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::BatchRequest;
    use crate::llm::CancelToken;
    use crate::sources::Writers;

    #[test]
    fn a_curriculum_is_renamed_reordered_deleted_and_brought_back() {
        let (_dir, studio, store) = crate::library::empty_studio();
        let outcome = studio
            .run_batch(
                &store,
                &BatchRequest::new("F", Level::Beginner, 2),
                false,
                Writers::Models(&mut studio.installed_models()),
                &CancelToken::new(),
                &mut |_| {},
            )
            .unwrap();
        let id = outcome.curriculum_id;

        studio
            .rename_curriculum(&store, id, "  Two weeks in F ")
            .unwrap();
        assert!(studio.rename_curriculum(&store, id, " ").is_err());
        let detail = studio.open_curriculum(&store, id).unwrap();
        assert_eq!(detail.title, "Two weeks in F");

        let lessons: Vec<i64> = detail
            .modules
            .iter()
            .flat_map(|m| m.lessons.iter().map(|l| l.id))
            .collect();
        assert!(lessons.len() >= 2, "{lessons:?}");
        let last = *lessons.last().unwrap();
        let moved = studio
            .move_lesson(
                &store,
                id,
                last,
                LessonPlace {
                    module: 0,
                    position: 0,
                },
            )
            .unwrap();
        assert_eq!(moved.curriculum.modules[0].lessons[0].id, last);
        // The template's lessons each build on the one before: the moved one no longer can.
        assert_eq!(moved.prerequisites_dropped, 1);
        let document = studio.curriculum_document(&store, id).unwrap();
        assert!(document.modules[0].lessons[0].prerequisites.is_empty());
        let error = studio
            .move_lesson(
                &store,
                id,
                last,
                LessonPlace {
                    module: 99,
                    position: 0,
                },
            )
            .unwrap_err();
        assert!(error.to_string().contains("no module 100"), "{error}");

        let mut texts = CurriculumTextsEdit::of(&moved.curriculum);
        texts.description = "  Two weeks in F, our way. ".into();
        texts.module_titles[0] = "Week one".into();
        texts.lessons[0].title = "Where we start".into();
        let edited = studio.edit_curriculum_texts(&store, id, &texts).unwrap();
        assert_eq!(edited.curriculum.description, "Two weeks in F, our way.");
        assert_eq!(edited.curriculum.modules[0].title, "Week one");
        assert_eq!(
            edited.curriculum.modules[0].lessons[0].title,
            "Where we start"
        );
        assert_eq!(edited.previous, CurriculumTextsEdit::of(&moved.curriculum));
        let mut wrong = texts.clone();
        wrong.lessons[0].id = 999_999;
        assert!(studio.edit_curriculum_texts(&store, id, &wrong).is_err());
        wrong = texts.clone();
        wrong.module_titles.pop();
        assert!(studio.edit_curriculum_texts(&store, id, &wrong).is_err());
        wrong = texts.clone();
        wrong.lessons = vec![texts.lessons[0].clone(); 10_000];
        let twice = studio
            .edit_curriculum_texts(&store, id, &wrong)
            .unwrap_err();
        assert!(twice.to_string().contains("given two titles"), "{twice}");
        assert_eq!(
            studio.open_curriculum(&store, id).unwrap(),
            edited.curriculum
        );
        let undone = studio
            .edit_curriculum_texts(&store, id, &edited.previous)
            .unwrap();
        assert_eq!(undone.curriculum, moved.curriculum);

        studio.delete_curriculum(&store, id).unwrap();
        assert!(studio.list_curricula(&store).unwrap().is_empty());
        assert!(studio.open_curriculum(&store, id).is_err());
        assert_eq!(studio.trashed_curricula(&store).unwrap()[0].id, id);
        studio.restore_curriculum(&store, id).unwrap();
        assert_eq!(
            studio.open_curriculum(&store, id).unwrap(),
            moved.curriculum
        );
        assert!(studio.trashed_curricula(&store).unwrap().is_empty());
    }
}
