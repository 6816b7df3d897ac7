//! A theory analysis of a topic's progression, made on its own.

use std::collections::BTreeMap;

use rusqlite::Transaction;

use super::{
    Commission, MaterialKind, hold, material_row, prompt_values, requested_key, with_held,
};
use crate::StudioError;
use crate::catalog::TaskKind;
use crate::content::prompts::TaskKind as PromptKind;
use crate::content::validate;
use crate::content::{Level, TheoryAnalysis, ValidationReport, template};
use crate::store::{StoreError, materials};

pub struct AnalysisCommission {
    pub topic: String,
    pub key: String,
    pub level: Level,
    pub instrument: String,
}

impl AnalysisCommission {
    /// The numerals of the topic's progression, which the model is asked to analyse.
    pub(crate) fn progression(&self) -> Result<String, StudioError> {
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
