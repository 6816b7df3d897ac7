//! The response cache: a model's accepted answer to a request, served again when the same
//! request goes to the same model, until the task's time to live (models.toml's
//! `cache_ttl_days`) runs out. A hit costs nothing and loads no model.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Studio;
use crate::providers::ProviderRequest;
use crate::router::{Candidate, Runner};

/// What the cache keeps of an accepted answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CachedAnswer {
    pub text: String,
    /// The model that wrote it, and the usage it was written with, for the record.
    pub model: String,
    pub prompt_tokens: u32,
    pub output_tokens: u32,
}

/// Everything that decides an answer, as it is hashed into the key.
#[derive(Serialize)]
struct KeyParts<'a> {
    /// `local`, `server` or `cloud`.
    provider: &'a str,
    model: &'a str,
    /// What exactly runs: the GGUF's SHA-256, the server's address and model name, or the
    /// cloud's model name.
    weights: String,
    request: &'a ProviderRequest,
}

impl Studio {
    /// The cache key of `request` sent to `candidate`: the SHA-256 of the provider, the
    /// model (its id and what runs it), the rendered prompt, the sampling and the schemas.
    pub(crate) fn cache_key(&self, candidate: &Candidate, request: &ProviderRequest) -> String {
        let catalog = self.catalog();
        let (provider, weights) = match &candidate.runner {
            // The chat template models.toml may set decides the prompt the model reads.
            Runner::Local { .. } => (
                "local",
                catalog
                    .local_model(&candidate.model)
                    .map(|model| format!("{} {:?}", model.gguf.sha256, model.chat_template))
                    .unwrap_or_default(),
            ),
            Runner::Server => (
                "server",
                catalog
                    .server(&candidate.model)
                    .map(|server| format!("{} {}", server.base_url, server.model))
                    .unwrap_or_default(),
            ),
            Runner::Cloud => (
                "cloud",
                catalog
                    .cloud
                    .as_ref()
                    .map(|cloud| cloud.model.clone())
                    .unwrap_or_default(),
            ),
        };
        let parts = KeyParts {
            provider,
            model: &candidate.model,
            weights,
            request,
        };
        let bytes = serde_json::to_vec(&parts).expect("plain data serialises into memory");
        format!("{:x}", Sha256::digest(&bytes))
    }
}
