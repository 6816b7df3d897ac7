//! The forward pass on a candle device (Metal or CUDA), using candle's quantised matmuls.
//! It also runs on candle's CPU device, which is how it is tested without a GPU.
//!
//! - `cache`: the f16 KV cache, allocated at the full context and written in place;
//! - `attention`: fused `sdpa` on Metal, matmul attention elsewhere, both reading grouped KV
//!   heads without copying them per query head.

mod attention;
mod cache;

use candle_core::quantized::{GgmlDType, QMatMul, ggml_file::qtensor_from_ggml};
use candle_core::{D, DType, Device, Module, Tensor};

use super::backend::{Backend, LogitsMode};
use super::config::{ModelConfig, RopeStyle, RopeTable};
use super::error::{LlmError, Result};
use super::gguf::{GgufFile, TensorType};
use super::matrix::Matrix;
use attention::{Attention, AttentionKernel};
use cache::KvCache;

/// Prompt tokens per pass through the layers. Each chunk goes through the matrix-matrix
/// kernels at once, while its attention scores stay `chunk × cached positions` rather than
/// `prompt × prompt`.
const PREFILL_CHUNK: usize = 512;

struct Layer {
    attn_norm: Tensor,
    qkv: Vec<QMatMul>,
    biases: Option<[Tensor; 3]>,
    attn_output: QMatMul,
    ffn_norm: Tensor,
    /// Either `[gate, up]` or one fused `[gate; up]` projection.
    gate_up: Vec<QMatMul>,
    down: QMatMul,
}

pub(crate) struct GpuModel {
    config: ModelConfig,
    context: usize,
    device: Device,
    /// Token rows are dequantised on the host from the mapping and uploaded: one row per
    /// token (12 KiB for Phi-3.5), next to the gigabytes of weights every step reads. The
    /// table on the device would need to be f32 to gather rows from (candle has no row
    /// gather on quantised tensors): 0.4 GB for Phi-3.5, 2 GB for Qwen2.5-7B.
    embedding: Matrix,
    output: QMatMul,
    output_norm: Tensor,
    layers: Vec<Layer>,
    cache: KvCache,
    attention: Attention,
    cos: Tensor,
    sin: Tensor,
    rope_style: RopeStyle,
    position: usize,
    logits: Vec<f32>,
}

fn ggml_dtype(t: TensorType) -> Option<GgmlDType> {
    Some(match t {
        TensorType::F32 => GgmlDType::F32,
        TensorType::F16 => GgmlDType::F16,
        TensorType::Bf16 => GgmlDType::BF16,
        TensorType::Q4_0 => GgmlDType::Q4_0,
        TensorType::Q4_1 => GgmlDType::Q4_1,
        TensorType::Q5_0 => GgmlDType::Q5_0,
        TensorType::Q5_1 => GgmlDType::Q5_1,
        TensorType::Q8_0 => GgmlDType::Q8_0,
        TensorType::Q2K => GgmlDType::Q2K,
        TensorType::Q3K => GgmlDType::Q3K,
        TensorType::Q4K => GgmlDType::Q4K,
        TensorType::Q5K => GgmlDType::Q5K,
        TensorType::Q6K => GgmlDType::Q6K,
        _ => return None,
    })
}

