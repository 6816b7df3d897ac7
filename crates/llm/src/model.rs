//! A loaded model: configuration plus a forward pass on the chosen device.

use std::path::Path;

use super::backend::{Backend, LogitsMode};
use super::config::ModelConfig;
use super::cpu::CpuModel;
use super::device::{DeviceChoice, ResolvedDevice};
use super::error::{LlmError, Result};
use super::gguf::GgufFile;
use super::gpu::GpuModel;

/// How to load a model.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The context to run with; `None` takes the model's trained context capped at
    /// [`DEFAULT_CONTEXT`]. Never more than the model was trained for.
    pub context_length: Option<usize>,
    /// CPU threads; `None` uses every available core.
    pub threads: Option<usize>,
    pub device: DeviceChoice,
    /// A `tokenizer.json` to use instead of the GGUF's own vocabulary.
    pub tokenizer_json: Option<std::path::PathBuf>,
}

/// The context used when the caller does not configure one.
pub const DEFAULT_CONTEXT: usize = 4096;

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            context_length: None,
            threads: None,
            device: DeviceChoice::Auto,
            tokenizer_json: None,
        }
    }
}

/// The CPU path's threads unless told otherwise: every core the OS offers.
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// A model ready to run forward passes, holding its own KV cache.
pub struct Model {
    config: ModelConfig,
    backend: Box<dyn Backend>,
    /// Why the model runs on the CPU although a GPU was wanted, if it does.
    device_notice: Option<String>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("architecture", &self.config.architecture)
            .field("device", &self.backend.device_name())
            .finish()
    }
}

impl Model {
    /// Maps and loads a GGUF model.
    pub fn load(path: &Path, options: &LoadOptions) -> Result<Self> {
        let file = GgufFile::open(path)?;
        Self::from_gguf(&file, options)
    }

    pub fn from_gguf(file: &GgufFile, options: &LoadOptions) -> Result<Self> {
        let config = ModelConfig::from_gguf(file)?;
        let context = match options.context_length {
            Some(0) => {
                return Err(LlmError::InvalidOptions(
                    "the context length must be at least 1".into(),
                ));
            }
            Some(n) => n.min(config.trained_context),
            None => config.trained_context.min(DEFAULT_CONTEXT),
        };
        let threads = options.threads.unwrap_or_else(default_threads).max(1);
        let resolution = ResolvedDevice::resolve(options.device)?;
        let backend: Box<dyn Backend> = match resolution.device {
            ResolvedDevice::Cpu => {
                Box::new(CpuModel::load(file, config.clone(), context, threads)?)
            }
            ResolvedDevice::Gpu(device) => {
                Box::new(GpuModel::load(file, config.clone(), context, device)?)
            }
        };
        Ok(Self {
            config,
            backend,
            device_notice: resolution.fallback,
        })
    }

    /// Loads the model on candle's own CPU backend: slower than the native CPU path, used to
    /// check the GPU forward pass on machines without a GPU.
    pub fn load_candle_cpu(file: &GgufFile, context_length: usize) -> Result<Self> {
        let config = ModelConfig::from_gguf(file)?;
        let context = context_length.clamp(1, config.trained_context);
        let backend = GpuModel::load(file, config.clone(), context, candle_core::Device::Cpu)?;
        Ok(Self {
            config,
            backend: Box::new(backend),
            device_notice: None,
        })
    }

    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Runs `tokens` after the cached positions; returns `vocab` logits (or `tokens × vocab`
    /// with [`LogitsMode::All`]).
    pub fn forward(&mut self, tokens: &[u32], mode: LogitsMode) -> Result<&[f32]> {
        self.backend.forward(tokens, mode)
    }

    /// Positions held in the KV cache.
    pub fn position(&self) -> usize {
        self.backend.position()
    }

    /// Drops cached positions from `position` on (`0` starts a new sequence).
    pub fn truncate(&mut self, position: usize) {
        self.backend.truncate(position)
    }

    pub fn context_length(&self) -> usize {
        self.backend.context_length()
    }

    pub fn vocab_size(&self) -> usize {
        self.backend.vocab_size()
    }

    pub fn device_name(&self) -> String {
        self.backend.device_name()
    }

    /// Why the model runs on the CPU although the device choice wanted a GPU, if it does.
    pub fn device_notice(&self) -> Option<&str> {
        self.device_notice.as_deref()
    }

    /// The kernels the forward pass runs on, in words (`cadence bench` reports it).
    pub fn kernel_path(&self) -> String {
        self.backend.kernel_path()
    }

    /// Bytes currently allocated for the KV cache.
    pub fn kv_cache_bytes(&self) -> usize {
        self.backend.kv_cache_bytes()
    }
}
