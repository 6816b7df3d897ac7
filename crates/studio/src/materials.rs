//! Materials made on their own, outside a curriculum: an exercise, a theory analysis, an
//! assessment or a lesson-plan part, as the library sees them. Each request is checked into
//! its commission, written by the routed model through `Studio::generate` with the template
//! generator behind it, and stored in the library's `materials` table.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::commissions::{
    AnalysisCommission, AssessmentCommission, ExerciseCommission, LessonPlanCommission,
    requested_key,
};
use crate::content::topic::Topic;
use crate::content::validate;
use crate::content::{
    self, Assessment, AssessmentKind, ContentError, Exercise, ExerciseKind, LessonPlanDocument,
    Level, TheoryAnalysis, ValidationReport,
};
use crate::generate::{Generated, Progress};
use crate::library::{
    ExportFormat, ExportedFile, LibraryError, validate_export_path, write_export,
};
use crate::limits::{self, InputError, short_field};
use crate::llm::CancelToken;
use crate::sources::Writers;
use crate::store::{Store, StoreError, materials};
use crate::{Studio, StudioError};

// `CreatedMaterial`, `MaterialListItem` and `OpenedMaterial` carry a kind: it is named beside them.
pub use crate::commissions::MaterialKind;

/// What the teacher asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MaterialRequest {
    Exercise {
        topic: String,
        key: String,
        #[ts(type = "Level")]
        level: Level,
        instrument: String,
        /// The kind of exercise; the topic's first when none is asked for.
        #[ts(type = "ExerciseKind | null")]
        exercise_kind: Option<ExerciseKind>,
    },
    TheoryAnalysis {
        topic: String,
        key: String,
        #[ts(type = "Level")]
        level: Level,
        instrument: String,
    },
    Assessment {
        topic: String,
        key: String,
        #[ts(type = "Level")]
        level: Level,
        instrument: String,
        #[ts(type = "AssessmentKind")]
        assessment_kind: AssessmentKind,
    },
    LessonPlanPart {
        topic: String,
        /// NCAS grade: PK, K or 1 to 8.
        grade: String,
        /// One of the lesson-plan parts, e.g. "lesson_plan" or "differentiation".
        part: String,
        /// NCAS music codes for the grade; the grade's own when empty.
        standards: Vec<String>,
        instrument: String,
    },
}

impl MaterialRequest {
    pub fn kind(&self) -> MaterialKind {
        match self {
            MaterialRequest::Exercise { .. } => MaterialKind::Exercise,
            MaterialRequest::TheoryAnalysis { .. } => MaterialKind::TheoryAnalysis,
            MaterialRequest::Assessment { .. } => MaterialKind::Assessment,
            MaterialRequest::LessonPlanPart { .. } => MaterialKind::LessonPlanPart,
        }
    }

    /// The request with its text fields trimmed and bounded; [`checked`] then checks the
    /// music.
    pub fn bounded(&self) -> Result<MaterialRequest, InputError> {
        Ok(match self {
            MaterialRequest::Exercise {
                topic,
                key,
                level,
                instrument,
                exercise_kind,
            } => MaterialRequest::Exercise {
                topic: short_field("topic", topic)?,
                key: short_field("key", key)?,
                level: *level,
                instrument: short_field("instrument", instrument)?,
                exercise_kind: *exercise_kind,
            },
            MaterialRequest::TheoryAnalysis {
                topic,
                key,
                level,
                instrument,
            } => MaterialRequest::TheoryAnalysis {
                topic: short_field("topic", topic)?,
                key: short_field("key", key)?,
                level: *level,
                instrument: short_field("instrument", instrument)?,
            },
            MaterialRequest::Assessment {
                topic,
                key,
                level,
                instrument,
                assessment_kind,
            } => MaterialRequest::Assessment {
                topic: short_field("topic", topic)?,
                key: short_field("key", key)?,
                level: *level,
                instrument: short_field("instrument", instrument)?,
                assessment_kind: *assessment_kind,
            },
            MaterialRequest::LessonPlanPart {
                topic,
                grade,
                part,
                standards,
                instrument,
            } => MaterialRequest::LessonPlanPart {
                topic: short_field("topic", topic)?,
                grade: short_field("grade", grade)?,
                part: short_field("part", part)?,
                standards: limits::standard_codes(standards)?,
                instrument: short_field("instrument", instrument)?,
            },
        })
    }
}

/// What the Create screen gets back.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CreatedMaterial {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: MaterialKind,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MaterialListItem {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: MaterialKind,
    pub title: String,
    pub topic: String,
    pub music_key: Option<String>,
    pub level: Option<String>,
    pub grade: Option<String>,
}

