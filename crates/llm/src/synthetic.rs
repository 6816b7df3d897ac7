//! Small GGUF models with random weights, written with candle's GGUF writer and real
//! quantisation, so tests and benchmarks can exercise every architecture without downloads.
//! The files also load in llama.cpp: they carry a small byte-level BPE vocabulary of their
//! own, or a real model's vocabulary and chat template copied from a vocabulary-only GGUF.

use std::path::{Path, PathBuf};

use candle_core::quantized::gguf_file::{self, Value};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};

use super::config::Architecture;
use super::error::{LlmError, Result};

/// Quantisation of a synthetic model's matrices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightType {
    Q4_0,
    Q4_1,
    Q8_0,
    Q4K,
    Q5K,
    Q6K,
    /// llama.cpp's Q4_K_M mix, as the catalogue's files are: Q4_K, with Q6_K for the
    /// output and for `attn_v` and `ffn_down` in the layers that matter most, and Q5_K for
    /// a fused `attn_qkv`.
    Q4KM,
}

impl WeightType {
    /// The type of matrix `tensor` (`attn_v`, `ffn_down`, `output`…) of layer `layer`.
    fn ggml_for(self, tensor: &str, layer: usize, layers: usize) -> GgmlDType {
        if self != Self::Q4KM {
            return self.ggml();
        }
        // llama.cpp's choice of layers given more bits: the first and last eighth, and every
        // third one between.
        let more_bits =
            layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
        match tensor {
            "output" => GgmlDType::Q6K,
            "attn_qkv" => GgmlDType::Q5K,
            "attn_v" | "ffn_down" if more_bits => GgmlDType::Q6K,
            _ => GgmlDType::Q4K,
        }
    }

