//! The library as the window sees it: list, open, rename, delete (with undo) and export
//! tutorials; list and open curricula.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::content::schema::DocumentKind;
use crate::content::{
    self, ContentError, Curriculum, CurriculumLesson, CurriculumModule, Exercise, ExerciseKind,
    ExerciseOutline, LessonRef, Level, Tutorial,
};
use crate::store::{Store, StoreError, curricula, tutorials};
use crate::{Studio, StudioError};

/// Longest title the library accepts; longer input is a paste mistake.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest search query.
pub const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TutorialListItem {
    #[ts(type = "number")]
    pub id: i64,
    pub title: String,
    pub topic: String,
    pub music_key: Option<String>,
    pub level: String,
}

/// A stored tutorial, parsed and checked, ready to render.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OpenedTutorial {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
    /// Musical facts the theory engine checked when the tutorial was opened.
    #[ts(type = "number")]
    pub checked: usize,
    #[ts(type = "Tutorial")]
    pub tutorial: Tutorial,
}

/// What the Create screen gets back after making a tutorial.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CreatedTutorial {
    #[ts(type = "number")]
    pub id: i64,
    pub title: String,
    /// Which generator wrote it: "template", or the model's id.
    pub generator: String,
    #[ts(type = "number")]
    pub checked: usize,
    #[ts(type = "number")]
    pub repaired: usize,
}

/// A deleted tutorial, kept by the window so the deletion can be undone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DeletedTutorial {
    pub title: String,
    #[ts(type = "unknown")]
    pub document: serde_json::Value,
}

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

/// The file formats a tutorial exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Json,
    Midi,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Midi => "mid",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ExportedFile {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub format: ExportFormat,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExportPathError {
    #[error("choose a full path for the file (one that starts at the root of the disk); got `{0}`")]
    NotAbsolute(String),
    #[error("the path `{0}` contains `..`; choose the folder directly")]
    Traversal(String),
    #[error("the file name must end in .json or .mid; got `{0}`")]
    Extension(String),
    #[error("the folder `{0}` does not exist; choose an existing folder")]
    NoParent(String),
    #[error("`{0}` is a folder; add a file name")]
    IsFolder(String),
}

/// Checks a path the window asks to write to and says which format its extension names.
pub fn validate_export_path(path: &Path) -> Result<ExportFormat, ExportPathError> {
    let shown = path.display().to_string();
    if !path.is_absolute() {
        return Err(ExportPathError::NotAbsolute(shown));
    }
    if path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(ExportPathError::Traversal(shown));
    }
    let format = match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("json") => ExportFormat::Json,
        Some("mid") => ExportFormat::Midi,
        _ => return Err(ExportPathError::Extension(shown)),
    };
    if path.is_dir() {
        return Err(ExportPathError::IsFolder(shown));
    }
    match path.parent() {
        Some(parent) if parent.is_dir() => Ok(format),
        Some(parent) => Err(ExportPathError::NoParent(parent.display().to_string())),
        None => Err(ExportPathError::NoParent(shown)),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error(transparent)]
    Studio(#[from] StudioError),
    #[error(transparent)]
    ExportPath(#[from] ExportPathError),
    #[error("the title must have 1 to {MAX_TITLE_CHARS} characters")]
    Title,
    #[error("the search must have at most {MAX_QUERY_CHARS} characters")]
    Query,
    #[error("only tutorials and exercises can be exported as MIDI; export this {0} as JSON")]
    NotMusic(&'static str),
    #[error("the tempo must be between 20 and 400 beats per minute; got {0}")]
    Tempo(u32),
    #[error("cannot write {path}: {source}; check that the folder is writable")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

impl From<StoreError> for LibraryError {
    fn from(error: StoreError) -> Self {
        LibraryError::Studio(error.into())
    }
}

impl From<ContentError> for LibraryError {
    fn from(error: ContentError) -> Self {
        LibraryError::Studio(error.into())
    }
}

/// The search, trimmed, or why it is refused.
pub(crate) fn checked_query(query: &str) -> Result<&str, LibraryError> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(LibraryError::Query);
    }
    Ok(query.trim())
}

pub(crate) fn checked_title(title: &str) -> Result<&str, LibraryError> {
    let title = title.trim();
    let length = title.chars().count();
    if length == 0 || length > MAX_TITLE_CHARS {
        return Err(LibraryError::Title);
    }
    Ok(title)
}

/// Writes an export beside `path` and renames it into place, so a failed export never
/// leaves half a file.
pub(crate) fn write_export(
    path: &Path,
    format: ExportFormat,
    bytes: &[u8],
) -> Result<ExportedFile, LibraryError> {
    let shown = path.display().to_string();
    let temporary: PathBuf = path.with_extension(format!("{}.part", format.extension()));
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|source| {
            let _ = std::fs::remove_file(&temporary);
            LibraryError::Write {
                path: shown.clone(),
                source,
            }
        })?;
    Ok(ExportedFile {
        path: shown,
        bytes: bytes.len() as u64,
        format,
    })
}

