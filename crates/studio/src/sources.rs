//! Where the pipeline gets a provider for a routed candidate: the installed models, loaded
//! from disk when memory allows, or the ones kept resident between requests. Tests hand the
//! pipeline scripted sources instead.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::Studio;
use crate::providers::{
    CloudProvider, LocalProvider, Provider, ProviderError, ServerProvider, SharedProvider,
};
use crate::router::{Candidate, Runner};

/// Hands the pipeline a provider for a routed candidate. The Studio's own source loads
/// local models; tests hand in scripted ones.
pub trait ProviderSource {
    fn provider(&mut self, candidate: &Candidate) -> Result<Box<dyn Provider>, ProviderError>;
}

/// Who may write a document: the routed models, through a source of providers, or the
/// template generator alone, when the teacher asks for it.
pub enum Writers<'a> {
    /// The routed models; a request they answered before is served from the response cache.
    Models(&'a mut dyn ProviderSource),
    /// The routed models, asked again even where the cache holds an answer (Regenerate,
    /// `--no-cache`); the new answer replaces the cached one.
    ModelsAfresh(&'a mut dyn ProviderSource),
    TemplateOnly,
}

impl Writers<'_> {
    /// The same writers for one document of several (a curriculum's lessons).
    pub fn reborrow(&mut self) -> Writers<'_> {
        match self {
            Writers::Models(source) => Writers::Models(&mut **source),
            Writers::ModelsAfresh(source) => Writers::ModelsAfresh(&mut **source),
            Writers::TemplateOnly => Writers::TemplateOnly,
        }
    }
}

impl<'a> Writers<'a> {
    /// The routed models, afresh when `afresh`.
    pub fn models(source: &'a mut dyn ProviderSource, afresh: bool) -> Self {
        if afresh {
            Writers::ModelsAfresh(source)
        } else {
            Writers::Models(source)
        }
    }
}

/// Loads the catalogue's local models from disk, each only when this machine has the
/// memory its plan needs.
pub struct InstalledModels<'a> {
    studio: &'a Studio,
    /// Memory already planned for models kept loaded beside the one to load.
    resident_bytes: u64,
}

impl ProviderSource for InstalledModels<'_> {
    fn provider(&mut self, candidate: &Candidate) -> Result<Box<dyn Provider>, ProviderError> {
        let not_in_catalogue =
            || ProviderError::Cloud(format!("{} is not in the catalogue", candidate.model));
        let path = match &candidate.runner {
            Runner::Local { path } => path,
            Runner::Server => {
                let server = self
                    .studio
                    .catalog()
                    .server(&candidate.model)
                    .ok_or_else(not_in_catalogue)?;
                return Ok(Box::new(ServerProvider::new(server)?));
            }
            Runner::Cloud => {
                let cloud = self.studio.catalog().cloud.as_ref().ok_or_else(|| {
                    ProviderError::Cloud("models.toml names no cloud model".into())
                })?;
                return Ok(Box::new(CloudProvider::with_saved_key(cloud)?));
            }
        };
        let model = self
            .studio
            .catalog()
            .local_model(&candidate.model)
            .ok_or_else(not_in_catalogue)?;
        self.studio.check_memory(model, path, self.resident_bytes)?;
        let tokenizer = self.studio.tokenizer_json(model);
        Ok(Box::new(LocalProvider::load(
            model,
            path,
            tokenizer.as_deref(),
            self.studio.device_choice()?,
        )?))
    }
}

/// A local model kept loaded, with the memory planned for it.
struct Resident {
    candidate: Candidate,
    provider: SharedProvider,
    planned_bytes: u64,
}

/// The local models kept loaded between requests: as many as memory allows, the least
/// recently used unloaded first to make room. Two requests for the same model load it
/// once: the second waits at that model's gate. Nothing else waits on a load: a request
/// for a model already loaded is served at once, and each model generates under its own
/// lock, so requests to different models (Create and Coach) run side by side.
#[derive(Default)]
pub struct ResidentModels {
    loaded: Mutex<Loaded>,
    /// One gate per model id, held while that model loads.
    gates: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// How many times a model was read from disk: a model asked for twice loads once.
    loads: AtomicUsize,
}

