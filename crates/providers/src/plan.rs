//! How much memory a model needs, computed from its GGUF, and whether this machine has it.
//!
//! A model's figure is its weights (memory-mapped, and resident once read), its KV cache at
//! the context length Cadence uses, and the working buffers of a prompt that fills that
//! context. A load that would not fit is refused before anything is read, so a large model
//! never pushes the machine into swap.

use std::path::Path;

use serde::Serialize;

use cadence_llm::gguf::GgufFile;
use cadence_llm::{LlmError, ModelConfig};

const F32_BYTES: u64 = 4;

/// A model's memory at a context length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MemoryPlan {
    pub weights_bytes: u64,
    /// Keys and values of every layer at `context_length`, as f32 (the cache's type).
    pub kv_cache_bytes: u64,
    /// Activations of a prompt that fills the context, attention scores and logits.
    pub working_bytes: u64,
    pub context_length: u32,
}

impl MemoryPlan {
    /// The plan for the GGUF at `path` run with `context_length` tokens.
    pub fn of_gguf(path: &Path, context_length: usize, threads: usize) -> Result<Self, LlmError> {
        let file = GgufFile::open(path)?;
        let config = ModelConfig::from_gguf(&file)?;
        let weights_bytes = file.tensors.iter().map(|t| t.byte_len as u64).sum();
        Ok(Self::of_config(
            &config,
            weights_bytes,
            context_length,
            threads,
        ))
    }

    pub fn of_config(
        config: &ModelConfig,
        weights_bytes: u64,
        context_length: usize,
        threads: usize,
    ) -> Self {
        // Saturating: a damaged GGUF's shapes may multiply past u64, and then the plan is
        // simply more than any machine has.
        let product = |factors: &[u64]| factors.iter().fold(1u64, |p, f| p.saturating_mul(*f));
        let context = context_length as u64;
        let (d, ff) = (config.hidden_size as u64, config.intermediate_size as u64);
        let kv_dim = product(&[config.kv_heads as u64, config.head_dim as u64]);
        let kv_cache_bytes = product(&[2, config.layers as u64, context, kv_dim, F32_BYTES]);
        // Per prompt token: the residual stream, its normed and attended copies, queries,
        // projections (d each), keys and values (kv_dim each), gate, up and hidden (ff each).
        let per_token = product(&[6, d])
            .saturating_add(product(&[2, kv_dim]))
            .saturating_add(product(&[5, ff]));
        let scores = product(&[threads.max(1) as u64, context]);
        let working_bytes = product(&[
            product(&[context, per_token])
                .saturating_add(scores)
                .saturating_add(config.vocab_size as u64),
            F32_BYTES,
        ]);
        Self {
            weights_bytes,
            kv_cache_bytes,
            working_bytes,
            context_length: context_length as u32,
        }
    }

    pub fn total_bytes(&self) -> u64 {
        self.weights_bytes
            .saturating_add(self.kv_cache_bytes)
            .saturating_add(self.working_bytes)
    }
}

/// This machine's memory (on a Mac, the unified memory the GPU shares).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MachineMemory {
    pub total_bytes: u64,
}

impl MachineMemory {
    pub fn now() -> Self {
        let mut system = sysinfo::System::new();
        system.refresh_memory();
        Self {
            total_bytes: system.total_memory(),
        }
    }

    /// What Cadence's models may take in all: three quarters of the memory, leaving the
    /// rest to the system and the user's other apps. (A Mac counts its file cache as used,
    /// so "available" memory would refuse loads that fit.)
    pub fn for_models(&self) -> u64 {
        self.total_bytes / 4 * 3
    }
}

/// Gigabytes with one decimal, as the advice shows them.
pub fn gigabytes(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cadence_llm::Architecture;

    fn phi35_mini() -> ModelConfig {
        ModelConfig {
            architecture: Architecture::Phi3,
            hidden_size: 3072,
            intermediate_size: 8192,
            layers: 32,
            heads: 32,
            kv_heads: 32,
            head_dim: 96,
            rope_dims: 96,
            rope_base: 10_000.0,
            rms_eps: 1e-5,
            trained_context: 131_072,
            original_context: Some(4096),
            rope_attn_factor: None,
            vocab_size: 32064,
        }
    }

    #[test]
    fn shapes_too_large_for_any_machine_saturate_instead_of_overflowing() {
        let absurd = ModelConfig {
            hidden_size: 1 << 36,
            intermediate_size: 1 << 36,
            layers: 1 << 20,
            heads: 1 << 36,
            kv_heads: 1 << 36,
            head_dim: 1024,
            ..phi35_mini()
        };
        let plan = MemoryPlan::of_config(&absurd, u64::MAX / 2, 131_072, 8);
        assert_eq!(plan.kv_cache_bytes, u64::MAX);
        assert_eq!(plan.total_bytes(), u64::MAX);
    }

    #[test]
    fn phi35_at_4k_needs_a_3_gb_cache_on_top_of_its_weights() {
        let plan = MemoryPlan::of_config(&phi35_mini(), 2_393_232_672, 4096, 8);
        // 32 layers × 4096 positions × 3072 values × keys and values × 4 bytes.
        assert_eq!(plan.kv_cache_bytes, 3_221_225_472);
        assert!(plan.total_bytes() > plan.weights_bytes + plan.kv_cache_bytes);
        let halved = MemoryPlan::of_config(&phi35_mini(), 2_393_232_672, 2048, 8);
        assert_eq!(halved.kv_cache_bytes * 2, plan.kv_cache_bytes);
        assert!(halved.total_bytes() < plan.total_bytes());
    }

    #[test]
    fn models_get_three_quarters_of_this_machines_memory() {
        let memory = MachineMemory::now();
        assert!(memory.total_bytes > 0);
        assert!(memory.for_models() < memory.total_bytes);
        assert!(memory.for_models() >= memory.total_bytes / 2);
    }
}
