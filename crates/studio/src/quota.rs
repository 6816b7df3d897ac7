//! What a remote provider may still be asked now: its requests per minute and per day
//! (models.toml), and the monthly budget (Settings) against what a request could cost.
//! A provider a limit holds back is passed over by the router, which says why, and the
//! next model on the route takes the work.

use crate::catalog::Catalog;
use crate::providers::Prices;
use crate::router::{Candidate, Runner};
use crate::store::Store;
use crate::store::now_unix;
use crate::usage::BudgetStatus;
use crate::{Studio, StudioError};

/// How much a request asks for: its prompt and the longest answer it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestSize {
    pub prompt_tokens: usize,
    pub max_output_tokens: usize,
}

impl RequestSize {
    /// A typical lesson document's request, for routes shown before any prompt exists.
    pub const TYPICAL: RequestSize = RequestSize {
        prompt_tokens: 1500,
        max_output_tokens: 1536,
    };
}

/// Requests sent to `model` (answers from the cache are not sent) at or after `since`.
fn requests_since(store: &Store, model: &str, since: i64) -> Result<u32, StudioError> {
    Ok(store.read(|conn| {
        Ok(conn.query_row(
            "SELECT count(*) FROM generation_log
             WHERE model = ?1 AND cache_hit = 0 AND created_at >= ?2",
            rusqlite::params![model, since],
            |row| row.get(0),
        )?)
    })?)
}

/// Why `model` may not be asked now, if a rate limit holds it back.
fn rate_limited(
    catalog: &Catalog,
    store: &Store,
    model: &str,
    now: i64,
) -> Result<Option<String>, StudioError> {
    let limits = catalog.rate_limits(model);
    for (limit, window, unit) in [
        (limits.per_minute, 60, "minute"),
        (limits.per_day, 86_400, "day"),
    ] {
        let Some(limit) = limit else { continue };
        if requests_since(store, model, now - window)? >= limit {
            let requests = if limit == 1 { "request" } else { "requests" };
            return Ok(Some(format!(
                "its limit of {limit} {requests} a {unit} (requests_per_{unit} in models.toml) is reached"
            )));
        }
    }
    Ok(None)
}

/// Why a request of `estimate_usd` may not be sent, if the budget cannot pay for it.
fn over_budget(budget: &BudgetStatus, estimate_usd: f64) -> Option<String> {
    if estimate_usd <= 0.0 || budget.spent_usd + estimate_usd <= budget.budget_usd {
        return None;
    }
    Some(format!(
        "this request could cost up to ${estimate_usd:.4}, and ${:.2} of the ${:.2} monthly budget is spent; raise the budget in Settings to use it",
        budget.spent_usd, budget.budget_usd
    ))
}

impl Studio {
    /// The remote providers (the cloud model and every server) that a limit holds back now
    /// for a request of `size`, each with the sentence that says why.
    pub fn held_back(
        &self,
        store: &Store,
        size: RequestSize,
    ) -> Result<Vec<(String, String)>, StudioError> {
        let catalog = self.catalog();
        let mut remote: Vec<(&str, Prices)> = catalog
            .servers
            .iter()
            .map(|server| (server.id.as_str(), Prices::from(server)))
            .collect();
        if let Some(cloud) = &catalog.cloud {
            remote.push((cloud.id.as_str(), Prices::from(cloud)));
        }
        let now = now_unix();
        let mut budget = None;
        let mut held = Vec::new();
        for (model, prices) in remote {
            if let Some(reason) = rate_limited(catalog, store, model, now)? {
                held.push((model.to_string(), reason));
                continue;
            }
            let estimate = prices.estimate_usd(size.prompt_tokens, size.max_output_tokens);
            if estimate > 0.0 {
                let budget = match &budget {
                    Some(budget) => budget,
                    None => budget.insert(self.budget_status(store)?),
                };
                if let Some(reason) = over_budget(budget, estimate) {
                    held.push((model.to_string(), reason));
                }
            }
        }
        Ok(held)
    }

    /// Why a limit holds `candidate` back now for a request of `size`, if one does (never
    /// for a local model).
    pub(crate) fn holding_back(
        &self,
        store: &Store,
        candidate: &Candidate,
        size: RequestSize,
    ) -> Result<Option<String>, StudioError> {
        if matches!(candidate.runner, Runner::Local { .. }) {
            return Ok(None);
        }
        Ok(self
            .held_back(store, size)?
            .into_iter()
            .find(|(model, _)| *model == candidate.model)
            .map(|(_, reason)| reason))
    }

    /// What can run now for a request of `size`: the installed models, the cloud, and the
    /// remote providers no limit holds back.
    pub fn availability_now(
        &self,
        store: &Store,
        network_allowed: bool,
        size: RequestSize,
    ) -> Result<crate::router::Availability, StudioError> {
        Ok(crate::router::Availability {
            held_back: self.held_back(store, size)?,
            ..self.availability(network_allowed)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(spent_usd: f64, budget_usd: f64) -> BudgetStatus {
        BudgetStatus {
            month: "2026-12".into(),
            budget_usd,
            spent_usd,
            share: Some(spent_usd / budget_usd),
            warning: None,
        }
    }

    #[test]
    fn the_budget_refuses_a_request_that_could_pass_it() {
        assert_eq!(over_budget(&budget(4.0, 5.0), 0.5), None);
        assert_eq!(over_budget(&budget(4.0, 5.0), 1.0), None);
        let refusal = over_budget(&budget(4.0, 5.0), 1.5).unwrap();
        assert!(refusal.contains("$1.5000") && refusal.contains("$4.00 of the $5.00"));
        // A free server never touches the budget, even a spent one.
        assert_eq!(over_budget(&budget(5.0, 5.0), 0.0), None);
        assert!(over_budget(&budget(0.0, 0.0), 0.001).is_some());
    }
}
