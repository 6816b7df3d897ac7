//! Before anything is made: which generator, tier and model a request would use, and why.
//!
//! The tier comes from models.toml (task → complexity → tier); whether its model can run
//! comes from what is installed and the settings. Every kind is written by the best model
//! the router finds, with the template generator behind it; a curriculum's outline and each
//! of its lessons' tutorials are routed separately.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog::{TaskKind, TierTarget};
use crate::quota::RequestSize;
use crate::router;
use crate::store::Store;
use crate::{Availability, Studio, StudioError};

/// What the Create screen can be asked to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CreateKind {
    Curriculum,
    Tutorial,
    Exercise,
    TheoryAnalysis,
    Assessment,
    LessonPlanPart,
}

impl CreateKind {
    pub fn task(self) -> TaskKind {
        match self {
            CreateKind::Curriculum => TaskKind::CurriculumPlanning,
            CreateKind::Tutorial => TaskKind::TutorialGeneration,
            CreateKind::Exercise => TaskKind::ExerciseGeneration,
            CreateKind::TheoryAnalysis => TaskKind::TheoryAnalysis,
            CreateKind::Assessment => TaskKind::Assessments,
            CreateKind::LessonPlanPart => TaskKind::LessonPlan,
        }
    }

    /// The kind in a sentence.
    pub fn noun(self) -> &'static str {
        match self {
            CreateKind::Curriculum => "curriculum",
            CreateKind::Tutorial => "tutorial",
            CreateKind::Exercise => "exercise",
            CreateKind::TheoryAnalysis => "theory analysis",
            CreateKind::Assessment => "assessment",
            CreateKind::LessonPlanPart => "lesson-plan part",
        }
    }
}

/// Which generator would run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Generator {
    /// A language model writes it; the template generator stands behind it.
    Model,
    Template,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GenerationPlan {
    pub kind: CreateKind,
    /// The task's key in models.toml, e.g. "tutorial_generation".
    pub task: String,
    pub complexity: u8,
    /// The tier models.toml routes this complexity to, if any.
    pub tier: Option<String>,
    /// The model that tier names (after the network fallback, when it applies).
    pub model: Option<String>,
    pub model_name: Option<String>,
    /// Whether that model is installed (local) or usable (cloud) here.
    pub model_ready: bool,
    /// What would happen with a model, in a sentence.
    pub model_reason: String,
    /// Why that model, though installed, cannot start now, and what to do about it.
    pub cannot_start: Option<String>,
    /// What runs if the user presses Create now.
    pub generator: Generator,
    /// Why that generator, in a sentence a teacher can act on.
    pub explanation: String,
}

impl Studio {
    /// Why an installed local model could not start now (its memory will not fit), if so.
    pub fn cannot_start(&self, id: &str) -> Option<String> {
        let model = self.catalog().local_model(id)?;
        let path = self.model_file(model);
        self.check_memory(model, &path, 0)
            .err()
            .map(|problem| problem.to_string())
    }

    /// The plan for making `kind` with the current catalogue, models and settings, before
    /// any limit is weighed.
    pub fn plan(&self, kind: CreateKind, network_allowed: bool) -> GenerationPlan {
        self.plan_over(kind, network_allowed, self.availability(network_allowed))
    }

    /// The same, with the rate limits and the budget in force now (for a typical request):
    /// the plan names the model that will write, not one a limit holds back.
    pub fn plan_now(
        &self,
        store: &Store,
        kind: CreateKind,
        network_allowed: bool,
    ) -> Result<GenerationPlan, StudioError> {
        let available = self.availability_now(store, network_allowed, RequestSize::TYPICAL)?;
        Ok(self.plan_over(kind, network_allowed, available))
    }