/// The tutorial's music as an exercise, so it can be written as MIDI: chords (voiced,
/// on the rhythm) with the line, or the line alone when there are no chords.
pub fn tutorial_as_exercise(tutorial: &Tutorial, tempo_bpm: u32) -> Exercise {
    let kind = if tutorial.music.chords.is_empty() {
        ExerciseKind::ScalePattern
    } else {
        ExerciseKind::Progression
    };
    Exercise {
        schema_version: content::SCHEMA_VERSION,
        title: tutorial.title.clone(),
        kind,
        difficulty: tutorial.overview.difficulty,
        instructions: String::new(),
        tempo_bpm,
        music: tutorial.music.clone(),
        success_criteria: Vec::new(),
    }
}

impl Studio {
    /// Makes a tutorial through the generation pipeline (the best installed model, else
    /// the template generator) and stores it.
    pub fn create_tutorial(
        &self,
        store: &Store,
        request: &crate::generate::TutorialRequest,
        providers: &mut dyn crate::generate::ProviderSource,
        cancel: &crate::llm::CancelToken,
        on_progress: &mut dyn FnMut(crate::generate::Progress),
    ) -> Result<CreatedTutorial, StudioError> {
        let network_allowed = self.settings().is_ok_and(|s| s.network_allowed);
        let generated = self.generate_tutorial(
            store,
            request,
            network_allowed,
            providers,
            cancel,
            on_progress,
        )?;
        let validation = &generated.provenance.validation;
        Ok(CreatedTutorial {
            id: generated.id,
            title: generated.document.title,
            generator: generated
                .provenance
                .model
                .clone()
                .unwrap_or_else(|| generated.provenance.generator.to_string()),
            checked: validation.checked,
            repaired: validation.repaired(),
        })
    }

    /// Tutorials whose title, topic or key contains `query`, newest first.
    pub fn list_tutorials(
        &self,
        store: &Store,
        query: &str,
    ) -> Result<Vec<TutorialListItem>, LibraryError> {
        let query = checked_query(query)?;
        let rows = store.read(|conn| tutorials::search(conn, query))?;
        Ok(rows
            .into_iter()
            .map(|row| TutorialListItem {
                id: row.id,
                title: row.title,
                topic: row.topic,
                music_key: row.music_key,
                level: row.level,
            })
            .collect())
    }

    pub fn open_tutorial(&self, store: &Store, id: i64) -> Result<OpenedTutorial, StudioError> {
        let row = store
            .read(|conn| tutorials::get(conn, id))?
            .ok_or(StudioError::NoSuchTutorial(id))?;
        let (mut tutorial, report) = content::export::tutorial_from_value(row.document)?;
        // A rename changes the row's title; the document keeps the one it was written with.
        tutorial.title = row.title;
        Ok(OpenedTutorial {
            id,
            created_at: row.created_at,
            updated_at: row.updated_at,
            checked: report.checked,
            tutorial,
        })
    }

    pub fn rename_tutorial(&self, store: &Store, id: i64, title: &str) -> Result<(), LibraryError> {
        let title = checked_title(title)?;
        store.write(|tx| tutorials::rename(tx, id, title))?;
        Ok(())
    }

    /// Deletes a tutorial and hands back what [`Studio::restore_tutorial`] needs to undo it.
    pub fn delete_tutorial(&self, store: &Store, id: i64) -> Result<DeletedTutorial, LibraryError> {
        let deleted = store.write(|tx| {
            let row = tutorials::get(tx, id)?.ok_or(StoreError::NotFound {
                what: "tutorial",
                id,
            })?;
            tutorials::delete(tx, id)?;
            Ok(DeletedTutorial {
                title: row.title,
                document: row.document,
            })
        })?;
        Ok(deleted)
    }

    /// Stores a deleted tutorial again (under a new id). The document comes back from the
    /// window, so it is checked like an imported file before it is written.
    pub fn restore_tutorial(
        &self,
        store: &Store,
        deleted: &DeletedTutorial,
    ) -> Result<i64, LibraryError> {
        let title = checked_title(&deleted.title)?;
        let (tutorial, report) = content::export::tutorial_from_value(deleted.document.clone())?;
        if !report.is_acceptable() {
            return Err(ContentError::Invalid {
                what: "tutorial",
                report,
            }
            .into());
        }
        let row = crate::batch::tutorial_row(&tutorial)?;
        let id = store.write(|tx| {
            let id = tutorials::insert(tx, &row)?;
            tutorials::rename(tx, id, title)?;
            Ok(id)
        })?;
        Ok(id)
    }

    /// Writes a stored tutorial to `path` as JSON or MIDI, chosen by the extension.
    pub fn export_tutorial_file(
        &self,
        store: &Store,
        id: i64,
        path: &Path,
        tempo_bpm: u32,
    ) -> Result<ExportedFile, LibraryError> {
        let format = validate_export_path(path)?;
        if !(20..=400).contains(&tempo_bpm) {
            return Err(LibraryError::Tempo(tempo_bpm));
        }
        let bytes = match format {
            ExportFormat::Json => self.export_tutorial(store, id)?.into_bytes(),
            ExportFormat::Midi => {
                let opened = self.open_tutorial(store, id)?;
                content::export::exercise_midi(&tutorial_as_exercise(&opened.tutorial, tempo_bpm))?
            }
        };
        write_export(path, format, &bytes)
    }

