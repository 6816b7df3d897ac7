//! Batch generation: a curriculum with every lesson's tutorial and exercises, as one job
//! with progress, cancellation and resumption. It lives beside the Studio, not in
//! `content`, because generators do not touch the database.
//!
//! The outline and each tutorial go through [`Studio::generate`], so each is written by the
//! model its task routes to, with the template generator behind every step. With the network
//! allowed, curriculum planning's complexity sends the outline to the cloud tier while the
//! tutorials stay on the local models: the hybrid chain. Exercises are computed by the engine
//! from each lesson's topic and key, which is why an outline may only name topics the
//! template generator knows.
//!
//! The outline and its exercises are stored in one transaction together with the request
//! that planned it; then each lesson's tutorial is stored and attached in its own
//! transaction. A run that is killed or cancelled leaves only whole lessons behind, and the
//! next run of the same request finds its curriculum by the request (a model would not plan
//! the same outline twice) and skips every lesson that already has its tutorial.

use std::collections::BTreeMap;
use std::str::FromStr;

use rusqlite::Transaction;

use crate::catalog::TaskKind;
use crate::content::export::to_json;
use crate::content::prompts::TaskKind as PromptKind;
use crate::content::types::{Curriculum, Level, Tutorial};
use crate::content::{ContentError, ValidationReport, template, validate};
use crate::generate::{
    Commission, Linked, Progress, ProviderSource, TutorialRequest, hold, prompt_values,
    requested_key, with_held,
};
use crate::llm::CancelToken;
use crate::store::{
    LessonIndex, NewCurriculum, NewExercise, NewLesson, NewModule, NewTutorial, Store, StoreError,
    batch_jobs, curricula,
};
use crate::{Studio, StudioError};

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
    fn fingerprint(&self) -> Result<String, StudioError> {
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

/// Reported before each step and once at the end (`done == total`). Until the outline
/// exists, `total` assumes one lesson a week.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BatchProgress {
    pub done: usize,
    pub total: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BatchOutcome {
    pub curriculum_id: i64,
    /// The model that planned the outline; none when the template generator did (or when
    /// the outline comes from an earlier run).
    pub outline_model: Option<String>,
    /// Whether the outline came from an earlier run of the same request.
    pub resumed: bool,
    pub lessons: usize,
    /// Tutorials written by this run.
    pub tutorials_written: usize,
    /// Of those, the ones a model wrote (the rest are the template generator's).
    pub tutorials_by_model: usize,
    /// Lessons already complete from an earlier run.
    pub lessons_skipped: usize,
}

/// The library row of a tutorial: its searchable columns and the whole document.
pub fn tutorial_row(tutorial: &Tutorial) -> Result<NewTutorial, ContentError> {
    let document: serde_json::Value =
        serde_json::from_str(&to_json(tutorial)).map_err(|error| ContentError::Malformed {
            what: "tutorial",
            message: error.to_string(),
        })?;
    Ok(NewTutorial {
        title: tutorial.title.clone(),
        topic: tutorial.topic.clone(),
        music_key: Some(tutorial.music.key.clone()),
        level: tutorial.overview.difficulty.to_string(),
        instrument: tutorial.instrument.clone(),
        schema_version: tutorial.schema_version,
        document,
    })
}

fn new_curriculum(curriculum: &Curriculum) -> Result<NewCurriculum, ContentError> {
    let modules = curriculum
        .modules
        .iter()
        .map(|module| {
            let lessons = module
                .lessons
                .iter()
                .map(|lesson| {
                    let exercises =
                        template::exercises(&lesson.topic, &lesson.key, lesson.difficulty)?
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
struct Outline<'a> {
    request: &'a BatchRequest,
    fingerprint: String,
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
            ("topics", template::KNOWN_TOPICS.to_string()),
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
        Ok(template::curriculum(
            &request.key,
            request.level,
            request.weeks,
        )?)
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

/// Sends one progress line.
fn report(on_progress: &mut dyn FnMut(&BatchProgress), done: usize, total: usize, message: String) {
    on_progress(&BatchProgress {
        done,
        total,
        message,
    });
}

/// A step cancelled inside `Studio::generate` keeps the lessons finished before it.
fn kept_on_cancel(error: StudioError) -> StudioError {
    match error {
        StudioError::Cancelled => ContentError::Cancelled.into(),
        other => other,
    }
}

impl Studio {
    /// Generates (or finishes) a curriculum with all its tutorials and exercises: the
    /// outline and every tutorial by the model each routes to, with the template generator
    /// behind each step.
    pub fn run_batch(
        &self,
        store: &Store,
        request: &BatchRequest,
        network_allowed: bool,
        providers: &mut dyn ProviderSource,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(&BatchProgress),
    ) -> Result<BatchOutcome, StudioError> {
        if !(1..=MAX_WEEKS).contains(&request.weeks) {
            return Err(ContentError::Weeks {
                weeks: request.weeks,
                max: MAX_WEEKS,
            }
            .into());
        }
        let fingerprint = request.fingerprint()?;
        let planned = match request.resume {
            Some(id) => {
                let planned_by = store.read(|conn| batch_jobs::request_for(conn, id))?;
                if planned_by.as_deref() != Some(fingerprint.as_str()) {
                    return Err(ContentError::ResumeMismatch { id }.into());
                }
                Some(id)
            }
            None => store.read(|conn| batch_jobs::curriculum_for(conn, &fingerprint))?,
        };
        let estimated_total = request.weeks as usize + 1;
        let mut outline_model = None;
        let curriculum_id = match planned {
            Some(id) => id,
            None => {
                report(
                    on_progress,
                    0,
                    estimated_total,
                    "planning the outline".to_string(),
                );
                let outline = Outline {
                    request,
                    fingerprint,
                };
                let generated = self
                    .generate(
                        store,
                        &outline,
                        network_allowed,
                        providers,
                        cancel,
                        &mut |progress| {
                            if let Some(line) = progress.describe() {
                                report(on_progress, 0, estimated_total, line);
                            }
                        },
                    )
                    .map_err(kept_on_cancel)?;
                outline_model = generated.provenance.model;
                generated.id
            }
        };
        let tree = store
            .read(|conn| curricula::get(conn, curriculum_id))?
            .ok_or(StoreError::NotFound {
                what: "curriculum",
                id: curriculum_id,
            })?;
        let lessons: Vec<_> = tree.modules.iter().flat_map(|m| &m.lessons).collect();
        let total = lessons.len() + 1;
        report(on_progress, 1, total, format!("outline: {}", tree.title));
        let mut outcome = BatchOutcome {
            curriculum_id,
            outline_model,
            resumed: planned.is_some(),
            lessons: lessons.len(),
            tutorials_written: 0,
            tutorials_by_model: 0,
            lessons_skipped: 0,
        };
        for (index, lesson) in lessons.iter().enumerate() {
            if lesson.tutorial_id.is_some() {
                outcome.lessons_skipped += 1;
                continue;
            }
            if cancel.is_cancelled() {
                return Err(ContentError::Cancelled.into());
            }
            let done = index + 1;
            report(
                on_progress,
                done,
                total,
                format!("tutorial {done}/{}: {}", lessons.len(), lesson.title),
            );
            let (Some(topic), Some(key)) = (&lesson.topic, &lesson.music_key) else {
                // Lessons stored before topics were kept cannot say what to write.
                return Err(ContentError::ResumeMismatch { id: curriculum_id }.into());
            };
            let lesson_id = lesson.id;
            let commission = Linked {
                commission: TutorialRequest {
                    topic: topic.clone(),
                    key: key.clone(),
                    level: Level::from_str(&lesson.difficulty).unwrap_or(request.level),
                    instrument: tree.instrument.clone(),
                },
                link: move |tx: &Transaction<'_>, tutorial_id| {
                    curricula::attach_tutorial(tx, lesson_id, tutorial_id)
                },
            };
            let generated = self
                .generate(
                    store,
                    &commission,
                    network_allowed,
                    providers,
                    cancel,
                    &mut |progress: Progress| {
                        if let Some(line) = progress.describe() {
                            report(on_progress, done, total, line);
                        }
                    },
                )
                .map_err(kept_on_cancel)?;
            outcome.tutorials_written += 1;
            if generated.provenance.model.is_some() {
                outcome.tutorials_by_model += 1;
            }
        }
        report(on_progress, total, total, format!("done: {}", tree.title));
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AppPaths, Catalog};

    /// With no model installed every step is the template generator's; a run cancelled
    /// midway resumes where it stopped, and a mismatched resume is refused.
    #[test]
    fn cancelled_run_resumes_without_duplicates() {
        let home = tempfile::tempdir().unwrap();
        let studio = Studio::new(AppPaths::at(home.path()), Catalog::builtin().unwrap());
        let store = studio.open_store().unwrap();
        let request = BatchRequest::new("C", Level::Beginner, 4);
        let cancel = CancelToken::new();
        let mut seen = Vec::new();
        let first = studio.run_batch(
            &store,
            &request,
            false,
            &mut studio.installed_models(),
            &cancel,
            &mut |progress| {
                seen.push(progress.clone());
                if progress.done == 2 {
                    cancel.cancel();
                }
            },
        );
        assert!(
            matches!(first, Err(StudioError::Content(ContentError::Cancelled))),
            "{first:?}"
        );
        assert_eq!(seen.last().unwrap().done, 2);
        let mut last = None;
        let second = studio
            .run_batch(
                &store,
                // "C major" is the same request as "C".
                &BatchRequest::new("C major", Level::Beginner, 4),
                false,
                &mut studio.installed_models(),
                &CancelToken::new(),
                &mut |p| last = Some(p.clone()),
            )
            .unwrap();
        assert!(second.resumed);
        assert_eq!(second.lessons, 4);
        // The lesson being written when the cancel came was not stored.
        assert_eq!((second.lessons_skipped, second.tutorials_written), (1, 3));
        assert_eq!(second.tutorials_by_model, 0);
        assert_eq!(last.unwrap().done, 5);
        let (curricula_count, tutorial_count, exercise_count, jobs): (i64, i64, i64, i64) = store
            .read(|conn| {
                Ok(conn.query_row(
                    "SELECT (SELECT count(*) FROM curricula), (SELECT count(*) FROM tutorials), \
                     (SELECT count(*) FROM exercises), (SELECT count(*) FROM batch_jobs)",
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )?)
            })
            .unwrap();
        assert_eq!((curricula_count, tutorial_count, jobs), (1, 4, 1));
        assert!(exercise_count >= 8);
        let refusal = |request: &BatchRequest| match studio.run_batch(
            &store,
            request,
            false,
            &mut studio.installed_models(),
            &CancelToken::new(),
            &mut |_| {},
        ) {
            Err(StudioError::Content(error)) => error,
            other => panic!("expected a refusal, got {other:?}"),
        };
        let other = BatchRequest {
            resume: Some(second.curriculum_id),
            ..BatchRequest::new("D", Level::Beginner, 4)
        };
        assert!(matches!(
            refusal(&other),
            ContentError::ResumeMismatch { .. }
        ));
        let too_long = BatchRequest::new("C", Level::Beginner, MAX_WEEKS + 1);
        assert!(matches!(refusal(&too_long), ContentError::Weeks { .. }));
    }
}
