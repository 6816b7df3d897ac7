//! An exercise of one kind on a topic, made on its own.

use std::collections::BTreeMap;

use rusqlite::Transaction;

use super::{
    Commission, MaterialKind, hold, hold_instrument, material_row, prompt_values, requested_key,
    with_held,
};
use crate::StudioError;
use crate::catalog::TaskKind;
use crate::content::prompts::TaskKind as PromptKind;
use crate::content::validate::{self, Issue, Severity};
use crate::content::{
    ContentError, Exercise, ExerciseKind, Instrument, Level, ValidationReport, template,
};
use crate::store::{StoreError, materials};

/// An exercise of one kind on a topic.
pub struct ExerciseCommission {
    pub topic: String,
    pub key: String,
    pub level: Level,
    pub instrument: String,
    pub kind: ExerciseKind,
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
        let offered: Vec<ExerciseKind> =
            template::exercises_for(Instrument::from_request(instrument), topic, key, level)?
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
        hold_instrument(
            &mut exercise.music,
            &self.instrument,
            "music.instrument",
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
        let instrument = Instrument::from_request(&self.instrument);
        template::exercises_for(instrument, &self.topic, &self.key, self.level)?
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
