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

use std::str::FromStr;

use rusqlite::Transaction;

use crate::commissions::curriculum::{MAX_WEEKS, Outline};
use crate::commissions::{Linked, TutorialRequest};
use crate::content::ContentError;
use crate::content::types::Level;
use crate::generate::Progress;
use crate::llm::CancelToken;
use crate::sources::Writers;
use crate::store::{Store, batch_jobs, curricula};
use crate::{Studio, StudioError};

// `run_batch` takes the request, so it is named beside it.
pub use crate::commissions::curriculum::BatchRequest;

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
        mut writers: Writers<'_>,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(&BatchProgress),
    ) -> Result<BatchOutcome, StudioError> {
        let request = &request.bounded()?;
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
                        writers.reborrow(),
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
        let mut outcome = self.finish_curriculum(
            store,
            curriculum_id,
            network_allowed,
            writers,
            cancel,
            on_progress,
        )?;
        outcome.outline_model = outline_model;
        outcome.resumed = planned.is_some();
        Ok(outcome)
    }

    /// Writes the tutorial of every lesson of a stored curriculum that has none (one made
    /// by an interrupted batch, or imported from a file, which carries its outline only),
    /// with progress and cancellation; lessons already written are kept.
    pub fn finish_curriculum(
        &self,
        store: &Store,
        curriculum_id: i64,
        network_allowed: bool,
        mut writers: Writers<'_>,
        cancel: &CancelToken,
        on_progress: &mut dyn FnMut(&BatchProgress),
    ) -> Result<BatchOutcome, StudioError> {
        let curriculum_id = crate::limits::library_id(curriculum_id)?;
        let tree = crate::library::curriculum_tree(store, curriculum_id)?;
        let level = Level::from_str(&tree.level).unwrap_or(Level::Beginner);
        let lessons: Vec<_> = tree.modules.iter().flat_map(|m| &m.lessons).collect();
        let total = lessons.len() + 1;
        report(on_progress, 1, total, format!("outline: {}", tree.title));
        let mut outcome = BatchOutcome {
            curriculum_id,
            outline_model: None,
            resumed: false,
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
                    level: Level::from_str(&lesson.difficulty).unwrap_or(level),
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
                    writers.reborrow(),
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
            Writers::Models(&mut studio.installed_models()),
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
                Writers::Models(&mut studio.installed_models()),
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
            Writers::Models(&mut studio.installed_models()),
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
