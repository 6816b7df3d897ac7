//! Organising a stored curriculum: its words rewritten, its lessons reordered, and the
//! trash that makes its deletion undoable for [`TRASH_DAYS`].

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::{Result, StoreError, now_unix, require_non_empty};

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