/// A stored material, parsed and checked again, ready to render.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OpenedMaterial {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: MaterialKind,
    pub title: String,
    pub instrument: String,
    #[ts(type = "number")]
    pub created_at: i64,
    /// Musical facts the theory engine checked when it was opened.
    #[ts(type = "number")]
    pub checked: usize,
    /// The document: an Exercise, TheoryAnalysis, Assessment or LessonPlanDocument, as
    /// `kind` says.
    #[ts(type = "Exercise | TheoryAnalysis | Assessment | LessonPlanDocument")]
    pub document: serde_json::Value,
}

/// The request checked for the theory engine and the template generator, as a commission.
enum Checked {
    Exercise(ExerciseCommission),
    Analysis(AnalysisCommission),
    Assessment(AssessmentCommission),
    LessonPlan(LessonPlanCommission),
}

fn checked(request: &MaterialRequest) -> Result<Checked, StudioError> {
    Ok(match request {
        MaterialRequest::Exercise {
            topic,
            key,
            level,
            instrument,
            exercise_kind,
        } => Checked::Exercise(ExerciseCommission::new(
            topic,
            key,
            *level,
            instrument,
            *exercise_kind,
        )?),
        MaterialRequest::TheoryAnalysis {
            topic,
            key,
            level,
            instrument,
        } => {
            let commission = AnalysisCommission {
                topic: topic.trim().to_string(),
                key: key.trim().to_string(),
                level: *level,
                instrument: instrument.trim().to_string(),
            };
            requested_key(key)?;
            commission.progression()?;
            Checked::Analysis(commission)
        }
        MaterialRequest::Assessment {
            topic,
            key,
            level,
            instrument,
            assessment_kind,
        } => {
            requested_key(key)?;
            Topic::parse(topic)?;
            Checked::Assessment(AssessmentCommission {
                topic: topic.trim().to_string(),
                key: key.trim().to_string(),
                level: *level,
                instrument: instrument.trim().to_string(),
                kind: *assessment_kind,
            })
        }
        MaterialRequest::LessonPlanPart {
            topic,
            grade,
            part,
            standards,
            instrument,
        } => Checked::LessonPlan(LessonPlanCommission::new(
            topic, grade, part, standards, instrument,
        )?),
    })
}

fn created<D>(
    kind: MaterialKind,
    generated: Generated<D>,
    title: impl FnOnce(&D) -> String,
) -> CreatedMaterial {
    let validation = &generated.provenance.validation;
    CreatedMaterial {
        id: generated.id,
        kind,
        title: title(&generated.document),
        generator: generated.provenance.writer(),
        cached: generated.provenance.cached,
        checked: validation.checked,
        repaired: validation.repaired(),
    }
}

/// Parses a stored document and checks it again, as export and the window see it.
fn reopened(
    kind: MaterialKind,
    document: serde_json::Value,
) -> Result<(serde_json::Value, ValidationReport), StudioError> {
    fn checked<D: serde::de::DeserializeOwned + Serialize>(
        what: &'static str,
        document: serde_json::Value,
        check: fn(&mut D) -> ValidationReport,
    ) -> Result<(serde_json::Value, ValidationReport), StudioError> {
        let mut parsed: D =
            serde_json::from_value(document).map_err(|error| ContentError::Malformed {
                what,
                message: error.to_string(),
            })?;
        let report = check(&mut parsed);
        let value = serde_json::to_value(&parsed).map_err(StoreError::from)?;
        Ok((value, report))
    }
    match kind {
        MaterialKind::Exercise => checked::<Exercise>(kind.noun(), document, validate::exercise),
        MaterialKind::TheoryAnalysis => {
            checked::<TheoryAnalysis>(kind.noun(), document, validate::theory_analysis)
        }
        MaterialKind::Assessment => {
            checked::<Assessment>(kind.noun(), document, validate::assessment)
        }
        MaterialKind::LessonPlanPart => {
            checked::<LessonPlanDocument>(kind.noun(), document, validate::lesson_plan)
        }
    }
}

