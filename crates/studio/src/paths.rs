//! Where Cadence keeps its data: the platform's app-data folder, or `CADENCE_HOME`.

use std::path::{Path, PathBuf};

/// Environment variable that relocates every file Cadence writes.
pub const HOME_ENV: &str = "CADENCE_HOME";
/// Environment variable naming a models.toml to use instead of the built-in one.
pub const CATALOG_ENV: &str = "CADENCE_MODELS_TOML";

/// Writes `bytes` to a temporary file beside `path` and renames it into place, so that a
/// failed write or a killed process never leaves half a file where a whole one was expected.
pub fn write_whole_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".part");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&temporary);
        })
}

/// The folders and files of one Cadence installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    home: PathBuf,
}

impl AppPaths {
    /// Resolves the data folder: `CADENCE_HOME` if set, else the platform's app-data folder.
    pub fn from_env() -> Result<Self, PathsError> {
        match std::env::var_os(HOME_ENV) {
            Some(home) if !home.is_empty() => Ok(Self::at(PathBuf::from(home))),
            _ => dirs::data_dir()
                .map(|dir| Self::at(dir.join("Cadence")))
                .ok_or(PathsError::NoDataDir),
        }
    }

    pub fn at(home: impl Into<PathBuf>) -> Self {
        Self { home: home.into() }
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn database(&self) -> PathBuf {
        self.home.join("cadence.sqlite3")
    }

    pub fn models_dir(&self) -> PathBuf {
        self.home.join("models")
    }

    /// A user's own catalogue, used instead of the built-in one when present.
    pub fn user_catalog(&self) -> PathBuf {
        self.home.join("models.toml")
    }

    /// Creates the data folder if needed, saying which folder could not be made.
    pub fn ensure_home(&self) -> Result<(), PathsError> {
        std::fs::create_dir_all(&self.home).map_err(|source| PathsError::Create {
            path: self.home.clone(),
            source,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PathsError {
    #[error(
        "this system reports no application-data folder; set {HOME_ENV} to the folder Cadence should use"
    )]
    NoDataDir,
    #[error("cannot create the data folder {}: {source}; check its permissions or set {HOME_ENV} elsewhere", path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_file_replaces_the_old_one_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lesson.json");
        std::fs::write(&path, "old").unwrap();
        write_whole_file(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lesson.json");
        std::fs::write(&path, "old").unwrap();
        // A folder in the temporary file's place makes the write fail before the rename.
        std::fs::create_dir(dir.path().join("lesson.json.part")).unwrap();
        assert!(write_whole_file(&path, b"new").is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
    }
}
