//! Tutorials in the library: create, list, open, rename, delete (with undo) and export.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{ExportFormat, ExportedFile, LibraryError, validate_export_path, write_export};
use crate::commissions::TutorialRequest;
use crate::commissions::tutorial::tutorial_row;
use crate::content::{self, ContentError, Exercise, ExerciseKind, Tutorial};
use crate::generate::{GeneratedTutorial, Progress};
use crate::llm::CancelToken;
use crate::sources::Writers;
use crate::store::{Store, StoreError, tutorials};
use crate::{Studio, StudioError};

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
    /// The model's answer came from the response cache (Regenerate asks the model again).
    pub cached: bool,
    #[ts(type = "number")]
    pub checked: usize,
    #[ts(type = "number")]
    pub repaired: usize,
}

impl From<&GeneratedTutorial> for CreatedTutorial {
    fn from(generated: &GeneratedTutorial) -> Self {
        let validation = &generated.provenance.validation;
        CreatedTutorial {
            id: generated.id,
            title: generated.document.title.clone(),
            generator: generated.provenance.writer(),
            cached: generated.provenance.cached,
            checked: validation.checked,
            repaired: validation.repaired(),
        }
    }
}

/// A deleted tutorial, kept by the window so the deletion can be undone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DeletedTutorial {
    pub title: String,
    #[ts(type = "unknown")]
    pub document: serde_json::Value,
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
    /// The one way a teacher's request for a tutorial is made (a curriculum's lessons are
    /// written by the batch): the request is checked, then the generation pipeline (the
    /// routed model, else the template generator) writes it, the theory engine checks it,
    /// and the library stores it.
    pub fn create_tutorial(
        &self,
        store: &Store,
        request: &TutorialRequest,
        writers: Writers<'_>,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(Progress),
    ) -> Result<GeneratedTutorial, StudioError> {
        let request = request.bounded()?;
        let network_allowed = self.settings().is_ok_and(|s| s.network_allowed);
        self.generate(
            store,
            &request,
            network_allowed,
            writers,
            cancel,
            on_progress,
        )
    }

    /// Tutorials whose title, topic or key contains `query`, newest first.
    pub fn list_tutorials(
        &self,
        store: &Store,
        query: &str,
    ) -> Result<Vec<TutorialListItem>, LibraryError> {
        let query = crate::limits::query(query)?;
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
        let id = crate::limits::library_id(id)?;
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
        let id = crate::limits::library_id(id)?;
        let title = crate::limits::title(title)?;
        store.write(|tx| tutorials::rename(tx, id, title))?;
        Ok(())
    }

    /// Deletes a tutorial and hands back what [`Studio::restore_tutorial`] needs to undo it.
    pub fn delete_tutorial(&self, store: &Store, id: i64) -> Result<DeletedTutorial, LibraryError> {
        let id = crate::limits::library_id(id)?;
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
        let title = crate::limits::title(&deleted.title)?;
        let document = crate::limits::document(&deleted.document)?;
        let (tutorial, report) = content::export::tutorial_from_value(document.clone())?;
        if !report.is_acceptable() {
            return Err(ContentError::Invalid {
                what: "tutorial",
                report,
            }
            .into());
        }
        let row = tutorial_row(&tutorial)?;
        let id = store.write(|tx| {
            let id = tutorials::insert(tx, &row)?;
            tutorials::rename(tx, id, title)?;
            Ok(id)
        })?;
        Ok(id)
    }

    /// Writes a stored tutorial to `path` as JSON, MIDI or MusicXML, chosen by the extension.
    /// The music plays at `tempo_bpm`.
    pub fn export_tutorial_file(
        &self,
        store: &Store,
        id: i64,
        path: &Path,
        tempo_bpm: u32,
    ) -> Result<ExportedFile, LibraryError> {
        let format = validate_export_path(path)?;
        let bytes = self.tutorial_bytes(store, id, format, tempo_bpm)?;
        write_export(path, format, &bytes)
    }

    /// A stored tutorial in `format`, its music at `tempo_bpm`: what
    /// [`Studio::export_tutorial_file`] writes, for callers that write it elsewhere.
    pub fn tutorial_bytes(
        &self,
        store: &Store,
        id: i64,
        format: ExportFormat,
        tempo_bpm: u32,
    ) -> Result<Vec<u8>, LibraryError> {
        let id = crate::limits::library_id(id)?;
        if !(20..=400).contains(&tempo_bpm) {
            return Err(LibraryError::Tempo(tempo_bpm));
        }
        Ok(match format {
            ExportFormat::Json => self.export_tutorial(store, id)?.into_bytes(),
            ExportFormat::Midi => {
                let opened = self.open_tutorial(store, id)?;
                content::export::exercise_midi(&tutorial_as_exercise(&opened.tutorial, tempo_bpm))?
            }
            ExportFormat::MusicXml => {
                let opened = self.open_tutorial(store, id)?;
                content::musicxml::tutorial_musicxml(&opened.tutorial, tempo_bpm)?.into_bytes()
            }
            ExportFormat::RomanText => return Err(LibraryError::NotAnalysis("tutorial")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Level;
    use crate::library::empty_studio as studio;
    use crate::limits::MAX_TITLE_CHARS;

    #[test]
    fn a_request_out_of_bounds_is_refused_before_any_work() {
        let (_dir, studio, store) = studio();
        let request = TutorialRequest {
            topic: "   ".into(),
            key: "Eb".into(),
            level: Level::Beginner,
            instrument: "piano".into(),
        };
        let error = studio
            .create_tutorial(
                &store,
                &request,
                Writers::TemplateOnly,
                &CancelToken::new(),
                &mut |_| panic!("no work starts"),
            )
            .unwrap_err();
        assert_eq!(error.to_string(), "the topic must have 1 to 64 characters");
        assert!(studio.list_tutorials(&store, "").unwrap().is_empty());
    }

    #[test]
    fn create_rename_delete_restore_and_export() {
        let (dir, studio, store) = studio();
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
                Writers::Models(&mut studio.installed_models()),
                &CancelToken::new(),
                &mut |_| {},
            )
            .unwrap();
        assert_eq!(created.provenance.writer(), "template");
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
        assert_eq!(
            studio.open_tutorial(&store, 0).unwrap_err().to_string(),
            "0 is not a library id"
        );
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
        let score = dir.path().join("t.musicxml");
        let exported = studio
            .export_tutorial_file(&store, created.id, &score, 72)
            .unwrap();
        assert_eq!(exported.format, ExportFormat::MusicXml);
        let text = std::fs::read_to_string(&score).unwrap();
        assert!(text.contains("<score-partwise version=\"4.0\">"), "{text}");
        assert!(text.contains("<sound tempo=\"72\"/>"), "{text}");
        assert!(
            text.contains("<kind text=\"m7\">minor-seventh</kind>"),
            "{text}"
        );
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
        let mut swollen = deleted.clone();
        swollen.document["theory"]["summary"] = "x".repeat(2 << 20).into();
        let refusal = studio.restore_tutorial(&store, &swollen).unwrap_err();
        assert!(
            refusal.to_string().contains("a document is at most"),
            "{refusal}"
        );
        assert_eq!(studio.list_tutorials(&store, "").unwrap().len(), 1);
    }
}
