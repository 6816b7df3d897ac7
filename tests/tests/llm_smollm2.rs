//! The real test model, SmolLM2-135M-Instruct Q4_1, against llama.cpp.
//!
//! The fixture comes from `scripts/llama_cpp_greedy_reference.py` (llama-cpp-python, greedy):
//! Cadence must tokenise each chat prompt exactly as llama.cpp does, stay as close to
//! llama.cpp's logits as llama.cpp stays to itself, and generate the same tokens for the
//! first 32 on several prompts.

use std::sync::{Arc, Mutex};

use cadence::llm::{
    CancelToken, DeviceChoice, Engine, Event, FinishReason, GenerationOptions, LlmError,
    LoadOptions, LogitsMode, Message, Prompt, argmax,
};

const FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/smollm2_llama_cpp_greedy.json"
));
const MATCHED_TOKENS: usize = 32;

fn cpu_engine() -> Engine {
    let path = cadence_tests::smollm2_gguf();
    Engine::load(
        &path,
        &LoadOptions {
            device: DeviceChoice::Cpu,
            context_length: Some(2048),
            ..LoadOptions::default()
        },
    )
    .expect("the test model loads")
}

fn ids(value: &serde_json::Value) -> Vec<u32> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u32)
        .collect()
}

/// llama.cpp is not a fixed point: fed the prompt one token at a time instead of in one
/// batch, its logits move (`self_gap` in the fixture, up to about 0.95 on these prompts) and
/// its greedy answer forks at near ties (`self_agreeing_tokens`). Activations are quantised
/// to 8 bits before every product, so a last-bit difference anywhere can flip a rounding
/// and spread. Cadence is held to llama.cpp's own spread, with a quarter to spare.
const SELF_GAP_ALLOWANCE: f32 = 1.25;

/// Prompts on which free-running greedy decoding must equal llama.cpp's for the first
/// [`MATCHED_TOKENS`] tokens (or the whole answer). llama.cpp manages 3 of these 6 against
/// itself.
const MIN_IDENTICAL_RUNS: usize = 3;

#[test]
fn greedy_tokens_match_llama_cpp() {
    let fixture: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    let llama_cpp_self_gap = cases
        .iter()
        .map(|case| case["self_gap"].as_f64().unwrap() as f32)
        .fold(0f32, f32::max);
    let tolerance = SELF_GAP_ALLOWANCE * llama_cpp_self_gap;
    let mut engine = cpu_engine();
    let mut identical_runs = 0;
    let mut worst_logit_gap = 0f32;
    for case in cases {
        let prompt = Prompt::Chat(cadence_tests::chat_messages(&case["messages"]));
        assert_eq!(
            engine.render(&prompt).unwrap(),
            case["prompt_text"].as_str().unwrap()
        );
        let prompt_tokens = engine.encode_prompt(&prompt).unwrap();
        assert_eq!(
            prompt_tokens,
            ids(&case["prompt_tokens"]),
            "prompt tokens differ"
        );

        let expected = ids(&case["generated_tokens"]);
        let steps = expected.len().min(MATCHED_TOKENS);
        let top_logits = case["top_logits"].as_array().unwrap();

        // Teacher-forced: fed llama.cpp's tokens, Cadence's logits for llama.cpp's five
        // highest-ranked tokens stay within llama.cpp's own spread at every step.
        let model = engine.model_mut();
        let mut logits = model
            .forward(&prompt_tokens, LogitsMode::Last)
            .unwrap()
            .to_vec();
        for step in 0..steps {
            for pair in top_logits[step].as_array().unwrap() {
                let token = pair[0].as_u64().unwrap() as usize;
                let theirs = pair[1].as_f64().unwrap() as f32;
                let gap = (logits[token] - theirs).abs();
                worst_logit_gap = worst_logit_gap.max(gap);
                assert!(
                    gap <= tolerance,
                    "step {step}, token {token}: Cadence's logit {} vs llama.cpp's {theirs} for {:?}",
                    logits[token],
                    case["messages"]
                );
            }
            logits = model
                .forward(&[expected[step]], LogitsMode::Last)
                .unwrap()
                .to_vec();
        }

        // Free-running greedy decoding follows llama.cpp at least as far as llama.cpp
        // follows itself.
        model.truncate(0);
        let mut token = argmax(model.forward(&prompt_tokens, LogitsMode::Last).unwrap());
        let mut generated = vec![token];
        while generated.len() < steps {
            token = argmax(model.forward(&[token], LogitsMode::Last).unwrap());
            generated.push(token);
        }
        let agreeing = generated
            .iter()
            .zip(&expected)
            .take_while(|(a, b)| a == b)
            .count();
        let self_agreeing = case["self_agreeing_tokens"].as_u64().unwrap() as usize;
        assert!(
            agreeing >= self_agreeing.min(steps),
            "{:?}: Cadence follows llama.cpp for {agreeing} tokens, llama.cpp follows itself for {self_agreeing}",
            case["messages"]
        );
        if agreeing == steps {
            identical_runs += 1;
        }
    }
    eprintln!(
        "free-running greedy identical to llama.cpp for the first {MATCHED_TOKENS} tokens (or the whole answer) on {identical_runs} of {} prompts; largest logit gap {worst_logit_gap:.4} (llama.cpp against itself: {llama_cpp_self_gap:.4})",
        cases.len()
    );
    assert!(
        identical_runs >= MIN_IDENTICAL_RUNS,
        "greedy decoding matched llama.cpp on only {identical_runs} of {} prompts",
        cases.len()
    );
}

