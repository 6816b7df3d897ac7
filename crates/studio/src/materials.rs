//! Materials made on their own, outside a curriculum: an exercise, a theory analysis, an
//! assessment or a lesson-plan part. Each request is a [`Commission`], so it is written by
//! the routed model through `Studio::generate`, with the template generator behind it, and
//! stored in the library's `materials` table.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::Transaction;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog::TaskKind;
use crate::content::prompts::TaskKind as PromptKind;
use crate::content::schema::DocumentKind;
use crate::content::standards::{self, CodeProblem};
use crate::content::validate::{self, Issue, Severity};
use crate::content::{
    self, Assessment, AssessmentKind, ContentError, Exercise, ExerciseKind, LessonPlanDocument,
    Level, TheoryAnalysis, ValidationReport, template,
};
use crate::generate::{
    Commission, Generated, Progress, ProviderSource, hold, prompt_values, requested_key, with_held,
};
use crate::library::{
    ExportFormat, ExportedFile, LibraryError, checked_query, checked_title, validate_export_path,
    write_export,
};
use crate::llm::CancelToken;
use crate::store::{Store, StoreError, materials};
use crate::{Studio, StudioError};

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

    fn parse(stored: &str) -> Option<MaterialKind> {
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

/// An exercise of one kind on a topic.
pub struct ExerciseCommission {
    pub topic: String,
    pub key: String,
    pub level: Level,
    pub instrument: String,
    pub kind: ExerciseKind,
}

pub struct AnalysisCommission {
    pub topic: String,
    pub key: String,
    pub level: Level,
    pub instrument: String,
}

pub struct AssessmentCommission {
    pub topic: String,
    pub key: String,
    pub level: Level,
    pub instrument: String,
    pub kind: AssessmentKind,
}

pub struct LessonPlanCommission {
    pub topic: String,
    /// Normalised NCAS grade.
    pub grade: String,
    /// Normalised part name.
    pub part: String,
    /// Checked codes; the template's own for the grade when empty.
    pub standards: Vec<String>,
    pub instrument: String,
}

fn exercise_kind_name(kind: ExerciseKind) -> String {
    kind.as_str().replace('_', " ")
}

impl ExerciseCommission {
    /// The request, checked: the topic must have an exercise of the kind asked for, so that
    /// the template generator can always stand behind the model.
    pub fn new(
        topic: &str,
        key: &str,
        level: Level,
        instrument: &str,
        kind: Option<ExerciseKind>,
    ) -> Result<ExerciseCommission, StudioError> {
        requested_key(key)?;
        let offered: Vec<ExerciseKind> = template::exercises(topic, key, level)?
            .iter()
            .map(|exercise| exercise.kind)
            .collect();
        let kind = match kind {
            None if !offered.is_empty() => offered[0],
            Some(kind) if offered.contains(&kind) => kind,
            _ => {
                return Err(ContentError::NoSuchExercise {
                    kind: kind.map_or("any".to_string(), exercise_kind_name),
                    topic: topic.trim().to_string(),
                    offered: offered
                        .iter()
                        .map(|k| exercise_kind_name(*k))
                        .collect::<Vec<_>>()
                        .join(", "),
                }
                .into());
            }
        };
        Ok(ExerciseCommission {
            topic: topic.trim().to_string(),
            key: key.trim().to_string(),
            level,
            instrument: instrument.trim().to_string(),
            kind,
        })
    }
}

/// The row of a material: what every kind has. Callers add the key, level or grade.
fn material_row(
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

impl Commission for ExerciseCommission {
    type Document = Exercise;

    fn task(&self) -> TaskKind {
        TaskKind::ExerciseGeneration
    }

    fn prompt(&self) -> PromptKind {
        PromptKind::Exercise
    }

    fn noun(&self) -> &'static str {
        MaterialKind::Exercise.noun()
    }

    fn prompt_values(&self) -> Result<BTreeMap<String, String>, StudioError> {
        Ok(prompt_values([
            ("instrument", self.instrument.clone()),
            ("topic", self.topic.clone()),
            ("key", requested_key(&self.key)?.to_string()),
            ("level", self.level.to_string()),
            ("exercise_kind", exercise_kind_name(self.kind)),
        ]))
    }

    fn max_tokens(&self) -> usize {
        1024
    }

    fn check(&self, exercise: &mut Exercise) -> ValidationReport {
        let mut held = Vec::new();
        if let Ok(key) = requested_key(&self.key) {
            hold(
                &mut exercise.music.key,
                key.to_string(),
                "music.key",
                &mut held,
            );
        }
        hold(
            &mut exercise.difficulty,
            self.level,
            "difficulty",
            &mut held,
        );
        if exercise.kind != self.kind {
            held.push(Issue {
                path: "kind".into(),
                severity: Severity::Error,
                message: format!(
                    "a {} exercise was asked for, not a {}",
                    exercise_kind_name(self.kind),
                    exercise_kind_name(exercise.kind)
                ),
            });
        }
        with_held(held, validate::exercise(exercise))
    }

    fn template(&self) -> Result<Exercise, StudioError> {
        template::exercises(&self.topic, &self.key, self.level)?
            .into_iter()
            .find(|exercise| exercise.kind == self.kind)
            .ok_or_else(|| {
                ContentError::UnknownTopic {
                    input: self.topic.clone(),
                    known: format!("a topic with a {} exercise", exercise_kind_name(self.kind)),
                }
                .into()
            })
    }

    fn store(&self, tx: &Transaction<'_>, exercise: &Exercise) -> Result<i64, StoreError> {
        let row = materials::NewMaterial {
            music_key: Some(exercise.music.key.clone()),
            level: Some(exercise.difficulty.to_string()),
            ..material_row(
                MaterialKind::Exercise,
                &exercise.title,
                &self.topic,
                &self.instrument,
                exercise.schema_version,
                exercise,
            )?
        };
        materials::insert(tx, &row)
    }
}

impl AnalysisCommission {
    /// The numerals of the topic's progression, which the model is asked to analyse.
    fn progression(&self) -> Result<String, StudioError> {
        let analysis = template::theory_analysis(&self.topic, &self.key, self.level)?;
        Ok(analysis
            .music
            .chords
            .iter()
            .map(|chord| chord.numeral.as_str())
            .collect::<Vec<_>>()
            .join(" "))
    }
}

impl Commission for AnalysisCommission {
    type Document = TheoryAnalysis;

    fn task(&self) -> TaskKind {
        TaskKind::TheoryAnalysis
    }

    fn prompt(&self) -> PromptKind {
        PromptKind::TheoryAnalysis
    }

    fn noun(&self) -> &'static str {
        MaterialKind::TheoryAnalysis.noun()
    }

    fn prompt_values(&self) -> Result<BTreeMap<String, String>, StudioError> {
        Ok(prompt_values([
            ("key", requested_key(&self.key)?.to_string()),
            ("level", self.level.to_string()),
            ("progression", self.progression()?),
        ]))
    }

    fn check(&self, analysis: &mut TheoryAnalysis) -> ValidationReport {
        let mut held = Vec::new();
        if let Ok(key) = requested_key(&self.key) {
            hold(
                &mut analysis.music.key,
                key.to_string(),
                "music.key",
                &mut held,
            );
        }
        with_held(held, validate::theory_analysis(analysis))
    }

    fn template(&self) -> Result<TheoryAnalysis, StudioError> {
        Ok(template::theory_analysis(
            &self.topic,
            &self.key,
            self.level,
        )?)
    }

    fn store(&self, tx: &Transaction<'_>, analysis: &TheoryAnalysis) -> Result<i64, StoreError> {
        let row = materials::NewMaterial {
            music_key: Some(analysis.music.key.clone()),
            level: Some(self.level.to_string()),
            ..material_row(
                MaterialKind::TheoryAnalysis,
                &analysis.title,
                &self.topic,
                &self.instrument,
                analysis.schema_version,
                analysis,
            )?
        };
        materials::insert(tx, &row)
    }
}