    fn ggml(self) -> GgmlDType {
        match self {
            Self::Q4KM => GgmlDType::Q4K,
            Self::Q4_0 => GgmlDType::Q4_0,
            Self::Q4_1 => GgmlDType::Q4_1,
            Self::Q8_0 => GgmlDType::Q8_0,
            Self::Q4K => GgmlDType::Q4K,
            Self::Q5K => GgmlDType::Q5K,
            Self::Q6K => GgmlDType::Q6K,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SyntheticModel {
    pub architecture: Architecture,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub layers: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub vocab_size: usize,
    pub context_length: usize,
    pub weight_type: WeightType,
    /// The type of the token embedding and output matrices.
    pub embedding_type: WeightType,
    pub rope_base: f32,
    /// Without an `output.weight`, the model reuses the embedding (as SmolLM2 does).
    pub tied_embeddings: bool,
    /// Adds Phi-3.5-style LongRoPE factors and original context length.
    pub long_rope: bool,
    pub seed: u64,
    /// A GGUF whose `tokenizer.*` metadata (vocabulary, merges or scores, special tokens,
    /// chat template) the model carries instead of its own small vocabulary; the vocabulary
    /// size follows it.
    pub vocabulary: Option<PathBuf>,
}

impl SyntheticModel {
    /// A model of a few hundred kilobytes for tests.
    pub fn tiny(architecture: Architecture) -> Self {
        Self {
            architecture,
            hidden_size: 256,
            intermediate_size: 512,
            layers: 2,
            heads: 4,
            kv_heads: if architecture == Architecture::Phi3 {
                4
            } else {
                2
            },
            vocab_size: 384,
            context_length: 512,
            weight_type: WeightType::Q4K,
            embedding_type: WeightType::Q8_0,
            rope_base: match architecture {
                Architecture::Qwen2 => 1_000_000.0,
                _ => 10_000.0,
            },
            tied_embeddings: architecture == Architecture::Qwen2,
            long_rope: architecture == Architecture::Phi3,
            seed: 1,
            vocabulary: None,
        }
    }

    /// Phi-3.5-mini's shape in small (head size 96, no grouped heads, LongRoPE, 2 layers)
    /// with the real vocabulary and template from `vocabulary`.
    pub fn phi35_shaped(vocabulary: &Path) -> Self {
        Self {
            architecture: Architecture::Phi3,
            hidden_size: 768,
            intermediate_size: 2048,
            layers: 2,
            heads: 8,
            kv_heads: 8,
            vocab_size: 0,
            context_length: 16384,
            weight_type: WeightType::Q4K,
            embedding_type: WeightType::Q4K,
            rope_base: 10_000.0,
            tied_embeddings: false,
            long_rope: true,
            seed: 35,
            vocabulary: Some(vocabulary.to_path_buf()),
        }
    }

    /// Qwen2.5-7B's shape in small (head size 128, four query heads per KV head, biased
    /// projections, an output matrix of its own, 1 layer) with the real vocabulary from
    /// `vocabulary`.
    pub fn qwen25_shaped(vocabulary: &Path) -> Self {
        Self {
            architecture: Architecture::Qwen2,
            hidden_size: 512,
            intermediate_size: 1536,
            layers: 1,
            heads: 4,
            kv_heads: 1,
            vocab_size: 0,
            context_length: 32768,
            weight_type: WeightType::Q4K,
            embedding_type: WeightType::Q4K,
            rope_base: 1_000_000.0,
            tied_embeddings: false,
            long_rope: false,
            seed: 25,
            vocabulary: Some(vocabulary.to_path_buf()),
        }
    }

    /// Phi-3.5-mini's exact widths (3072 wide, 8192 feed-forward, 32 heads, 32064 tokens)
    /// with only `layers` layers: a realistic benchmark shape.
    pub fn phi35_mini_width(layers: usize) -> Self {
        Self {
            architecture: Architecture::Phi3,
            hidden_size: 3072,
            intermediate_size: 8192,
            layers,
            heads: 32,
            kv_heads: 32,
            vocab_size: 32064,
            context_length: 4096,
            weight_type: WeightType::Q4K,
            embedding_type: WeightType::Q4K,
            rope_base: 10_000.0,
            tied_embeddings: false,
            long_rope: false,
            seed: 3,
            vocabulary: None,
        }
    }

    fn special_tokens(&self) -> &'static [&'static str] {
        match self.architecture {
            Architecture::Phi3 => &[
                "<|endoftext|>",
                "<|user|>",
                "<|assistant|>",
                "<|system|>",
                "<|end|>",
            ],
            _ => &["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        }
    }

    /// Writes the model to `path`.
    pub fn write(&self, path: &Path) -> Result<()> {
        let fail = |problem: String| LlmError::Backend {
            device: "synthetic model writer".into(),
            problem,
        };
        let arch = self.architecture.gguf_name();
        let head_dim = self.hidden_size / self.heads;
        let kv_dim = head_dim * self.kv_heads;
        let mut rng = SplitMix(self.seed);

        let (tokenizer_metadata, vocab_size) = match &self.vocabulary {
            Some(path) => borrowed_vocabulary(path)?,
            None => self.own_vocabulary(),
        };
        let key = |k: &str| format!("{arch}.{k}");
        let mut metadata: Vec<(String, Value)> = vec![
            ("general.architecture".into(), Value::String(arch.into())),
            (
                "general.name".into(),
                Value::String(format!("synthetic-{arch}")),
            ),
            (
                key("context_length"),
                Value::U32(self.context_length as u32),
            ),
            (key("embedding_length"), Value::U32(self.hidden_size as u32)),
            (
                key("feed_forward_length"),
                Value::U32(self.intermediate_size as u32),
            ),
            (key("block_count"), Value::U32(self.layers as u32)),
            (key("attention.head_count"), Value::U32(self.heads as u32)),
            (
                key("attention.head_count_kv"),
                Value::U32(self.kv_heads as u32),
            ),
            (key("attention.layer_norm_rms_epsilon"), Value::F32(1e-5)),
            (key("rope.dimension_count"), Value::U32(head_dim as u32)),
            (key("rope.freq_base"), Value::F32(self.rope_base)),
        ];
        metadata.extend(tokenizer_metadata);
        if self.long_rope {
            metadata.push((
                key("rope.scaling.original_context_length"),
                Value::U32((self.context_length / 4).max(1) as u32),
            ));
            metadata.push((key("rope.scaling.attn_factor"), Value::F32(1.19)));
        }

        let quantize =
            |values: Vec<f32>, rows: usize, cols: usize, dtype: GgmlDType| -> Result<QTensor> {
                let shape: Vec<usize> = if rows == 1 {
                    vec![cols]
                } else {
                    vec![rows, cols]
                };
                let tensor = Tensor::from_vec(values, shape, &Device::Cpu)
                    .map_err(|e| fail(e.to_string()))?;
                QTensor::quantize(&tensor, dtype).map_err(|e| fail(e.to_string()))
            };
        let layers = self.layers;
        let matrix = |rng: &mut SplitMix, rows: usize, cols: usize, dtype: GgmlDType| {
            let bound = (3.0 / cols as f32).sqrt();
            let values = (0..rows * cols).map(|_| rng.uniform(bound)).collect();
            quantize(values, rows, cols, dtype)
        };
        let mut tensors: Vec<(String, QTensor)> = Vec::new();
        let d = self.hidden_size;
        let ff = self.intermediate_size;
        let vector = |rng: &mut SplitMix, len: usize, center: f32, spread: f32| {
            let values = (0..len).map(|_| center + rng.uniform(spread)).collect();
            quantize(values, 1, len, GgmlDType::F32)
        };
        let embedding_values = (0..vocab_size * d).map(|_| rng.uniform(1.0)).collect();
        tensors.push((
            "token_embd.weight".into(),
            quantize(embedding_values, vocab_size, d, self.embedding_type.ggml())?,
        ));
        for i in 0..self.layers {
            let name = |s: &str| format!("blk.{i}.{s}");
            tensors.push((name("attn_norm.weight"), vector(&mut rng, d, 1.0, 0.1)?));
            match self.architecture {
                Architecture::Phi3 => {
                    tensors.push((
                        name("attn_qkv.weight"),
                        matrix(
                            &mut rng,
                            d + 2 * kv_dim,
                            d,
                            self.weight_type.ggml_for("attn_qkv", i, layers),
                        )?,
                    ));
                }
                _ => {
                    tensors.push((
                        name("attn_q.weight"),
                        matrix(
                            &mut rng,
                            d,
                            d,
                            self.weight_type.ggml_for("attn_q", i, layers),
                        )?,
                    ));
                    tensors.push((
                        name("attn_k.weight"),
                        matrix(
                            &mut rng,
                            kv_dim,
                            d,
                            self.weight_type.ggml_for("attn_k", i, layers),
                        )?,
                    ));
                    tensors.push((
                        name("attn_v.weight"),
                        matrix(
                            &mut rng,
                            kv_dim,
                            d,
                            self.weight_type.ggml_for("attn_v", i, layers),
                        )?,
                    ));
                }
            }
            if self.architecture == Architecture::Qwen2 {
                tensors.push((name("attn_q.bias"), vector(&mut rng, d, 0.0, 0.5)?));
                tensors.push((name("attn_k.bias"), vector(&mut rng, kv_dim, 0.0, 0.5)?));
                tensors.push((name("attn_v.bias"), vector(&mut rng, kv_dim, 0.0, 0.5)?));
            }
            tensors.push((
                name("attn_output.weight"),
                matrix(
                    &mut rng,
                    d,
                    d,
                    self.weight_type.ggml_for("attn_output", i, layers),
                )?,
            ));
            tensors.push((name("ffn_norm.weight"), vector(&mut rng, d, 1.0, 0.1)?));
            match self.architecture {
                Architecture::Phi3 => {
                    tensors.push((
                        name("ffn_up.weight"),
                        matrix(
                            &mut rng,
                            2 * ff,
                            d,
                            self.weight_type.ggml_for("ffn_up", i, layers),
                        )?,
                    ));
                }
                _ => {
                    tensors.push((
                        name("ffn_gate.weight"),
                        matrix(
                            &mut rng,
                            ff,
                            d,
                            self.weight_type.ggml_for("ffn_gate", i, layers),
                        )?,
                    ));
                    tensors.push((
                        name("ffn_up.weight"),
                        matrix(
                            &mut rng,
                            ff,
                            d,
                            self.weight_type.ggml_for("ffn_up", i, layers),
                        )?,
                    ));
                }
            }
            tensors.push((
                name("ffn_down.weight"),
                matrix(
                    &mut rng,
                    d,
                    ff,
                    self.weight_type.ggml_for("ffn_down", i, layers),
                )?,
            ));
        }
        tensors.push(("output_norm.weight".into(), vector(&mut rng, d, 1.0, 0.1)?));
        if !self.tied_embeddings {
            tensors.push((
                "output.weight".into(),
                matrix(
                    &mut rng,
                    vocab_size,
                    d,
                    self.embedding_type.ggml_for("output", 0, layers),
                )?,
            ));
        }
        if self.long_rope {
            let half = head_dim / 2;
            let short = (0..half).map(|i| 1.0 + i as f32 / half as f32).collect();
            let long = (0..half)
                .map(|i| 1.0 + 8.0 * i as f32 / half as f32)
                .collect();
            tensors.push((
                "rope_factors_short.weight".into(),
                quantize(short, 1, half, GgmlDType::F32)?,
            ));
            tensors.push((
                "rope_factors_long.weight".into(),
                quantize(long, 1, half, GgmlDType::F32)?,
            ));
        }

        let metadata_refs: Vec<(&str, &Value)> =
            metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let tensor_refs: Vec<(&str, &QTensor)> =
            tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let tmp = path.with_extension("gguf.partial");
        let file = std::fs::File::create(&tmp).map_err(|source| LlmError::Open {
            path: tmp.clone(),
            source,
        })?;
        let mut writer = std::io::BufWriter::new(file);
        gguf_file::write(&mut writer, &metadata_refs, &tensor_refs)
            .map_err(|e| fail(e.to_string()))?;
        drop(writer);
        std::fs::rename(&tmp, path).map_err(|source| LlmError::Open {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The model's own small byte-level BPE vocabulary as `tokenizer.*` metadata, with its
    /// size.
    fn own_vocabulary(&self) -> (Vec<(String, Value)>, usize) {
        let (tokens, token_types, merges, eos) = self.vocabulary();
        let size = tokens.len();
        let metadata = vec![
            ("tokenizer.ggml.model".into(), Value::String("gpt2".into())),
            ("tokenizer.ggml.pre".into(), Value::String("default".into())),
            (
                "tokenizer.ggml.tokens".into(),
                Value::Array(tokens.into_iter().map(Value::String).collect()),
            ),
            (
                "tokenizer.ggml.token_type".into(),
                Value::Array(token_types.into_iter().map(Value::I32).collect()),
            ),
            (
                "tokenizer.ggml.merges".into(),
                Value::Array(merges.into_iter().map(Value::String).collect()),
            ),
            ("tokenizer.ggml.bos_token_id".into(), Value::U32(eos)),
            ("tokenizer.ggml.eos_token_id".into(), Value::U32(eos)),
            ("tokenizer.ggml.padding_token_id".into(), Value::U32(eos)),
            ("tokenizer.ggml.add_bos_token".into(), Value::Bool(false)),
        ];
        (metadata, size)
    }

    /// A byte-level BPE vocabulary: the 256 byte symbols, a few merges, the special tokens,
    /// and filler tokens up to the vocabulary size. Returns (tokens, types, merges, eos id).
    fn vocabulary(&self) -> (Vec<String>, Vec<i32>, Vec<String>, u32) {
        let mut tokens: Vec<String> = byte_symbols().into_iter().map(String::from).collect();
        let mut types = vec![1i32; tokens.len()];
        let merges: Vec<String> = [
            "Ġ t", "h e", "Ġt he", "Ġ a", "i n", "e r", "o n", "Ġ c", "o r", "Ġ s",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for m in &merges {
            tokens.push(m.replace(' ', ""));
            types.push(1);
        }
        let eos = tokens.len() as u32;
        for special in self.special_tokens() {
            tokens.push(special.to_string());
            types.push(3);
        }
        let mut filler = 0;
        while tokens.len() < self.vocab_size {
            tokens.push(format!("filler{filler}"));
            types.push(1);
            filler += 1;
        }
        (tokens, types, merges, eos)
    }
}

/// GPT-2's reversible mapping of bytes to printable characters, in byte order.
/// The `tokenizer.*` metadata of the GGUF at `path`, with its vocabulary's size.
fn borrowed_vocabulary(path: &Path) -> Result<(Vec<(String, Value)>, usize)> {
    let open_error = |source| LlmError::Open {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(open_error)?;
    let content = gguf_file::Content::read(&mut file).map_err(|e| LlmError::Backend {
        device: "synthetic model writer".into(),
        problem: format!("cannot read the vocabulary in {}: {e}", path.display()),
    })?;
    let size = match content.metadata.get("tokenizer.ggml.tokens") {
        Some(Value::Array(tokens)) => tokens.len(),
        _ => {
            return Err(LlmError::MissingMetadata {
                path: path.to_path_buf(),
                problem: "no `tokenizer.ggml.tokens`".into(),
            });
        }
    };
    let mut metadata: Vec<(String, Value)> = content
        .metadata
        .into_iter()
        .filter(|(key, _)| key.starts_with("tokenizer."))
        .collect();
    // A stable order keeps the written file the same from run to run.
    metadata.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((metadata, size))
}

fn byte_symbols() -> Vec<char> {
    let printable =
        |b: u32| (33..=126).contains(&b) || (161..=172).contains(&b) || (174..=255).contains(&b);
    let mut next = 256;
    (0u32..256)
        .map(|b| {
            if printable(b) {
                char::from_u32(b).unwrap_or('?')
            } else {
                let c = char::from_u32(next).unwrap_or('?');
                next += 1;
                c
            }
        })
        .collect()
}

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in (-bound, bound).
    fn uniform(&mut self, bound: f32) -> f32 {
        ((self.next() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * bound
    }
}
