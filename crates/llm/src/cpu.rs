//! The CPU forward pass for llama, phi3 and qwen2, on quantised weights read in place from
//! the mapped GGUF.

use super::backend::{Backend, LogitsMode};
use super::config::{Architecture, ModelConfig, RopeTable};
use super::error::{LlmError, Result};
use super::gguf::GgufFile;
use super::kernels;
use super::matrix::{Activations, Matrix, matmul, matmul_many};
use super::pool::{SharedMut, ThreadPool};

enum Qkv {
    Fused(Matrix),
    Split { q: Matrix, k: Matrix, v: Matrix },
}

enum GateUp {
    Fused(Matrix),
    Split { gate: Matrix, up: Matrix },
}

struct Layer {
    attn_norm: Vec<f32>,
    qkv: Qkv,
    q_bias: Option<Vec<f32>>,
    k_bias: Option<Vec<f32>>,
    v_bias: Option<Vec<f32>>,
    attn_output: Matrix,
    ffn_norm: Vec<f32>,
    gate_up: GateUp,
    down: Matrix,
}

/// Keys and values of every layer, `[position][kv_dim]`, grown in chunks as the sequence
/// lengthens rather than sized for the whole context up front.
struct KvCache {
    keys: Vec<Vec<f32>>,
    values: Vec<Vec<f32>>,
    len: usize,
    capacity: usize,
}

const KV_GROWTH_CHUNK: usize = 256;

impl KvCache {
    fn ensure(&mut self, positions: usize, context: usize, kv_dim: usize) {
        if positions <= self.capacity {
            return;
        }
        let grown = (self.capacity * 2).max(positions).div_ceil(KV_GROWTH_CHUNK) * KV_GROWTH_CHUNK;
        let capacity = grown.min(context).max(positions);
        for layer in self.keys.iter_mut().chain(self.values.iter_mut()) {
            layer.resize(capacity * kv_dim, 0.0);
        }
        self.capacity = capacity;
    }

    fn bytes(&self) -> usize {
        self.keys
            .iter()
            .chain(&self.values)
            .map(|l| l.capacity() * 4)
            .sum()
    }
}

/// Buffers reused from one forward call to the next.
#[derive(Default)]
struct Scratch {
    residual: Vec<f32>,
    normed: Activations,
    fused: Vec<f32>,
    q: Vec<f32>,
    k: Vec<f32>,
    v: Vec<f32>,
    attended: Activations,
    projected: Vec<f32>,
    gate: Vec<f32>,
    up: Vec<f32>,
    hidden: Activations,
    scores: Vec<f32>,
}

pub(crate) struct CpuModel {
    config: ModelConfig,
    context: usize,
    pool: ThreadPool,
    embedding: Matrix,
    output: Option<Matrix>,
    output_norm: Vec<f32>,
    layers: Vec<Layer>,
    rope: RopeTable,
    cache: KvCache,
    scratch: Scratch,
    logits: Vec<f32>,
}

fn backend_error(problem: impl Into<String>) -> LlmError {
    LlmError::Backend {
        device: "cpu".into(),
        problem: problem.into(),
    }
}

struct Loader<'a> {
    file: &'a GgufFile,
}

impl Loader<'_> {
    fn has(&self, name: &str) -> bool {
        self.file.tensor(name).is_some()
    }

    fn matrix(&self, name: &str, rows: usize, cols: usize) -> Result<Matrix> {
        let info = self.file.tensor(name).ok_or_else(|| {
            LlmError::missing(self.file.path(), format!("tensor `{name}` is missing"))
        })?;
        let matrix = Matrix::load(self.file, info)?;
        if matrix.rows != rows || matrix.cols != cols {
            return Err(LlmError::corrupt(
                self.file.path(),
                format!(
                    "tensor `{name}` is {}×{} but the metadata implies {rows}×{cols}",
                    matrix.rows, matrix.cols
                ),
            ));
        }
        Ok(matrix)
    }

    fn vector(&self, name: &str, len: usize) -> Result<Vec<f32>> {
        let matrix = self.matrix(name, 1, len)?;
        let mut out = vec![0.0; len];
        matrix.dequantize_row(0, &mut out);
        Ok(out)
    }

    fn optional_vector(&self, name: &str, len: usize) -> Result<Option<Vec<f32>>> {
        if self.has(name) {
            self.vector(name, len).map(Some)
        } else {
            Ok(None)
        }
    }
}

