//! A curriculum: what a batch request asks for, and the outline commission that plans it and
//! stores it with every lesson's exercises.

use std::collections::BTreeMap;

use rusqlite::Transaction;

use super::{Commission, hold, prompt_values, requested_key, with_held};
use crate::StudioError;
use crate::catalog::TaskKind;
use crate::content::prompts::TaskKind as PromptKind;
use crate::content::topic::KNOWN_TOPICS;
use crate::content::types::{Curriculum, Level};
use crate::content::{ContentError, Instrument, ValidationReport, template, validate};
use crate::limits::{self, InputError, short_field};
use crate::store::{
    LessonIndex, NewCurriculum, NewExercise, NewLesson, NewModule, StoreError, batch_jobs,
    curricula,
};

/// Most weeks a curriculum may span (two school years).
pub const MAX_WEEKS: u32 = 104;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRequest {
    /// The key the first lessons are taught in.
    pub key: String,
    pub level: Level,
    pub weeks: u32,
    pub instrument: String,
    /// What the student works towards, in the teacher's words; the outline is planned for it.
    pub goal: Option<String>,
    /// Resume this stored curriculum; it must have been planned by the same request.
    pub resume: Option<i64>,
}

impl BatchRequest {
    /// A piano curriculum with no stated goal, found again by its request when one was
    /// started before.
    pub fn new(key: impl Into<String>, level: Level, weeks: u32) -> Self {
        Self {
            key: key.into(),
            level,
            weeks,
            instrument: "piano".to_string(),
            goal: None,
            resume: None,
        }
    }

    /// The request with its text fields trimmed and bounded; an empty goal is no goal.
    pub fn bounded(&self) -> Result<BatchRequest, InputError> {
        let goal = match &self.goal {
            Some(goal) => Some(limits::goal(goal)?.to_string()).filter(|g| !g.is_empty()),
            None => None,
        };
        Ok(BatchRequest {
            key: short_field("key", &self.key)?,
            instrument: short_field("instrument", &self.instrument)?,
            goal,
            ..self.clone()
        })
    }

    fn goal_text(&self) -> String {
        match self.goal.as_deref().map(str::trim) {
            Some(goal) if !goal.is_empty() => goal.to_string(),
            _ => format!(
                "a solid {} grounding in harmony: progressions, scales and voicings",
                self.level
            ),
        }
    }

    /// The request as the job table keeps it, with the key as the engine reads it, so that
    /// "Eb" and "Eb major" find the same job.
    pub(crate) fn fingerprint(&self) -> Result<String, StudioError> {
        Ok(serde_json::json!({
            "key": requested_key(&self.key)?.to_string(),
            "level": self.level.as_str(),
            "weeks": self.weeks,
            "instrument": self.instrument.trim().to_lowercase(),
            "goal": self.goal_text(),
        })
        .to_string())
    }
}

pub(crate) fn new_curriculum(curriculum: &Curriculum) -> Result<NewCurriculum, ContentError> {
    let instrument = Instrument::from_request(&curriculum.instrument);
    let modules = curriculum
        .modules
        .iter()
        .map(|module| {
            let lessons = module
                .lessons
                .iter()
                .map(|lesson| {
                    let exercises = template::exercises_for(
                        instrument,
                        &lesson.topic,
                        &lesson.key,
                        lesson.difficulty,
                    )?
                    .into_iter()
                    .map(|exercise| {
                        Ok(NewExercise {
                            kind: exercise.kind,
                            title: exercise.title.clone(),
                            difficulty: exercise.difficulty.to_string(),
                            content: serde_json::to_value(&exercise).map_err(|error| {
                                ContentError::Malformed {
                                    what: "exercise",
                                    message: error.to_string(),
                                }
                            })?,
                        })
                    })
                    .collect::<Result<Vec<_>, ContentError>>()?;
                    Ok(NewLesson {
                        title: lesson.title.clone(),
                        topic: Some(lesson.topic.clone()),
                        music_key: Some(lesson.key.clone()),
                        concepts: lesson.concepts.clone(),
                        difficulty: lesson.difficulty.to_string(),
                        duration_minutes: lesson.duration_minutes,
                        prerequisites: lesson
                            .prerequisites
                            .iter()
                            .map(|p| LessonIndex {
                                module: p.module as usize,
                                lesson: p.lesson as usize,
                            })
                            .collect(),
                        exercises,
                    })
                })
                .collect::<Result<Vec<_>, ContentError>>()?;
            Ok(NewModule {
                title: module.title.clone(),
                week_start: module.week_start,
                week_end: module.week_end,
                lessons,
            })
        })
        .collect::<Result<Vec<_>, ContentError>>()?;
    Ok(NewCurriculum {
        title: curriculum.title.clone(),
        instrument: curriculum.instrument.clone(),
        level: curriculum.level.to_string(),
        duration_weeks: curriculum.duration_weeks,
        description: curriculum.description.clone(),
        modules,
    })
}

/// The outline a batch request asks for.
pub(crate) struct Outline<'a> {
    pub(crate) request: &'a BatchRequest,
    /// The request as the job table keeps it, recorded with the stored outline.
    pub(crate) fingerprint: String,
}

impl Commission for Outline<'_> {
    type Document = Curriculum;

    fn task(&self) -> TaskKind {
        TaskKind::CurriculumPlanning
    }

    fn prompt(&self) -> PromptKind {
        PromptKind::Curriculum
    }

    fn noun(&self) -> &'static str {
        "curriculum"
    }

    fn prompt_values(&self) -> Result<BTreeMap<String, String>, StudioError> {
        let request = self.request;
        Ok(prompt_values([
            ("instrument", request.instrument.clone()),
            ("duration_weeks", request.weeks.to_string()),
            ("level", request.level.to_string()),
            ("goal", request.goal_text()),
            ("key", requested_key(&request.key)?.to_string()),
            ("topics", KNOWN_TOPICS.to_string()),
        ]))
    }

    fn check(&self, curriculum: &mut Curriculum) -> ValidationReport {
        let request = self.request;
        let mut held = Vec::new();
        hold(
            &mut curriculum.duration_weeks,
            request.weeks,
            "duration_weeks",
            &mut held,
        );
        hold(&mut curriculum.level, request.level, "level", &mut held);
        hold(
            &mut curriculum.instrument,
            request.instrument.clone(),
            "instrument",
            &mut held,
        );
        with_held(held, validate::curriculum_with_known_topics(curriculum))
    }

    fn template(&self) -> Result<Curriculum, StudioError> {
        let request = self.request;
        let curriculum = template::curriculum_for(
            Instrument::from_request(&request.instrument),
            &request.key,
            request.level,
            request.weeks,
        )?;
        Ok(Curriculum {
            instrument: request.instrument.clone(),
            ..curriculum
        })
    }

    fn store(&self, tx: &Transaction<'_>, curriculum: &Curriculum) -> Result<i64, StoreError> {
        let new = new_curriculum(curriculum).map_err(|error| StoreError::Invalid {
            field: "document",
            reason: error.to_string(),
        })?;
        let id = curricula::insert(tx, &new)?;
        batch_jobs::record(tx, &self.fingerprint, id)?;
        Ok(id)
    }
}
