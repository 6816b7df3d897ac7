//! SQLite storage: one file, WAL, foreign keys on, versioned migrations applied at open.
//!
//! Each aggregate has a module of typed repository functions taking a [`Transaction`] (writes)
//! or a [`Connection`] (reads); [`Store`] wraps them so that every write runs in one
//! transaction and a crash can only lose the write in progress.

pub mod assessments;
pub mod batch_jobs;
pub mod cache;
pub mod curricula;
pub mod generation_log;
pub mod history;
pub mod materials;
mod migrations;
pub mod practice;
pub mod students;
pub mod tutorials;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use assessments::{Assessment, AssessmentKind, AssessmentResult, NewAssessment, NewResult};
pub use cache::CachedResponse;
pub use curricula::{
    CurriculumSummary, CurriculumTree, ExerciseKind, LessonIndex, NewCurriculum, NewExercise,
    NewLesson, NewModule, StoredExercise, StoredLesson, StoredModule,
};
pub use generation_log::{GenerationOutcome, GenerationRecord, UsageByModel};
pub use materials::{MaterialRow, MaterialSummary, NewMaterial};
pub use migrations::SCHEMA_VERSION;
pub use students::{NewPracticeRecord, NewStudent, PracticeRecord, Student};
pub use tutorials::{NewTutorial, TutorialRow, TutorialSummary};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the database {} was written by a newer Cadence (schema version {found}; this build knows up to {supported}); \
         update Cadence, or set CADENCE_HOME to another folder to start a separate library — the file was left untouched",
        path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("cannot open the database {}: {source}; check that the folder exists and is writable", path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("migrating the database {} to schema version {version} failed: {source}; the file was left at the previous version", path.display())]
    Migration {
        path: PathBuf,
        version: i64,
        source: rusqlite::Error,
    },
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: i64 },
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored JSON could not be read: {0}")]
    Json(#[from] serde_json::Error),
}

/// The result of `PRAGMA integrity_check` and `foreign_key_check`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HealthReport {
    pub path: PathBuf,
    pub schema_version: i64,
    pub integrity: Vec<String>,
    pub foreign_key_violations: usize,
    pub journal_mode: String,
}

impl HealthReport {
    pub fn is_healthy(&self) -> bool {
        self.integrity == ["ok"] && self.foreign_key_violations == 0
    }
}

/// An open Cadence database. Cheap to share behind an `Arc`; calls are serialised.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// A file from a newer Cadence is refused before anything is written to it.
    pub fn open(path: &Path) -> Result<Store> {
        let open_error = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(open_error)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_error)?;
        let found: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(open_error)?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_error)?;
        // NORMAL is durable in WAL mode except for the last commits before a power loss.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_error)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_error)?;
        migrations::apply(&mut conn, path, found)?;
        Ok(Store {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-written transaction behind
        // (rusqlite rolls back on drop), so the connection is still usable.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `work` in one IMMEDIATE transaction: all of it is committed, or none.
    pub fn write<T>(&self, work: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs read-only `work` on the connection.
    pub fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        work(&self.lock())
    }

    pub fn schema_version(&self) -> Result<i64> {
        self.read(|conn| Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?))
    }

    /// Checks the file's integrity and its foreign keys.
    pub fn check(&self) -> Result<HealthReport> {
        self.read(|conn| {
            let integrity = conn
                .prepare("PRAGMA integrity_check")?
                .query_map([], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let foreign_key_violations = conn
                .prepare("PRAGMA foreign_key_check")?
                .query_map([], |_| Ok(()))?
                .count();
            let journal_mode = conn.pragma_query_value(None, "journal_mode", |row| row.get(0))?;
            Ok(HealthReport {
                path: self.path.clone(),
                schema_version: conn.pragma_query_value(None, "user_version", |row| row.get(0))?,
                integrity,
                foreign_key_violations,
                journal_mode,
            })
        })
    }
}

/// Seconds since the Unix epoch, the unit of every timestamp column.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// Reads an enum stored as its serde name (`"voicing_study"`), failing as a SQL conversion error.
pub(crate) fn enum_from_sql<T: serde::de::DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    use serde::de::value::{Error, StrDeserializer};
    T::deserialize(StrDeserializer::<Error>::new(text)).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("unexpected value `{text}` in the database: {error}").into(),
        )
    })
}

pub(crate) fn require_non_empty(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(StoreError::Invalid {
            field,
            reason: "must not be empty".into(),
        });
    }
    Ok(())
}

/// A `LIKE … ESCAPE '\'` pattern matching `query` anywhere, its wildcards taken literally.
pub(crate) fn like_pattern(query: &str) -> String {
    format!(
        "%{}%",
        query
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}
