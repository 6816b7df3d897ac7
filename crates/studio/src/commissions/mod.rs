//! What a teacher can commission. Each kind of document is a [`Commission`]: the request
//! it answers, the task it routes by, the checks that hold an answer to the request, the
//! template that stands behind the models, and the row it is stored as. The pipeline that
//! writes a commission (`Studio::generate`) lives apart from them: a commission knows nothing
//! of routing or providers.
//!
//! Each kind has its own file; what they share (prompt values, holding an answer to the
//! request, the requested key, the material kinds and a material's row) is here.

use std::collections::BTreeMap;
use std::str::FromStr;

use rusqlite::Transaction;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::StudioError;
use crate::catalog::TaskKind;
use crate::content::prompts::TaskKind as PromptKind;
use crate::content::schema::DocumentKind;
use crate::content::validate::{Issue, Severity};
use crate::content::{ContentError, Instrument, MusicPayload, ValidationReport};
use crate::store::{StoreError, materials};
use crate::theory::Key;

pub mod analysis;
pub mod assessment;
pub mod curriculum;
pub mod exercise;
pub mod lesson_plan;
pub mod tutorial;

pub use analysis::AnalysisCommission;
pub use assessment::AssessmentCommission;
pub use curriculum::BatchRequest;
pub use exercise::ExerciseCommission;
pub use lesson_plan::LessonPlanCommission;
pub use tutorial::TutorialRequest;

/// What a teacher asked for, as the pipeline needs it: the task to route, the prompt, the
/// checks that hold an answer to the request, the template that stands behind the models,
/// and where the document is stored.
pub trait Commission {
    type Document: DeserializeOwned + JsonSchema;

    /// The task in models.toml, which decides the tier.
    fn task(&self) -> TaskKind;
    fn prompt(&self) -> PromptKind;
    /// The document's name in messages, e.g. "tutorial".
    fn noun(&self) -> &'static str;
    /// Every variable of the prompt but the schema. Checks the request first.
    fn prompt_values(&self) -> Result<BTreeMap<String, String>, StudioError>;
    /// Tokens a model may write; leaves room for the prompt and schema in a 4k context.
    fn max_tokens(&self) -> usize {
        1536
    }
    /// Holds the document to what was asked and checks every musical fact, repairing what
    /// can be repaired.
    fn check(&self, document: &mut Self::Document) -> ValidationReport;
    /// The template generator's document for this request.
    fn template(&self) -> Result<Self::Document, StudioError>;
    /// Tightens the document's schema for decoders that enforce it token by token: what
    /// the request decides is written as a constant, so that such a model cannot
    /// contradict the request and spends no choices on it.
    fn hold_schema(&self, _schema: &mut serde_json::Value) -> Result<(), StudioError> {
        Ok(())
    }
    fn store(&self, tx: &Transaction<'_>, document: &Self::Document) -> Result<i64, StoreError>;
}

/// A commission whose document, once stored, is linked into the library in the same
/// transaction (a batch attaches each tutorial to its lesson), so that a crash cannot leave
/// one without the other.
pub struct Linked<C, F> {
    pub commission: C,
    /// Called with the stored document's id.
    pub link: F,
}

impl<C, F> Commission for Linked<C, F>
where
    C: Commission,
    F: Fn(&Transaction<'_>, i64) -> Result<(), StoreError>,
{
    type Document = C::Document;

    fn task(&self) -> TaskKind {
        self.commission.task()
    }

    fn prompt(&self) -> PromptKind {
        self.commission.prompt()
    }

    fn noun(&self) -> &'static str {
        self.commission.noun()
    }

    fn prompt_values(&self) -> Result<BTreeMap<String, String>, StudioError> {
        self.commission.prompt_values()
    }

    fn max_tokens(&self) -> usize {
        self.commission.max_tokens()
    }

    fn check(&self, document: &mut Self::Document) -> ValidationReport {
        self.commission.check(document)
    }

    fn template(&self) -> Result<Self::Document, StudioError> {
        self.commission.template()
    }

    fn hold_schema(&self, schema: &mut serde_json::Value) -> Result<(), StudioError> {
        self.commission.hold_schema(schema)
    }

    fn store(&self, tx: &Transaction<'_>, document: &Self::Document) -> Result<i64, StoreError> {
        let id = self.commission.store(tx, document)?;
        (self.link)(tx, id)?;
        Ok(id)
    }
}

/// Named prompt values, as [`prompts::render`](crate::content::prompts::render) takes them.
pub fn prompt_values<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

/// Sets a field the request decided and the answer changed, noting the repair.
pub fn hold<T: PartialEq + std::fmt::Display>(
    field: &mut T,
    wanted: T,
    path: &str,
    issues: &mut Vec<Issue>,
) {
    if *field != wanted {
        issues.push(Issue {
            path: path.into(),
            severity: Severity::Repaired,
            message: format!("`{field}` is not the requested {wanted}"),
        });
        *field = wanted;
    }
}

/// Holds a document's music to the requested instrument (free text, read as the engine's
/// instrument: one it writes no music for gets the piano's), noting the repair.
pub fn hold_instrument(
    music: &mut MusicPayload,
    requested: &str,
    path: &str,
    issues: &mut Vec<Issue>,
) {
    let wanted = Instrument::from_request(requested);
    if music.instrument() != wanted {
        issues.push(Issue {
            path: path.into(),
            severity: Severity::Repaired,
            message: format!(
                "music for the {} is not for the requested {wanted}",
                music.instrument()
            ),
        });
    }
    music.instrument = (wanted != Instrument::Piano).then_some(wanted);
}

/// Held fields' repairs first, then the theory engine's report.
pub fn with_held(held: Vec<Issue>, mut report: ValidationReport) -> ValidationReport {
    report.issues.splice(0..0, held);
    report
}

/// The request's key, parsed by the theory engine.
pub fn requested_key(key: &str) -> Result<Key, StudioError> {
    Key::from_str(key).map_err(|e| StudioError::Content(ContentError::Theory(e)))
}

/// The kinds of material, as the library stores and the window names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    Exercise,
    TheoryAnalysis,
    Assessment,
    LessonPlanPart,
}

