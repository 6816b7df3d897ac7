//! One part of a lesson plan for an NCAS grade, made on its own.

use std::collections::BTreeMap;

use rusqlite::Transaction;

use super::{Commission, MaterialKind, hold, material_row, prompt_values, with_held};
use crate::StudioError;
use crate::catalog::TaskKind;
use crate::content::prompts::TaskKind as PromptKind;
use crate::content::standards::{self, CodeProblem};
use crate::content::validate::{self, Issue, Severity};
use crate::content::{ContentError, LessonPlanDocument, ValidationReport, template};
use crate::store::{StoreError, materials};

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
