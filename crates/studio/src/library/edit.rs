//! Editing a stored tutorial or material from the window: its text, its chords (by numeral
//! or by symbol) and its key. The edit is read against the stored version (what changed
//! decides), checked against the schema and by the theory engine, which recomputes notes,
//! voicings and shapes; a contradiction is refused on its field and nothing is stored.
//! Each saved edit keeps the version it replaced, so the latest can be undone.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::LibraryError;
use crate::Studio;
use crate::commissions::MaterialKind;
use crate::commissions::material_row_of;
use crate::commissions::tutorial::tutorial_row;
use crate::content::edit::{EditProblem, field_of_pointer, reconcile_music};
use crate::content::export::check_document;
use crate::content::schema::DocumentKind;
use crate::content::structured::schema_problems;
use crate::content::{ContentError, MusicPayload, Tutorial};
use crate::limits::MAX_IMPORT_BYTES;
use crate::store::history::{self, Edited};
use crate::store::{Store, StoreError, materials, tutorials};

/// Which kind of stored document an edit is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EditTarget {
    Tutorial,
    Material,
}

/// An earlier version of a document, as the history lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DocumentVersion {
    pub title: String,
    /// When the edit that replaced it was made (Unix seconds).
    #[ts(type = "number")]
    pub edited_at: i64,
}

/// What became of an edit.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EditOutcome {
    /// Stored: the document as the engine completed it, and the history now.
    Saved {
        #[ts(type = "unknown")]
        document: serde_json::Value,
        #[ts(type = "number")]
        checked: usize,
        history: Vec<DocumentVersion>,
    },
    /// Nothing was stored: what is wrong, field by field.
    Refused { problems: Vec<EditProblem> },
}

/// A stored document as an edit reads it.
struct Stored {
    kind: DocumentKind,
    title: String,
    document: serde_json::Value,
    /// A material's kind and row, which keeps what its document does not say (its topic).
    material: Option<(MaterialKind, materials::NewMaterial)>,
}

/// The stored document, as the window shows it (with the library's title), read on the
/// connection given: an edit reads it again inside its transaction.
fn read_stored(conn: &rusqlite::Connection, target: Edited) -> Result<Stored, StoreError> {
    let (kind, title, mut document, material) = match target {
        Edited::Tutorial(id) => {
            let row = tutorials::get(conn, id)?.ok_or(StoreError::NotFound {
                what: "tutorial",
                id,
            })?;
            (DocumentKind::Tutorial, row.title, row.document, None)
        }
        Edited::Material(id) => {
            let row = materials::get(conn, id)?.ok_or(StoreError::NotFound {
                what: "material",
                id,
            })?;
            let kind =
                MaterialKind::parse(&row.material.kind).ok_or_else(|| StoreError::Invalid {
                    field: "material kind",
                    reason: format!("unknown kind `{}`", row.material.kind),
                })?;
            let title = row.material.title.clone();
            (
                kind.document(),
                title,
                row.material.document.clone(),
                Some((kind, row.material)),
            )
        }
    };
    let Some(fields) = document.as_object_mut() else {
        return Err(StoreError::Invalid {
            field: "document",
            reason: "the stored document is not a JSON object".into(),
        });
    };
    fields.insert("title".into(), serde_json::Value::String(title.clone()));
    Ok(Stored {
        kind,
        title,
        document,
        material,
    })
}

fn refused(problems: Vec<EditProblem>) -> EditOutcome {
    EditOutcome::Refused { problems }
}

/// The edited document checked and completed, or the problems that refuse it.
fn checked_edit(
    stored: &Stored,
    mut edited: serde_json::Value,
) -> Result<Result<(serde_json::Value, usize), Vec<EditProblem>>, LibraryError> {
    if !edited.is_object() {
        return Ok(Err(vec![EditProblem::new(
            String::new(),
            "the edit is not a document".into(),
        )]));
    }
    // The version is the library's to say, not the edit's.
    edited["schema_version"] = stored.document["schema_version"].clone();
    if let (Some(before), Some(after)) = (stored.document.get("music"), edited.get("music")) {
        let before: MusicPayload =
            serde_json::from_value(before.clone()).map_err(StoreError::from)?;
        let mut after: MusicPayload = match serde_json::from_value(after.clone()) {
            Ok(music) => music,
            Err(error) => {
                return Ok(Err(vec![EditProblem::new(
                    "music".into(),
                    error.to_string(),
                )]));
            }
        };
        if let Err(problems) = reconcile_music(&before, &mut after, "music") {
            return Ok(Err(problems));
        }
        edited["music"] = serde_json::to_value(&after).map_err(StoreError::from)?;
    }
    let schema = stored.kind.schema();
    let problems = schema_problems(&schema, &edited).map_err(ContentError::from)?;
    if !problems.is_empty() {
        return Ok(Err(problems
            .into_iter()
            .map(|problem| EditProblem::new(field_of_pointer(&problem.path), problem.message))
            .collect()));
    }
    match check_document(stored.kind, edited) {
        Ok((document, report)) => Ok(Ok((document, report.checked))),
        Err(ContentError::Invalid { report, .. }) => Ok(Err(report
            .issues
            .iter()
            .filter(|issue| issue.severity == crate::content::validate::Severity::Error)
            .map(|issue| EditProblem::new(issue.path.clone(), issue.message.clone()))
            .collect())),
        Err(error) => Ok(Err(vec![EditProblem::new(
            String::new(),
            error.to_string(),
        )])),
    }
}