impl GpuModel {
    pub(crate) fn load(
        file: &GgufFile,
        config: ModelConfig,
        context: usize,
        device: Device,
    ) -> Result<Self> {
        let path = file.path();
        let device_name = format!("{device:?}");
        let wrap = |e: candle_core::Error| LlmError::Backend {
            device: device_name.clone(),
            problem: e.to_string(),
        };
        let info = |name: &str| {
            file.tensor(name)
                .ok_or_else(|| LlmError::missing(path, format!("tensor `{name}` is missing")))
        };
        let qmatmul = |name: &str| -> Result<QMatMul> {
            let t = info(name)?;
            let dtype =
                ggml_dtype(t.tensor_type).ok_or_else(|| LlmError::UnsupportedQuantization {
                    path: path.to_path_buf(),
                    tensor: name.to_string(),
                    quant: t.tensor_type.name(),
                })?;
            let dims: Vec<usize> = t.dims.iter().rev().copied().collect();
            let q = qtensor_from_ggml(dtype, file.tensor_bytes(t), dims, &device).map_err(wrap)?;
            QMatMul::from_qtensor(q).map_err(wrap)
        };
        let vector = |name: &str| -> Result<Tensor> {
            let t = info(name)?;
            let m = Matrix::load(file, t)?;
            let mut values = vec![0f32; m.cols * m.rows];
            for r in 0..m.rows {
                m.dequantize_row(r, &mut values[r * m.cols..(r + 1) * m.cols]);
            }
            Tensor::from_vec(values, t.element_count(), &device).map_err(wrap)
        };
        let embedding = Matrix::load(file, info("token_embd.weight")?)?;
        let output = if file.tensor("output.weight").is_some() {
            qmatmul("output.weight")?
        } else {
            qmatmul("token_embd.weight")?
        };
        let mut layers = Vec::with_capacity(config.layers);
        for i in 0..config.layers {
            let name = |s: &str| format!("blk.{i}.{s}");
            let has = |s: &str| file.tensor(&name(s)).is_some();
            let qkv = if has("attn_qkv.weight") {
                vec![qmatmul(&name("attn_qkv.weight"))?]
            } else {
                vec![
                    qmatmul(&name("attn_q.weight"))?,
                    qmatmul(&name("attn_k.weight"))?,
                    qmatmul(&name("attn_v.weight"))?,
                ]
            };
            let biases = if has("attn_q.bias") {
                Some([
                    vector(&name("attn_q.bias"))?,
                    vector(&name("attn_k.bias"))?,
                    vector(&name("attn_v.bias"))?,
                ])
            } else {
                None
            };
            let gate_up = if has("ffn_gate.weight") {
                vec![
                    qmatmul(&name("ffn_gate.weight"))?,
                    qmatmul(&name("ffn_up.weight"))?,
                ]
            } else {
                vec![qmatmul(&name("ffn_up.weight"))?]
            };
            layers.push(Layer {
                attn_norm: vector(&name("attn_norm.weight"))?,
                qkv,
                biases,
                attn_output: qmatmul(&name("attn_output.weight"))?,
                ffn_norm: vector(&name("ffn_norm.weight"))?,
                gate_up,
                down: qmatmul(&name("ffn_down.weight"))?,
            });
        }
        let half = config.rope_dims / 2;
        // Phi-3.5's LongRoPE ships short factors for contexts up to the original length and
        // long ones beyond; Llama 3 has one set of frequency factors. Picked as the CPU pass
        // picks them.
        let long = config.original_context.is_some_and(|o| context > o);
        let factor_name = if long {
            "rope_factors_long.weight"
        } else {
            "rope_factors_short.weight"
        };
        let factors = [factor_name, "rope_freqs.weight"]
            .into_iter()
            .find(|name| file.tensor(name).is_some())
            .map(|name| vector(name)?.to_vec1::<f32>().map_err(wrap))
            .transpose()?;
        let table = RopeTable::new(&config, context, factors.as_deref());
        let cos = Tensor::from_slice(&table.cos, (context, half), &device).map_err(wrap)?;
        let sin = Tensor::from_slice(&table.sin, (context, half), &device).map_err(wrap)?;
        let cache = KvCache::new(
            &device,
            config.layers,
            config.kv_heads,
            context,
            config.head_dim,
        )
        .map_err(wrap)?;
        let attention = Attention {
            kernel: AttentionKernel::choose(&device, config.head_dim),
            heads: config.heads,
            kv_heads: config.kv_heads,
            head_dim: config.head_dim,
        };
        Ok(Self {
            output_norm: vector("output_norm.weight")?,
            rope_style: config.architecture.rope_style(),
            config,
            context,
            device,
            embedding,
            output,
            layers,
            cache,
            attention,
            cos,
            sin,
            position: 0,
            logits: Vec::new(),
        })
    }

    fn rotate(&self, x: &Tensor, cos: &Tensor, sin: &Tensor) -> candle_core::Result<Tensor> {
        let head_dim = self.config.head_dim;
        let rope_dims = self.config.rope_dims;
        let rotate = |x: &Tensor| match self.rope_style {
            RopeStyle::Interleaved => candle_nn::rotary_emb::rope_i(x, cos, sin),
            RopeStyle::Halves => candle_nn::rotary_emb::rope(x, cos, sin),
        };
        if rope_dims == head_dim {
            rotate(&x.contiguous()?)
        } else {
            let rotated = rotate(&x.narrow(D::Minus1, 0, rope_dims)?.contiguous()?)?;
            let rest = x.narrow(D::Minus1, rope_dims, head_dim - rope_dims)?;
            Tensor::cat(&[&rotated, &rest], D::Minus1)
        }
    }

    /// Runs every chunk of `tokens` from `self.position` on; the position moves only when all
    /// of them succeed (entries a failed call wrote past it are never read).
    fn run(&self, tokens: &[u32], mode: LogitsMode) -> candle_core::Result<Vec<f32>> {
        let mut logits = Vec::new();
        let mut start = self.position;
        let chunks = tokens.len().div_ceil(PREFILL_CHUNK);
        for (index, chunk) in tokens.chunks(PREFILL_CHUNK).enumerate() {
            let hidden = self.run_layers(chunk, start)?;
            start += chunk.len();
            let rows = match mode {
                LogitsMode::All => hidden,
                LogitsMode::Last if index + 1 == chunks => hidden.narrow(1, chunk.len() - 1, 1)?,
                LogitsMode::Last => continue,
            };
            let chunk_logits = self.project(&rows)?;
            if logits.is_empty() {
                logits = chunk_logits;
            } else {
                logits.extend_from_slice(&chunk_logits);
            }
        }
        Ok(logits)
    }

    /// Final norm and output matrix; only these rows' logits cross to the host.
    fn project(&self, hidden: &Tensor) -> candle_core::Result<Vec<f32>> {
        let x = candle_nn::ops::rms_norm(hidden, &self.output_norm, self.config.rms_eps)?;
        let logits = self.output.forward(&x)?;
        logits.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()
    }

