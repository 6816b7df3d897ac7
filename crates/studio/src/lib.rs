//! Cadence: a local-first music-lesson studio.
//!
//! The [`Studio`] is the one facade the CLI and the desktop shell call; everything
//! below it (catalogue, store, inference, theory, content) knows nothing of Tauri.

pub mod batch;
pub mod coach;
pub mod commissions;
pub mod explain;
pub mod generate;
pub mod library;
pub mod limits;
pub mod materials;
pub mod models;
pub mod paths;
pub mod planning;
pub mod practice;
pub mod quota;
mod response_cache;
pub mod romantext;
pub mod settings;
pub mod sources;
pub mod usage;

// The layers below the Studio, each a crate of its own, under the names the app uses.
pub use cadence_content as content;
pub use cadence_llm as llm;
pub use cadence_providers as providers;
pub use cadence_providers::{catalog, router};
pub use cadence_store as store;
pub use cadence_theory as theory;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use crate::catalog::Catalog;
use crate::catalog::{CatalogError, CloudModel, LocalModel, TokenizerSource};
use crate::content::ContentError;
pub use crate::paths::AppPaths;
use crate::paths::{CATALOG_ENV, PathsError};
pub use crate::store::Store;
use crate::store::{StoreError, tutorials};

pub use cadence_providers::GEMINI_KEY_ENV;
pub use cadence_providers::download::partial_download;

