//! The forward pass on a candle device (Metal or CUDA), using candle's quantised matmuls.
//! It also runs on candle's CPU device, which is how it is tested without a GPU.

use candle_core::quantized::{GgmlDType, QMatMul, ggml_file::qtensor_from_ggml};
use candle_core::{D, DType, Device, Module, Tensor};

use super::backend::{Backend, LogitsMode};
use super::config::{ModelConfig, RopeStyle, RopeTable};
use super::error::{LlmError, Result};
use super::gguf::{GgufFile, TensorType};
use super::matrix::Matrix;

struct Layer {
    attn_norm: Tensor,
    qkv: Vec<QMatMul>,
    biases: Option<[Tensor; 3]>,
    attn_output: QMatMul,
    ffn_norm: Tensor,
    /// Either `[gate, up]` or one fused `[gate; up]` projection.
    gate_up: Vec<QMatMul>,
    down: QMatMul,
    keys: Option<Tensor>,
    values: Option<Tensor>,
}

pub(crate) struct GpuModel {
    config: ModelConfig,
    context: usize,
    device: Device,
    /// Token rows are dequantised on the host from the mapping, so a large vocabulary never
    /// has to exist as f32 on the device.
    embedding: Matrix,
    output: QMatMul,
    output_norm: Tensor,
    layers: Vec<Layer>,
    cos: Tensor,
    sin: Tensor,
    rope_style: RopeStyle,
    position: usize,
    logits: Vec<f32>,
    embedded: Vec<f32>,
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
                keys: None,
                values: None,
            });
        }
        let half = config.rope_dims / 2;
        let long = config.original_context.is_some_and(|o| context > o);
        let factor_name = if long {
            "rope_factors_long.weight"
        } else {
            "rope_factors_short.weight"
        };
        let factors = match file.tensor(factor_name) {
            Some(_) => Some(vector(factor_name)?.to_vec1::<f32>().map_err(wrap)?),
            None => None,
        };
        let table = RopeTable::new(&config, context, factors.as_deref());
        let cos = Tensor::from_slice(&table.cos, (context, half), &device).map_err(wrap)?;
        let sin = Tensor::from_slice(&table.sin, (context, half), &device).map_err(wrap)?;
        Ok(Self {
            output_norm: vector("output_norm.weight")?,
            rope_style: config.architecture.rope_style(),
            config,
            context,
            device,
            embedding,
            output,
            layers,
            cos,
            sin,
            position: 0,
            logits: Vec::new(),
            embedded: Vec::new(),
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

    fn run(&mut self, tokens: &[u32], mode: LogitsMode) -> candle_core::Result<Vec<f32>> {
        let c = self.config.clone();
        let (n, d) = (tokens.len(), c.hidden_size);
        let start = self.position;
        self.embedded.resize(n * d, 0.0);
        for (t, &token) in tokens.iter().enumerate() {
            if token as usize >= self.embedding.rows {
                candle_core::bail!("token id {token} is outside the vocabulary");
            }
            self.embedding
                .dequantize_row(token as usize, &mut self.embedded[t * d..(t + 1) * d]);
        }
        let mut x = Tensor::from_slice(&self.embedded, (1, n, d), &self.device)?;
        let cos = self.cos.narrow(0, start, n)?;
        let sin = self.sin.narrow(0, start, n)?;
        let mask = if n > 1 {
            let total = start + n;
            let values: Vec<f32> = (0..n)
                .flat_map(|t| {
                    (0..total).map(move |p| {
                        if p <= start + t {
                            0.0
                        } else {
                            f32::NEG_INFINITY
                        }
                    })
                })
                .collect();
            Some(Tensor::from_vec(values, (1, 1, n, total), &self.device)?)
        } else {
            None
        };
        let (hd, heads, kv_heads) = (c.head_dim, c.heads, c.kv_heads);
        let group = heads / kv_heads;
        let scale = 1.0 / (hd as f64).sqrt();
        for li in 0..self.layers.len() {
            let layer = &self.layers[li];
            let h = candle_nn::ops::rms_norm(&x, &layer.attn_norm, c.rms_eps)?;
            let (q, k, v) = if layer.qkv.len() == 1 {
                let qkv = layer.qkv[0].forward(&h)?;
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
            let v = v
                .reshape((1, n, kv_heads, hd))?
                .transpose(1, 2)?
                .contiguous()?;
            let q = self.rotate(&q, &cos, &sin)?;
            let k = self.rotate(&k, &cos, &sin)?;
            let layer = &mut self.layers[li];
            let keys = match layer.keys.take() {
                Some(prev) => Tensor::cat(&[&prev, &k], 2)?,
                None => k,
            };
            let values = match layer.values.take() {
                Some(prev) => Tensor::cat(&[&prev, &v], 2)?,
                None => v,
            };
            layer.keys = Some(keys.clone());
            layer.values = Some(values.clone());
            let total = keys.dim(2)?;
            let expand = |t: Tensor| -> candle_core::Result<Tensor> {
                if group == 1 {
                    Ok(t)
                } else {
                    t.unsqueeze(2)?
                        .expand((1, kv_heads, group, total, hd))?
                        .reshape((1, heads, total, hd))
                }
            };
            let keys = expand(keys)?;
            let values = expand(values)?;
            let scores = (q.contiguous()?.matmul(&keys.t()?.contiguous()?)? * scale)?;
            let scores = match &mask {
                Some(mask) => scores.broadcast_add(mask)?,
                None => scores,
            };
            let weights = candle_nn::ops::softmax_last_dim(&scores)?;
            let attended = weights.matmul(&values.contiguous()?)?;
            let attended = attended.transpose(1, 2)?.reshape((1, n, c.q_dim()))?;
            let layer = &self.layers[li];
            x = (x + layer.attn_output.forward(&attended)?)?;
            let h = candle_nn::ops::rms_norm(&x, &layer.ffn_norm, c.rms_eps)?;
            let hidden = if layer.gate_up.len() == 2 {
                let gate = layer.gate_up[0].forward(&h)?;
                let up = layer.gate_up[1].forward(&h)?;
                (candle_nn::ops::silu(&gate)? * up)?
            } else {
                let fused = layer.gate_up[0].forward(&h)?;
                let ff = c.intermediate_size;
                let gate = fused.narrow(D::Minus1, 0, ff)?;
                let up = fused.narrow(D::Minus1, ff, ff)?;
                (candle_nn::ops::silu(&gate)? * up)?
            };
            x = (x + layer.down.forward(&hidden)?)?;
        }
        let x = match mode {
            LogitsMode::Last => x.narrow(1, n - 1, 1)?,
            LogitsMode::All => x,
        };
        let x = candle_nn::ops::rms_norm(&x, &self.output_norm, c.rms_eps)?;
        let logits = self.output.forward(&x)?;
        logits.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()
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

    fn truncate(&mut self, position: usize) {
        if position >= self.position {
            return;
        }
        for layer in &mut self.layers {
            for cache in [&mut layer.keys, &mut layer.values] {
                *cache = match cache.take() {
                    Some(t) if position > 0 => t.narrow(2, 0, position).ok(),
                    _ => None,
                };
            }
        }
        self.position = position;
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
        format!("candle quantised matmuls on {}", self.device_name())
    }

    fn kv_cache_bytes(&self) -> usize {
        self.layers
            .iter()
            .flat_map(|l| [&l.keys, &l.values])
            .flatten()
            .map(|t| t.elem_count() * t.dtype().size_in_bytes())
            .sum()
    }
}
