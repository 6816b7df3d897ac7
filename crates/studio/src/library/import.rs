//! Documents from other libraries: a JSON file that Cadence exported (a tutorial, a
//! curriculum or a material) is read as untrusted input. It is bounded in size (and in
//! nesting, by the JSON reader), its kind is recognised by its fields, its schema version
//! must be one this Cadence reads, and it is checked against its schema and by the theory
//! engine, which recomputes every chord. Only then is it stored, in one transaction; a
//! refused file stores nothing.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::{LibraryError, read_import_text};
use crate::commissions::curriculum::new_curriculum;
use crate::commissions::tutorial::tutorial_row;
use crate::commissions::{MaterialKind, material_row_of};
use crate::content::import::read_document;
use crate::content::schema::DocumentKind;
use crate::content::{ContentError, Curriculum, SCHEMA_VERSION, Tutorial};
use crate::store::{Store, curricula, materials, tutorials};
use crate::{Studio, StudioError};

/// What an imported material with no topic of its own is filed under.
const IMPORTED_TOPIC: &str = "imported";

/// What the library stored from an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportedDocument {
    /// "tutorial", "curriculum", or the material's kind ("exercise", "theory_analysis", …).
    pub kind: String,
    #[ts(type = "number")]
    pub id: i64,
    pub title: String,
    /// Musical facts the theory engine checked.
    #[ts(type = "number")]
    pub checked: usize,
    /// Computed fields (symbols, notes, voicings) the engine recomputed because the file's
    /// did not match its numerals.
    #[ts(type = "number")]
    pub repaired: usize,
}

/// What a file of each kind becomes in the library.
#[derive(Debug)]
enum Stored {
    Tutorial,
    Curriculum,
    Material(MaterialKind),
}

/// Where the library keeps a document of `kind`.
fn stored_as(kind: DocumentKind) -> Stored {
    match kind {
        DocumentKind::Tutorial => Stored::Tutorial,
        DocumentKind::Curriculum => Stored::Curriculum,
        DocumentKind::Exercise => Stored::Material(MaterialKind::Exercise),
        DocumentKind::TheoryAnalysis => Stored::Material(MaterialKind::TheoryAnalysis),
        DocumentKind::Assessment => Stored::Material(MaterialKind::Assessment),
        DocumentKind::LessonPlan => Stored::Material(MaterialKind::LessonPlanPart),
    }
}

/// A checked document as the type it is, for the library's rows.
fn typed<T: serde::de::DeserializeOwned>(
    kind: DocumentKind,
    value: &serde_json::Value,
) -> Result<T, ContentError> {
    serde_json::from_value(value.clone()).map_err(|error| ContentError::Malformed {
        what: kind.name(),
        message: error.to_string(),
    })
}

impl Studio {
    /// Imports the JSON document at `path` (an absolute path) into the library.
    pub fn import_document_file(
        &self,
        store: &Store,
        path: &Path,
    ) -> Result<ImportedDocument, LibraryError> {
        let text = read_import_text(path, "a .json file exported from Cadence")?;
        self.import_document(store, &text)
    }