#[derive(Debug, thiserror::Error)]
pub enum StudioError {
    #[error(transparent)]
    Paths(#[from] PathsError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Content(#[from] ContentError),
    #[error("tutorial {0} is not in the library; `cadence library` lists the tutorials there")]
    NoSuchTutorial(i64),
    #[error("material {0} is not in the library; the Library screen lists what is there")]
    NoSuchMaterial(i64),
    #[error("cancelled; nothing was saved")]
    Cancelled,
    #[error(transparent)]
    Coach(#[from] crate::coach::CoachError),
    #[error(transparent)]
    Input(#[from] limits::InputError),
}

/// Where a model stands on this machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Availability {
    Installed {
        path: PathBuf,
    },
    NotInstalled,
    /// A download was started and not finished; it resumes from `bytes`.
    Partial {
        bytes: u64,
    },
    /// The file is there but its size is wrong: it will be downloaded again.
    WrongSize {
        bytes: u64,
    },
    /// The file has the right size but is not a usable GGUF (what is wrong with it, naming
    /// the file): it will be downloaded again.
    Damaged {
        path: PathBuf,
        problem: String,
    },
    Enabled,
    Disabled {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelStatus {
    pub id: String,
    pub name: String,
    /// "local", "server" or "cloud".
    pub kind: &'static str,
    /// Ids of the tiers this model serves, as target or fallback.
    pub tiers: Vec<String>,
    pub download_bytes: Option<u64>,
    /// Memory at the catalogue's context length: planned from the GGUF once installed,
    /// models.toml's estimate before.
    pub memory_mb: Option<u64>,
    /// Whether `memory_mb` was planned from the model's own GGUF.
    pub memory_planned: bool,
    /// This machine's memory, to hold the figure against (local models only).
    pub machine_memory_mb: Option<u64>,
    pub availability: Availability,
}

pub struct Studio {
    paths: AppPaths,
    catalog: Catalog,
    /// The most memory Cadence may plan to use for models, if less than the machine's.
    memory_limit: Option<u64>,
}

impl Studio {
    /// Resolves the data folder and the catalogue from the environment.
    pub fn from_env() -> Result<Studio, StudioError> {
        let paths = AppPaths::from_env()?;
        let catalog = load_catalog(&paths)?;
        Ok(Studio::new(paths, catalog))
    }

    pub fn new(paths: AppPaths, catalog: Catalog) -> Studio {
        Studio {
            paths,
            catalog,
            memory_limit: models::memory_limit_from_env(),
        }
    }

    /// Caps the memory Cadence plans to use for models (`None`: the machine's).
    pub fn set_memory_limit(&mut self, bytes: Option<u64>) {
        self.memory_limit = bytes;
    }

    pub fn paths(&self) -> &AppPaths {
        &self.paths
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Opens the library database, creating the data folder and the schema if needed,
    /// empties the trash of curricula deleted more than [`store::curricula::TRASH_DAYS`] ago
    /// and drops the response cache's expired answers.
    pub fn open_store(&self) -> Result<Store, StudioError> {
        self.paths.ensure_home()?;
        let store = Store::open(&self.paths.database())?;
        store.write(|tx| {
            store::curricula::empty_trash(tx)?;
            store::cache::purge_expired(tx)?;
            Ok(())
        })?;
        Ok(store)
    }

    /// A stored tutorial as export JSON, checked against its schema and the theory engine.
    pub fn export_tutorial(&self, store: &Store, id: i64) -> Result<String, StudioError> {
        let id = crate::limits::library_id(id)?;
        let row = store
            .read(|conn| tutorials::get(conn, id))?
            .ok_or(StudioError::NoSuchTutorial(id))?;
        let (tutorial, _) = content::export::tutorial_from_value(row.document)?;
        Ok(content::export::tutorial_json(&tutorial))
    }

    /// Where a local model's GGUF lives once downloaded.
    pub fn model_file(&self, model: &LocalModel) -> PathBuf {
        self.models_dir().join(&model.id).join(&model.gguf.file)
    }

    /// Every model in the catalogue with what is installed or enabled here.
    pub fn models(&self) -> Vec<ModelStatus> {
        let tiers_of = |id: &str| -> Vec<String> {
            self.catalog
                .tiers
                .iter()
                .filter(|tier| tier.target.model() == id || tier.fallback.as_deref() == Some(id))
                .map(|tier| tier.id.clone())
                .collect()
        };
        let machine_mb = models::plan::MachineMemory::now().total_bytes / 1_000_000;
        let mut models: Vec<ModelStatus> = self
            .catalog
            .local
            .iter()
            .map(|model| {
                let mut availability = self.local_availability(model);
                let mut planned = None;
                if let Availability::Installed { path } = &availability {
                    // Planning reads the file's header, which is where damage shows.
                    match self.memory_plan(model, path) {
                        Ok(plan) => planned = Some(plan.total_bytes() / 1_000_000),
                        Err(error) => {
                            if let Some(problem) = crate::models::damage(&error) {
                                availability = Availability::Damaged {
                                    path: path.clone(),
                                    problem,
                                };
                            }
                        }
                    }
                }
                ModelStatus {
                    id: model.id.clone(),
                    name: model.name.clone(),
                    kind: "local",
                    tiers: tiers_of(&model.id),
                    download_bytes: Some(model.gguf.size),
                    memory_mb: Some(planned.unwrap_or(model.memory_mb)),
                    memory_planned: planned.is_some(),
                    machine_memory_mb: Some(machine_mb),
                    availability,
                }
            })
            .collect();
        models.extend(self.catalog.servers.iter().map(|server| ModelStatus {
            id: server.id.clone(),
            name: server.name.clone(),
            kind: "server",
            tiers: tiers_of(&server.id),
            download_bytes: None,
            memory_mb: None,
            memory_planned: false,
            machine_memory_mb: None,
            // Whether it answers is found out when it is asked: a probe on every listing
            // would stall the Models screen on a server that is off.
            availability: Availability::Enabled,
        }));
        if let Some(cloud) = &self.catalog.cloud {
            let availability = cloud_availability(cloud);
            models.push(ModelStatus {
                id: cloud.id.clone(),
                name: cloud.name.clone(),
                kind: "cloud",
                tiers: tiers_of(&cloud.id),
                download_bytes: None,
                memory_mb: None,
                memory_planned: false,
                machine_memory_mb: None,
                availability,
            });
        }
        models
    }
}

/// The cloud model is usable when models.toml enables it and a key is saved or set.
fn cloud_availability(cloud: &CloudModel) -> Availability {
    let has_key = providers::keychain::gemini_key().is_some();
    match (cloud.enabled, has_key) {
        (false, _) => Availability::Disabled {
            reason: "disabled in models.toml".into(),
        },
        (true, false) => Availability::Disabled {
            reason: "no key".into(),
        },
        (true, true) => Availability::Enabled,
    }
}

impl Studio {
    /// The local models installed here and whether the cloud model is usable, without
    /// planning any model's memory (routing asks this for every request).
    pub(crate) fn installed_and_cloud(&self) -> (Vec<(String, PathBuf)>, bool) {
        let installed = self
            .catalog
            .local
            .iter()
            .filter_map(|model| match self.local_availability(model) {
                Availability::Installed { path } => Some((model.id.clone(), path)),
                _ => None,
            })
            .collect();
        let cloud_ready = self
            .catalog
            .cloud
            .as_ref()
            .is_some_and(|cloud| cloud_availability(cloud) == Availability::Enabled);
        (installed, cloud_ready)
    }

    /// Installed means everything the model needs is there: the GGUF, and the
    /// tokenizer.json when the catalogue names one (else the download is unfinished).
    fn local_availability(&self, model: &LocalModel) -> Availability {
        let file = self.model_file(model);
        let gguf = file_availability(&file, model.gguf.size);
        match (&gguf, &model.tokenizer) {
            (Availability::Installed { .. }, TokenizerSource::HuggingFace(tokenizer)) => {
                match file_availability(&self.tokenizer_file(&model.id), tokenizer.size) {
                    Availability::Installed { .. } => gguf,
                    _ => Availability::Partial {
                        bytes: model.gguf.size,
                    },
                }
            }
            _ => gguf,
        }
    }
}

fn file_availability(file: &Path, expected: u64) -> Availability {
    let partial = partial_download(file);
    match (std::fs::metadata(file), std::fs::metadata(&partial)) {
        (Ok(meta), _) if meta.len() == expected => Availability::Installed {
            path: file.to_path_buf(),
        },
        (Ok(meta), _) => Availability::WrongSize { bytes: meta.len() },
        (Err(_), Ok(meta)) => Availability::Partial { bytes: meta.len() },
        (Err(_), Err(_)) => Availability::NotInstalled,
    }
}

/// The catalogue in force: `CADENCE_MODELS_TOML`, else `$CADENCE_HOME/models.toml`, else built in.
pub fn load_catalog(paths: &AppPaths) -> Result<Catalog, CatalogError> {
    if let Some(path) = std::env::var_os(CATALOG_ENV).filter(|p| !p.is_empty()) {
        return Catalog::load(Path::new(&path));
    }
    let user = paths.user_catalog();
    if user.exists() {
        return Catalog::load(&user);
    }
    Catalog::builtin()
}
