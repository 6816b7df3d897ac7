//! Documents from other libraries: a JSON file that Cadence exported (a tutorial, a
//! curriculum or a material) is read as untrusted input. It is bounded in size (and in
//! nesting, by the JSON reader), its kind is recognised by its fields, its schema version
//! must be one this Cadence reads, and it is checked against its schema and by the theory
//! engine, which recomputes every chord. Only then is it stored, in one transaction; a
//! refused file stores nothing.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use ts_rs::TS;

use super::{LibraryError, read_import_text};
use crate::commissions::MaterialKind;
use crate::commissions::curriculum::new_curriculum;
use crate::commissions::material_row;
use crate::commissions::tutorial::tutorial_row;
use crate::content::export::import_value;
use crate::content::schema::DocumentKind;
use crate::content::validate::{self, ValidationReport};
use crate::content::{
    Assessment, ContentError, Curriculum, Exercise, LessonPlanDocument, SCHEMA_VERSION,
    TheoryAnalysis, Tutorial,
};
use crate::store::{Store, StoreError, curricula, materials, tutorials};
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

/// The document kind a JSON object is, told by the fields only that kind requires.
fn recognise(value: &serde_json::Value) -> Result<DocumentKind, ContentError> {
    let Some(object) = value.as_object() else {
        return Err(not_a_document("the file holds no JSON object"));
    };
    let has = |field: &str| object.contains_key(field);
    let kind = if has("modules") {
        DocumentKind::Curriculum
    } else if has("overview") && has("practice_guide") {
        DocumentKind::Tutorial
    } else if has("questions") {
        DocumentKind::Assessment
    } else if has("success_criteria") && has("tempo_bpm") {
        DocumentKind::Exercise
    } else if has("functions") && has("voice_leading") {
        DocumentKind::TheoryAnalysis
    } else if has("grade") && has("content") {
        DocumentKind::LessonPlan
    } else {
        return Err(not_a_document(
            "it has none of the fields of a tutorial, curriculum, exercise, theory analysis, \
             assessment or lesson plan",
        ));
    };
    Ok(kind)
}

fn not_a_document(why: &str) -> ContentError {
    ContentError::Malformed {
        what: "Cadence document",
        message: format!("{why}; choose a .json file exported from Cadence"),
    }
}

/// A file from a newer Cadence names its version before anything else is said about it.
fn check_version(kind: DocumentKind, value: &serde_json::Value) -> Result<(), ContentError> {
    match value.get("schema_version") {
        None => Ok(()),
        Some(version) => match version.as_u64() {
            Some(found) if (1..=u64::from(SCHEMA_VERSION)).contains(&found) => Ok(()),
            Some(found) => Err(ContentError::UnsupportedVersion {
                what: kind.name(),
                found,
                supported: SCHEMA_VERSION,
            }),
            None => Err(ContentError::Malformed {
                what: kind.name(),
                message: format!("`schema_version` is {version}, not a version number"),
            }),
        },
    }
}

fn checked<T: DeserializeOwned>(
    kind: DocumentKind,
    value: serde_json::Value,
    check: fn(&mut T) -> ValidationReport,
) -> Result<(T, ValidationReport), ContentError> {
    import_value(kind, value, check)
}

fn stored(kind: &str, id: i64, title: &str, report: &ValidationReport) -> ImportedDocument {
    ImportedDocument {
        kind: kind.to_string(),
        id,
        title: title.to_string(),
        checked: report.checked,
        repaired: report.repaired(),
    }
}

