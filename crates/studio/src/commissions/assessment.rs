//! An assessment of one kind on a topic, made on its own.

use std::collections::BTreeMap;

use rusqlite::Transaction;

use super::{
    Commission, MaterialKind, hold, material_row, prompt_values, requested_key, with_held,
};
use crate::StudioError;
use crate::catalog::TaskKind;
use crate::content::prompts::TaskKind as PromptKind;
use crate::content::validate::{self, Issue, Severity};
use crate::content::{Assessment, AssessmentKind, Level, ValidationReport, template};
use crate::store::{StoreError, materials};

pub struct AssessmentCommission {
    pub topic: String,
    pub key: String,
    pub level: Level,
    pub instrument: String,
    pub kind: AssessmentKind,
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
