//! Model hyper-parameters read from GGUF metadata.

use serde::{Deserialize, Serialize};

use super::error::{LlmError, Result};
use super::gguf::GgufFile;

/// The transformer families Cadence runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    /// Llama and its relatives (SmolLM2, Llama 3, Mistral-style GGUFs).
    Llama,
    /// Phi-3 and Phi-3.5 (fused qkv and gate/up projections).
    Phi3,
    /// Qwen2 and Qwen2.5 (biases on q, k and v).
    Qwen2,
}

impl Architecture {
    pub fn from_gguf_name(name: &str) -> Option<Self> {
        match name {
            "llama" => Some(Self::Llama),
            "phi3" => Some(Self::Phi3),
            "qwen2" => Some(Self::Qwen2),
            _ => None,
        }
    }

    pub fn gguf_name(self) -> &'static str {
        match self {
            Self::Llama => "llama",
            Self::Phi3 => "phi3",
            Self::Qwen2 => "qwen2",
        }
    }

    /// GGUF llama models have q and k permuted for interleaved-pair rotation; phi3 and qwen2
    /// rotate the two halves of each head (GPT-NeoX style).
    pub(crate) fn rope_style(self) -> RopeStyle {
        match self {
            Self::Llama => RopeStyle::Interleaved,
            Self::Phi3 | Self::Qwen2 => RopeStyle::Halves,
        }
    }
}

impl std::fmt::Display for Architecture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.gguf_name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RopeStyle {
    Interleaved,
    Halves,
}

/// Shapes and constants of one model.
#[derive(Debug, Clone, Serialize)]
pub struct ModelConfig {
    pub architecture: Architecture,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub layers: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub rope_dims: usize,
    pub rope_base: f32,
    pub rms_eps: f32,
    /// The context the model was trained for, from the GGUF.
    pub trained_context: usize,
    /// Phi-3.5's LongRoPE: the context its short factors cover.
    pub original_context: Option<usize>,
    pub rope_attn_factor: Option<f32>,
    pub vocab_size: usize,
}

impl ModelConfig {
    pub fn from_gguf(file: &GgufFile) -> Result<Self> {
        let path = file.path();
        let arch_name = file
            .get_str("general.architecture")
            .ok_or_else(|| LlmError::missing(path, "metadata `general.architecture` is missing"))?;
        let architecture = Architecture::from_gguf_name(arch_name).ok_or_else(|| {
            LlmError::UnsupportedArchitecture {
                path: path.to_path_buf(),
                architecture: arch_name.to_string(),
            }
        })?;
        let key = |suffix: &str| format!("{arch_name}.{suffix}");
        let required = |suffix: &str| -> Result<usize> {
            let k = key(suffix);
            file.get_u64(&k)
                .and_then(|v| usize::try_from(v).ok())
                .filter(|v| *v > 0 && *v < 1 << 24)
                .ok_or_else(|| {
                    LlmError::missing(path, format!("metadata `{k}` is missing or invalid"))
                })
        };
        let hidden_size = required("embedding_length")?;
        let intermediate_size = required("feed_forward_length")?;
        let layers = required("block_count")?;
        let heads = required("attention.head_count")?;
        let kv_heads = file
            .get_u64(&key("attention.head_count_kv"))
            .map(|v| v as usize)
            .unwrap_or(heads);
        if kv_heads == 0 || heads % kv_heads != 0 || hidden_size % heads != 0 {
            return Err(LlmError::corrupt(
                path,
                format!(
                    "{heads} attention heads, {kv_heads} key/value heads and width {hidden_size} do not fit together"
                ),
            ));
        }
        let head_dim = file
            .get_u64(&key("attention.key_length"))
            .map(|v| v as usize)
            .unwrap_or(hidden_size / heads);
        let rope_dims = file
            .get_u64(&key("rope.dimension_count"))
            .map(|v| v as usize)
            .unwrap_or(head_dim);
        if head_dim == 0 || head_dim > 1024 || rope_dims > head_dim || !rope_dims.is_multiple_of(2)
        {
            return Err(LlmError::corrupt(
                path,
                format!("head size {head_dim} with {rope_dims} rotary dimensions is invalid"),
            ));
        }
        let default_base = match architecture {
            Architecture::Qwen2 => 1_000_000.0,
            _ => 10_000.0,
        };
        let rope_base = file
            .get_f64(&key("rope.freq_base"))
            .map(|v| v as f32)
            .unwrap_or(default_base);
        let rms_eps = file
            .get_f64(&key("attention.layer_norm_rms_epsilon"))
            .map(|v| v as f32)
            .unwrap_or(1e-5);
        let trained_context = file
            .get_u64(&key("context_length"))
            .map(|v| v as usize)
            .unwrap_or(4096)
            .max(1);
        let original_context = file
            .get_u64(&key("rope.scaling.original_context_length"))
            .map(|v| v as usize)
            .filter(|v| *v > 0);
        let rope_attn_factor = file
            .get_f64(&key("rope.scaling.attn_factor"))
            .map(|v| v as f32);
        let embedding = file
            .tensor("token_embd.weight")
            .ok_or_else(|| LlmError::missing(path, "tensor `token_embd.weight` is missing"))?;
        // The shapes that size every buffer must agree with the tensors that are really in
        // the file, so a mangled count cannot make the loader allocate for it.
        if embedding.dims[0] != hidden_size {
            return Err(LlmError::corrupt(
                path,
                format!(
                    "tensor `token_embd.weight` is {} wide but metadata `{}` says {hidden_size}",
                    embedding.dims[0],
                    key("embedding_length")
                ),
            ));
        }
        let vocab_size = embedding.dims.get(1).copied().unwrap_or(0);
        let last_block = format!("blk.{}.attn_norm.weight", layers - 1);
        if file.tensor(&last_block).is_none() {
            return Err(LlmError::missing(
                path,
                format!(
                    "metadata `{}` says {layers} layers but tensor `{last_block}` is missing",
                    key("block_count")
                ),
            ));
        }
        Ok(Self {
            architecture,
            hidden_size,
            intermediate_size,
            layers,
            heads,
            kv_heads,
            head_dim,
            rope_dims,
            rope_base,
            rms_eps,
            trained_context,
            original_context,
            rope_attn_factor,
            vocab_size,
        })
    }

