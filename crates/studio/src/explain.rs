//! Why a task goes where it goes (`cadence route`): the tiers, what can run here, the
//! limits in force, and the route with each model's reason to be tried or passed over.

use serde::Serialize;

use crate::catalog::TaskKind;
use crate::providers::ServerProvider;
use crate::quota::RequestSize;
use crate::router::{self, Route};
use crate::store::Store;
use crate::usage::BudgetStatus;
use crate::{Availability, Studio, StudioError};

/// A tier of models.toml, and whether the task falls in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierLine {
    pub id: String,
    pub complexity: [u8; 2],
    pub model: String,
    pub fallback: Option<String>,
    pub chosen: bool,
}

/// A model of the catalogue and whether it can take work now, in a sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderLine {
    pub id: String,
    /// "local", "server" or "cloud".
    pub kind: &'static str,
    pub usable: bool,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteExplanation {
    pub task: String,
    pub complexity: u8,
    /// Whether the complexity is models.toml's or was given to try another.
    pub complexity_given: bool,
    pub network_allowed: bool,
    pub tiers: Vec<TierLine>,
    pub providers: Vec<ProviderLine>,
    pub budget: BudgetStatus,
    /// The models to try, best first, and those passed over with why.
    pub route: Route,
}

impl Studio {
    /// What would run `task` now (at `complexity` instead of models.toml's when given), and
    /// why. Limits are weighed for a typical lesson request.
    pub fn explain_route(
        &self,
        store: &Store,
        task: TaskKind,
        complexity: Option<u8>,
    ) -> Result<RouteExplanation, StudioError> {
        let catalog = self.catalog();
        let network_allowed = self.settings().is_ok_and(|s| s.network_allowed);
        let complexity_given = complexity.is_some();
        let complexity = complexity.unwrap_or_else(|| catalog.complexity(task));
        let available = self.availability_now(store, network_allowed, RequestSize::TYPICAL)?;
        let route = router::route_at(catalog, task, complexity, &available);
        let tiers = catalog
            .tiers
            .iter()
            .map(|tier| TierLine {
                id: tier.id.clone(),
                complexity: [*tier.complexity.start(), *tier.complexity.end()],
                model: tier.target.model().to_string(),
                fallback: tier.fallback.clone(),
                chosen: tier.complexity.contains(&complexity),
            })
            .collect();
        let held_back = |id: &str| {
            available
                .held_back(id)
                .map(|why| format!("; held back: {why}"))
                .unwrap_or_default()
        };
        let providers = self
            .models()
            .into_iter()
            .map(|model| {
                let held = held_back(&model.id);
                let (usable, state) = match (&model.availability, model.kind) {
                    (Availability::Installed { path }, _) => match self.cannot_start(&model.id) {
                        Some(problem) => (false, format!("installed, but cannot start: {problem}")),
                        None => (true, format!("installed at {}", path.display())),
                    },
                    (Availability::Enabled, "server") => {
                        let server = catalog.server(&model.id);
                        let base_url = server.map_or("", |s| s.base_url.as_str());
                        let missing_key = server.and_then(|s| ServerProvider::api_key(s).err());
                        if let Some(missing) = missing_key {
                            (false, format!("a server at {base_url}, but {missing}"))
                        } else if server.is_some_and(|s| s.is_loopback()) {
                            (held.is_empty(), format!("a server on this machine at {base_url}, used offline too{held}"))
                        } else if network_allowed {
                            (held.is_empty(), format!("a server on the network at {base_url}{held}"))
                        } else {
                            (false, format!("a server on the network at {base_url}, and the network is not allowed in Settings"))
                        }
                    }
                    (Availability::Enabled, _) if !network_allowed => (
                        false,
                        "has a key, but the network is not allowed in Settings".to_string(),
                    ),
                    (Availability::Enabled, _) => {
                        (held.is_empty(), format!("enabled, with a key{held}"))
                    }
                    (Availability::Disabled { reason }, _) => (false, reason.clone()),
                    (Availability::NotInstalled, _) => (
                        false,
                        format!("not downloaded (cadence models download {})", model.id),
                    ),
                    (Availability::Partial { bytes }, _) => (
                        false,
                        format!("download unfinished at {bytes} bytes (the same download command resumes it)"),
                    ),
                    (Availability::WrongSize { bytes }, _) => (
                        false,
                        format!("the file has the wrong size ({bytes} bytes) and will be downloaded again"),
                    ),
                    (Availability::Damaged { problem, .. }, _) => (
                        false,
                        format!("installed, but damaged: {problem} (cadence models download {} replaces it)", model.id),
                    ),
                };
                ProviderLine {
                    id: model.id,
                    kind: model.kind,
                    usable,
                    state,
                }
            })
            .collect();
        Ok(RouteExplanation {
            task: task.key().to_string(),
            complexity,
            complexity_given,
            network_allowed,
            tiers,
            providers,
            budget: self.budget_status(store)?,
            route,
        })
    }
}