impl Commission for AssessmentCommission {
    type Document = Assessment;

    fn task(&self) -> TaskKind {
        TaskKind::Assessments
    }

    fn prompt(&self) -> PromptKind {
        PromptKind::Assessment
    }

    fn noun(&self) -> &'static str {
        MaterialKind::Assessment.noun()
    }

    fn prompt_values(&self) -> Result<BTreeMap<String, String>, StudioError> {
        Ok(prompt_values([
            ("assessment_kind", self.kind.as_str().to_string()),
            ("instrument", self.instrument.clone()),
            ("topic", self.topic.clone()),
            ("key", requested_key(&self.key)?.to_string()),
            ("level", self.level.to_string()),
        ]))
    }

    fn check(&self, assessment: &mut Assessment) -> ValidationReport {
        let mut held = Vec::new();
        hold(&mut assessment.level, self.level, "level", &mut held);
        if assessment.kind != self.kind {
            held.push(Issue {
                path: "kind".into(),
                severity: Severity::Repaired,
                message: format!(
                    "`{}` is not the requested {}",
                    assessment.kind.as_str(),
                    self.kind.as_str()
                ),
            });
            assessment.kind = self.kind;
        }
        with_held(held, validate::assessment(assessment))
    }

    fn template(&self) -> Result<Assessment, StudioError> {
        Ok(template::assessment(
            &self.topic,
            &self.key,
            self.level,
            self.kind,
        )?)
    }

    fn store(&self, tx: &Transaction<'_>, assessment: &Assessment) -> Result<i64, StoreError> {
        let key = requested_key(&self.key).map(|key| key.to_string()).ok();
        let row = materials::NewMaterial {
            music_key: key,
            level: Some(assessment.level.to_string()),
            ..material_row(
                MaterialKind::Assessment,
                &assessment.title,
                &self.topic,
                &self.instrument,
                assessment.schema_version,
                assessment,
            )?
        };
        materials::insert(tx, &row)
    }
}