impl CpuModel {
    pub(crate) fn load(
        file: &GgufFile,
        config: ModelConfig,
        context: usize,
        threads: usize,
    ) -> Result<Self> {
        let loader = Loader { file };
        let c = &config;
        let (d, ff, q_dim, kv_dim) = (c.hidden_size, c.intermediate_size, c.q_dim(), c.kv_dim());
        let embedding = loader.matrix("token_embd.weight", c.vocab_size, d)?;
        let output = if loader.has("output.weight") {
            Some(loader.matrix("output.weight", c.vocab_size, d)?)
        } else {
            None
        };
        let output_norm = loader.vector("output_norm.weight", d)?;
        let mut layers = Vec::with_capacity(c.layers);
        for i in 0..c.layers {
            let name = |suffix: &str| format!("blk.{i}.{suffix}");
            let qkv = if loader.has(&name("attn_qkv.weight")) {
                Qkv::Fused(loader.matrix(&name("attn_qkv.weight"), q_dim + 2 * kv_dim, d)?)
            } else {
                Qkv::Split {
                    q: loader.matrix(&name("attn_q.weight"), q_dim, d)?,
                    k: loader.matrix(&name("attn_k.weight"), kv_dim, d)?,
                    v: loader.matrix(&name("attn_v.weight"), kv_dim, d)?,
                }
            };
            let gate_up = if loader.has(&name("ffn_gate.weight")) {
                GateUp::Split {
                    gate: loader.matrix(&name("ffn_gate.weight"), ff, d)?,
                    up: loader.matrix(&name("ffn_up.weight"), ff, d)?,
                }
            } else {
                GateUp::Fused(loader.matrix(&name("ffn_up.weight"), 2 * ff, d)?)
            };
            layers.push(Layer {
                attn_norm: loader.vector(&name("attn_norm.weight"), d)?,
                qkv,
                q_bias: loader.optional_vector(&name("attn_q.bias"), q_dim)?,
                k_bias: loader.optional_vector(&name("attn_k.bias"), kv_dim)?,
                v_bias: loader.optional_vector(&name("attn_v.bias"), kv_dim)?,
                attn_output: loader.matrix(&name("attn_output.weight"), d, q_dim)?,
                ffn_norm: loader.vector(&name("ffn_norm.weight"), d)?,
                gate_up,
                down: loader.matrix(&name("ffn_down.weight"), d, ff)?,
            });
        }
        let rope_factors = rope_factors(&loader, c, context)?;
        let rope = RopeTable::new(c, context, rope_factors.as_deref());
        let cache = KvCache {
            keys: vec![Vec::new(); c.layers],
            values: vec![Vec::new(); c.layers],
            len: 0,
            capacity: 0,
        };
        if c.architecture == Architecture::Qwen2 && layers.iter().any(|l| l.q_bias.is_none()) {
            return Err(LlmError::missing(
                file.path(),
                "qwen2 attention biases are missing",
            ));
        }
        Ok(Self {
            pool: ThreadPool::new(threads),
            config,
            context,
            embedding,
            output,
            output_norm,
            layers,
            rope,
            cache,
            scratch: Scratch::default(),
            logits: Vec::new(),
        })
    }

