//! `cadence bench`: load time, prefill and decode speed, time to first token, peak memory
//! and the share of the memory-bandwidth roofline for one GGUF, as JSON, naming the device
//! and kernels it ran on. `scripts/bench_vs_llama_cpp.py` runs llama.cpp on the same
//! token ids for comparison.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::backend::LogitsMode;
use super::config::Architecture;
use super::constraint::{Allowed, ConstraintFactory, mask_logits};
use super::device::DeviceChoice;
use super::error::{LlmError, Result};
use super::gguf::GgufFile;
use super::matrix::Matrix;
use super::model::{LoadOptions, Model, default_threads};
use super::roofline::{bandwidth_of_device, roofline_tokens_per_s};
use super::sampler::argmax;
use super::tokenizer::TextTokenizer;

#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub threads: Option<usize>,
    /// Prompt lengths whose prefill is timed.
    pub prompt_lengths: Vec<usize>,
    /// Tokens decoded one at a time after the first prompt.
    pub decode_tokens: usize,
    /// The prompt length time to first token is measured on: a lesson request.
    pub first_token_prompt: usize,
    pub device: DeviceChoice,
    /// Each figure is the best of this many runs.
    pub repetitions: usize,
    /// Also time greedy decoding under this JSON Schema against free decoding.
    pub schema: Option<serde_json::Value>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            threads: None,
            prompt_lengths: vec![64, 512],
            decode_tokens: 128,
            first_token_prompt: LESSON_PROMPT_TOKENS,
            device: DeviceChoice::Auto,
            repetitions: 2,
            schema: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PrefillFigure {
    pub prompt_tokens: usize,
    pub ms: f64,
    pub tokens_per_s: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecodeFigure {
    pub tokens: usize,
    /// The decode starts after a prompt of this many tokens.
    pub after_prompt_tokens: usize,
    pub ms: f64,
    pub tokens_per_s: f64,
}

/// The cost of constrained decoding: per greedy step, the forward pass against the
/// constraint's work, measured in the same steps.
#[derive(Debug, Clone, Serialize)]
pub struct ConstraintFigure {
    pub tokens: usize,
    pub free_tokens_per_s: f64,
    pub constrained_tokens_per_s: f64,
    /// How much slower constrained decoding is, in percent of the free speed.
    pub slowdown_percent: f64,
    /// Mean time the constraint takes per token: computing the mask, applying it, and
    /// advancing the parser.
    pub constraint_ms_per_token: f64,
    /// Building the token trie and compiling the schema, once per generation.
    pub setup_ms: f64,
}

/// The prompt length time to first token is measured at: a lesson request's, for which the
/// speed goal (a first token in under a second on an M4 Pro) is stated.
pub const LESSON_PROMPT_TOKENS: usize = 500;

/// Decoding against the memory-bandwidth bound (every weight read once per token).
#[derive(Debug, Clone, Serialize)]
pub struct RooflineFigure {
    pub chip: String,
    pub bandwidth_gb_per_s: f64,
    /// The bytes read per token: the file's size, as the bound is usually stated.
    pub bytes_per_token: u64,
    pub roofline_tokens_per_s: f64,
    /// Decode speed as a percentage of the bound.
    pub percent_of_roofline: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub model: String,
    pub architecture: Architecture,
    pub device: String,
    /// The kernels the forward pass ran on.
    pub kernel_path: String,
    /// Why the model ran on the CPU although a GPU was wanted, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_notice: Option<String>,
    pub threads: usize,
    pub file_size_bytes: u64,
    pub load_ms: f64,
    pub prefill: Vec<PrefillFigure>,
    pub decode: DecodeFigure,
    /// Prefill of a lesson-length prompt plus choosing the first token.
    pub time_to_first_token_ms: f64,
    pub time_to_first_token_prompt_tokens: usize,
    /// Dequantising one token's embedding row on the host, which the GPU pass does per
    /// token instead of keeping the table as f32 on the device.
    pub embedding_row_us: f64,
    pub kv_cache_bytes: usize,
    /// Peak resident host memory of the process, before the constraint benchmark. GPU
    /// buffers in the GPU's own storage (the KV cache on Metal or CUDA) are not in it.
    pub peak_rss_bytes: Option<u64>,
    /// On a GPU whose bandwidth is known (a CPU's cores reach only part of it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roofline: Option<RooflineFigure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constrained_decode: Option<ConstraintFigure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constrained_decode_skipped: Option<String>,
}

/// The prompt the benchmark feeds: deterministic ids spread over the vocabulary, avoiding
/// the first and last hundred ids where special tokens usually sit.
pub fn bench_tokens(count: usize, vocab_size: usize) -> Vec<u32> {
    let span = vocab_size.saturating_sub(200).max(1);
    (0..count)
        .map(|i| (100 + (i * 7919 + 13) % span).min(vocab_size.saturating_sub(1)) as u32)
        .collect()
}

pub fn run(path: &Path, options: &BenchOptions) -> Result<BenchReport> {
    if options.prompt_lengths.is_empty() || options.prompt_lengths.contains(&0) {
        return Err(LlmError::InvalidOptions(
            "benchmark prompt lengths must be positive".into(),
        ));
    }
    let first_token_prompt = options.first_token_prompt.max(1);
    let longest = options
        .prompt_lengths
        .iter()
        .copied()
        .max()
        .unwrap_or(1)
        .max(first_token_prompt);
    let first_prompt = options.prompt_lengths[0];
    let threads = options.threads.unwrap_or_else(default_threads).max(1);
    let repetitions = options.repetitions.max(1);

    let started = Instant::now();
    let file = GgufFile::open(path)?;
    // Without a vocabulary to rebuild (the GGUF needs a tokenizer.json), the constrained
    // figure is skipped and the report says why.
    let tokenizer = options
        .schema
        .as_ref()
        .map(|_| TextTokenizer::load(&file, None).map_err(|e| e.to_string()));
    let file_size = file.file_size() as u64;
    let mut model = Model::from_gguf(
        &file,
        &LoadOptions {
            context_length: Some(longest.max(first_prompt + options.decode_tokens) + 1),
            threads: Some(threads),
            device: options.device,
            tokenizer_json: None,
        },
    )?;
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    let embedding_row_us = embedding_row_us(&file)?;
    drop(file);
    let vocab = model.vocab_size();
    let prompt = bench_tokens(longest, vocab);

    // One warm-up pass pages the weights in and sizes the scratch buffers.
    model.forward(&prompt[..first_prompt.min(16)], LogitsMode::Last)?;

    let mut first_token_ms = |length: usize| -> Result<f64> {
        let mut best = f64::INFINITY;
        for _ in 0..repetitions {
            model.truncate(0);
            let t = Instant::now();
            let logits = model.forward(&prompt[..length], LogitsMode::Last)?;
            std::hint::black_box(argmax(logits));
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
        }
        Ok(best)
    };
    let time_to_first_token_ms = first_token_ms(first_token_prompt)?;
    let mut prefill = Vec::new();
    for &length in &options.prompt_lengths {
        let best = first_token_ms(length)?;
        prefill.push(PrefillFigure {
            prompt_tokens: length,
            ms: best,
            tokens_per_s: length as f64 / (best / 1e3),
        });
    }

    let mut best_decode = f64::INFINITY;
    for _ in 0..repetitions {
        model.truncate(0);
        let mut token = argmax(model.forward(&prompt[..first_prompt], LogitsMode::Last)?);
        let t = Instant::now();
        for _ in 0..options.decode_tokens {
            token = argmax(model.forward(&[token], LogitsMode::Last)?);
        }
        best_decode = best_decode.min(t.elapsed().as_secs_f64() * 1e3);
    }
    let peak_rss_bytes = peak_rss_bytes();
    let (mut constrained_decode, mut constrained_decode_skipped) = (None, None);
    match (&options.schema, tokenizer) {
        (Some(schema), Some(Ok(tokenizer))) => {
            constrained_decode = Some(constraint_figure(
                &mut model,
                &tokenizer,
                schema,
                &prompt[..first_prompt],
                options.decode_tokens,
                repetitions,
            )?)
        }
        (_, Some(Err(problem))) => constrained_decode_skipped = Some(problem),
        _ => {}
    }
    let decode_tokens_per_s = options.decode_tokens as f64 / (best_decode / 1e3);
    let device = model.device_name();
    let roofline = bandwidth_of_device(&device).map(|bandwidth| {
        let bound = roofline_tokens_per_s(&bandwidth, file_size);
        RooflineFigure {
            chip: bandwidth.chip,
            bandwidth_gb_per_s: bandwidth.gb_per_s,
            bytes_per_token: file_size,
            roofline_tokens_per_s: bound,
            percent_of_roofline: decode_tokens_per_s / bound * 100.0,
        }
    });
    Ok(BenchReport {
        model: path.display().to_string(),
        architecture: model.config().architecture,
        device,
        kernel_path: model.kernel_path(),
        device_notice: model.device_notice().map(str::to_owned),
        threads,
        file_size_bytes: file_size,
        load_ms,
        prefill,
        decode: DecodeFigure {
            tokens: options.decode_tokens,
            after_prompt_tokens: first_prompt,
            ms: best_decode,
            tokens_per_s: decode_tokens_per_s,
        },
        time_to_first_token_ms,
        time_to_first_token_prompt_tokens: first_token_prompt,
        embedding_row_us,
        kv_cache_bytes: model.kv_cache_bytes(),
        peak_rss_bytes,
        roofline,
        constrained_decode,
        constrained_decode_skipped,
    })
}

/// Decodes `tokens` greedy steps under `schema`, timing each step's forward pass apart from
/// the constraint's work (mask, masking, advancing the parser). Both are measured in the
/// same steps, so machine noise cannot favour either; free decoding is the same loop
/// without the constraint's share. Keeps the run with the least constraint time per token.
fn constraint_figure(
    model: &mut Model,
    tokenizer: &TextTokenizer,
    schema: &serde_json::Value,
    prompt: &[u32],
    tokens: usize,
    repetitions: usize,
) -> Result<ConstraintFigure> {
    let setup = Instant::now();
    let factory = ConstraintFactory::new(tokenizer, model.vocab_size())?;
    factory.json_schema(schema)?;
    let setup_ms = setup.elapsed().as_secs_f64() * 1e3;

    let mut best: Option<(usize, f64, f64)> = None;
    for _ in 0..repetitions {
        model.truncate(0);
        let mut constraint = factory.json_schema(schema)?;
        let mut logits = model.forward(prompt, LogitsMode::Last)?.to_vec();
        let (mut steps, mut forward_ms, mut constraint_ms) = (0usize, 0.0, 0.0);
        while steps < tokens {
            let t = Instant::now();
            let Allowed::Tokens(mask) = constraint.next_allowed()? else {
                break;
            };
            mask_logits(&mask, &mut logits);
            let token = argmax(&logits);
            if tokenizer.end_tokens().contains(&token) {
                break;
            }
            constraint.accept(token)?;
            constraint_ms += t.elapsed().as_secs_f64() * 1e3;
            let t = Instant::now();
            logits.clear();
            logits.extend_from_slice(model.forward(&[token], LogitsMode::Last)?);
            forward_ms += t.elapsed().as_secs_f64() * 1e3;
            steps += 1;
        }
        if steps == 0 {
            return Err(LlmError::Constraint(
                "the schema allowed no token to benchmark".into(),
            ));
        }
        let run = (
            steps,
            forward_ms / steps as f64,
            constraint_ms / steps as f64,
        );
        if best.is_none_or(|(_, _, c)| run.2 < c) {
            best = Some(run);
        }
    }
    let (steps, forward, constraint) = best.expect("at least one repetition");
    Ok(ConstraintFigure {
        tokens: steps,
        free_tokens_per_s: 1e3 / forward,
        constrained_tokens_per_s: 1e3 / (forward + constraint),
        slowdown_percent: constraint / forward * 100.0,
        constraint_ms_per_token: constraint,
        setup_ms,
    })
}

/// The mean time to dequantise one row of the token embedding on the host, in µs, over
/// rows spread across the table.
fn embedding_row_us(file: &GgufFile) -> Result<f64> {
    let info = file
        .tensor("token_embd.weight")
        .ok_or_else(|| LlmError::missing(file.path(), "tensor `token_embd.weight` is missing"))?;
    let table = Matrix::load(file, info)?;
    let rows = bench_tokens(256, table.rows);
    let mut row = vec![0f32; table.cols];
    // The first pass pages the rows in, as a running model has them.
    for &r in &rows {
        table.dequantize_row(r as usize, &mut row);
    }
    let t = Instant::now();
    for &r in &rows {
        table.dequantize_row(r as usize, &mut row);
        std::hint::black_box(&row);
    }
    Ok(t.elapsed().as_secs_f64() * 1e6 / rows.len() as f64)
}

/// The process's resident set now: `/proc/self/statm` on Linux, `ps` elsewhere on Unix
/// (macOS), where the OS reports it.
pub fn resident_bytes() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
        let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
        // SAFETY: `sysconf` only reads a configuration value.
        let page_size = u64::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).ok()?;
        Some(pages * page_size)
    }
    #[cfg(all(unix, not(target_os = "linux")))]
    {
        let output = std::process::Command::new("ps")
            .args(["-o", "rss=", "-p", &std::process::id().to_string()])
            .output()
            .ok()?;
        let kibibytes: u64 = String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .ok()?;
        Some(kibibytes * 1024)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The process's peak resident set, where the OS reports it.
pub fn peak_rss_bytes() -> Option<u64> {
    #[cfg(unix)]
    {
        // SAFETY: `getrusage` only writes the struct it is given.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            (libc::getrusage(libc::RUSAGE_SELF, &mut usage) == 0).then_some(usage)
        }?;
        let max_rss = u64::try_from(usage.ru_maxrss).ok()?;
        // Bytes on macOS, kibibytes elsewhere.
        Some(if cfg!(target_os = "macos") {
            max_rss
        } else {
            max_rss * 1024
        })
    }
    #[cfg(not(unix))]
    {
        None
    }
}