impl LessonPlanCommission {
    /// The request, checked: a known grade and part, and every standard a real NCAS music
    /// code for that grade.
    pub fn new(
        topic: &str,
        grade: &str,
        part: &str,
        standard_codes: &[String],
        instrument: &str,
    ) -> Result<LessonPlanCommission, StudioError> {
        let grade =
            standards::normalize_grade(grade).ok_or_else(|| ContentError::UnknownGrade {
                input: grade.to_string(),
            })?;
        let part = part.trim().to_lowercase().replace([' ', '-'], "_");
        if !template::LESSON_PLAN_PARTS.contains(&part.as_str()) {
            return Err(ContentError::UnknownPart {
                input: part,
                known: template::LESSON_PLAN_PARTS.join(", "),
            }
            .into());
        }
        let mut codes: Vec<String> = Vec::new();
        let mut problems = Vec::new();
        for code in standard_codes
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
        {
            match standards::check_code(code, Some(grade)) {
                Ok(standard) if !codes.contains(&standard.code) => {
                    codes.push(standard.code.clone())
                }
                Ok(_) => {}
                Err(CodeProblem::Malformed) => problems.push(format!(
                    "`{code}` is not an NCAS music code (they look like MU:Cr1.1.{grade}a)"
                )),
                Err(CodeProblem::Unknown) => {
                    problems.push(format!("`{code}` is not in the NCAS music standards"))
                }
                Err(CodeProblem::WrongGrade { code_grade }) => problems.push(format!(
                    "`{code}` is a grade {code_grade} standard, not grade {grade}"
                )),
            }
        }
        if !problems.is_empty() {
            return Err(ContentError::Standards(problems.join("; ")).into());
        }
        Ok(LessonPlanCommission {
            topic: topic.trim().to_string(),
            grade: grade.to_string(),
            part,
            standards: codes,
            instrument: instrument.trim().to_string(),
        })
    }
}

impl Commission for LessonPlanCommission {
    type Document = LessonPlanDocument;

    fn task(&self) -> TaskKind {
        TaskKind::LessonPlan
    }

    fn prompt(&self) -> PromptKind {
        PromptKind::LessonPlan
    }