    fn run_layers(&mut self, tokens: &[u32]) -> Result<()> {
        let c = &self.config;
        let (n, d, ff) = (tokens.len(), c.hidden_size, c.intermediate_size);
        let (q_dim, kv_dim, head_dim) = (c.q_dim(), c.kv_dim(), c.head_dim);
        let start = self.cache.len;
        let s = &mut self.scratch;
        s.residual.resize(n * d, 0.0);
        for (t, &token) in tokens.iter().enumerate() {
            if token as usize >= self.embedding.rows {
                return Err(backend_error(format!(
                    "token id {token} is outside the vocabulary of {}",
                    self.embedding.rows
                )));
            }
            self.embedding
                .dequantize_row(token as usize, &mut s.residual[t * d..(t + 1) * d]);
        }
        s.q.resize(n * q_dim, 0.0);
        s.k.resize(n * kv_dim, 0.0);
        s.v.resize(n * kv_dim, 0.0);
        s.projected.resize(n * d, 0.0);
        let pool = &self.pool;
        let failed = || backend_error("a worker thread failed during the forward pass");
        for (index, layer) in self.layers.iter().enumerate() {
            s.normed.reset(n, d);
            for t in 0..n {
                let row = t * d..(t + 1) * d;
                kernels::rms_norm(
                    &s.residual[row.clone()],
                    &layer.attn_norm,
                    c.rms_eps,
                    &mut s.normed.x[row],
                );
            }
            let ok = match &layer.qkv {
                Qkv::Fused(w) => {
                    s.fused.resize(n * w.rows, 0.0);
                    let ok = matmul(pool, w, &mut s.normed, &mut s.fused);
                    for t in 0..n {
                        let row = &s.fused[t * w.rows..(t + 1) * w.rows];
                        s.q[t * q_dim..(t + 1) * q_dim].copy_from_slice(&row[..q_dim]);
                        s.k[t * kv_dim..(t + 1) * kv_dim]
                            .copy_from_slice(&row[q_dim..q_dim + kv_dim]);
                        s.v[t * kv_dim..(t + 1) * kv_dim].copy_from_slice(&row[q_dim + kv_dim..]);
                    }
                    ok
                }
                Qkv::Split { q, k, v } => matmul_many(
                    pool,
                    &mut [(q, &mut s.q[..]), (k, &mut s.k[..]), (v, &mut s.v[..])],
                    &mut s.normed,
                ),
            };
            if !ok {
                return Err(failed());
            }
            for (buf, bias, width) in [
                (&mut s.q, &layer.q_bias, q_dim),
                (&mut s.k, &layer.k_bias, kv_dim),
                (&mut s.v, &layer.v_bias, kv_dim),
            ] {
                if let Some(bias) = bias {
                    for row in buf[..n * width].chunks_exact_mut(width) {
                        for (x, b) in row.iter_mut().zip(bias) {
                            *x += b;
                        }
                    }
                }
            }
            for t in 0..n {
                self.rope
                    .apply(&mut s.q[t * q_dim..(t + 1) * q_dim], head_dim, start + t);
                self.rope
                    .apply(&mut s.k[t * kv_dim..(t + 1) * kv_dim], head_dim, start + t);
            }
            let keys = &mut self.cache.keys[index];
            let values = &mut self.cache.values[index];
            // Keys and values are rounded to f16 precision, as llama.cpp's default cache
            // stores them, so greedy decoding follows the same path on near ties.
            for (dst, src) in keys[start * kv_dim..(start + n) * kv_dim]
                .iter_mut()
                .zip(&s.k)
            {
                *dst = kernels::round_to_f16(*src);
            }
            for (dst, src) in values[start * kv_dim..(start + n) * kv_dim]
                .iter_mut()
                .zip(&s.v)
            {
                *dst = kernels::round_to_f16(*src);
            }

            s.attended.reset(n, q_dim);
            if !attention(
                pool,
                c,
                start,
                &s.q,
                keys,
                values,
                &mut s.scores,
                &mut s.attended.x,
            ) {
                return Err(failed());
            }
            if !matmul(pool, &layer.attn_output, &mut s.attended, &mut s.projected) {
                return Err(failed());
            }
            for (x, p) in s.residual.iter_mut().zip(&s.projected) {
                *x += p;
            }

            s.normed.reset(n, d);
            for t in 0..n {
                let row = t * d..(t + 1) * d;
                kernels::rms_norm(
                    &s.residual[row.clone()],
                    &layer.ffn_norm,
                    c.rms_eps,
                    &mut s.normed.x[row],
                );
            }
            s.hidden.reset(n, ff);
            let ok = match &layer.gate_up {
                GateUp::Fused(w) => {
                    s.fused.resize(n * 2 * ff, 0.0);
                    let ok = matmul(pool, w, &mut s.normed, &mut s.fused);
                    for t in 0..n {
                        let row = &s.fused[t * 2 * ff..(t + 1) * 2 * ff];
                        let (gate, up) = row.split_at(ff);
                        for ((h, g), u) in s.hidden.x[t * ff..(t + 1) * ff]
                            .iter_mut()
                            .zip(gate)
                            .zip(up)
                        {
                            *h = kernels::silu(*g) * u;
                        }
                    }
                    ok
                }
                GateUp::Split { gate, up } => {
                    s.gate.resize(n * ff, 0.0);
                    s.up.resize(n * ff, 0.0);
                    let ok = matmul_many(
                        pool,
                        &mut [(gate, &mut s.gate[..]), (up, &mut s.up[..])],
                        &mut s.normed,
                    );
                    for ((h, g), u) in s.hidden.x.iter_mut().zip(&s.gate).zip(&s.up) {
                        *h = kernels::silu(*g) * u;
                    }
                    ok
                }
            };
            if !ok || !matmul(pool, &layer.down, &mut s.hidden, &mut s.projected) {
                return Err(failed());
            }
            for (x, p) in s.residual.iter_mut().zip(&s.projected) {
                *x += p;
            }
        }
        Ok(())
    }
}

fn rope_factors(loader: &Loader<'_>, c: &ModelConfig, context: usize) -> Result<Option<Vec<f32>>> {
    let half = c.rope_dims / 2;
    // Phi-3.5 ships short factors for contexts up to the original length and long ones
    // beyond; pick by the context we actually run with.
    let long = c
        .original_context
        .is_some_and(|original| context > original);
    let name = if long {
        "rope_factors_long.weight"
    } else {
        "rope_factors_short.weight"
    };
    if loader.has(name) {
        return loader.vector(name, half).map(Some);
    }
    loader.optional_vector("rope_freqs.weight", half)
}

