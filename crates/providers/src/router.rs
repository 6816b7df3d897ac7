//! Task → complexity → tier → the models to try, in order, each with the reason it is on
//! the list. The router knows nothing of lessons: it reads the catalogue and what is usable
//! on this machine, and records why every model was chosen or passed over.

use std::path::PathBuf;

use serde::Serialize;

use crate::catalog::{Catalog, TaskKind};

/// What can run here, as the Studio sees it at the moment of routing.
#[derive(Debug, Clone, Default)]
pub struct Availability {
    /// Installed local models: catalogue id → GGUF path.
    pub installed: Vec<(String, PathBuf)>,
    /// The cloud model is enabled and has a key.
    pub cloud_ready: bool,
    /// The user allows network requests.
    pub network_allowed: bool,
    /// Providers a limit holds back now (a rate limit reached, the budget spent), each
    /// with the sentence that says why.
    pub held_back: Vec<(String, String)>,
}

impl Availability {
    fn installed_path(&self, id: &str) -> Option<&PathBuf> {
        self.installed
            .iter()
            .find(|(model, _)| model == id)
            .map(|(_, path)| path)
    }

    /// Why a limit holds the provider `id` back, if one does.
    pub fn held_back(&self, id: &str) -> Option<&str> {
        self.held_back
            .iter()
            .find(|(provider, _)| provider == id)
            .map(|(_, reason)| reason.as_str())
    }
}

/// Where a candidate runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Runner {
    Local {
        path: PathBuf,
    },
    /// A `[[server]]` of models.toml.
    Server,
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
    route_at(catalog, task, catalog.complexity(task), available)
}

/// Routes `task` as if models.toml gave it `complexity` (`cadence route --complexity`).
pub fn route_at(
    catalog: &Catalog,
    task: TaskKind,
    complexity: u8,
    available: &Availability,
) -> Route {
    let tier = catalog.tier_for_complexity(complexity);
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut skipped = Vec::new();
    let mut consider = |id: &str, reason: String, skipped: &mut Vec<String>| {
        if candidates.iter().any(|c| c.model == id) {
            return;
        }
        let remote = if catalog.cloud.as_ref().is_some_and(|cloud| cloud.id == id) {
            Some(if !available.network_allowed {
                Err("the network is not allowed in Settings".to_string())
            } else if !available.cloud_ready {
                Err("no Gemini key, or disabled in models.toml".to_string())
            } else {
                Ok(Runner::Cloud)
            })
        } else {
            catalog.server(id).map(|server| {
                if server.is_loopback() || available.network_allowed {
                    Ok(Runner::Server)
                } else {
                    Err(format!(
                        "the server at {} is on the network, which is not allowed in Settings",
                        server.base_url
                    ))
                }
            })
        };
        if let Some(runner) = remote {
            match runner.and_then(|runner| match available.held_back(id) {
                Some(limit) => Err(limit.to_string()),
                None => Ok(runner),
            }) {
                Ok(runner) => candidates.push(Candidate {
                    model: id.to_string(),
                    runner,
                    reason,
                }),
                Err(why) => skipped.push(format!("{id}: {why}")),
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
        let target = tier.target.model();
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
            held_back: Vec::new(),
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
    fn a_held_back_provider_is_passed_over_with_its_reason() {
        let catalog = Catalog::builtin().unwrap();
        let available = Availability {
            installed: installed(&["qwen2.5-7b"]),
            cloud_ready: true,
            network_allowed: true,
            held_back: vec![(
                "gemini".into(),
                "the monthly budget of $5.00 is spent".into(),
            )],
        };
        let route = route(&catalog, TaskKind::CurriculumPlanning, &available);
        assert_eq!(ids(&route), ["qwen2.5-7b"]);
        assert_eq!(
            route.skipped,
            ["gemini: the monthly budget of $5.00 is spent"]
        );
    }

    fn with_server(base_url: &str) -> Catalog {
        let text = crate::catalog::BUILTIN_TOML.replacen(
            "[[tiers]]\nid = \"medium\"\ncomplexity = [5, 7]\nmodel = \"qwen2.5-7b\"",
            "[[tiers]]\nid = \"medium\"\ncomplexity = [5, 7]\nmodel = \"school\"\nfallback = \"qwen2.5-7b\"",
            1,
        );
        let server = format!(
            "[[server]]\nid = \"school\"\nname = \"School\"\nbase_url = \"{base_url}\"\nmodel = \"m\"\ncontext_length = 4096\n"
        );
        Catalog::parse(&format!("{server}{text}"), "test").unwrap()
    }

    #[test]
    fn a_loopback_server_runs_offline_and_a_remote_one_needs_the_network() {
        let available = Availability {
            installed: installed(&["qwen2.5-7b"]),
            ..Availability::default()
        };
        let local = with_server("http://127.0.0.1:8080/v1");
        let route = route(&local, TaskKind::TutorialGeneration, &available);
        assert_eq!(ids(&route), ["school", "qwen2.5-7b"]);
        assert_eq!(route.candidates[0].runner, Runner::Server);

        let remote = with_server("http://192.168.1.20:8080/v1");
        let offline = super::route(&remote, TaskKind::TutorialGeneration, &available);
        assert_eq!(ids(&offline), ["qwen2.5-7b"]);
        assert!(
            offline.skipped[0]
                .starts_with("school: the server at http://192.168.1.20:8080/v1 is on the network")
        );
        let online = super::route(
            &remote,
            TaskKind::TutorialGeneration,
            &Availability {
                network_allowed: true,
                ..available
            },
        );
        assert_eq!(ids(&online), ["school", "qwen2.5-7b"]);
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
