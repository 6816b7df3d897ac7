//! models.toml, as Cadence reads the catalogue a user wrote (`Catalog::parse`, which
//! `Catalog::load` and the built-in catalogue go through). A catalogue that passes the
//! checks routes every task to a tier whose models exist; one that fails names a line of
//! the file.

#![no_main]

use std::path::PathBuf;

use cadence_providers::catalog::{COMPLEXITY, Catalog, CatalogError, TaskKind, TierTarget};
use cadence_providers::router::{Availability, route};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let catalog = match Catalog::parse(text, "models.toml") {
        Ok(catalog) => catalog,
        Err(CatalogError::Invalid {
            line,
            column,
            message,
            hint,
            ..
        }) => {
            assert!(line >= 1 && line <= text.lines().count() + 1, "line {line}");
            assert!(column >= 1);
            assert!(!message.is_empty() && !hint.is_empty());
            return;
        }
        Err(error) => panic!("parsing text cannot fail to read a file: {error}"),
    };
    for tier in &catalog.tiers {
        let named = match &tier.target {
            TierTarget::Local(id) => catalog.local_model(id).is_some(),
            TierTarget::Server(id) => catalog.server(id).is_some(),
            TierTarget::Cloud(id) => catalog.cloud.as_ref().is_some_and(|cloud| &cloud.id == id),
        };
        assert!(named, "tier {} names no model of the catalogue", tier.id);
        if let Some(fallback) = &tier.fallback {
            assert!(
                catalog.local_model(fallback).is_some(),
                "fallback {fallback}"
            );
        }
    }
    let everything = Availability {
        installed: catalog
            .local
            .iter()
            .map(|model| (model.id.clone(), PathBuf::from("model.gguf")))
            .collect(),
        cloud_ready: true,
        network_allowed: true,
        held_back: Vec::new(),
    };
    for task in TaskKind::ALL {
        assert!(COMPLEXITY.contains(&catalog.complexity(task)), "{task}");
        assert!(catalog.tier_for_task(task).is_some(), "{task} has no tier");
        let _ = catalog.cache_ttl_seconds(task);
        let _ = route(&catalog, task, &everything);
        let _ = route(&catalog, task, &Availability::default());
    }
});