impl Studio {
    /// Makes a material with the routed model (the template generator behind it), checks
    /// every musical fact and stores it in the library.
    pub fn create_material(
        &self,
        store: &Store,
        request: &MaterialRequest,
        writers: Writers<'_>,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(Progress),
    ) -> Result<CreatedMaterial, StudioError> {
        let network_allowed = self.settings().is_ok_and(|s| s.network_allowed);
        let kind = request.kind();
        Ok(match checked(&request.bounded()?)? {
            Checked::Exercise(c) => created(
                kind,
                self.generate(store, &c, network_allowed, writers, cancel, on_progress)?,
                |d| d.title.clone(),
            ),
            Checked::Analysis(c) => created(
                kind,
                self.generate(store, &c, network_allowed, writers, cancel, on_progress)?,
                |d| d.title.clone(),
            ),
            Checked::Assessment(c) => created(
                kind,
                self.generate(store, &c, network_allowed, writers, cancel, on_progress)?,
                |d| d.title.clone(),
            ),
            Checked::LessonPlan(c) => created(
                kind,
                self.generate(store, &c, network_allowed, writers, cancel, on_progress)?,
                |d| d.title.clone(),
            ),
        })
    }

    /// Materials whose title, topic or key contains `query`, newest first.
    pub fn list_materials(
        &self,
        store: &Store,
        query: &str,
    ) -> Result<Vec<MaterialListItem>, LibraryError> {
        let query = crate::limits::query(query)?;
        let rows = store.read(|conn| materials::search(conn, query))?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(MaterialListItem {
                    id: row.id,
                    kind: MaterialKind::parse(&row.kind)?,
                    title: row.title,
                    topic: row.topic,
                    music_key: row.music_key,
                    level: row.level,
                    grade: row.grade,
                })
            })
            .collect())
    }

    pub fn open_material(&self, store: &Store, id: i64) -> Result<OpenedMaterial, StudioError> {
        let id = crate::limits::library_id(id)?;
        let row = store
            .read(|conn| materials::get(conn, id))?
            .ok_or(StudioError::NoSuchMaterial(id))?;
        let stored = row.material;
        let kind = MaterialKind::parse(&stored.kind).ok_or_else(|| ContentError::Malformed {
            what: "material",
            message: format!("unknown kind `{}`", stored.kind),
        })?;
        let (mut document, report) = reopened(kind, stored.document)?;
        // A rename changes the row's title; the document keeps the one it was written with.
        document["title"] = serde_json::Value::String(stored.title.clone());
        Ok(OpenedMaterial {
            id,
            kind,
            title: stored.title,
            instrument: stored.instrument,
            created_at: row.created_at,
            checked: report.checked,
            document,
        })
    }

    pub fn rename_material(&self, store: &Store, id: i64, title: &str) -> Result<(), LibraryError> {
        let id = crate::limits::library_id(id)?;
        let title = crate::limits::title(title)?;
        store.write(|tx| materials::rename(tx, id, title))?;
        Ok(())
    }

    pub fn delete_material(&self, store: &Store, id: i64) -> Result<(), LibraryError> {
        let id = crate::limits::library_id(id)?;
        store.write(|tx| materials::delete(tx, id))?;
        Ok(())
    }

    /// A stored material as export JSON, checked against its schema and the theory engine.
    pub fn export_material(&self, store: &Store, id: i64) -> Result<String, StudioError> {
        let id = crate::limits::library_id(id)?;
        let opened = self.open_material(store, id)?;
        content::export::check_schema(opened.kind.document(), &opened.document)?;
        Ok(content::export::to_json(&opened.document))
    }

    /// Writes a stored material to `path`: JSON, MIDI or MusicXML for an exercise, RomanText
    /// for a theory analysis.
    pub fn export_material_file(
        &self,
        store: &Store,
        id: i64,
        path: &Path,
    ) -> Result<ExportedFile, LibraryError> {
        let id = crate::limits::library_id(id)?;
        let format = validate_export_path(path)?;
        let bytes = match format {
            ExportFormat::Json => self.export_material(store, id)?.into_bytes(),
            ExportFormat::Midi | ExportFormat::MusicXml => {
                let opened = self.open_material(store, id)?;
                if opened.kind != MaterialKind::Exercise {
                    return Err(LibraryError::NotMusic(opened.kind.noun()));
                }
                let exercise: Exercise =
                    serde_json::from_value(opened.document).map_err(StoreError::from)?;
                if format == ExportFormat::Midi {
                    content::export::exercise_midi(&exercise)?
                } else {
                    content::musicxml::exercise_musicxml(&exercise)?.into_bytes()
                }
            }
            ExportFormat::RomanText => {
                let opened = self.open_material(store, id)?;
                if opened.kind != MaterialKind::TheoryAnalysis {
                    return Err(LibraryError::NotAnalysis(opened.kind.noun()));
                }
                let analysis: TheoryAnalysis =
                    serde_json::from_value(opened.document).map_err(StoreError::from)?;
                content::romantext::analysis_to_romantext(&analysis)?.into_bytes()
            }
        };
        write_export(path, format, &bytes)
    }
}
