//! The phi3, qwen2 and llama forward passes on small random-weight GGUFs written by
//! `cadence::llm::synthetic`: they load, generate, and decoding one token at a time gives the
//! same logits as one forward pass over the whole sequence.

use std::path::{Path, PathBuf};

use cadence::llm::gguf::GgufFile;
use cadence::llm::synthetic::{SyntheticModel, WeightType};
use cadence::llm::{
    Architecture, CancelToken, DeviceChoice, Engine, GenerationOptions, LoadOptions, LogitsMode,
    Message, Model, Prompt, SamplingOptions,
};

fn write(dir: &Path, spec: &SyntheticModel, name: &str) -> PathBuf {
    let path = dir.join(name);
    spec.write(&path).expect("the synthetic model is written");
    path
}

fn cpu(context: usize) -> LoadOptions {
    LoadOptions {
        device: DeviceChoice::Cpu,
        context_length: Some(context),
        threads: Some(2),
        ..LoadOptions::default()
    }
}

const TOKENS: [u32; 11] = [5, 77, 300, 12, 12, 190, 42, 256, 3, 99, 150];

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Logits of every position from one pass, and from a 4-token prefill followed by single
/// tokens, must agree.
fn check_incremental_matches_full(path: &Path, context: usize) {
    let mut model = Model::load(path, &cpu(context)).unwrap();
    let vocab = model.vocab_size();
    let full = model.forward(&TOKENS, LogitsMode::All).unwrap().to_vec();
    assert_eq!(full.len(), TOKENS.len() * vocab);
    let last = {
        model.truncate(0);
        model.forward(&TOKENS, LogitsMode::Last).unwrap().to_vec()
    };
    assert!(max_abs_diff(&last, &full[(TOKENS.len() - 1) * vocab..]) < 1e-4);

    model.truncate(0);
    let mut incremental = model
        .forward(&TOKENS[..4], LogitsMode::All)
        .unwrap()
        .to_vec();
    for &token in &TOKENS[4..] {
        incremental.extend_from_slice(model.forward(&[token], LogitsMode::Last).unwrap());
    }
    let scale = full.iter().fold(0f32, |m, v| m.max(v.abs()));
    let diff = max_abs_diff(&full, &incremental);
    assert!(
        diff <= 1e-3 * scale.max(1.0),
        "{}: incremental differs by {diff} (scale {scale})",
        path.display()
    );
    assert!(full.iter().all(|v| v.is_finite()));
    // Random weights still give position-dependent, non-degenerate logits.
    assert!(max_abs_diff(&full[..vocab], &full[vocab..2 * vocab]) > 1e-3);
}

/// The native CPU path against candle's quantised matmuls on its CPU device (the code the
/// Metal and CUDA builds run): same model, close logits.
fn check_matches_candle(path: &Path) {
    let file = GgufFile::open(path).unwrap();
    let mut native = Model::from_gguf(&file, &cpu(64)).unwrap();
    let mut candle = Model::load_candle_cpu(&file, 64).unwrap();
    let a = native.forward(&TOKENS, LogitsMode::All).unwrap().to_vec();
    let b = candle
        .forward(&TOKENS[..6], LogitsMode::All)
        .unwrap()
        .to_vec();
    let mut b = b;
    for &token in &TOKENS[6..] {
        b.extend_from_slice(candle.forward(&[token], LogitsMode::Last).unwrap());
    }
    let scale = a.iter().fold(0f32, |m, v| m.max(v.abs()));
    let diff = max_abs_diff(&a, &b);
    assert!(
        diff < 0.05 * scale.max(1.0),
        "{}: native and candle differ by {diff} (scale {scale})",
        path.display()
    );
}

#[test]
fn phi3_qwen2_and_llama_decode_incrementally_like_a_full_pass() {
    let dir = tempfile::tempdir().unwrap();
    for arch in [Architecture::Phi3, Architecture::Qwen2, Architecture::Llama] {
        let path = write(
            dir.path(),
            &SyntheticModel::tiny(arch),
            &format!("{arch}.gguf"),
        );
        check_incremental_matches_full(&path, 64);
        check_matches_candle(&path);
    }
}

#[test]
fn every_supported_weight_type_runs() {
    let dir = tempfile::tempdir().unwrap();
    for (i, weight_type) in [
        WeightType::Q4_0,
        WeightType::Q4_1,
        WeightType::Q8_0,
        WeightType::Q4K,
        WeightType::Q5K,
        WeightType::Q6K,
    ]
    .into_iter()
    .enumerate()
    {
        let spec = SyntheticModel {
            weight_type,
            embedding_type: weight_type,
            ..SyntheticModel::tiny(Architecture::Llama)
        };
        let path = write(dir.path(), &spec, &format!("llama-{i}.gguf"));
        check_incremental_matches_full(&path, 64);
        check_matches_candle(&path);
    }
}

#[test]
fn phi3_long_rope_factors_apply_beyond_the_original_context() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        &SyntheticModel::tiny(Architecture::Phi3),
        "phi3.gguf",
    );
    // The tiny phi3 model's original context is 128 of 512: 64 uses the short factors,
    // 512 the long ones, and the two give different logits past position 0.
    check_incremental_matches_full(&path, 512);
    let short = Model::load(&path, &cpu(64))
        .unwrap()
        .forward(&TOKENS, LogitsMode::All)
        .unwrap()
        .to_vec();
    let long = Model::load(&path, &cpu(512))
        .unwrap()
        .forward(&TOKENS, LogitsMode::All)
        .unwrap()
        .to_vec();
    assert!(max_abs_diff(&short, &long) > 1e-3);
}

#[test]
fn kv_cache_grows_with_the_sequence_not_the_context() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        &SyntheticModel::tiny(Architecture::Qwen2),
        "qwen2.gguf",
    );
    let mut model = Model::load(&path, &cpu(512)).unwrap();
    assert_eq!(model.kv_cache_bytes(), 0);
    model.forward(&TOKENS, LogitsMode::Last).unwrap();
    let small = model.kv_cache_bytes();
    assert!(small > 0);
    // 2 layers × (k + v) × 256 positions (one growth chunk) × 128 values × 4 bytes.
    assert!(small <= 2 * 2 * 256 * 128 * 4, "{small}");
}

#[test]
fn synthetic_models_generate_with_sampling() {
    let dir = tempfile::tempdir().unwrap();
    for arch in [Architecture::Phi3, Architecture::Qwen2] {
        let path = write(
            dir.path(),
            &SyntheticModel::tiny(arch),
            &format!("{arch}.gguf"),
        );
        let mut engine = Engine::load(&path, &cpu(256)).unwrap();
        let options = GenerationOptions {
            max_tokens: 12,
            sampling: SamplingOptions {
                temperature: 0.8,
                top_k: 40,
                top_p: 0.95,
                min_p: 0.05,
                repeat_penalty: 1.1,
                repeat_window: 16,
                seed: 7,
            },
            ..GenerationOptions::default()
        };
        let prompt = Prompt::Chat(vec![Message::system("Be brief."), Message::user("the cat")]);
        let mut first = String::new();
        let stats = engine
            .generate(&prompt, &options, &CancelToken::new(), &mut |d| {
                first.push_str(d)
            })
            .unwrap();
        assert!(stats.generated_tokens > 0 && stats.generated_tokens <= 12);
        assert!(stats.prompt_tokens > 4);
        let mut second = String::new();
        engine
            .generate(&prompt, &options, &CancelToken::new(), &mut |d| {
                second.push_str(d)
            })
            .unwrap();
        assert_eq!(first, second, "the same seed gives the same text");
    }
}