    /// A stored curriculum as its document: the tree from SQLite, checked by the theory
    /// engine. Every lesson must have its tutorial: an unfinished batch is not a course yet.
    pub fn curriculum_document(&self, store: &Store, id: i64) -> Result<Curriculum, StudioError> {
        let tree = store
            .read(|conn| curricula::get(conn, id))?
            .ok_or(StoreError::NotFound {
                what: "curriculum",
                id,
            })?;
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
        let format = validate_export_path(path)?;
        if format == ExportFormat::Midi {
            return Err(LibraryError::NotMusic("curriculum"));
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
        let tree = store
            .read(|conn| curricula::get(conn, id))?
            .ok_or(StoreError::NotFound {
                what: "curriculum",
                id,
            })?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Level;
    use crate::{AppPaths, Catalog};

    fn studio() -> (tempfile::TempDir, Studio, Store) {
        let dir = tempfile::tempdir().unwrap();
        let studio = Studio::new(AppPaths::at(dir.path()), Catalog::builtin().unwrap());
        let store = studio.open_store().unwrap();
        (dir, studio, store)
    }

    #[test]
    fn export_paths_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("lesson.json");
        assert_eq!(validate_export_path(&ok), Ok(ExportFormat::Json));
        assert_eq!(
            validate_export_path(&dir.path().join("lesson.MID")),
            Ok(ExportFormat::Midi)
        );
        assert!(matches!(
            validate_export_path(Path::new("lesson.json")),
            Err(ExportPathError::NotAbsolute(_))
        ));
        assert!(matches!(
            validate_export_path(&dir.path().join("x/../lesson.json")),
            Err(ExportPathError::Traversal(_))
        ));
        assert!(matches!(
            validate_export_path(&dir.path().join("lesson.txt")),
            Err(ExportPathError::Extension(_))
        ));
        assert!(matches!(
            validate_export_path(&dir.path().join("lesson")),
            Err(ExportPathError::Extension(_))
        ));
        assert!(matches!(
            validate_export_path(&dir.path().join("missing/lesson.json")),
            Err(ExportPathError::NoParent(_))
        ));
        let folder = dir.path().join("folder.json");
        std::fs::create_dir(&folder).unwrap();
        assert!(matches!(
            validate_export_path(&folder),
            Err(ExportPathError::IsFolder(_))
        ));
    }

    #[test]
    fn create_rename_delete_restore_and_export() {
        let (dir, studio, store) = studio();
        let request = crate::generate::TutorialRequest {
            topic: "ii-V-I".into(),
            key: "Eb".into(),
            level: Level::Intermediate,
            instrument: "piano".into(),
        };
        let created = studio
            .create_tutorial(
                &store,
                &request,
                &mut studio.installed_models(),
                &crate::llm::CancelToken::new(),
                &mut |_| {},
            )
            .unwrap();
        assert_eq!(created.generator, "template");
        let listed = studio.list_tutorials(&store, "ii-v").unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, created.id);

        studio
            .rename_tutorial(&store, created.id, "  Two-five-one in E flat ")
            .unwrap();
        assert!(studio.rename_tutorial(&store, created.id, "   ").is_err());
        let too_long = "x".repeat(MAX_TITLE_CHARS + 1);
        assert!(
            studio
                .rename_tutorial(&store, created.id, &too_long)
                .is_err()
        );
        let opened = studio.open_tutorial(&store, created.id).unwrap();
        assert_eq!(opened.tutorial.title, "Two-five-one in E flat");
        assert_eq!(opened.tutorial.music.chords[0].symbol, "Fm7");

        let json = dir.path().join("t.json");
        let exported = studio
            .export_tutorial_file(&store, created.id, &json, 90)
            .unwrap();
        assert_eq!(exported.format, ExportFormat::Json);
        let (read_back, _) =
            content::export::import_tutorial(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(read_back.music.key, "Eb major");
        let midi = dir.path().join("t.mid");
        studio
            .export_tutorial_file(&store, created.id, &midi, 90)
            .unwrap();
        let notes = content::export::read_midi_notes(&std::fs::read(&midi).unwrap()).unwrap();
        assert!(!notes.is_empty());
        assert!(
            studio
                .export_tutorial_file(&store, created.id, &midi, 5)
                .is_err()
        );

        let deleted = studio.delete_tutorial(&store, created.id).unwrap();
        assert!(studio.list_tutorials(&store, "").unwrap().is_empty());
        assert!(studio.delete_tutorial(&store, created.id).is_err());
        let restored = studio.restore_tutorial(&store, &deleted).unwrap();
        let listed = studio.list_tutorials(&store, "").unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, restored);
        assert_eq!(listed[0].title, "Two-five-one in E flat");

        let forged = DeletedTutorial {
            title: "forged".into(),
            document: serde_json::json!({"title": "not a tutorial"}),
        };
        assert!(studio.restore_tutorial(&store, &forged).is_err());
        assert_eq!(studio.list_tutorials(&store, "").unwrap().len(), 1);
    }
}
