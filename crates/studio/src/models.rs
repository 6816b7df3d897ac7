//! Getting weights onto disk: download, verify and remove the catalogue's GGUF files.

pub use cadence_providers::{download, plan};

use std::sync::atomic::AtomicBool;

use serde::Serialize;

pub use download::{
    DownloadError, DownloadPhase, DownloadProgress, Downloaded, HubSource, human_bytes,
};

use std::path::{Path, PathBuf};

use crate::catalog::LocalModel;
use crate::catalog::TokenizerSource;
use crate::llm::LlmError;
use crate::providers::ProviderError;
use crate::{Studio, partial_download};
use plan::{MachineMemory, MemoryPlan, gigabytes};

/// Caps the memory Cadence plans to use for models, in MB (for a machine shared with other
/// work).
pub const MEMORY_LIMIT_ENV: &str = "CADENCE_MEMORY_LIMIT_MB";

/// The cap `CADENCE_MEMORY_LIMIT_MB` sets, if any.
pub fn memory_limit_from_env() -> Option<u64> {
    std::env::var(MEMORY_LIMIT_ENV)
        .ok()
        .and_then(|mb| mb.trim().parse::<u64>().ok())
        .map(|mb| mb * 1_000_000)
}

/// What removing a model freed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedModel {
    pub id: String,
    /// Bytes of the installed file and of any partial download, together.
    pub freed_bytes: u64,
}

impl Studio {
    /// Where a local model's tokenizer.json lives, for models whose catalogue entry names
    /// one.
    pub fn tokenizer_file(&self, model: &str) -> PathBuf {
        self.models_dir().join(model).join("tokenizer.json")
    }

    /// The tokenizer.json a model loads with, when its catalogue entry names one.
    pub fn tokenizer_json(&self, model: &LocalModel) -> Option<PathBuf> {
        match &model.tokenizer {
            TokenizerSource::Gguf => None,
            TokenizerSource::HuggingFace(_) => Some(self.tokenizer_file(&model.id)),
        }
    }

    /// The memory `model` (its GGUF at `path`) needs at the catalogue's context length.
    pub fn memory_plan(
        &self,
        model: &LocalModel,
        path: &Path,
    ) -> Result<MemoryPlan, ProviderError> {
        Ok(MemoryPlan::of_gguf(
            path,
            model.context_length as usize,
            crate::llm::default_threads(),
        )?)
    }

    /// Why the installed GGUF at `path` is not a usable model file, if it is not.
    fn damage_of(&self, model: &LocalModel, path: &Path) -> Option<String> {
        self.memory_plan(model, path)
            .err()
            .and_then(|error| damage(&error))
    }

    /// Memory a new model may take now: the machine's share for models (or the cap, if
    /// lower) less `resident_bytes` already planned for models kept loaded.
    pub fn memory_free(&self, resident_bytes: u64) -> u64 {
        let machine = MachineMemory::now().for_models();
        self.memory_limit
            .map_or(machine, |limit| machine.min(limit))
            .saturating_sub(resident_bytes)
    }

    /// Refuses a load that would not fit, with what to do instead.
    pub fn check_memory(
        &self,
        model: &LocalModel,
        path: &Path,
        resident_bytes: u64,
    ) -> Result<(), ProviderError> {
        let plan = self.memory_plan(model, path)?;
        let free = self.memory_free(resident_bytes);
        if plan.total_bytes() <= free {
            return Ok(());
        }
        let smaller = self
            .catalog()
            .local
            .iter()
            .filter(|other| other.id != model.id && other.gguf.size < model.gguf.size)
            .max_by_key(|other| other.gguf.size)
            .map(|other| format!("use {} instead, or ", other.name))
            .unwrap_or_default();
        Err(ProviderError::NotEnoughMemory(format!(
            "{} needs {} ({} of weights, {} of cache at {} tokens of context) but only {} is \
             free for models: {smaller}lower its context_length in models.toml",
            model.name,
            gigabytes(plan.total_bytes()),
            gigabytes(plan.weights_bytes),
            gigabytes(plan.kv_cache_bytes),
            plan.context_length,
            gigabytes(free),
        )))
    }

