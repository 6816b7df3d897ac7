//! The library as the window sees it: list, open, rename, delete (with undo) and export
//! tutorials; list and open curricula. What every kind shares (titles, searches, export
//! paths and files) is here; tutorials and curricula each have their own file.

use std::io::Read;
use std::path::{Component, Path};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::StudioError;
use crate::content::ContentError;
use crate::limits::{InputError, MAX_IMPORT_BYTES, MAX_PATH_CHARS};
use crate::store::StoreError;

mod curricula;
mod edit;
mod import;
mod tutorials;

pub(crate) use curricula::curriculum_tree;

pub use curricula::{
    CurriculumDetail, CurriculumExerciseItem, CurriculumLessonItem, CurriculumListItem,
    CurriculumModuleItem, CurriculumTextsEdit, EditedCurriculum, LessonPlace, LessonTitle,
    MovedLesson, TrashedCurriculumItem,
};
pub use edit::{DocumentVersion, EditOutcome, EditTarget};
pub use import::ImportedDocument;
pub use tutorials::{
    CreatedTutorial, DeletedTutorial, OpenedTutorial, TutorialListItem, tutorial_as_exercise,
};

/// The file formats the library exports to: JSON for every document, MIDI and MusicXML for
/// the music of tutorials and exercises, RomanText for theory analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Json,
    Midi,
    #[serde(rename = "musicxml")]
    MusicXml,
    #[serde(rename = "romantext")]
    RomanText,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Midi => "mid",
            ExportFormat::MusicXml => "musicxml",
            ExportFormat::RomanText => "rntxt",
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
    #[error("the file name must end in .json, .mid, .musicxml (or .xml) or .rntxt; got `{0}`")]
    Extension(String),
    #[error("the folder `{0}` does not exist; choose an existing folder")]
    NoParent(String),
    #[error("`{0}` is a folder; add a file name")]
    IsFolder(String),
    #[error("the path is longer than {MAX_PATH_CHARS} characters; choose a shorter one")]
    TooLong,
}

/// Checks a path the window asks to write to and says which format its extension names.
pub fn validate_export_path(path: &Path) -> Result<ExportFormat, ExportPathError> {
    if path.to_string_lossy().chars().count() > MAX_PATH_CHARS {
        return Err(ExportPathError::TooLong);
    }
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
        // Notation programs write uncompressed MusicXML as .musicxml, and older ones as .xml.
        Some("musicxml" | "xml") => ExportFormat::MusicXml,
        Some("rntxt") => ExportFormat::RomanText,
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
    #[error(
        "only tutorials and exercises can be exported as MIDI or MusicXML; export this {0} as JSON"
    )]
    NotMusic(&'static str),
    #[error("only theory analyses can be exported as RomanText (.rntxt); export this {0} as JSON")]
    NotAnalysis(&'static str),
    #[error("cannot read {path}: {source}; check the path and that the file is readable")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path} is {bytes} bytes; a file to import is at most {MAX_IMPORT_BYTES} bytes: choose {expected}"
    )]
    TooLarge {
        path: String,
        bytes: u64,
        expected: &'static str,
    },
    #[error("{path} is not a text file (it is not UTF-8); choose {expected}")]
    NotText {
        path: String,
        expected: &'static str,
    },
    #[error("the tempo must be between 20 and 400 beats per minute; got {0}")]
    Tempo(u32),
    #[error("cannot write {path}: {source}; check that the folder is writable")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

impl From<InputError> for LibraryError {
    fn from(error: InputError) -> Self {
        LibraryError::Studio(error.into())
    }
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

/// The text of a file the teacher chose to import, or a sentence saying why it cannot be
/// read; `expected` names the kind of file to choose instead.
pub(crate) fn read_import_text(
    path: &Path,
    expected: &'static str,
) -> Result<String, LibraryError> {
    let shown = path.display().to_string();
    if shown.chars().count() > MAX_PATH_CHARS {
        return Err(ExportPathError::TooLong.into());
    }
    // The window's working folder is nobody's choice: a path must say where it starts.
    if !path.is_absolute() {
        return Err(ExportPathError::NotAbsolute(shown).into());
    }
    let read_error = |source| LibraryError::Read {
        path: shown.clone(),
        source,
    };
    // A device or a pipe has no end to wait for (opening a pipe waits for a writer): only a
    // file on disk is opened and read.
    let not_a_file = || {
        read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "it is not a regular file",
        ))
    };
    if !std::fs::metadata(path).map_err(read_error)?.is_file() {
        return Err(not_a_file());
    }
    let file = std::fs::File::open(path).map_err(read_error)?;
    let metadata = file.metadata().map_err(read_error)?;
    if !metadata.is_file() {
        return Err(not_a_file());
    }
    let too_large = |bytes| LibraryError::TooLarge {
        path: shown.clone(),
        bytes,
        expected,
    };
    if metadata.len() > MAX_IMPORT_BYTES {
        return Err(too_large(metadata.len()));
    }
    // The file may grow after it was measured: no more than the bound is read.
    let mut data = Vec::with_capacity(metadata.len() as usize);
    file.take(MAX_IMPORT_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(read_error)?;
    if data.len() as u64 > MAX_IMPORT_BYTES {
        return Err(too_large(data.len() as u64));
    }
    String::from_utf8(data).map_err(|_| LibraryError::NotText {
        path: shown,
        expected,
    })
}

/// Writes an export whole (see [`crate::paths::write_whole_file`]).
pub(crate) fn write_export(
    path: &Path,
    format: ExportFormat,
    bytes: &[u8],
) -> Result<ExportedFile, LibraryError> {
    let shown = path.display().to_string();
    crate::paths::write_whole_file(path, bytes).map_err(|source| LibraryError::Write {
        path: shown.clone(),
        source,
    })?;
    Ok(ExportedFile {
        path: shown,
        bytes: bytes.len() as u64,
        format,
    })
}

/// A Studio over a fresh, empty data folder, for the library's tests.
#[cfg(test)]
pub(crate) fn empty_studio() -> (tempfile::TempDir, crate::Studio, crate::Store) {
    let dir = tempfile::tempdir().unwrap();
    let studio = crate::Studio::new(
        crate::AppPaths::at(dir.path()),
        crate::Catalog::builtin().unwrap(),
    );
    let store = studio.open_store().unwrap();
    (dir, studio, store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_paths_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("lesson.json");
        assert_eq!(validate_export_path(&ok), Ok(ExportFormat::Json));
        assert_eq!(
            validate_export_path(&dir.path().join("lesson.MID")),
            Ok(ExportFormat::Midi)
        );
        assert_eq!(
            validate_export_path(&dir.path().join("lesson.musicxml")),
            Ok(ExportFormat::MusicXml)
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
        assert_eq!(
            validate_export_path(&dir.path().join("lesson.xml")),
            Ok(ExportFormat::MusicXml)
        );
        assert_eq!(
            validate_export_path(&dir.path().join("lesson.mxl"))
                .unwrap_err()
                .to_string(),
            format!(
                "the file name must end in .json, .mid, .musicxml (or .xml) or .rntxt; got `{}`",
                dir.path().join("lesson.mxl").display()
            )
        );
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
}