fn store_material(
    store: &Store,
    kind: MaterialKind,
    row: Result<materials::NewMaterial, StoreError>,
    title: &str,
    report: &ValidationReport,
) -> Result<ImportedDocument, LibraryError> {
    let row = row?;
    let id = store.write(|tx| materials::insert(tx, &row))?;
    Ok(stored(kind.as_str(), id, title, report))
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

    /// Imports one exported document: recognised, checked and recomputed, then stored.
    pub fn import_document(
        &self,
        store: &Store,
        text: &str,
    ) -> Result<ImportedDocument, LibraryError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|error| ContentError::Malformed {
                what: "Cadence document",
                message: format!(
                    "{error}; the file is damaged or not JSON: export it again from Cadence"
                ),
            })?;
        let kind = recognise(&value)?;
        check_version(kind, &value)?;
        match kind {
            DocumentKind::Tutorial => {
                let (tutorial, report): (Tutorial, _) = checked(kind, value, validate::tutorial)?;
                let row = tutorial_row(&tutorial)?;
                let id = store.write(|tx| tutorials::insert(tx, &row))?;
                Ok(stored("tutorial", id, &tutorial.title, &report))
            }
            DocumentKind::Curriculum => {
                let (curriculum, report): (Curriculum, _) =
                    checked(kind, value, validate::curriculum_with_known_topics)?;
                let row = new_curriculum(&curriculum).map_err(StudioError::from)?;
                let id = store.write(|tx| curricula::insert(tx, &row))?;
                Ok(stored("curriculum", id, &curriculum.title, &report))
            }
            DocumentKind::Exercise => {
                let (exercise, report): (Exercise, _) = checked(kind, value, validate::exercise)?;
                let kind = MaterialKind::Exercise;
                let row = material_row(
                    kind,
                    &exercise.title,
                    IMPORTED_TOPIC,
                    "",
                    exercise.schema_version,
                    &exercise,
                )
                .map(|row| materials::NewMaterial {
                    music_key: Some(exercise.music.key.clone()),
                    level: Some(exercise.difficulty.to_string()),
                    ..row
                });
                store_material(store, kind, row, &exercise.title, &report)
            }
            DocumentKind::TheoryAnalysis => {
                let (analysis, report): (TheoryAnalysis, _) =
                    checked(kind, value, validate::theory_analysis)?;
                let kind = MaterialKind::TheoryAnalysis;
                let row = material_row(
                    kind,
                    &analysis.title,
                    IMPORTED_TOPIC,
                    "",
                    analysis.schema_version,
                    &analysis,
                )
                .map(|row| materials::NewMaterial {
                    music_key: Some(analysis.music.key.clone()),
                    ..row
                });
                store_material(store, kind, row, &analysis.title, &report)
            }
            DocumentKind::Assessment => {
                let (assessment, report): (Assessment, _) =
                    checked(kind, value, validate::assessment)?;
                let kind = MaterialKind::Assessment;
                let row = material_row(
                    kind,
                    &assessment.title,
                    &assessment.topic,
                    "",
                    assessment.schema_version,
                    &assessment,
                )
                .map(|row| materials::NewMaterial {
                    level: Some(assessment.level.to_string()),
                    ..row
                });
                store_material(store, kind, row, &assessment.title, &report)
            }
            DocumentKind::LessonPlan => {
                let (plan, report): (LessonPlanDocument, _) =
                    checked(kind, value, validate::lesson_plan)?;
                let kind = MaterialKind::LessonPlanPart;
                let row = material_row(
                    kind,
                    &plan.title,
                    &plan.topic,
                    "",
                    plan.schema_version,
                    &plan,
                )
                .map(|row| materials::NewMaterial {
                    grade: Some(plan.grade.clone()),
                    ..row
                });
                store_material(store, kind, row, &plan.title, &report)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AppPaths, Catalog};

    fn studio() -> (tempfile::TempDir, Studio, Store) {
        let dir = tempfile::tempdir().unwrap();
        let studio = Studio::new(AppPaths::at(dir.path()), Catalog::builtin().unwrap());
        let store = studio.open_store().unwrap();
        (dir, studio, store)
    }

    fn library_size(studio: &Studio, store: &Store) -> usize {
        studio.list_tutorials(store, "").unwrap().len()
            + studio.list_curricula(store).unwrap().len()
            + studio.list_materials(store, "").unwrap().len()
    }

    #[test]
    fn every_kind_of_document_is_recognised_by_its_fields() {
        let tutorial =
            crate::content::template::tutorial("ii-V-I", "Bb", crate::content::Level::Beginner)
                .unwrap();
        let value = serde_json::to_value(&tutorial).unwrap();
        assert_eq!(recognise(&value).unwrap(), DocumentKind::Tutorial);
        let error = recognise(&serde_json::json!({"title": "x"})).unwrap_err();
        assert!(
            error.to_string().contains("exported from Cadence"),
            "{error}"
        );
        assert!(recognise(&serde_json::json!([1, 2])).is_err());
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