#[test]
fn streams_deltas_and_reports_stats() {
    let engine = Arc::new(Mutex::new(cpu_engine()));
    let prompt = Prompt::Chat(vec![Message::user("What is a major scale?")]);
    let options = GenerationOptions {
        max_tokens: 24,
        ..GenerationOptions::default()
    };
    let mut stream = Engine::stream(Arc::clone(&engine), prompt.clone(), options.clone());
    let mut text = String::new();
    let stats = loop {
        match stream.blocking_next().expect("the stream ends with Done") {
            Event::Delta(delta) => text.push_str(&delta),
            Event::Done(stats) => break stats,
            Event::Failed(e) => panic!("generation failed: {e}"),
        }
    };
    assert!(text.starts_with("A major scale"), "{text:?}");
    assert_eq!(stats.generated_tokens, 24);
    assert_eq!(stats.finish_reason, FinishReason::MaxTokens);
    assert!(stats.prompt_tokens > 20);
    assert!(stats.time_to_first_token_ms > 0.0);
    assert!(stats.decode_tokens_per_s > 0.0);

    // The same conversation again reuses the cached prompt and gives the same text.
    let mut engine = engine.lock().unwrap();
    let mut again = String::new();
    let stats = engine
        .generate(&prompt, &options, &CancelToken::new(), &mut |d| {
            again.push_str(d)
        })
        .unwrap();
    assert_eq!(again, text);
    assert_eq!(stats.reused_tokens, stats.prompt_tokens - 1);

    // Caller-given stop strings end the text before them.
    let mut stopped = String::new();
    let stats = engine
        .generate(
            &prompt,
            &GenerationOptions {
                stop: vec!["scale that".into()],
                ..options.clone()
            },
            &CancelToken::new(),
            &mut |d| stopped.push_str(d),
        )
        .unwrap();
    assert_eq!(stats.finish_reason, FinishReason::StopString);
    assert!(
        text.starts_with(&stopped) && !stopped.contains("scale that"),
        "{stopped:?}"
    );
}

#[test]
fn cancels_and_refuses_overlong_prompts() {
    let mut engine = cpu_engine();
    let cancel = CancelToken::new();
    let mut deltas = 0;
    let stats = engine
        .generate(
            &Prompt::Text("Once upon a time".into()),
            &GenerationOptions {
                max_tokens: 200,
                ..GenerationOptions::default()
            },
            &cancel,
            &mut |_| {
                deltas += 1;
                if deltas == 3 {
                    cancel.cancel();
                }
            },
        )
        .unwrap();
    assert_eq!(stats.finish_reason, FinishReason::Cancelled);
    assert!(stats.generated_tokens < 10);

    let long = Prompt::Text("la ".repeat(3000));
    let options = GenerationOptions {
        max_tokens: 8,
        ..GenerationOptions::default()
    };
    let err = engine
        .generate(&long, &options, &CancelToken::new(), &mut |_| {})
        .unwrap_err();
    assert!(matches!(err, LlmError::PromptTooLong { .. }), "{err}");
    assert!(err.to_string().contains("shorten the prompt"));

    let trimmed = engine
        .generate(
            &long,
            &GenerationOptions {
                trim_prompt: true,
                ..options
            },
            &CancelToken::new(),
            &mut |_| {},
        )
        .unwrap();
    assert!(trimmed.trimmed_tokens > 0);
    assert!(trimmed.prompt_tokens + 8 <= 2048);
}