#[derive(Default)]
struct Loaded {
    /// Least recently used first.
    models: Vec<Resident>,
    /// Memory planned for the models being loaded now.
    reserved_bytes: u64,
}

impl Loaded {
    /// The provider of a loaded model, which becomes the most recently used.
    fn take(&mut self, candidate: &Candidate) -> Option<SharedProvider> {
        let at = self.models.iter().position(|r| {
            r.candidate.model == candidate.model && r.candidate.runner == candidate.runner
        })?;
        let resident = self.models.remove(at);
        let provider = resident.provider.clone();
        self.models.push(resident);
        Some(provider)
    }

    fn planned_bytes(&self) -> u64 {
        self.models.iter().map(|r| r.planned_bytes).sum::<u64>() + self.reserved_bytes
    }
}

impl ResidentModels {
    /// The catalogue ids of the models held in memory, most recently used first.
    pub fn resident(&self) -> Vec<String> {
        self.lock()
            .models
            .iter()
            .rev()
            .map(|resident| resident.candidate.model.clone())
            .collect()
    }

    /// How many times a model was loaded from disk.
    pub fn loads(&self) -> usize {
        self.loads.load(Ordering::Relaxed)
    }

    /// Lets `model` go, as when memory is needed for another: it is freed once the
    /// requests still holding it end, and read from disk again when next asked for. False
    /// when it was not loaded.
    pub fn unload(&self, model: &str) -> bool {
        let mut loaded = self.lock();
        let before = loaded.models.len();
        loaded
            .models
            .retain(|resident| resident.candidate.model != model);
        loaded.models.len() < before
    }

    /// A [`ProviderSource`] that lends resident models and loads others from `studio`.
    pub fn source<'a>(&'a self, studio: &'a Studio) -> ResidentSource<'a> {
        ResidentSource {
            resident: self,
            studio,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Loaded> {
        self.loaded.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn gate(&self, model: &str) -> Arc<Mutex<()>> {
        let mut gates = self.gates.lock().unwrap_or_else(PoisonError::into_inner);
        gates.entry(model.to_string()).or_default().clone()
    }
}

pub struct ResidentSource<'a> {
    resident: &'a ResidentModels,
    studio: &'a Studio,
}

impl ProviderSource for ResidentSource<'_> {
    fn provider(&mut self, candidate: &Candidate) -> Result<Box<dyn Provider>, ProviderError> {
        let mut installed = self.studio.installed_models();
        let Runner::Local { path } = &candidate.runner else {
            return installed.provider(candidate);
        };
        if let Some(provider) = self.resident.lock().take(candidate) {
            return Ok(Box::new(provider));
        }
        let gate = self.resident.gate(&candidate.model);
        let _loading = gate.lock().unwrap_or_else(PoisonError::into_inner);
        let planned_bytes = {
            let mut loaded = self.resident.lock();
            // Loaded by the request this one waited for at the gate.
            if let Some(provider) = loaded.take(candidate) {
                return Ok(Box::new(provider));
            }
            let planned_bytes = match self.studio.catalog().local_model(&candidate.model) {
                Some(model) => self.studio.memory_plan(model, path)?.total_bytes(),
                None => 0,
            };
            // Unload the least recently used models until the new one fits.
            while !loaded.models.is_empty()
                && planned_bytes > self.studio.memory_free(loaded.planned_bytes())
            {
                loaded.models.remove(0);
            }
            installed.resident_bytes = loaded.planned_bytes();
            loaded.reserved_bytes += planned_bytes;
            planned_bytes
        };
        let provider = installed.provider(candidate).map(SharedProvider::new);
        let mut loaded = self.resident.lock();
        loaded.reserved_bytes -= planned_bytes;
        let provider = provider?;
        self.resident.loads.fetch_add(1, Ordering::Relaxed);
        loaded.models.push(Resident {
            candidate: candidate.clone(),
            provider: provider.clone(),
            planned_bytes,
        });
        Ok(Box::new(provider))
    }
}

impl Studio {
    /// The installed models, as a [`ProviderSource`].
    pub fn installed_models(&self) -> InstalledModels<'_> {
        InstalledModels {
            studio: self,
            resident_bytes: 0,
        }
    }
}