/// The widest attention head supported (the config check allows up to this).
pub(crate) const MAX_HEAD_DIM: usize = 1024;

/// Causal attention of `n` new tokens at positions `start..start + n` over the cache.
#[allow(clippy::too_many_arguments)]
fn attention(
    pool: &ThreadPool,
    c: &ModelConfig,
    start: usize,
    q: &[f32],
    keys: &[f32],
    values: &[f32],
    scores: &mut Vec<f32>,
    out: &mut [f32],
) -> bool {
    let (heads, head_dim, kv_dim) = (c.heads, c.head_dim, c.kv_dim());
    let group = heads / c.kv_heads;
    let n = q.len() / c.q_dim();
    let total = start + n;
    scores.resize(pool.threads() * total, 0.0);
    let scores = SharedMut::new(scores);
    let out = SharedMut::new(out);
    let scale = 1.0 / (head_dim as f32).sqrt();
    pool.for_chunks(n * heads, 1, &|thread, items| {
        // SAFETY: each thread uses its own scores row; each (token, head) output slice is
        // written by the thread that took that item.
        let scores = unsafe { scores.slice(thread * total..(thread + 1) * total) };
        for item in items {
            let (t, h) = (item / heads, item % heads);
            let kv_offset = (h / group) * head_dim;
            // Like llama.cpp with its f16 cache, the query and the attention weights meet
            // the cache at f16 precision.
            let mut query = [0f32; MAX_HEAD_DIM];
            let query = &mut query[..head_dim];
            for (dst, src) in query.iter_mut().zip(&q[(t * heads + h) * head_dim..]) {
                *dst = kernels::round_to_f16(*src);
            }
            let visible = start + t + 1;
            let scores = &mut scores[..visible];
            for (p, score) in scores.iter_mut().enumerate() {
                let key = &keys[p * kv_dim + kv_offset..p * kv_dim + kv_offset + head_dim];
                *score = kernels::dot_f32(query, key) * scale;
            }
            kernels::softmax_in_place(scores);
            for score in scores.iter_mut() {
                *score = kernels::round_to_f16(*score);
            }
            let o =
                unsafe { out.slice((t * heads + h) * head_dim..(t * heads + h + 1) * head_dim) };
            o.fill(0.0);
            for (p, &weight) in scores.iter().enumerate() {
                let value = &values[p * kv_dim + kv_offset..p * kv_dim + kv_offset + head_dim];
                kernels::axpy(o, weight, value);
            }
        }
    })
}

impl Backend for CpuModel {
    fn forward(&mut self, tokens: &[u32], mode: LogitsMode) -> Result<&[f32]> {
        if tokens.is_empty() {
            return Err(LlmError::EmptyPrompt);
        }
        let start = self.cache.len;
        if start + tokens.len() > self.context {
            return Err(LlmError::PromptTooLong {
                prompt_tokens: start + tokens.len(),
                context_length: self.context,
                reserved: 0,
            });
        }
        self.cache
            .ensure(start + tokens.len(), self.context, self.config.kv_dim());
        self.run_layers(tokens)?;
        self.cache.len = start + tokens.len();

        let (n, d) = (tokens.len(), self.config.hidden_size);
        let first = match mode {
            LogitsMode::Last => n - 1,
            LogitsMode::All => 0,
        };
        let rows = n - first;
        let s = &mut self.scratch;
        s.normed.reset(rows, d);
        for (i, t) in (first..n).enumerate() {
            kernels::rms_norm(
                &s.residual[t * d..(t + 1) * d],
                &self.output_norm,
                self.config.rms_eps,
                &mut s.normed.x[i * d..(i + 1) * d],
            );
        }
        let output = self.output.as_ref().unwrap_or(&self.embedding);
        self.logits.resize(rows * output.rows, 0.0);
        if !matmul(&self.pool, output, &mut s.normed, &mut self.logits) {
            return Err(backend_error("a worker thread failed computing logits"));
        }
        Ok(&self.logits)
    }

    fn position(&self) -> usize {
        self.cache.len
    }

    fn truncate(&mut self, position: usize) {
        self.cache.len = self.cache.len.min(position);
    }

    fn context_length(&self) -> usize {
        self.context
    }

    fn vocab_size(&self) -> usize {
        self.output.as_ref().unwrap_or(&self.embedding).rows
    }

    fn device_name(&self) -> String {
        format!("cpu ({} threads)", self.pool.threads())
    }

    fn kernel_path(&self) -> String {
        kernels::cpu_kernel_path()
    }

    fn kv_cache_bytes(&self) -> usize {
        self.cache.bytes()
    }
}