    fn noun(&self) -> &'static str {
        MaterialKind::LessonPlanPart.noun()
    }

    fn prompt_values(&self) -> Result<BTreeMap<String, String>, StudioError> {
        let standards = if self.standards.is_empty() {
            self.template()?.standards
        } else {
            self.standards.clone()
        };
        Ok(prompt_values([
            ("topic", self.topic.clone()),
            ("grade", self.grade.clone()),
            ("part", self.part.replace('_', " ")),
            ("standards", standards.join(", ")),
        ]))
    }

    fn max_tokens(&self) -> usize {
        1024
    }

    fn check(&self, plan: &mut LessonPlanDocument) -> ValidationReport {
        let mut held = Vec::new();
        hold(&mut plan.grade, self.grade.clone(), "grade", &mut held);
        if !self.standards.is_empty() && plan.standards != self.standards {
            held.push(Issue {
                path: "standards".into(),
                severity: Severity::Repaired,
                message: format!(
                    "`{}` are not the requested {}",
                    plan.standards.join(", "),
                    self.standards.join(", ")
                ),
            });
            plan.standards = self.standards.clone();
        }
        if plan.content.name() != self.part {
            held.push(Issue {
                path: "content.part".into(),
                severity: Severity::Error,
                message: format!(
                    "`{}` was written; the request was for {}",
                    plan.content.name(),
                    self.part
                ),
            });
        }
        with_held(held, validate::lesson_plan(plan))
    }

    fn template(&self) -> Result<LessonPlanDocument, StudioError> {
        let mut plan = template::lesson_plan(&self.topic, &self.grade, &self.part)?;
        if !self.standards.is_empty() {
            plan.standards = self.standards.clone();
        }
        Ok(plan)
    }

    fn store(&self, tx: &Transaction<'_>, plan: &LessonPlanDocument) -> Result<i64, StoreError> {
        let row = materials::NewMaterial {
            grade: Some(plan.grade.clone()),
            ..material_row(
                MaterialKind::LessonPlanPart,
                &plan.title,
                &self.topic,
                &self.instrument,
                plan.schema_version,
                plan,
            )?
        };
        materials::insert(tx, &row)
    }
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
            template::Topic::parse(topic)?;
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
        generator: generated
            .provenance
            .model
            .clone()
            .unwrap_or_else(|| generated.provenance.generator.to_string()),
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
        providers: &mut dyn ProviderSource,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(Progress),
    ) -> Result<CreatedMaterial, StudioError> {
        let network_allowed = self.settings().is_ok_and(|s| s.network_allowed);
        let kind = request.kind();
        Ok(match checked(request)? {
            Checked::Exercise(c) => created(
                kind,
                self.generate(store, &c, network_allowed, providers, cancel, on_progress)?,
                |d| d.title.clone(),
            ),
            Checked::Analysis(c) => created(
                kind,
                self.generate(store, &c, network_allowed, providers, cancel, on_progress)?,
                |d| d.title.clone(),
            ),
            Checked::Assessment(c) => created(
                kind,
                self.generate(store, &c, network_allowed, providers, cancel, on_progress)?,
                |d| d.title.clone(),
            ),
            Checked::LessonPlan(c) => created(
                kind,
                self.generate(store, &c, network_allowed, providers, cancel, on_progress)?,
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
        let query = checked_query(query)?;
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
        let title = checked_title(title)?;
        store.write(|tx| materials::rename(tx, id, title))?;
        Ok(())
    }

    pub fn delete_material(&self, store: &Store, id: i64) -> Result<(), LibraryError> {
        store.write(|tx| materials::delete(tx, id))?;
        Ok(())
    }

    /// A stored material as export JSON, checked against its schema and the theory engine.
    pub fn export_material(&self, store: &Store, id: i64) -> Result<String, StudioError> {
        let opened = self.open_material(store, id)?;
        content::export::check_schema(opened.kind.document(), &opened.document)?;
        Ok(content::export::to_json(&opened.document))
    }

    /// Writes a stored material to `path`: JSON, or MIDI for an exercise.
    pub fn export_material_file(
        &self,
        store: &Store,
        id: i64,
        path: &Path,
    ) -> Result<ExportedFile, LibraryError> {
        let format = validate_export_path(path)?;
        let bytes = match format {
            ExportFormat::Json => self.export_material(store, id)?.into_bytes(),
            ExportFormat::Midi => {
                let opened = self.open_material(store, id)?;
                if opened.kind != MaterialKind::Exercise {
                    return Err(LibraryError::NotMusic(opened.kind.noun()));
                }
                let exercise: Exercise =
                    serde_json::from_value(opened.document).map_err(StoreError::from)?;
                content::export::exercise_midi(&exercise)?
            }
        };
        write_export(path, format, &bytes)
    }
}
