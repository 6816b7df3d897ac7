//! Versioned schema migrations. `PRAGMA user_version` records the version a file is at;
//! each step runs in its own transaction together with the version bump.

use std::path::Path;

use rusqlite::Connection;

use super::{Result, StoreError};

/// Migrations in order; the schema version of a file is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_materials.sql"),
    include_str!("migrations/0003_lesson_topics.sql"),
    include_str!("migrations/0004_batch_jobs.sql"),
    include_str!("migrations/0005_practice.sql"),
    include_str!("migrations/0006_curriculum_trash.sql"),
    include_str!("migrations/0007_document_history.sql"),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn apply(conn: &mut Connection, path: &Path, from: i64) -> Result<()> {
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
        let version = index as i64 + 1;
        let failed = |source| StoreError::Migration {
            path: path.to_path_buf(),
            version,
            source,
        };
        let tx = conn.transaction().map_err(failed)?;
        tx.execute_batch(sql).map_err(failed)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(failed)?;
        tx.commit().map_err(failed)?;
    }
    Ok(())
}