    /// A local model of the catalogue by id, or an error naming where the ids are listed.
    pub fn local_model(&self, id: &str) -> Result<&LocalModel, DownloadError> {
        self.catalog()
            .local_model(id)
            .ok_or_else(|| DownloadError::UnknownModel(id.to_string()))
    }

    /// Downloads a local model's GGUF from Hugging Face (or `HF_ENDPOINT`), resuming a
    /// partial download and verifying size and SHA-256 before it is installed.
    ///
    /// Setting `cancel` stops the transfer between chunks; the partial file is kept.
    pub fn download_model(
        &self,
        id: &str,
        cancel: &AtomicBool,
        on_progress: &mut dyn FnMut(&DownloadProgress),
    ) -> Result<Downloaded, DownloadError> {
        let model = self.local_model(id)?;
        let source = HubSource::from_env(&model.gguf)?;
        // A file of the right size that is not a usable GGUF would count as installed: it
        // goes, so that it is downloaded again.
        let target = self.model_file(model);
        if target.exists() && self.damage_of(model, &target).is_some() {
            std::fs::remove_file(&target).map_err(|source| DownloadError::Unwritable {
                path: target.clone(),
                source,
            })?;
        }
        let downloaded = download::download(&model.gguf, &target, &source, cancel, on_progress)
            .map_err(|mut error| {
                // The refusal names the model as the catalogue does, not its file.
                if let DownloadError::NotEnoughSpace { what, .. } = &mut error {
                    *what = model.name.clone();
                }
                error
            })?;
        // A named tokenizer.json is part of the model: pinned and verified the same way.
        if let TokenizerSource::HuggingFace(tokenizer) = &model.tokenizer {
            let source = HubSource::from_env(tokenizer)?;
            download::download(
                tokenizer,
                &self.tokenizer_file(&model.id),
                &source,
                cancel,
                on_progress,
            )?;
        }
        Ok(downloaded)
    }

    /// Deletes a local model's file and any partial download of it.
    pub fn remove_model(&self, id: &str) -> Result<RemovedModel, DownloadError> {
        let model = self.local_model(id)?;
        let file = self.model_file(model);
        let tokenizer = self.tokenizer_file(&model.id);
        let mut freed_bytes = 0;
        for path in [
            partial_download(&file),
            file,
            partial_download(&tokenizer),
            tokenizer,
        ] {
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            std::fs::remove_file(&path)
                .map_err(|source| DownloadError::Unwritable { path, source })?;
            freed_bytes += meta.len();
        }
        Ok(RemovedModel {
            id: model.id.clone(),
            freed_bytes,
        })
    }
}

/// What is wrong with a model file, when `error` says it is damaged rather than, say, too
/// large for this machine.
pub(crate) fn damage(error: &ProviderError) -> Option<String> {
    match error {
        ProviderError::Local(
            problem @ (LlmError::CorruptFile { .. } | LlmError::MissingMetadata { .. }),
        ) => Some(problem.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::{AppPaths, Catalog, Studio, partial_download};

    #[test]
    fn remove_deletes_the_model_and_its_partial_download() {
        let home = tempfile::tempdir().unwrap();
        let studio = Studio::new(AppPaths::at(home.path()), Catalog::builtin().unwrap());
        let file = studio.model_file(studio.local_model("smollm2-135m").unwrap());
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, [1u8; 10]).unwrap();
        std::fs::write(partial_download(&file), [1u8; 5]).unwrap();
        let removed = studio.remove_model("smollm2-135m").unwrap();
        assert_eq!(removed.freed_bytes, 15);
        assert!(!file.exists() && !partial_download(&file).exists());
        assert_eq!(studio.remove_model("smollm2-135m").unwrap().freed_bytes, 0);
        assert!(studio.remove_model("gemini").is_err());
    }
}