/// Writes `document` over the stored one.
fn replace(
    tx: &rusqlite::Transaction<'_>,
    target: Edited,
    stored: &Stored,
    document: &serde_json::Value,
) -> Result<(), StoreError> {
    match target {
        Edited::Tutorial(id) => {
            let tutorial: Tutorial = serde_json::from_value(document.clone())?;
            let row = tutorial_row(&tutorial).map_err(|error| StoreError::Invalid {
                field: "document",
                reason: error.to_string(),
            })?;
            tutorials::replace(tx, id, &row)
        }
        Edited::Material(id) => {
            let Some((kind, before)) = &stored.material else {
                return Err(StoreError::NotFound {
                    what: "material",
                    id,
                });
            };
            materials::replace(tx, id, &material_row_of(*kind, document, before))
        }
    }
}

fn edited_target(target: EditTarget, id: i64) -> Result<Edited, LibraryError> {
    let id = crate::limits::library_id(id)?;
    Ok(match target {
        EditTarget::Tutorial => Edited::Tutorial(id),
        EditTarget::Material => Edited::Material(id),
    })
}

fn versions(store: &Store, target: Edited) -> Result<Vec<DocumentVersion>, LibraryError> {
    Ok(store
        .read(|conn| history::list(conn, target))?
        .into_iter()
        .map(|entry| DocumentVersion {
            title: entry.title,
            edited_at: entry.edited_at,
        })
        .collect())
}

impl Studio {
    /// Saves a teacher's edit of a stored document, or says field by field why not.
    pub fn edit_document(
        &self,
        store: &Store,
        target: EditTarget,
        id: i64,
        edited: serde_json::Value,
    ) -> Result<EditOutcome, LibraryError> {
        let target = edited_target(target, id)?;
        let size = edited.to_string().len() as u64;
        if size > MAX_IMPORT_BYTES {
            return Ok(refused(vec![EditProblem::new(
                String::new(),
                format!(
                    "the edited document is {size} bytes; a document is at most {MAX_IMPORT_BYTES}"
                ),
            )]));
        }
        let stored = store.read(|conn| read_stored(conn, target))?;
        let (document, checked) = match checked_edit(&stored, edited)? {
            Ok(done) => done,
            Err(problems) => return Ok(refused(problems)),
        };
        if document != stored.document {
            let saved = store.write(|tx| {
                // Another edit (the command line, a second window) may have come first.
                if read_stored(tx, target)?.document != stored.document {
                    return Ok(false);
                }
                history::record(tx, target, &stored.title, &stored.document)?;
                replace(tx, target, &stored, &document)?;
                Ok(true)
            })?;
            if !saved {
                return Ok(refused(vec![EditProblem::new(
                    String::new(),
                    "the document was changed elsewhere while you edited it; close the editor, \
                     open the document again and make your edit there"
                        .into(),
                )]));
            }
        }
        Ok(EditOutcome::Saved {
            document,
            checked,
            history: versions(store, target)?,
        })
    }

    /// The versions edits replaced, the latest first.
    pub fn document_history(
        &self,
        store: &Store,
        target: EditTarget,
        id: i64,
    ) -> Result<Vec<DocumentVersion>, LibraryError> {
        let target = edited_target(target, id)?;
        store.read(|conn| read_stored(conn, target))?;
        versions(store, target)
    }