    /// Imports one exported document: recognised, checked against its schema version and
    /// schema, completed by the theory engine, then stored in one transaction.
    pub fn import_document(
        &self,
        store: &Store,
        text: &str,
    ) -> Result<ImportedDocument, LibraryError> {
        let (kind, document, report) = read_document(text)?;
        let (noun, id) = match stored_as(kind) {
            Stored::Tutorial => {
                let row = tutorial_row(&typed::<Tutorial>(kind, &document)?)?;
                ("tutorial", store.write(|tx| tutorials::insert(tx, &row))?)
            }
            Stored::Curriculum => {
                let curriculum: Curriculum = typed(kind, &document)?;
                let row = new_curriculum(&curriculum).map_err(StudioError::from)?;
                ("curriculum", store.write(|tx| curricula::insert(tx, &row))?)
            }
            Stored::Material(material) => {
                let otherwise = materials::NewMaterial {
                    kind: material.as_str().to_string(),
                    title: String::new(),
                    topic: IMPORTED_TOPIC.to_string(),
                    music_key: None,
                    level: None,
                    grade: None,
                    instrument: String::new(),
                    schema_version: SCHEMA_VERSION,
                    document: serde_json::Value::Null,
                };
                let row = material_row_of(material, &document, &otherwise);
                let id = store.write(|tx| materials::insert(tx, &row))?;
                (material.as_str(), id)
            }
        };
        let title = document
            .get("title")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(ImportedDocument {
            kind: noun.to_string(),
            id,
            title,
            checked: report.checked,
            repaired: report.repaired(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::empty_studio as studio;

    fn library_size(studio: &Studio, store: &Store) -> usize {
        studio.list_tutorials(store, "").unwrap().len()
            + studio.list_curricula(store).unwrap().len()
            + studio.list_materials(store, "").unwrap().len()
    }

    #[test]
    fn every_material_kind_comes_in_as_itself_with_its_row() {
        use crate::content::export::to_json;
        use crate::content::{AssessmentKind, Instrument, Level, template};
        let (_dir, studio, store) = studio();
        let guitar_exercise =
            template::exercises_for(Instrument::Guitar, "ii-V-I", "G", Level::Beginner)
                .unwrap()
                .remove(0);
        let files = [
            (to_json(&guitar_exercise), "exercise"),
            (
                to_json(&template::theory_analysis("ii-V-I", "F", Level::Advanced).unwrap()),
                "theory_analysis",
            ),
            (
                to_json(
                    &template::assessment(
                        "major scale",
                        "D",
                        Level::Beginner,
                        AssessmentKind::Milestone,
                    )
                    .unwrap(),
                ),
                "assessment",
            ),
            (
                to_json(&template::lesson_plan("steady beat", "3", "lesson_plan").unwrap()),
                "lesson_plan_part",
            ),
        ];
        for (json, kind) in files {
            let imported = studio.import_document(&store, &json).unwrap();
            assert_eq!(imported.kind, kind);
        }
        let listed = studio.list_materials(&store, "").unwrap();
        let kinds: Vec<MaterialKind> = listed.iter().map(|m| m.kind).collect();
        assert_eq!(kinds.len(), 4, "{kinds:?}");
        let exercise = listed
            .iter()
            .find(|m| m.kind == MaterialKind::Exercise)
            .unwrap();
        assert_eq!(exercise.music_key.as_deref(), Some("G major"));
        assert_eq!(exercise.level.as_deref(), Some("beginner"));
        let opened = studio.open_material(&store, exercise.id).unwrap();
        assert_eq!(opened.instrument, "guitar");
        let plan = listed
            .iter()
            .find(|m| m.kind == MaterialKind::LessonPlanPart)
            .unwrap();
        assert_eq!(
            (plan.grade.as_deref(), plan.topic.as_str()),
            (Some("3"), "steady beat")
        );
    }

    #[test]
    fn refused_files_store_nothing_and_say_what_to_fix() {
        let (_dir, studio, store) = studio();
        let tutorial =
            crate::content::template::tutorial("ii-V-I", "Bb", crate::content::Level::Beginner)
                .unwrap();
        let json = crate::content::export::tutorial_json(&tutorial);

        let truncated = &json[..json.len() / 2];
        let error = studio.import_document(&store, truncated).unwrap_err();
        assert!(error.to_string().contains("export it again"), "{error}");

        let mut future: serde_json::Value = serde_json::from_str(&json).unwrap();
        future["schema_version"] = serde_json::json!(SCHEMA_VERSION + 1);
        let error = studio
            .import_document(&store, &future.to_string())
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains(&format!("schema version {}", SCHEMA_VERSION + 1)),
            "{error}"
        );

        let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let error = studio.import_document(&store, &nested).unwrap_err();
        assert!(error.to_string().contains("recursion limit"), "{error}");

        let mut wrong_chord: serde_json::Value = serde_json::from_str(&json).unwrap();
        wrong_chord["music"]["chords"][0]["numeral"] = serde_json::json!("XIV7");
        assert!(
            studio
                .import_document(&store, &wrong_chord.to_string())
                .is_err()
        );
        assert_eq!(library_size(&studio, &store), 0);

        let imported = studio.import_document(&store, &json).unwrap();
        assert_eq!(imported.kind, "tutorial");
        assert!(imported.checked > 0);
        assert_eq!(library_size(&studio, &store), 1);
    }
}