    fn plan_over(
        &self,
        kind: CreateKind,
        network_allowed: bool,
        available: router::Availability,
    ) -> GenerationPlan {
        let task = kind.task();
        let complexity = self.catalog().complexity(task);
        let tier = self.catalog().tier_for_complexity(complexity);
        let models = self.models();
        let (mut model_reason, chosen) = if let Some(tier) = tier {
            let target = tier.target.model();
            let status = models.iter().find(|m| m.id == target);
            let needs_network = match &tier.target {
                TierTarget::Local(_) => false,
                TierTarget::Server(id) => self
                    .catalog()
                    .server(id)
                    .is_some_and(|server| !server.is_loopback()),
                TierTarget::Cloud(_) => true,
            };
            if needs_network && !network_allowed {
                let fallback = tier
                    .fallback
                    .as_deref()
                    .and_then(|id| models.iter().find(|m| m.id == id));
                let mut reason = format!(
                    "complexity {complexity} belongs to the {} tier ({}), but the network is off in Settings",
                    tier.id,
                    status.map_or(target, |m| m.name.as_str())
                );
                if let Some(fallback) = fallback {
                    reason.push_str(&format!("; {} takes it instead", fallback.name));
                }
                (reason, fallback)
            } else {
                let reason = format!(
                    "complexity {complexity} belongs to the {} tier ({})",
                    tier.id,
                    status.map_or(target, |m| m.name.as_str())
                );
                (reason, status)
            }
        } else {
            (
                format!("models.toml routes no tier for complexity {complexity}"),
                None,
            )
        };
        let installed = chosen.is_some_and(|m| {
            matches!(
                m.availability,
                Availability::Installed { .. }
                    | Availability::Damaged { .. }
                    | Availability::Enabled
            )
        });
        let cannot_start = chosen
            .filter(|_| installed)
            .and_then(|m| self.cannot_start(&m.id));
        let model_ready = installed && cannot_start.is_none();
        if chosen.is_some() {
            match (&cannot_start, installed) {
                (Some(problem), _) => {
                    model_reason.push_str(&format!("; it cannot start: {problem}"));
                }
                (None, true) => model_reason.push_str("; it is ready"),
                (None, false) => model_reason.push_str("; it is not installed (see Models)"),
            }
        }
        let noun = kind.noun();
        // The model that will write it: the first on the route that can start now.
        let writer = router::route(self.catalog(), task, &available)
            .candidates
            .into_iter()
            .find(|candidate| self.cannot_start(&candidate.model).is_none());
        let then = if kind == CreateKind::Curriculum {
            " Each lesson's tutorial is then written by the model its own task routes to, \
             and its exercises are computed from the lesson's topic and key."
        } else {
            ""
        };
        let (generator, explanation) = if let Some(writer) = writer {
            (
                Generator::Model,
                format!(
                    "{} writes it under the {noun}'s schema ({}), and the theory engine checks \
                     every musical fact; if no answer passes, the next model or the template \
                     generator writes it.{then}",
                    writer.model, writer.reason
                ),
            )
        } else {
            (
                Generator::Template,
                format!(
                    "No model that can write a {noun} is installed, so the template generator \
                     writes it from the theory engine, with no download.{then}"
                ),
            )
        };
        GenerationPlan {
            kind,
            task: task.key().to_string(),
            complexity,
            tier: tier.map(|t| t.id.clone()),
            model: chosen.map(|m| m.id.clone()),
            model_name: chosen.map(|m| m.name.clone()),
            model_ready,
            model_reason,
            cannot_start,
            generator,
            explanation,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AppPaths, Catalog};

    fn studio() -> (tempfile::TempDir, Studio) {
        let dir = tempfile::tempdir().unwrap();
        let studio = Studio::new(AppPaths::at(dir.path()), Catalog::builtin().unwrap());
        (dir, studio)
    }

    #[test]
    fn a_tutorial_routes_by_its_complexity_and_runs_on_templates() {
        let (_dir, studio) = studio();
        let plan = studio.plan(CreateKind::Tutorial, false);
        assert_eq!(plan.task, "tutorial_generation");
        assert_eq!(
            plan.complexity,
            studio.catalog().complexity(TaskKind::TutorialGeneration)
        );
        assert!(plan.tier.is_some());
        assert!(
            !plan.model_ready,
            "no model is installed in an empty data folder"
        );
        assert_eq!(plan.generator, Generator::Template);
    }

    #[test]
    fn the_cloud_tier_falls_back_when_the_network_is_off() {
        let (_dir, studio) = studio();
        let offline = studio.plan(CreateKind::Curriculum, false);
        let online = studio.plan(CreateKind::Curriculum, true);
        assert_eq!(offline.tier.as_deref(), Some("cloud"));
        assert!(
            offline.model_reason.contains("network is off"),
            "{}",
            offline.model_reason
        );
        assert_ne!(offline.model, online.model);
    }

    #[test]
    fn every_kind_can_be_made_without_a_model() {
        let (_dir, studio) = studio();
        for kind in [
            CreateKind::Curriculum,
            CreateKind::Tutorial,
            CreateKind::Exercise,
            CreateKind::TheoryAnalysis,
            CreateKind::Assessment,
            CreateKind::LessonPlanPart,
        ] {
            let plan = studio.plan(kind, false);
            assert_eq!(plan.generator, Generator::Template, "{kind:?}");
            assert!(plan.explanation.contains("template generator"), "{kind:?}");
        }
    }
}