    /// Undoes the latest edit: the version it replaced is checked by the engine and stored
    /// again, in one transaction.
    pub fn undo_edit(
        &self,
        store: &Store,
        target: EditTarget,
        id: i64,
    ) -> Result<EditOutcome, LibraryError> {
        let target = edited_target(target, id)?;
        let restored = store.write(|tx| {
            let current = read_stored(tx, target)?;
            let Some((_, earlier)) = history::take_latest(tx, target)? else {
                return Ok(None);
            };
            let (document, report) =
                check_document(current.kind, earlier).map_err(|error| StoreError::Invalid {
                    field: "earlier version",
                    reason: error.to_string(),
                })?;
            replace(tx, target, &current, &document)?;
            Ok(Some((document, report.checked)))
        })?;
        let Some((document, checked)) = restored else {
            return Ok(refused(vec![EditProblem::new(
                String::new(),
                "there is no edit to undo".into(),
            )]));
        };
        Ok(EditOutcome::Saved {
            document,
            checked,
            history: versions(store, target)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commissions::TutorialRequest;
    use crate::content::Level;
    use crate::llm::CancelToken;
    use crate::sources::Writers;

    fn tutorial() -> (tempfile::TempDir, Studio, Store, i64) {
        let (dir, studio, store) = crate::library::empty_studio();
        let request = TutorialRequest {
            topic: "ii-V-I".into(),
            key: "Eb".into(),
            level: Level::Intermediate,
            instrument: "piano".into(),
        };
        let created = studio
            .create_tutorial(
                &store,
                &request,
                Writers::TemplateOnly,
                &CancelToken::new(),
                &mut |_| {},
            )
            .unwrap();
        (dir, studio, store, created.id)
    }

    fn saved(outcome: EditOutcome) -> (serde_json::Value, Vec<DocumentVersion>) {
        match outcome {
            EditOutcome::Saved {
                document, history, ..
            } => (document, history),
            EditOutcome::Refused { problems } => panic!("refused: {problems:?}"),
        }
    }

    #[test]
    fn a_chord_edited_by_its_symbol_is_stored_with_its_numeral_and_can_be_undone() {
        let (_dir, studio, store, id) = tutorial();
        let opened = studio.open_tutorial(&store, id).unwrap();
        let mut document = serde_json::to_value(&opened.tutorial).unwrap();
        assert_eq!(document["music"]["chords"][0]["symbol"], "Fm7");
        document["music"]["chords"][0]["symbol"] = "Cm7".into();
        document["theory"]["summary"] = "Our own words.".into();
        let (stored, history) = saved(
            studio
                .edit_document(&store, EditTarget::Tutorial, id, document)
                .unwrap(),
        );
        assert_eq!(stored["music"]["chords"][0]["numeral"], "vi7");
        assert_eq!(
            serde_json::to_value(&stored["music"]["chords"][0]["notes"]).unwrap(),
            serde_json::json!(["C", "Eb", "G", "Bb"])
        );
        assert_eq!(history.len(), 1);
        let reopened = studio.open_tutorial(&store, id).unwrap();
        assert_eq!(reopened.tutorial.music.chords[0].symbol, "Cm7");
        assert_eq!(reopened.tutorial.theory.summary, "Our own words.");

        let (undone, history) = saved(studio.undo_edit(&store, EditTarget::Tutorial, id).unwrap());
        assert_eq!(undone["music"]["chords"][0]["symbol"], "Fm7");
        assert!(history.is_empty());
        assert_eq!(
            studio
                .open_tutorial(&store, id)
                .unwrap()
                .tutorial
                .music
                .chords[0]
                .symbol,
            "Fm7"
        );
        assert!(matches!(
            studio.undo_edit(&store, EditTarget::Tutorial, id).unwrap(),
            EditOutcome::Refused { .. }
        ));
    }

    #[test]
    fn an_edited_material_updates_its_library_row() {
        let (_dir, studio, store, _) = tutorial();
        let exercise = crate::content::template::exercises("ii-V-I", "C", Level::Beginner)
            .unwrap()
            .remove(0);
        let json = crate::content::export::to_json(&exercise);
        let id = studio.import_document(&store, &json).unwrap().id;
        let mut document = studio.open_material(&store, id).unwrap().document;
        document["difficulty"] = "advanced".into();
        document["music"]["key"] = "A major".into();
        let (stored, _) = saved(
            studio
                .edit_document(&store, EditTarget::Material, id, document)
                .unwrap(),
        );
        assert_eq!(stored["music"]["chords"][0]["symbol"], "Bm7");
        let listed = studio.list_materials(&store, "").unwrap();
        assert_eq!(listed[0].level.as_deref(), Some("advanced"));
        assert_eq!(listed[0].music_key.as_deref(), Some("A major"));
    }

    #[test]
    fn a_contradiction_is_refused_on_its_field_and_nothing_is_stored() {
        let (_dir, studio, store, id) = tutorial();
        let before = studio.open_tutorial(&store, id).unwrap();
        let mut document = serde_json::to_value(&before.tutorial).unwrap();
        document["music"]["chords"][1]["numeral"] = "IV".into();
        document["music"]["chords"][1]["symbol"] = "E7".into();
        let EditOutcome::Refused { problems } = studio
            .edit_document(&store, EditTarget::Tutorial, id, document)
            .unwrap()
        else {
            panic!("a contradiction is stored");
        };
        assert_eq!(problems[0].field, "music.chords[1]");
        assert!(
            problems[0].message.contains("E7 is not IV in Eb major"),
            "{problems:?}"
        );

        let mut document = serde_json::to_value(&before.tutorial).unwrap();
        document["title"] = "x".repeat(500).into();
        let EditOutcome::Refused { problems } = studio
            .edit_document(&store, EditTarget::Tutorial, id, document)
            .unwrap()
        else {
            panic!("an overlong title is stored");
        };
        assert_eq!(problems[0].field, "title");
        assert_eq!(studio.open_tutorial(&store, id).unwrap(), before);
        assert!(
            studio
                .document_history(&store, EditTarget::Tutorial, id)
                .unwrap()
                .is_empty()
        );
    }
}