    /// The residual stream `(1, n, hidden)` after every layer, for `tokens` at positions
    /// `start..start + n`, writing their keys and values into the cache.
    fn run_layers(&self, tokens: &[u32], start: usize) -> candle_core::Result<Tensor> {
        let c = &self.config;
        let (n, d) = (tokens.len(), c.hidden_size);
        let mut embedded = vec![0f32; n * d];
        for (row, &token) in embedded.chunks_exact_mut(d).zip(tokens) {
            if token as usize >= self.embedding.rows {
                candle_core::bail!("token id {token} is outside the vocabulary");
            }
            self.embedding.dequantize_row(token as usize, row);
        }
        let mut x = Tensor::from_vec(embedded, (1, n, d), &self.device)?;
        let cos = self.cos.narrow(0, start, n)?;
        let sin = self.sin.narrow(0, start, n)?;
        let mask = self.attention.causal_mask(&self.device, start, n)?;
        let (hd, heads, kv_heads) = (c.head_dim, c.heads, c.kv_heads);
        for (index, layer) in self.layers.iter().enumerate() {
            let h = candle_nn::ops::rms_norm(&x, &layer.attn_norm, c.rms_eps)?;
            let (q, k, v) = if let [qkv] = layer.qkv.as_slice() {
                let qkv = qkv.forward(&h)?;
                (
                    qkv.narrow(D::Minus1, 0, c.q_dim())?,
                    qkv.narrow(D::Minus1, c.q_dim(), c.kv_dim())?,
                    qkv.narrow(D::Minus1, c.q_dim() + c.kv_dim(), c.kv_dim())?,
                )
            } else {
                (
                    layer.qkv[0].forward(&h)?,
                    layer.qkv[1].forward(&h)?,
                    layer.qkv[2].forward(&h)?,
                )
            };
            let (q, k, v) = match &layer.biases {
                Some([bq, bk, bv]) => (
                    q.broadcast_add(bq)?,
                    k.broadcast_add(bk)?,
                    v.broadcast_add(bv)?,
                ),
                None => (q, k, v),
            };
            let q = q.reshape((1, n, heads, hd))?.transpose(1, 2)?;
            let k = k.reshape((1, n, kv_heads, hd))?.transpose(1, 2)?;
            let v = v.reshape((1, n, kv_heads, hd))?.transpose(1, 2)?;
            let q = self.rotate(&q, &cos, &sin)?;
            let k = self.rotate(&k, &cos, &sin)?;
            self.cache.write(index, start, &k, &v)?;
            let (keys, values) = self.cache.view(index, start + n)?;
            let attended = self.attention.attend(&q, &keys, &values, &mask)?;
            x = (x + layer.attn_output.forward(&attended)?)?;
            let h = candle_nn::ops::rms_norm(&x, &layer.ffn_norm, c.rms_eps)?;
            let hidden = if let [gate, up] = layer.gate_up.as_slice() {
                (candle_nn::ops::silu(&gate.forward(&h)?)? * up.forward(&h)?)?
            } else {
                let fused = layer.gate_up[0].forward(&h)?;
                let ff = c.intermediate_size;
                let gate = fused.narrow(D::Minus1, 0, ff)?;
                let up = fused.narrow(D::Minus1, ff, ff)?;
                (candle_nn::ops::silu(&gate)? * up)?
            };
            x = (x + layer.down.forward(&hidden)?)?;
        }
        Ok(x)
    }
}

impl Backend for GpuModel {
    fn forward(&mut self, tokens: &[u32], mode: LogitsMode) -> Result<&[f32]> {
        if tokens.is_empty() {
            return Err(LlmError::EmptyPrompt);
        }
        if self.position + tokens.len() > self.context {
            return Err(LlmError::PromptTooLong {
                prompt_tokens: self.position + tokens.len(),
                context_length: self.context,
                reserved: 0,
            });
        }
        let logits = self.run(tokens, mode).map_err(|e| LlmError::Backend {
            device: self.device_name(),
            problem: e.to_string(),
        })?;
        self.position += tokens.len();
        self.logits = logits;
        Ok(&self.logits)
    }

    fn position(&self) -> usize {
        self.position
    }

    /// The cache keeps its allocation; positions from here on are overwritten before they
    /// are read again.
    fn truncate(&mut self, position: usize) {
        self.position = self.position.min(position);
    }

    fn context_length(&self) -> usize {
        self.context
    }

    fn vocab_size(&self) -> usize {
        self.embedding.rows
    }

    fn device_name(&self) -> String {
        match &self.device {
            Device::Cpu => "cpu (candle)".into(),
            Device::Cuda(_) => "cuda".into(),
            Device::Metal(_) => "metal".into(),
        }
    }

    fn kernel_path(&self) -> String {
        let device = match &self.device {
            Device::Cpu => "cpu",
            Device::Cuda(_) => "cuda",
            Device::Metal(_) => "metal",
        };
        format!(
            "candle on {device}: quantised matmuls, {}, f16 KV cache",
            self.attention.kernel.describe()
        )
    }

    fn kv_cache_bytes(&self) -> usize {
        self.cache.bytes()
    }
}