    pub fn q_dim(&self) -> usize {
        self.heads * self.head_dim
    }

    pub fn kv_dim(&self) -> usize {
        self.kv_heads * self.head_dim
    }
}

/// Precomputed rotation angles for every position up to the configured context.
pub(crate) struct RopeTable {
    pub style: RopeStyle,
    pub dims: usize,
    /// `[position][dims / 2]`
    pub cos: Vec<f32>,
    pub sin: Vec<f32>,
}

impl RopeTable {
    /// `factors` are LongRoPE's per-frequency divisors (Phi-3.5), if the model has them.
    pub(crate) fn new(config: &ModelConfig, context: usize, factors: Option<&[f32]>) -> Self {
        let half = config.rope_dims / 2;
        // LongRoPE scales cos/sin so attention entropy stays put when the context is
        // stretched beyond the original one.
        let magnitude = match (factors, config.original_context) {
            (Some(_), Some(original)) => config.rope_attn_factor.unwrap_or_else(|| {
                let scale = config.trained_context as f32 / original as f32;
                if scale <= 1.0 {
                    1.0
                } else {
                    (1.0 + scale.ln() / (original as f32).ln()).sqrt()
                }
            }),
            _ => 1.0,
        };
        // Angles are built the way llama.cpp builds them, in f32 with the frequency stepped
        // by one factor per pair, so both engines rotate by the same rounded angles.
        let theta_scale = config.rope_base.powf(-2.0 / config.rope_dims as f32);
        let mut cos = Vec::with_capacity(context * half);
        let mut sin = Vec::with_capacity(context * half);
        for pos in 0..context {
            let mut theta = pos as f32;
            for i in 0..half {
                let factor = factors.and_then(|f| f.get(i)).copied().unwrap_or(1.0);
                let angle = theta / factor;
                cos.push(angle.cos() * magnitude);
                sin.push(angle.sin() * magnitude);
                theta *= theta_scale;
            }
        }
        Self {
            style: config.architecture.rope_style(),
            dims: config.rope_dims,
            cos,
            sin,
        }
    }

    /// Rotates every head of `x` (`heads × head_dim`) for position `pos`.
    pub(crate) fn apply(&self, x: &mut [f32], head_dim: usize, pos: usize) {
        let half = self.dims / 2;
        let cos = &self.cos[pos * half..(pos + 1) * half];
        let sin = &self.sin[pos * half..(pos + 1) * half];
        for head in x.chunks_exact_mut(head_dim) {
            match self.style {
                RopeStyle::Interleaved => {
                    for i in 0..half {
                        let (a, b) = (head[2 * i], head[2 * i + 1]);
                        head[2 * i] = a * cos[i] - b * sin[i];
                        head[2 * i + 1] = a * sin[i] + b * cos[i];
                    }
                }
                RopeStyle::Halves => {
                    for i in 0..half {
                        let (a, b) = (head[i], head[i + half]);
                        head[i] = a * cos[i] - b * sin[i];
                        head[i + half] = a * sin[i] + b * cos[i];
                    }
                }
            }
        }
    }
}