impl MaterialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MaterialKind::Exercise => "exercise",
            MaterialKind::TheoryAnalysis => "theory_analysis",
            MaterialKind::Assessment => "assessment",
            MaterialKind::LessonPlanPart => "lesson_plan_part",
        }
    }

    /// The kind in a sentence: "theory analysis".
    pub fn noun(self) -> &'static str {
        match self {
            MaterialKind::Exercise => "exercise",
            MaterialKind::TheoryAnalysis => "theory analysis",
            MaterialKind::Assessment => "assessment",
            MaterialKind::LessonPlanPart => "lesson-plan part",
        }
    }

    /// The schema its documents follow.
    pub fn document(self) -> DocumentKind {
        match self {
            MaterialKind::Exercise => DocumentKind::Exercise,
            MaterialKind::TheoryAnalysis => DocumentKind::TheoryAnalysis,
            MaterialKind::Assessment => DocumentKind::Assessment,
            MaterialKind::LessonPlanPart => DocumentKind::LessonPlan,
        }
    }

    pub(crate) fn parse(stored: &str) -> Option<MaterialKind> {
        [
            MaterialKind::Exercise,
            MaterialKind::TheoryAnalysis,
            MaterialKind::Assessment,
            MaterialKind::LessonPlanPart,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == stored)
    }
}

/// The row of a material read from its document (an imported file, or an edit): its title,
/// topic, key, level, grade and instrument as the document says them, else as `otherwise`.
pub(crate) fn material_row_of(
    kind: MaterialKind,
    document: &serde_json::Value,
    otherwise: &materials::NewMaterial,
) -> materials::NewMaterial {
    let text = |pointer: &str| {
        document
            .pointer(pointer)
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
    };
    materials::NewMaterial {
        kind: kind.as_str().to_string(),
        title: text("/title").unwrap_or_else(|| otherwise.title.clone()),
        topic: text("/topic").unwrap_or_else(|| otherwise.topic.clone()),
        music_key: text("/music/key").or_else(|| otherwise.music_key.clone()),
        level: text("/difficulty")
            .or_else(|| text("/level"))
            .or_else(|| otherwise.level.clone()),
        grade: text("/grade").or_else(|| otherwise.grade.clone()),
        instrument: text("/music/instrument").unwrap_or_else(|| otherwise.instrument.clone()),
        schema_version: document
            .get("schema_version")
            .and_then(serde_json::Value::as_u64)
            .and_then(|version| u32::try_from(version).ok())
            .unwrap_or(otherwise.schema_version),
        document: document.clone(),
    }
}

/// The row of a material: what every kind has. Callers add the key, level or grade.
pub(crate) fn material_row(
    kind: MaterialKind,
    title: &str,
    topic: &str,
    instrument: &str,
    schema_version: u32,
    document: &impl Serialize,
) -> Result<materials::NewMaterial, StoreError> {
    Ok(materials::NewMaterial {
        kind: kind.as_str().to_string(),
        title: title.to_string(),
        topic: topic.to_string(),
        music_key: None,
        level: None,
        grade: None,
        instrument: instrument.to_string(),
        schema_version,
        document: serde_json::to_value(document)?,
    })
}
