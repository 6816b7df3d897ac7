//! Task → complexity → tier → the models to try, in order, each with the reason it is on
//! the list. The router knows nothing of lessons: it reads the catalogue and what is usable
//! on this machine, and records why every model was chosen or passed over.

use std::path::PathBuf;

use serde::Serialize;

use crate::catalog::{Catalog, TaskKind, TierTarget};

/// What can run here, as the Studio sees it at the moment of routing.
#[derive(Debug, Clone, Default)]
pub struct Availability {
    /// Installed local models: catalogue id → GGUF path.
    pub installed: Vec<(String, PathBuf)>,
    /// The cloud model is enabled and has a key.
    pub cloud_ready: bool,
    /// The user allows network requests.
    pub network_allowed: bool,
}

impl Availability {
    fn installed_path(&self, id: &str) -> Option<&PathBuf> {
        self.installed
            .iter()
            .find(|(model, _)| model == id)
            .map(|(_, path)| path)
    }
}

/// Where a candidate runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Runner {
    Local { path: PathBuf },
    Cloud,
}

/// One model to try.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub model: String,
    pub runner: Runner,
    /// Why this model is on the list, in a sentence.
    pub reason: String,
}

/// The routing decision for one task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub task: String,
    pub complexity: u8,
    pub tier: Option<String>,
    /// Models to try, best first. Empty when nothing can run: the caller falls back to
    /// what needs no model.
    pub candidates: Vec<Candidate>,
    /// Models passed over, each with why.
    pub skipped: Vec<String>,
}

/// Routes `task` with `catalog` over what `available` says can run.
pub fn route(catalog: &Catalog, task: TaskKind, available: &Availability) -> Route {
    let complexity = catalog.complexity(task);
    let tier = catalog.tier_for_complexity(complexity);
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut skipped = Vec::new();
    let mut consider = |id: &str, reason: String, skipped: &mut Vec<String>| {
        if candidates.iter().any(|c| c.model == id) {
            return;
        }
        if catalog.cloud.as_ref().is_some_and(|cloud| cloud.id == id) {
            if !available.network_allowed {
                skipped.push(format!("{id}: the network is not allowed in Settings"));
            } else if !available.cloud_ready {
                skipped.push(format!("{id}: no Gemini key, or disabled in models.toml"));
            } else {
                candidates.push(Candidate {
                    model: id.to_string(),
                    runner: Runner::Cloud,
                    reason,
                });
            }
            return;
        }
        match available.installed_path(id) {
            Some(path) => candidates.push(Candidate {
                model: id.to_string(),
                runner: Runner::Local { path: path.clone() },
                reason,
            }),
            None => skipped.push(format!("{id}: not downloaded")),
        }
    };
    if let Some(tier) = tier {
        let target = match &tier.target {
            TierTarget::Local(id) | TierTarget::Cloud(id) => id,
        };
        consider(
            target,
            format!(
                "complexity {complexity} of {task} is in tier `{}`, which models.toml gives to {target}",
                tier.id
            ),
            &mut skipped,
        );
        if let Some(fallback) = &tier.fallback {
            consider(
                fallback,
                format!("tier `{}` falls back to {fallback}", tier.id),
                &mut skipped,
            );
        }
    }
    // Then every other installed model, the largest first: the best local model available.
    let mut others: Vec<_> = catalog
        .local
        .iter()
        .filter(|model| available.installed_path(&model.id).is_some())
        .collect();
    others.sort_by_key(|model| std::cmp::Reverse(model.memory_mb));
    for model in others {
        consider(
            &model.id,
            format!(
                "the best installed local model in place of {}",
                tier.map_or("the tier's model".to_string(), |t| format!(
                    "tier `{}`",
                    t.id
                ))
            ),
            &mut skipped,
        );
    }
    Route {
        task: task.key().to_string(),
        complexity,
        tier: tier.map(|t| t.id.clone()),
        candidates,
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn installed(ids: &[&str]) -> Vec<(String, PathBuf)> {
        ids.iter()
            .map(|id| (id.to_string(), PathBuf::from(format!("/models/{id}.gguf"))))
            .collect()
    }

    fn ids(route: &Route) -> Vec<&str> {
        route.candidates.iter().map(|c| c.model.as_str()).collect()
    }

    #[test]
    fn the_tier_model_comes_first_when_installed() {
        let catalog = Catalog::builtin().unwrap();
        let available = Availability {
            installed: installed(&["qwen2.5-7b", "phi-3.5-mini"]),
            ..Availability::default()
        };
        let route = route(&catalog, TaskKind::TutorialGeneration, &available);
        assert_eq!(route.tier.as_deref(), Some("medium"));
        assert_eq!(ids(&route), ["qwen2.5-7b", "phi-3.5-mini"]);
        assert!(route.candidates[0].reason.contains("complexity 7"));
    }

    #[test]
    fn a_missing_tier_model_falls_to_the_best_installed_one_and_says_why() {
        let catalog = Catalog::builtin().unwrap();
        let available = Availability {
            installed: installed(&["smollm2-135m"]),
            ..Availability::default()
        };
        let route = route(&catalog, TaskKind::TutorialGeneration, &available);
        assert_eq!(ids(&route), ["smollm2-135m"]);
        assert_eq!(route.skipped, ["qwen2.5-7b: not downloaded"]);
        assert!(route.candidates[0].reason.contains("best installed"));
    }

    #[test]
    fn cloud_tasks_need_the_network_and_a_key() {
        let catalog = Catalog::builtin().unwrap();
        let mut available = Availability {
            installed: installed(&["qwen2.5-7b"]),
            cloud_ready: true,
            network_allowed: false,
        };
        let offline = route(&catalog, TaskKind::CurriculumPlanning, &available);
        assert_eq!(offline.tier.as_deref(), Some("cloud"));
        assert_eq!(ids(&offline), ["qwen2.5-7b"]);
        assert!(offline.skipped[0].contains("network is not allowed"));

        available.network_allowed = true;
        let online = route(&catalog, TaskKind::CurriculumPlanning, &available);
        assert_eq!(ids(&online), ["gemini", "qwen2.5-7b"]);
        assert_eq!(online.candidates[0].runner, Runner::Cloud);

        available.cloud_ready = false;
        let keyless = route(&catalog, TaskKind::CurriculumPlanning, &available);
        assert_eq!(ids(&keyless), ["qwen2.5-7b"]);
        assert!(keyless.skipped[0].contains("no Gemini key"));
    }

    #[test]
    fn nothing_installed_gives_no_candidates() {
        let catalog = Catalog::builtin().unwrap();
        let route = route(
            &catalog,
            TaskKind::ExerciseGeneration,
            &Availability::default(),
        );
        assert!(route.candidates.is_empty());
        assert_eq!(route.skipped, ["phi-3.5-mini: not downloaded"]);
    }
}
